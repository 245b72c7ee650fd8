#!/usr/bin/env bash
# Server CPU per request: starts strata-server as run.sh does (temporary --data-dir, sync off, no
# --credentials), preloads it with setup.py, then for each script runs wrk and reads the server's
# utime + stime from /proc/PID/stat before and after. Prints requests/s, CPU µs per request (and
# the user-space part of it),
# which is less sensitive than requests/s to other load on the machine, and the server threads'
# voluntary context switches per request (each a thread going to sleep: an event loop in
# epoll_wait, a gateway worker waiting for jobs).
#
#   Benchmarks/wire/cpu.sh [path/to/strata-server]     # default: .build-wire/release/strata-server
#   CONNECTIONS=16 DURATION=10 SCRIPTS="getitem putitem" Benchmarks/wire/cpu.sh
#   SYSCALLS=1 Benchmarks/wire/cpu.sh    # also the server's system calls per request (perf stat
#                                        # on the syscall tracepoints; needs root)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${1:-$REPO/.build-wire/release/strata-server}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
SCRIPTS=${SCRIPTS:-"getitem putitem"}
export WIRE_TABLE=${WIRE_TABLE:-wire} WIRE_PARTITIONS=${WIRE_PARTITIONS:-100} WIRE_ITEMS=${WIRE_ITEMS:-100}

WORK=$(mktemp -d /tmp/strata-cpu.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" --host 127.0.0.1 --port "$port" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
python3 "$HERE/setup.py" "http://127.0.0.1:$port" >/dev/null

ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
user_ticks() { awk '{ print $14 }' "/proc/$PID/stat"; }
switches() { cat /proc/"$PID"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n }'; }
hz=$(getconf CLK_TCK)
printf '%-8s %5s %10s %12s %10s %10s\n' script conns "req/s" "CPU µs/req" "user µs" "ctxsw/req"
for script in $SCRIPTS; do
    for c in $CONNECTIONS; do
        t=$(( c < THREADS ? c : THREADS ))
        before=$(ticks)
        user_before=$(user_ticks)
        sw_before=$(switches)
        if [ -n "${SYSCALLS:-}" ]; then
            perf stat -x, -o "$WORK/perf.txt" -p "$PID" -e raw_syscalls:sys_enter,syscalls:sys_enter_read \
                -e syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex \
                -- wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 30s -s "$HERE/$script.lua" "http://127.0.0.1:$port/" >"$WORK/wrk.txt"
        else
            wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 30s -s "$HERE/$script.lua" "http://127.0.0.1:$port/" >"$WORK/wrk.txt"
        fi
        after=$(ticks)
        user_after=$(user_ticks)
        sw_after=$(switches)
        line=$(grep '^WIRE_RESULT' "$WORK/wrk.txt")
        rps=$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$line")
        n=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")
        bad=$(sed 's/.*non2xx=\([0-9]*\).*/\1/' <<<"$line")
        awk -v s="$script" -v c="$c" -v r="$rps" -v n="$n" -v b="$bad" -v d=$(( after - before )) -v hz="$hz" \
            -v sw=$(( sw_after - sw_before )) -v u=$(( user_after - user_before )) \
            'BEGIN { printf "%-8s %5d %10.0f %12.1f %10.1f %10.2f%s\n", s, c, r, d / hz * 1e6 / n, u / hz * 1e6 / n, sw / n, (b > 0 ? "  (" b " non-2xx)" : "") }'
        if [ -n "${SYSCALLS:-}" ]; then
            awk -F, -v n="$n" '$3 ~ /sys_enter/ { sub(/.*:sys_enter_?/, "", $3); printf "    %s %.2f/req", ($3 == "" ? "all" : $3), $1 / n } END { print "" }' "$WORK/perf.txt"
        fi
    done
done
