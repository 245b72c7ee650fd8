#ifndef STRATA_SUPPORT_H
#define STRATA_SUPPORT_H

#include <stdint.h>
#include <stddef.h>

/// CRC-32C (Castagnoli) of `n` bytes continuing from `crc` (0 to start).
/// Uses the SSE4.2 instruction when the CPU has it (three interleaved chains over 768-byte
/// strides, combined with a precomputed shift table), a table otherwise.
uint32_t strata_crc32c_extend(uint32_t crc, const void *data, size_t n);

/// The same CRC by tables alone, whatever the CPU (for tests of the fast path).
uint32_t strata_crc32c_portable(uint32_t crc, const void *data, size_t n);

/// Starts writing `length` bytes of `fd` from `offset` back to the disk without waiting for
/// them (Linux sync_file_range with SYNC_FILE_RANGE_WRITE; nothing elsewhere). Advisory: it makes
/// no data durable, it only leaves a later fdatasync less to write. Returns 0 or -1 (errno set).
int strata_start_writeback(int fd, int64_t offset, int64_t length);

/// Allocates disk space for bytes [offset, offset + length) of `fd`, growing the file to cover
/// them (Linux fallocate, mode 0: the new bytes read as zeros). Returns 0 or -1 (errno set;
/// ENOSYS where there is no fallocate, EOPNOTSUPP where the file system has none).
int strata_allocate(int fd, int64_t offset, int64_t length);

/// A hint to the CPU that the caller is spinning (x86 `pause`, Arm `yield`).
static inline void strata_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Acquire load / release store of a pointer-sized word in raw memory.
/// The memtable's skip list publishes nodes with these so readers need no lock.
static inline uintptr_t strata_load_acquire(const uintptr_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void strata_store_release(uintptr_t *p, uintptr_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline uintptr_t strata_load_relaxed(const uintptr_t *p) {
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static inline void strata_store_relaxed(uintptr_t *p, uintptr_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

#endif
