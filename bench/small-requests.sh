#!/usr/bin/env bash
# Benchmark (not a test): small authenticated requests of the packaged service under wrk, against the cheapest
# request of the same process, `/q/health/live` (management interface), in the same run:
# `GET /api/v1/uploads/{id}` (metadata) and `GET /api/v1/uploads/{id}/url` (a signed URL), req/s and p99.
# Part of bench/compare.sh; runs alone too. Prints figures and one ROW line per row (see bench/README.md);
# fails when wrk sees any non-2xx answer or socket error.
#
#   bench/small-requests.sh
#
# Environment (all optional):
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar   the jar to measure (must exist when set)
#   BENCH_RUNS=5            wrk runs per endpoint (metadata, health, url alternate); medians are reported
#   BENCH_DURATION=10       seconds per wrk run; one untimed warm-up run per endpoint first
#   BENCH_WRK_THREADS=2, BENCH_WRK_CONNECTIONS=32   wrk -t and -c
#   BENCH_XMX=256m          the service's -Xmx
#   BENCH_PORT              first port to try for the service (default: random in 20000..32599)
#
# The signed-URL rate limit of the bench user is raised out of reach (REELVAULT_RATE_LIMITS_URL_USER_CAPACITY and
# ..._PER_MINUTE, unless set): the limiter still runs on every request but never answers 429. wrk is installed
# with apt-get when missing and running as root. wrk runs on the same machine and competes for the CPU.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

RUNS=${BENCH_RUNS:-5}
DURATION=${BENCH_DURATION:-10}
DURATION=${DURATION%s}
XMX=${BENCH_XMX:-256m}
FIRST_PORT=${BENCH_PORT:-$(random_port_base)}
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
export BENCH_DURATION=$DURATION
export REELVAULT_RATE_LIMITS_URL_USER_CAPACITY=${REELVAULT_RATE_LIMITS_URL_USER_CAPACITY:-1000000000}
export REELVAULT_RATE_LIMITS_URL_USER_PER_MINUTE=${REELVAULT_RATE_LIMITS_URL_USER_PER_MINUTE:-1000000000}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "BENCH_DURATION must be a positive integer"
for tool in openssl curl dd java awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
ensure_jar

WORK=$(new_work_dir bench-small)
SVC_TIME_PID=""
cleanup() {
    local status=$?
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then stop_service || true; fi
    if [[ $status -eq 0 ]]; then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_tool wrk wrk
TOKEN=$(mint_token 2)
start_bench_service local "$FIRST_PORT" "$XMX"
assert_own_service
printf '\x89PNG\r\n\x1a\n' >"$WORK/small.png"
head -c 100000 /dev/urandom >>"$WORK/small.png"
upload_png "$WORK/small.png" "$TOKEN"
AUTH="Authorization: Bearer $TOKEN"
META_URL="$BASE/api/v1/uploads/$UPLOAD_ID"
URL_URL="$BASE/api/v1/uploads/$UPLOAD_ID/url"
LIVE_URL="$MGMT/q/health/live"
for u in "$META_URL" "$URL_URL"; do
    [[ $(curl -sS -o /dev/null -w '%{http_code}' -H "$AUTH" "$u") == 200 ]] || die "GET $u did not answer 200"
done

# measure NAME URL [HEADER]: one wrk run; appends to RPS_NAME and P99_NAME
declare -A RPS P99
measure() {
    local rps p99 err
    read -r rps p99 err <<<"$(wrk_run "$WORK/wrk-$1.out" "$2" "${3:-}")"
    [[ $rps =~ ^[0-9]+$ && -n $p99 ]] || die "wrk on $2 failed; see $WORK/wrk-$1.out"
    (( err == 0 )) || die "wrk saw $err errors on $2: $(cat "$WORK/wrk-$1.out")"
    RPS[$1]+="$rps "
    P99[$1]+="$p99 "
    log "  $1: $rps req/s, p99 $p99 ms (load $(load1))"
}

l0=$(load1)
log "warm-up, ${DURATION}s per endpoint (load $(load_avg))"
measure warm-meta "$META_URL" "$AUTH"
measure warm-live "$LIVE_URL"
measure warm-url "$URL_URL" "$AUTH"
for ((i = 1; i <= RUNS; i++)); do
    log "run $i of $RUNS"
    measure meta "$META_URL" "$AUTH"
    measure live "$LIVE_URL"
    measure url "$URL_URL" "$AUTH"
done
l1=$(load1)
log "done (load $(load_avg))"

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
live_rps=$(med "${RPS[live]}")
live_p99=$(med "${P99[live]}")
echo
echo "== small requests under wrk -t${BENCH_WRK_THREADS:-2} -c${BENCH_WRK_CONNECTIONS:-32} -d${DURATION}s --latency, warm" \
    "($RUNS runs each, alternating, medians; $(basename "$JAR") at $(dirname "$JAR"))"
printf '%-28s %10s %9s\n' endpoint "req/s" "p99 ms"
printf '%-28s %10s %9s\n' "/q/health/live" "$live_rps" "$live_p99"
for name in meta url; do
    label="GET /api/v1/uploads/{id}"; [[ $name == url ]] && label="$label/url"
    rps=$(med "${RPS[$name]}")
    p99=$(med "${P99[$name]}")
    printf '%-28s %10s %9s   ratio req/s %s\n' "$label" "$rps" "$p99" "$(ratio "$rps" "$live_rps")"
    emit_row "$name-rps" "$rps" "$live_rps" "req/s" "service ${RPS[$name]% }; live ${RPS[live]% }; load $l0->$l1"
    emit_row "$name-p99" "$p99" "$live_p99" "ms" "service ${P99[$name]% }; live ${P99[live]% }; load $l0->$l1"
done
