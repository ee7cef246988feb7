#!/usr/bin/env bash
# Benchmark (not a test): start-up time of the packaged service (local backend), from process start until
# /q/health/ready first answers 200. Starts the service BENCH_RUNS times per mode, each time on a fresh empty storage
# root, and prints median/min/max. Modes: "plain" (java -jar) and, when the jar's folder holds an AppCDS archive
# (app-cds.jsa, made by ./mvnw package: src/main/cds/train-archive.sh), "appcds"
# (-XX:SharedArchiveFile=...); the modes alternate run by run, so that a change of load hits both alike.
#
#   bench/startup.sh
#
# Environment (all optional):
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar   the jar to start (built with ./mvnw package when the default is missing)
#   BENCH_RUNS=5            starts per mode; medians are reported
#   BENCH_MODES=auto        a comma-separated list of plain, appcds, trained; auto: plain,trained and appcds when
#                           the archive exists. trained: an archive this script makes first, as docker/Dockerfile.jvm
#                           does (a training run of the scrub command on an empty root: the whole start-up, not only
#                           the static init)
#   BENCH_XMX=256m          the service's -Xmx
#   BENCH_JAVA_OPTS=        more JVM options for every start (e.g. -XX:TieredStopAtLevel=1)
#   BENCH_POLL=0.015        seconds between two readiness polls
#   BENCH_PORT=             first port to try (the next free one is used); default: a random one in 20000-49999
#                           for every start, so that other benchmarks on the machine do not take the same ports
#   BENCH_BASELINE_JAR=     another jar (e.g. the previous release's) started plain as mode "baseline", alternating
#                           with the others in the same run
#   BENCH_BASELINE_APPCDS=0 1: the baseline starts with its own folder's app-cds.jsa (as mode appcds does)
#
# Besides the table, one line per mode for scripts (bench/compare.sh):
#   startup mode=appcds runs=5 median_ms=... min_ms=... max_ms=... cpu_median_ms=... quarkus_median_ms=... load=...
# Time is the wall time from just before `java` is executed to the curl that got the 200 (including that curl's
# own time, a few ms); "CPU" is the JVM's user+system time at that moment (all threads: the JIT compilers, GC),
# a figure other load on the machine disturbs less than the wall time; "Quarkus" is the "started in X s" of
# Quarkus' log line (JVM start and class loading before main are not in it). Both modes start the JVM from the
# jar's folder as `java ... -jar quarkus-run.jar`: the only way JDK 17 accepts the archive (it records the class
# path as the build's archive run used it). Uses bash, openssl, curl, java and coreutils/awk only.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

