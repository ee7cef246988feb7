#!/usr/bin/env bash
# Benchmark (not a test): raw-body upload throughput of two builds of the service side by side (local backend), to
# tell whether a change made uploads faster or slower on a machine whose figures drift from minute to minute. Both
# services run at once, each on its own storage root; after the same warm-up, each round uploads the same file to
# one then the other (the order swapped every round), each upload deleted after it. Prints, per build, the median
# seconds, MB/s and CPU seconds per GiB (the service JVM's user+system time during the POST), and the median of the
# per-round ratios (B / A): a pair of uploads a second apart meets the same machine.
#
#   BENCH_JAR_A=/old/target/quarkus-app/quarkus-run.jar bench/upload-ab.sh     # B: target/quarkus-app (built when missing)
#
# Environment:
#   BENCH_JAR_A            the first build's quarkus-run.jar (required), e.g. the code before a change
#   BENCH_JAR_B=target/quarkus-app/quarkus-run.jar   the second build's
#   BENCH_MB=1024          the upload's size, MiB
#   BENCH_ROUNDS=15        rounds (one upload to each build per round)
#   BENCH_WARMUP_MB=3072   untimed uploads to each build first, until this many MiB went through (the JIT)
#   BENCH_XMX=256m         each service's -Xmx
#   BENCH_PORT=            first port to try; default: a random one in 20000-49999
# Other variables in the environment reach both services (e.g. REELVAULT_STORAGE_LOCAL_DIRECT_WRITES=true).
# Uses bash, openssl, curl, dd, java, /usr/bin/time and coreutils/awk only; works under target/, removed on exit.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

JAR_A=${BENCH_JAR_A:?"set BENCH_JAR_A to the first build's quarkus-run.jar"}
JAR_B=${BENCH_JAR_B:-$ROOT/target/quarkus-app/quarkus-run.jar}
MB=${BENCH_MB:-1024}
ROUNDS=${BENCH_ROUNDS:-15}
WARMUP_MB=${BENCH_WARMUP_MB:-3072}
XMX=${BENCH_XMX:-256m}
FIRST_PORT=${BENCH_PORT:-$((20000 + RANDOM % 30000))}
[[ $MB =~ ^[1-9][0-9]*$ ]] || die "BENCH_MB must be a positive integer"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
[[ $WARMUP_MB =~ ^[0-9]+$ ]] || die "BENCH_WARMUP_MB must be a whole number"
if [[ -z ${BENCH_JAR_B:-} ]]; then
    JAR=$JAR_B
    ensure_jar
fi
for jar in "$JAR_A" "$JAR_B"; do [[ -f $jar ]] || die "no jar at $jar"; done

