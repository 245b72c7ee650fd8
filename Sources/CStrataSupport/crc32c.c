// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by every Strata checksum.
#include "strata_support.h"
#include <pthread.h>
#include <string.h>

static uint32_t table[8][256];
static int table_ready = 0;

static void build_tables(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
    }
    __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

static uint32_t crc_software(uint32_t crc, const uint8_t *p, size_t n) {
    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE)) build_tables();
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    return crc;
}

#if defined(__x86_64__)
/* Bytes per lane of the three-lane loop: three independent CRC chains over adjacent 256-byte
 * lanes keep the crc32 instruction's pipeline full (one chain waits 3 cycles per 8 bytes). */
#define LANE 256

/* shift_lane[k][b]: the CRC state reached from state (b << 8k) by LANE zero bytes. The raw state
 * update over zero bytes is linear over GF(2), so the state reached from any state x is the XOR
 * of the four entries for x's bytes. */
static uint32_t shift_lane[4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

__attribute__((target("sse4.2")))
static uint32_t zeros_hardware(uint32_t state, size_t n) {
    uint64_t c = state;
    for (size_t i = 0; i < n / 8; i++) c = __builtin_ia32_crc32di(c, 0);
    return (uint32_t)c;
}

static void build_shift_lane(void) {
    for (int k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++) shift_lane[k][b] = zeros_hardware(b << (8 * k), LANE);
}

static inline uint32_t shift_by_lane(uint32_t x) {
    return shift_lane[0][x & 0xff] ^ shift_lane[1][(x >> 8) & 0xff] ^ shift_lane[2][(x >> 16) & 0xff] ^
           shift_lane[3][x >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t crc_hardware(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    if (n >= 3 * LANE) {
        pthread_once(&shift_once, build_shift_lane);
        while (n >= 3 * LANE) {
            uint64_t c1 = 0, c2 = 0;
            for (size_t i = 0; i < LANE; i += 8) {
                uint64_t w0, w1, w2;
                memcpy(&w0, p + i, 8);
                memcpy(&w1, p + LANE + i, 8);
                memcpy(&w2, p + 2 * LANE + i, 8);
                c = __builtin_ia32_crc32di(c, w0);
                c1 = __builtin_ia32_crc32di(c1, w1);
                c2 = __builtin_ia32_crc32di(c2, w2);
            }
            /* state after lane 0, carried over lanes 1 and 2, combined with theirs */
            c = shift_by_lane(shift_by_lane((uint32_t)c) ^ (uint32_t)c1) ^ (uint32_t)c2;
            p += 3 * LANE;
            n -= 3 * LANE;
        }
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
static int has_sse42(void) {
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}
#endif

uint32_t strata_crc32c_portable(uint32_t crc, const void *data, size_t n) {
    return ~crc_software(~crc, (const uint8_t *)data, n);
}

uint32_t strata_crc32c_extend(uint32_t crc, const void *data, size_t n) {
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
#if defined(__x86_64__)
    if (has_sse42()) return ~crc_hardware(crc, p, n);
#endif
    return ~crc_software(crc, p, n);
}