JAR=${BENCH_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
RUNS=${BENCH_RUNS:-5}
MODES=${BENCH_MODES:-auto}
XMX=${BENCH_XMX:-256m}
POLL=${BENCH_POLL:-0.015}
FIRST_PORT=${BENCH_PORT:-}
read -r -a EXTRA_OPTS <<<"${BENCH_JAVA_OPTS:-}"

for tool in openssl curl java awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

if [[ -z ${BENCH_JAR:-} ]]; then
    ensure_jar
fi
[[ -f $JAR ]] || die "no jar at $JAR"
JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
ARCHIVE="$(dirname "$JAR")/app-cds.jsa"

if [[ $MODES == auto ]]; then
    if [[ -f $ARCHIVE ]]; then MODES=plain,appcds,trained; else MODES=plain,trained; fi
fi
[[ $MODES =~ ^(plain|appcds|trained)(,(plain|appcds|trained))*$ ]] || die "BENCH_MODES: plain, appcds, trained, comma-separated"
IFS=, read -r -a MODE_LIST <<<"$MODES"
BASELINE_JAR=""
if [[ -n ${BENCH_BASELINE_JAR:-} ]]; then
    [[ -f $BENCH_BASELINE_JAR ]] || die "no jar at $BENCH_BASELINE_JAR"
    BASELINE_JAR=$(cd "$(dirname "$BENCH_BASELINE_JAR")" && pwd)/$(basename "$BENCH_BASELINE_JAR")
    MODE_LIST=(baseline "${MODE_LIST[@]}")
fi
if [[ $MODES == *appcds* && ! -f $ARCHIVE ]]; then
    die "no AppCDS archive at $ARCHIVE (./mvnw package makes it; not with REELVAULT_CDS_TRAIN=false)"
fi

WORK=$(new_work_dir bench-startup)
SVC_PID=""
cleanup() {
    local status=$?
    if [[ -n $SVC_PID ]] && kill -0 "$SVC_PID" 2>/dev/null; then
        kill -KILL "$SVC_PID" 2>/dev/null || true
        wait "$SVC_PID" 2>/dev/null || true
    fi
    finish_work "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $MODES == *trained* ]]; then
    log "training run for the trained archive (scrub on an empty root)"
    mkdir -p "$WORK/training-root"
    (cd "$(dirname "$JAR")" && LOCAL_STORAGE_PATH="$WORK/training-root" java "-XX:ArchiveClassesAtExit=$WORK/trained.jsa" \
        -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$(basename "$JAR")" scrub >"$WORK/training.log" 2>&1) \
        || die "the training run failed; log: $WORK/training.log"
fi
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null
openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem"
SIGNING_KEY=$(openssl rand -hex 32)

now_ns() { date +%s%N; }
CLK_TCK=$(getconf CLK_TCK)

# start_once MODE N: starts the service, waits for the first 200 of readiness, stops it; sets READY_MS, CPU_MS, QUARKUS_MS
start_once() {
    local mode=$1 n=$2 opts=("-Xmx$XMX" "${EXTRA_OPTS[@]}") t0 t1 svc_log="$WORK/service-$1-$2.log" jar=$JAR
    [[ $mode == baseline ]] && jar=$BASELINE_JAR
    # the archive records the class path as the build ran it (quarkus-run.jar, relative): JDK 17 maps it only for
    # a JVM started from the jar's folder with that same relative path; both modes start so
    [[ $mode == appcds ]] && opts+=("-XX:SharedArchiveFile=app-cds.jsa" -Xshare:auto)
    [[ $mode == trained ]] && opts+=("-XX:SharedArchiveFile=$WORK/trained.jsa" -Xshare:auto)
    [[ $mode == baseline && ${BENCH_BASELINE_APPCDS:-0} == 1 ]] && opts+=("-XX:SharedArchiveFile=app-cds.jsa" -Xshare:auto)
    rm -rf "$WORK/storage"
    mkdir -p "$WORK/storage"
    # ports chosen afresh for every start: a port another process took meanwhile would answer for this one
    local PORT MGMT_PORT READY_URL
    PORT=$(free_port "${FIRST_PORT:-$((20000 + RANDOM % 30000))}")
    MGMT_PORT=$(free_port $((PORT + 1)))
    READY_URL="http://127.0.0.1:$MGMT_PORT/q/health/ready"
    t0=$(now_ns)
    MP_JWT_VERIFY_PUBLICKEY_LOCATION="file:$WORK/pub.pem" \
    MP_JWT_VERIFY_ISSUER=reelvault-bench \
    MP_JWT_VERIFY_AUDIENCES=reelvault-bench \
    LOCAL_STORAGE_PATH="$WORK/storage" \
    REELVAULT_SIGNING_KEY="$SIGNING_KEY" \
    QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_HTTP_PORT="$PORT" \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
    REELVAULT_PUBLIC_BASE_URL="http://127.0.0.1:$PORT" \
    QUARKUS_SHUTDOWN_DELAY=0S \
        bash -c 'cd "$1" && shift && exec "$@"' start "$(dirname "$jar")" java "${opts[@]}" -jar "$(basename "$jar")" \
        >"$svc_log" 2>&1 &
    SVC_PID=$!
    local deadline=$((SECONDS + 60))
    until curl -sf -o /dev/null --max-time 2 "$READY_URL"; do
        kill -0 "$SVC_PID" 2>/dev/null || die "the service exited during start-up; log: $svc_log"
        (( SECONDS < deadline )) || die "the service was not ready within 60 s; log: $svc_log"
        sleep "$POLL"
    done
    t1=$(now_ns)
    kill -0 "$SVC_PID" 2>/dev/null && grep -q "Management interface listening on http://127.0.0.1:$MGMT_PORT" "$svc_log" \
        || die "port $MGMT_PORT answered, but not for the service started ($svc_log)"
    READY_MS=$(( (t1 - t0) / 1000000 ))
    # CPU time of the JVM (all its threads: JIT, GC) until then: less sensitive to other load than the wall time
    CPU_MS=$(awk -v hz="$CLK_TCK" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$SVC_PID/stat")
    # "reelvault 0.1.0-SNAPSHOT on JVM (powered by Quarkus 3.33.2) started in 1.234s."
    QUARKUS_MS=$(sed -n 's/.* started in \([0-9.]*\)s\..*/\1/p' "$svc_log" | head -1 | awk '{printf "%d", $1 * 1000}')
    if [[ $mode == appcds || $mode == trained || ($mode == baseline && ${BENCH_BASELINE_APPCDS:-0} == 1) ]] && grep -qi 'sharedarchivefile\|unable to use shared archive' "$svc_log"; then
        die "the JVM did not take the archive: $(grep -i 'shared' "$svc_log" | head -3)"
    fi
    kill -TERM "$SVC_PID" 2>/dev/null || true
    wait "$SVC_PID" 2>/dev/null || true
    SVC_PID=""
}

stats() { # NUMBERS...: median min max
    printf '%s\n' "$@" | median | tr '\n' ' '
    printf '%s\n' "$@" | sort -g | head -1 | tr '\n' ' '
    printf '%s\n' "$@" | sort -g | tail -1
}

log "jar $JAR; modes ${MODE_LIST[*]}; $RUNS runs each (+1 untimed warm-up of the page cache); -Xmx$XMX ${EXTRA_OPTS[*]}"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# one untimed start per mode: the jar, its libraries and the archive are read into the page cache
for mode in "${MODE_LIST[@]}"; do start_once "$mode" 0; done
declare -A READY QUARKUS CPU
for ((i = 1; i <= RUNS; i++)); do
    for mode in "${MODE_LIST[@]}"; do
        start_once "$mode" "$i"
        READY[$mode]+="$READY_MS "
        QUARKUS[$mode]+="${QUARKUS_MS:-0} "
        CPU[$mode]+="$CPU_MS "
        log "  run $i $mode: ready after $READY_MS ms, $CPU_MS ms CPU (Quarkus: started in ${QUARKUS_MS:-?} ms); load $(cut -d' ' -f1 /proc/loadavg)"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "== reelvault start-up: process start until /q/health/ready answers 200 (local backend, empty storage root)"
echo "jar: $JAR${BASELINE_JAR:+; baseline: $BASELINE_JAR}"
echo "jvm: $(java -version 2>&1 | head -1), -Xmx$XMX ${EXTRA_OPTS[*]}; $(nproc) CPUs; poll every ${POLL}s"
echo "load average (1/5/15 min): before $LOAD_BEFORE, after $LOAD_AFTER"
echo
printf '%-8s %5s %11s %8s %8s %15s %20s\n' mode runs "median ms" "min ms" "max ms" "CPU median ms" "Quarkus median ms"
for mode in "${MODE_LIST[@]}"; do
    # shellcheck disable=SC2086
    read -r med min max <<<"$(stats ${READY[$mode]})"
    # shellcheck disable=SC2086
    qmed=$(printf '%s\n' ${QUARKUS[$mode]} | median)
    # shellcheck disable=SC2086
    cmed=$(printf '%s\n' ${CPU[$mode]} | median)
    printf '%-8s %5s %11s %8s %8s %15s %20s\n' "$mode" "$RUNS" "$med" "$min" "$max" "$cmed" "$qmed"
    SUMMARY+=("startup mode=$mode runs=$RUNS median_ms=$med min_ms=$min max_ms=$max cpu_median_ms=$cmed quarkus_median_ms=$qmed load=${LOAD_BEFORE%% *}")
done
echo
printf '%s\n' "${SUMMARY[@]}"
# the row of bench/compare.sh: the archive's start when the jar has one (as the packaged app is documented to start),
# otherwise the plain one; in seconds
row_mode=plain
for mode in "${MODE_LIST[@]}"; do
    [[ $mode == appcds ]] && row_mode=appcds
done
# shellcheck disable=SC2086
row_median=$(printf '%s\n' ${READY[$row_mode]} | median)
emit_row start-ready "$(awk -v ms="$row_median" 'BEGIN {printf "%.3f", ms / 1000}')" - s \
    "mode $row_mode, $RUNS starts, load ${LOAD_BEFORE%% *}"
