#!/usr/bin/env bash
# Benchmark (not a test): small authenticated requests of the packaged service (local backend) under wrk, against
# the service's own liveness endpoint in the same run. One upload is made first; then wrk -t2 -c32 runs on
# /q/health/live (the baseline: no token, no storage), GET /api/v1/uploads/{id} (bearer token, metadata read, JSON)
# and GET /api/v1/uploads/{id}/url (the same plus the rate limiter and a signed URL), alternating, BENCH_RUNS times;
# medians of req/s and p99 latency are printed with the ratio to live. Fails when a request is not answered 2xx.
#
#   bench/small-requests.sh
#
# Environment (all optional):
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar   the packaged service to measure (built when it is the default and missing)
#   BENCH_RUNS=5          wrk runs per endpoint (the endpoints alternate); medians are reported
#   BENCH_DURATION=10s    each wrk run's -d
#   BENCH_WARMUP=5s       one untimed wrk run per endpoint first (JIT warm-up); 0 skips it
#   BENCH_THREADS=2       wrk -t
#   BENCH_CONNECTIONS=32  wrk -c
#   BENCH_XMX=256m        the service's -Xmx
#   BENCH_PORT=<random>   first port to try (default: random in 20000-39999, so that parallel benches do not
#                         collide); the next free ones are used
#
# The rate limits of signed URLs are raised (not turned off) so that the limiter runs on every /url request but
# never refuses one. Other variables in the environment reach the service too (e.g. JAVA_TOOL_OPTIONS with
# -XX:StartFlightRecording=... to profile it).
#
# Output: a table, then one machine-readable line per endpoint:
#   RESULT <name> rps=<median req/s> p99_ms=<median p99> ratio=<rps / live rps>
# Uses bash, openssl, curl, wrk (Debian: apt-get install wrk), java, /usr/bin/time and coreutils/awk only.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DEFAULT_JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
JAR=${BENCH_JAR:-$DEFAULT_JAR}
RUNS=${BENCH_RUNS:-5}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-5s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
XMX=${BENCH_XMX:-256m}
FIRST_PORT=${BENCH_PORT:-$((20000 + RANDOM % 20000))}

