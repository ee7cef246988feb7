#!/usr/bin/env bash
# Benchmark (not a test): start to ready of the packaged service (local backend): from the moment `java` is
# launched until `/q/health/ready` answers 200, polled every 20 ms; median of BENCH_RUNS fresh starts, each
# stopped (SIGTERM) before the next. Part of bench/compare.sh; runs alone too. Prints figures and one ROW line
# (see bench/README.md); there is no baseline.
#
#   bench/startup.sh
#
# Environment (all optional):
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar   the jar to measure (must exist when set)
#   BENCH_RUNS=5            starts; the median is reported
#   BENCH_XMX=256m          the service's -Xmx
#   BENCH_JAVA_OPTS         more JVM options (split on spaces)
#   BENCH_PORT              first port to try (default: random in 20000..32599)
#
# When the jar's folder holds app-cds.jsa (quarkus.package.jar.appcds.enabled), it is used
# (-XX:SharedArchiveFile), as the container does. The first start is counted like the others (the jar's files
# are in the page cache after an untimed `cat`).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

RUNS=${BENCH_RUNS:-5}
XMX=${BENCH_XMX:-256m}
FIRST_PORT=${BENCH_PORT:-$(random_port_base)}
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
for tool in openssl curl java awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
ensure_jar

WORK=$(new_work_dir bench-startup)
SVC_TIME_PID=""
cleanup() {
    local status=$?
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then stop_service || true; fi
    if [[ $status -eq 0 ]]; then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mint_token 1 >/dev/null
SIGNING_KEY=$(openssl rand -hex 32)
JVM=("-Xmx$XMX")
CDS="no AppCDS"
if [[ -f $(dirname "$JAR")/app-cds.jsa ]]; then
    JVM+=("-XX:SharedArchiveFile=$(dirname "$JAR")/app-cds.jsa")
    CDS="AppCDS"
fi
# shellcheck disable=SC2206 # BENCH_JAVA_OPTS is split on spaces on purpose
[[ -n ${BENCH_JAVA_OPTS:-} ]] && JVM+=($BENCH_JAVA_OPTS)
find "$(dirname "$JAR")" -type f -exec cat {} + >/dev/null

# start_once N: one start; sets READY_SECS and QUARKUS_SECS (what Quarkus logs as "started in")
start_once() {
    local port mgmt t0 deadline
    port=$(free_port "$FIRST_PORT")
    mgmt=$(free_port $((port + 1)))
    SVC_LOG="$WORK/service-$1.log"
    rm -rf "$WORK/storage"
    mkdir -p "$WORK/storage"
    t0=$(date +%s.%N)
    MP_JWT_VERIFY_PUBLICKEY_LOCATION="file:$WORK/pub.pem" MP_JWT_VERIFY_ISSUER=reelvault-bench \
    MP_JWT_VERIFY_AUDIENCES=reelvault-bench LOCAL_STORAGE_PATH="$WORK/storage" REELVAULT_SIGNING_KEY="$SIGNING_KEY" \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_PORT="$mgmt" REELVAULT_PUBLIC_BASE_URL="http://127.0.0.1:$port" \
        /usr/bin/time -v -o "$WORK/service-$1.time" java "${JVM[@]}" -jar "$JAR" >"$SVC_LOG" 2>&1 &
    SVC_TIME_PID=$!
    deadline=$((SECONDS + 60))
    until curl -sf -o /dev/null "http://127.0.0.1:$mgmt/q/health/ready"; do
        kill -0 "$SVC_TIME_PID" 2>/dev/null || die "the service exited during start-up; log: $SVC_LOG"
        (( SECONDS < deadline )) || die "the service was not ready within 60 s; log: $SVC_LOG"
        sleep 0.02
    done
    READY_SECS=$(secs_since "$t0")
    assert_own_service
    QUARKUS_SECS=$(sed -n 's/.* started in \([0-9.]*\)s\..*/\1/p' "$SVC_LOG" | head -1)
    stop_service
}

l0=$(load1)
log "start to ready, $RUNS starts ($CDS; load $(load_avg))"
ready=() quarkus=()
for ((i = 1; i <= RUNS; i++)); do
    start_once "$i"
    ready+=("$READY_SECS")
    quarkus+=("${QUARKUS_SECS:--}")
    log "  start $i: ready after $READY_SECS s (Quarkus: started in ${QUARKUS_SECS:-?} s; load $(load1))"
done
l1=$(load1)
log "done (load $(load_avg))"
med=$(printf '%s\n' "${ready[@]}" | median)
qmed=$(printf '%s\n' "${quarkus[@]}" | grep -v '^-$' | median || true)
echo
echo "== start to ready ($RUNS starts, median; $CDS; $(basename "$JAR") at $(dirname "$JAR"))"
echo "process start -> /q/health/ready 200: median $med s (runs: ${ready[*]})"
echo "Quarkus 'started in': median ${qmed:--} s (runs: ${quarkus[*]})"
emit_row start-ready "$med" - s "runs ${ready[*]}; Quarkus 'started in' median ${qmed:--} s; $CDS; load $l0->$l1"