WORK=$(new_work_dir bench-upload-ab)
TOP=$WORK
declare -A TIME_PID JVM_PID BASE_OF LOG_OF
cleanup() {
    local status=$? name
    for name in "${!TIME_PID[@]}"; do
        SVC_TIME_PID=${TIME_PID[$name]}
        kill -0 "$SVC_TIME_PID" 2>/dev/null && { stop_service || true; }
    done
    WORK=$TOP
    rm -rf "$TOP"/*/storage "$TOP/input.bin" 2>/dev/null || true
    finish_work "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TOKEN=$(mint_token 4)
CLK_TCK=$(getconf CLK_TCK)
port=$FIRST_PORT
for name in A B; do
    mkdir -p "$TOP/$name"
    cp "$TOP/pub.pem" "$TOP/$name/"
    WORK=$TOP/$name
    JAR=$JAR_A
    [[ $name == B ]] && JAR=$JAR_B
    log "build $name: $JAR"
    REELVAULT_UPLOADS_MAX_SIZE=${REELVAULT_UPLOADS_MAX_SIZE:-$(( MB + 1 ))M} \
    REELVAULT_RATE_LIMITS_UPLOAD_USER_CAPACITY=${REELVAULT_RATE_LIMITS_UPLOAD_USER_CAPACITY:-100000} \
        start_bench_service local "$port" "$XMX"
    TIME_PID[$name]=$SVC_TIME_PID
    JVM_PID[$name]=$SVC_PID
    BASE_OF[$name]=$BASE
    LOG_OF[$name]=$SVC_LOG
    port=$((PORT + 10))
done
WORK=$TOP

log "making a $MB MiB input"
make_png_input "$TOP/input.bin" "$MB"
SHA=$(sha256sum "$TOP/input.bin" | cut -d' ' -f1)
BYTES=$(stat -c %s "$TOP/input.bin")

# upload NAME: one checked upload to build NAME, then its DELETE; sets SECS and TICKS (the JVM's CPU clock ticks)
upload() {
    local name=$1 base=${BASE_OF[$1]} stat="/proc/${JVM_PID[$1]}/stat" out code t0 id
    t0=$(awk '{print $14 + $15}' "$stat")
    out=$(curl -sS -o "$TOP/resp.json" -w '%{http_code} %{time_total}' -X POST "$base/api/v1/uploads?filename=ab.png" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' -H 'Expect:' -T "$TOP/input.bin") \
        || die "curl failed; log: ${LOG_OF[$name]}"
    TICKS=$(( $(awk '{print $14 + $15}' "$stat") - t0 ))
    read -r code SECS <<<"$out"
    [[ $code == 201 ]] || die "build $name answered HTTP $code: $(cat "$TOP/resp.json")"
    [[ $(json_field "$TOP/resp.json" sha256) == "$SHA" ]] || die "build $name stored another SHA-256"
    id=$(json_field "$TOP/resp.json" upload_id)
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$base/api/v1/uploads/$id" -H "Authorization: Bearer $TOKEN")
    [[ $code == 204 ]] || die "DELETE on build $name answered HTTP $code"
}

warm=$(( (WARMUP_MB + MB - 1) / MB ))
(( warm > 0 )) || warm=1
for ((i = 1; i <= warm; i++)); do
    for name in A B; do upload "$name"; done
done
log "warm-up: $warm uploads of $MB MiB to each build"

declare -A SECS_OF CPU_OF LAST
RATIOS=()
LOAD_BEFORE=$(load_avg)
for ((r = 1; r <= ROUNDS; r++)); do
    order=(A B)
    (( r % 2 == 0 )) && order=(B A)
    for name in "${order[@]}"; do
        upload "$name"
        SECS_OF[$name]+="$SECS "
        CPU_OF[$name]+="$(awk -v t="$TICKS" -v hz="$CLK_TCK" -v b="$BYTES" 'BEGIN {printf "%.2f", t / hz / (b / 1073741824)}') "
        LAST[$name]=$SECS
    done
    RATIOS+=("$(awk -v a="${LAST[A]}" -v b="${LAST[B]}" 'BEGIN {printf "%.3f", a / b}')")
    log "round $r: A ${LAST[A]} s, B ${LAST[B]} s"
done

echo
echo "== upload A/B: $MB MiB raw POST, local storage, $ROUNDS rounds (order swapped each round), medians"
echo "A: $JAR_A"
echo "B: $JAR_B"
echo "machine: $(nproc) CPUs; load average before $LOAD_BEFORE, after $(load_avg)"
free_page_reporting
printf '%-6s %10s %10s %10s\n' build "seconds" "MB/s" "CPU-s/GiB"
for name in A B; do
    secs=$(tr ' ' '\n' <<<"${SECS_OF[$name]}" | grep . | median)
    printf '%-6s %10s %10s %10s\n' "$name" "$secs" "$(awk -v b="$BYTES" -v s="$secs" 'BEGIN {printf "%.1f", b / s / 1e6}')" \
        "$(tr ' ' '\n' <<<"${CPU_OF[$name]}" | grep . | median)"
done
echo "paired: median over the rounds of B's speed / A's (time A / time B): $(printf '%s\n' "${RATIOS[@]}" | median)"
echo "all rounds, seconds A: ${SECS_OF[A]}"
echo "all rounds, seconds B: ${SECS_OF[B]}"
