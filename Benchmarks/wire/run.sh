#!/usr/bin/env bash
# strata-server against moto_server over DynamoDB's wire protocol, in one run on one machine:
# PutItem, GetItem and Query with wrk (the Lua scripts next to this file), then a table of
# requests/s, p50/p99 latency and the strata/moto throughput ratio.
#
#   Benchmarks/wire/run.sh                          # from anywhere; 16 connections, 12 s per script
#   CONNECTIONS="1 16" DURATION=10 Benchmarks/wire/run.sh
#
# Environment: DURATION (seconds per wrk run, default 12), CONNECTIONS (space-separated list,
# default 16), THREADS (wrk threads, default 2, at most the connections), SCRIPTS (default
# "putitem getitem query"), SERVERS (default "strata moto"), SCRATCH (swift build scratch path,
# default .build-wire), STRATA_BIN (a strata-server binary to run instead of building one, to
# compare two builds in the same period), WIRE_TABLE / WIRE_PARTITIONS / WIRE_ITEMS (see common.lua).
#
# Both servers listen on 127.0.0.1 only. strata-server runs on a temporary --data-dir with sync
# off (its default) and accepts any well-formed request (no --credentials); moto_server keeps
# everything in memory. Each gets the same table and preload (setup.py) and the same requests.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-12}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
SCRIPTS=${SCRIPTS:-"putitem getitem query"}
SERVERS=${SERVERS:-"strata moto"}
SCRATCH=${SCRATCH:-.build-wire}
export WIRE_TABLE=${WIRE_TABLE:-wire} WIRE_PARTITIONS=${WIRE_PARTITIONS:-100} WIRE_ITEMS=${WIRE_ITEMS:-100}

say() { printf '== %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
    say "installing wrk"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get install -y -qq wrk || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk; }
fi
command -v moto_server >/dev/null || { echo "moto_server not found (pip install 'moto[server]')" >&2; exit 1; }
python3 -c 'import boto3' || { echo "python3 with boto3 is needed" >&2; exit 1; }

if [ -n "${STRATA_BIN:-}" ]; then
    STRATA_BIN_GIVEN=1
    say "strata-server: $STRATA_BIN (not built)"
elif [[ " $SERVERS " == *" strata "* ]]; then
    say "building strata-server (release, scratch path $SCRATCH)"
    (cd "$REPO" && swift build -c release --product strata-server --scratch-path "$SCRATCH") >&2
    STRATA_BIN="$REPO/$SCRATCH/release/strata-server"
fi

WORK=$(mktemp -d /tmp/strata-wire.XXXXXX)
SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_until_listening() { # port log
    for _ in $(seq 1 600); do
        if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server exited at start:" >&2; cat "$2" >&2; exit 1
        fi
        sleep 0.1
    done
    echo "server did not start within 60 s:" >&2; cat "$2" >&2; exit 1
}

start_server() { # name port
    local log="$WORK/$1.log"
    case "$1" in
        strata) "$STRATA_BIN" --host 127.0.0.1 --port "$2" --data-dir "$WORK/strata-data" >"$log" 2>&1 & ;;
        moto) moto_server -H 127.0.0.1 -p "$2" >"$log" 2>&1 & ;;
        *) echo "unknown server $1" >&2; exit 1 ;;
    esac
    SERVER_PID=$!
    wait_until_listening "$2" "$log"
}