for tool in openssl curl wrk java awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed${tool/#wrk/ (apt-get install -y wrk)}"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $DURATION =~ ^[1-9][0-9]*[smh]?$ ]] || die "BENCH_DURATION must be a wrk duration such as 10s"
[[ $WARMUP == 0 || $WARMUP =~ ^[1-9][0-9]*[smh]?$ ]] || die "BENCH_WARMUP must be 0 or a wrk duration"

if [[ $JAR == "$DEFAULT_JAR" ]]; then
    ensure_jar
fi
[[ -f $JAR ]] || die "no jar at $JAR"

WORK=$(new_work_dir bench-small)
SVC_TIME_PID=""
cleanup() {
    local status=$?
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then
        stop_service || true
    fi
    finish_work "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TOKEN=$(mint_token 2)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# the limiter runs on /url but never refuses within a run: a bucket far larger than any run's requests
export REELVAULT_RATE_LIMITS_URL_USER_CAPACITY=${REELVAULT_RATE_LIMITS_URL_USER_CAPACITY:-1000000000}
export REELVAULT_RATE_LIMITS_URL_USER_PER_MINUTE=${REELVAULT_RATE_LIMITS_URL_USER_PER_MINUTE:-1000000000}
start_bench_service local "$FIRST_PORT" "$XMX"
# the service answering must be the one started here (another process may have taken the port meanwhile)
grep -q "Listening on: $BASE" "$SVC_LOG" && kill -0 "$SVC_PID" 2>/dev/null \
    || die "the service did not start on $BASE; log: $SVC_LOG"

# --- one small upload (a PNG signature and a few bytes)
printf '\x89PNG\r\n\x1a\n' >"$WORK/logo.png"
head -c 2048 /dev/urandom >>"$WORK/logo.png"
code=$(curl -sS -o "$WORK/upload.json" -w '%{http_code}' -X POST "$BASE/api/v1/uploads?filename=logo.png" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' --data-binary "@$WORK/logo.png") \
    || die "the upload failed; log: $SVC_LOG"
[[ $code == 201 ]] || die "the upload answered HTTP $code: $(cat "$WORK/upload.json")"
ID=$(json_field "$WORK/upload.json" upload_id)
[[ -n $ID ]] || die "no upload_id in $(cat "$WORK/upload.json")"
for path in "/api/v1/uploads/$ID" "/api/v1/uploads/$ID/url"; do
    code=$(curl -sS -o "$WORK/check.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
    [[ $code == 200 ]] || die "GET $path answered HTTP $code: $(cat "$WORK/check.json")"
done
log "upload $ID made; GET and GET /url answer 200"

NAMES=(live get url)
declare -A URL AUTH
URL[live]="$MGMT/q/health/live"
URL[get]="$BASE/api/v1/uploads/$ID"
URL[url]="$BASE/api/v1/uploads/$ID/url"
AUTH[live]=""
AUTH[get]="Authorization: Bearer $TOKEN"
AUTH[url]="Authorization: Bearer $TOKEN"

# to_ms VALUE: wrk's latency (850.00us, 11.23ms, 1.02s, 1.00m) in milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

# run_wrk NAME DURATION: one wrk run; sets RPS and P99 (ms); fails on any non-2xx answer or socket error
run_wrk() {
    local name=$1 out="$WORK/wrk-$1.out" args=(-t"$THREADS" -c"$CONNECTIONS" -d"$2" --latency)
    [[ -n ${AUTH[$name]} ]] && args+=(-H "${AUTH[$name]}")
    wrk "${args[@]}" "${URL[$name]}" >"$out" 2>&1 || die "wrk failed on $name: $(cat "$out")"
    if grep -q 'Non-2xx or 3xx responses' "$out"; then
        die "$name: $(grep 'Non-2xx' "$out") (service log: $SVC_LOG)"
    fi
    if grep -q 'Socket errors' "$out"; then
        log "  $name: $(grep 'Socket errors' "$out" | sed 's/^ *//')"
    fi
    RPS=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
    P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    [[ -n $RPS && -n $P99 ]] || die "cannot read wrk's output: $(cat "$out")"
}

if [[ $WARMUP != 0 ]]; then
    for name in "${NAMES[@]}"; do
        run_wrk "$name" "$WARMUP"
        log "warm-up $name: $RPS req/s, p99 $P99 ms (not counted)"
    done
fi

declare -A ALL_RPS ALL_P99
LOADS=()
for ((i = 1; i <= RUNS; i++)); do
    for name in "${NAMES[@]}"; do
        run_wrk "$name" "$DURATION"
        ALL_RPS[$name]+="$RPS "
        ALL_P99[$name]+="$P99 "
        log "run $i $name: $RPS req/s, p99 $P99 ms"
    done
    LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
stop_service

declare -A MED_RPS MED_P99
for name in "${NAMES[@]}"; do
    MED_RPS[$name]=$(tr ' ' '\n' <<<"${ALL_RPS[$name]}" | grep . | median)
    MED_P99[$name]=$(tr ' ' '\n' <<<"${ALL_P99[$name]}" | grep . | median)
done

echo
echo "== reelvault small requests (local backend; wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; $RUNS runs each, alternating; medians)"
echo "jar: $JAR"
echo "machine: $(nproc) CPUs; jvm: $(java -version 2>&1 | head -1), -Xmx$XMX"
echo "load average: before $LOAD_BEFORE; 1-min after each round: ${LOADS[*]}; after $LOAD_AFTER"
echo
printf '%-28s %10s %9s %12s\n' endpoint "req/s" "p99 ms" "ratio/live"
label() {
    case $1 in
        live) echo "/q/health/live" ;;
        get) echo "GET /api/v1/uploads/{id}" ;;
        url) echo "GET /api/v1/uploads/{id}/url" ;;
    esac
}
for name in "${NAMES[@]}"; do
    ratio=$(awk -v a="${MED_RPS[$name]}" -v b="${MED_RPS[live]}" 'BEGIN {printf "%.2f", a / b}')
    printf '%-28s %10s %9s %12s\n' "$(label "$name")" "${MED_RPS[$name]}" "${MED_P99[$name]}" "$ratio"
done
echo
for name in "${NAMES[@]}"; do
    ratio=$(awk -v a="${MED_RPS[$name]}" -v b="${MED_RPS[live]}" 'BEGIN {printf "%.2f", a / b}')
    echo "RESULT $name rps=${MED_RPS[$name]} p99_ms=${MED_P99[$name]} ratio=$ratio"
done