# One request per operation, as the scripts send it, so a failing operation shows its answer.
probe() { # port operation body
    local answer
    answer=$(curl -s -w ' HTTP %{http_code}' -X POST "http://127.0.0.1:$1/" \
        -H 'Content-Type: application/x-amz-json-1.0' -H "X-Amz-Target: DynamoDB_20120810.$2" \
        -H 'X-Amz-Date: 20260101T000000Z' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDWIREBENCH/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000' \
        --data "$3")
    printf '   probe %-8s %s\n' "$2" "${answer:0:200}" >&2
}

declare -A RESULT
for server in $SERVERS; do
    port=$(free_port)
    say "$server on 127.0.0.1:$port"
    start_server "$server" "$port"
    python3 "$HERE/setup.py" "http://127.0.0.1:$port" >&2
    probe "$port" PutItem "{\"TableName\":\"$WIRE_TABLE\",\"Item\":{\"pk\":{\"S\":\"probe\"},\"sk\":{\"S\":\"s0000\"},\"data\":{\"S\":\"x\"}}}"
    probe "$port" GetItem "{\"TableName\":\"$WIRE_TABLE\",\"Key\":{\"pk\":{\"S\":\"p0000\"},\"sk\":{\"S\":\"s0000\"}}}"
    probe "$port" Query "{\"TableName\":\"$WIRE_TABLE\",\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p0000\"}},\"Limit\":10,\"Select\":\"COUNT\"}"
    for script in $SCRIPTS; do
        for c in $CONNECTIONS; do
            t=$(( c < THREADS ? c : THREADS ))
            out="$WORK/$server-$script-c$c.txt"
            say "$server $script: wrk -t$t -c$c -d${DURATION}s --timeout 30s --latency"
            wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 30s --latency -s "$HERE/$script.lua" "http://127.0.0.1:$port/" >"$out"
            sed -n '/Latency Distribution/,/Requests\/sec/p' "$out" | sed 's/^/   /' >&2
            RESULT["$server,$script,$c"]=$(grep '^WIRE_RESULT' "$out" | tail -1)
        done
    done
    stop_server
done

field() { # "WIRE_RESULT k=v ..." key
    local kv
    for kv in $1; do [ "${kv%%=*}" = "$2" ] && { echo "${kv#*=}"; return; }; done
    echo ""
}
ms() { awk -v us="$1" 'BEGIN { if (us >= 10000) printf "%.0f", us / 1000; else printf "%.2f", us / 1000 }'; }
cell() { # result -> "rps | p50 | p99", or a note when requests failed
    local r=$1
    [ -z "$r" ] && { echo "– | – | –"; return; }
    local n bad
    n=$(field "$r" requests); bad=$(field "$r" non2xx)
    if [ "$bad" -gt 0 ] && [ "$bad" -ge $(( n / 100 )) ]; then
        echo "errors: $bad of $n non-2xx | – | –"; return
    fi
    printf '%.0f | %s | %s' "$(field "$r" rps)" "$(ms "$(field "$r" p50_us)")" "$(ms "$(field "$r" p99_us)")"
}

echo
if [ -n "${STRATA_BIN_GIVEN:-}" ]; then built="binary $STRATA_BIN"; else
    built="commit $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- Sources 2>/dev/null || echo ' + uncommitted Sources')"; fi
echo "strata-server vs moto_server, $(date -u '+%Y-%m-%d %H:%M UTC'), $built; ${DURATION} s per run, wrk threads ≤ $THREADS; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| operation | connections | strata req/s | strata p50 ms | strata p99 ms | moto req/s | moto p50 ms | moto p99 ms | strata/moto req/s |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
verdict=""
for script in $SCRIPTS; do
    case $script in putitem) op=PutItem ;; getitem) op=GetItem ;; query) op=Query ;; *) op=$script ;; esac
    for c in $CONNECTIONS; do
        s=${RESULT["strata,$script,$c"]:-}; m=${RESULT["moto,$script,$c"]:-}
        ratio="–"
        if [ -n "$s" ] && [ -n "$m" ] && [[ "$(cell "$s")$(cell "$m")" != *errors* ]]; then
            ratio=$(awk -v a="$(field "$s" rps)" -v b="$(field "$m" rps)" 'BEGIN { printf "%.1f×", a / b }')
            if [ "$c" = 16 ] && { [ "$op" = PutItem ] || [ "$op" = GetItem ]; }; then
                ok=$(awk -v a="$(field "$s" rps)" -v b="$(field "$m" rps)" 'BEGIN { print (a >= 100 * b) ? "met" : "NOT met" }')
                verdict+="$op at 16 connections: ${ratio} (target ≥ 100×: $ok). "
            fi
        fi
        echo "| $op | $c | $(cell "$s") | $(cell "$m") | $ratio |"
    done
done
[ -n "$verdict" ] && { echo; echo "$verdict"; }
