#!/usr/bin/env bash
# Benchmark (not a test): the packaged service under concurrent load, on the local backend and on S3 (s3proxy
# 4.1.0, its own process, filesystem store, SigV4). For LOAD_DURATION seconds, LOAD_UPLOADERS clients each upload
# a LOAD_UPLOAD_MB MiB PNG (raw POST) then DELETE it, in a loop, while LOAD_DOWNLOADERS clients read random Ranges
# of seed objects through their signed URLs (on S3 those URLs are presigned ones of the bucket: the downloads go to
# s3proxy, not through the service). Every upload's answered sha256 is compared with the one sent, every ranged
# answer's Content-Range and bytes with the source's slice. Prints per operation: count, errors, ops/s, MB/s,
# p50/p99/max latency; the service's peak RSS (time -v, and /proc sampled every 0.5 s) and open FDs (before,
# peak, after). Afterwards checks that only the seed objects remain and no temp file is left. Exits 1 when any
# request failed or any check did (goal: 0 errors), after printing the figures.
#
#   bench/load.sh                          # both backends, 60 s each, 50 uploaders + 200 downloaders
#   LOAD_BACKENDS=local LOAD_DURATION=10 LOAD_UPLOADERS=5 LOAD_DOWNLOADERS=20 bench/load.sh   # a quick run
#
# Environment (all optional):
#   LOAD_BACKENDS="local s3"   which backends, in order
#   LOAD_DURATION=60           seconds of load per backend
#   LOAD_UPLOADERS=50          concurrent uploaders (each its own user: the per-caller limits of 8 uploads in
#                              flight and 30 a minute stay as configured)
#   LOAD_DOWNLOADERS=200       concurrent ranged downloaders
#   LOAD_UPLOAD_MB=20          size of each upload, MiB (also of the seed objects)
#   LOAD_SEEDS=8               objects the downloads read
#   LOAD_MAX_RANGE_KB=1024     largest Range, KiB (70% a-b, 10% a-, 10% -n, 10% a-b past the end)
#   BENCH_XMX=256m             the service's -Xmx
#   BENCH_S3PROXY_XMX=1g       s3proxy's -Xmx
#   BENCH_PORT=18080           first port to try for the service (the next free ones: API, management)
#   BENCH_S3_PORT=19000        first port to try for s3proxy
# Other variables in the environment reach the service too (e.g. REELVAULT_STORAGE_S3_MULTIPART_THRESHOLD=5M to
# put every upload through multipart, REELVAULT_RATE_LIMITS_ENABLED=false).
#
# Uses bash, java, openssl, curl, python3 (bench/loadgen.py, standard library only),
# /usr/bin/time -v. The load generator runs on the same machine: its CPU competes with the service's, and on a
# shared machine the figures are noisy. Works in temporary folders under target/, removed on success.
set -euo pipefail
export LC_ALL=C

BACKENDS=${LOAD_BACKENDS:-local s3}
DURATION=${LOAD_DURATION:-60}
UPLOADERS=${LOAD_UPLOADERS:-50}
DOWNLOADERS=${LOAD_DOWNLOADERS:-200}
UPLOAD_MB=${LOAD_UPLOAD_MB:-20}
SEEDS=${LOAD_SEEDS:-8}
MAX_RANGE_KB=${LOAD_MAX_RANGE_KB:-1024}
XMX=${BENCH_XMX:-256m}
S3PROXY_XMX=${BENCH_S3PROXY_XMX:-1g}
FIRST_PORT=${BENCH_PORT:-18080}
FIRST_S3_PORT=${BENCH_S3_PORT:-19000}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
S3_BUCKET_NAME=reelvault-bench

for tool in openssl curl java python3 awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
for v in DURATION UPLOADERS DOWNLOADERS UPLOAD_MB SEEDS MAX_RANGE_KB; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "LOAD_$v must be a whole number"
done
(( UPLOADERS + DOWNLOADERS > 0 )) || die "nothing to run: LOAD_UPLOADERS and LOAD_DOWNLOADERS are both 0"
(( SEEDS > 0 && UPLOAD_MB > 0 )) || die "LOAD_SEEDS and LOAD_UPLOAD_MB must be positive"
for b in $BACKENDS; do [[ $b == local || $b == s3 ]] || die "unknown backend '$b' (local, s3)"; done

ensure_jar

WORK=""
SVC_TIME_PID=""
S3_PID=""
FAILED=0

stop_all() {
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then
        stop_service || true
    fi
    SVC_TIME_PID=""
    if [[ -n $S3_PID ]] && kill -0 "$S3_PID" 2>/dev/null; then
        kill -TERM "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
    fi
    S3_PID=""
}
cleanup() {
    local status=$?
    stop_all
    if [[ -n $WORK ]]; then
        rm -rf "$WORK/storage" "$WORK/s3data" 2>/dev/null || true
        log "logs kept in $WORK (service.log, service.time, loadgen.err, s3proxy.log)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_backend BACKEND: one full run on a fresh service (and s3proxy)
run_backend() {
    local backend=$1
    WORK=$(new_work_dir "bench-load-$backend")
    local need_kb=$(( (UPLOAD_MB * (UPLOADERS + SEEDS) * 2 + 1024) * 1024 ))
    local avail_kb
    avail_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
    (( avail_kb > need_kb )) || die "need ~$((need_kb / 1024)) MiB free under $ROOT/target, have $((avail_kb / 1024)) MiB"

    mint_token 4 >/dev/null
    local users=$(( UPLOADERS > SEEDS ? UPLOADERS : SEEDS )) i
    for ((i = 1; i <= users; i++)); do sign_token 4 "load-user-$i"; done >"$WORK/tokens"
    [[ $backend == s3 ]] && start_s3proxy "$FIRST_S3_PORT" "$S3PROXY_XMX"
    start_bench_service "$backend" "$FIRST_PORT" "$XMX"

    log "load on $backend: $UPLOADERS uploaders x $UPLOAD_MB MiB + $DOWNLOADERS ranged downloaders, ${DURATION}s"
    echo
    echo "== reelvault load, $backend backend"
    local status=0
    python3 "$ROOT/bench/loadgen.py" load --base "$BASE" --tokens "$WORK/tokens" --pid "$SVC_PID" \
        --json "$WORK/summary.json" --duration "$DURATION" --uploaders "$UPLOADERS" --downloaders "$DOWNLOADERS" \
        --upload-bytes $((UPLOAD_MB * 1024 * 1024)) --seeds "$SEEDS" --max-range $((MAX_RANGE_KB * 1024)) \
        2> >(tee "$WORK/loadgen.err" >&2) || status=$?
    (( status == 0 )) || die "the load generator failed (exit $status); see $WORK/loadgen.err"

    # what is left: the seeds and their metadata, nothing else
    local objects tmp
    if [[ $backend == local ]]; then
        objects=$(find "$WORK/storage/uploads" -type f | wc -l)
        tmp=$(find "$WORK/storage/.tmp" -type f 2>/dev/null | wc -l)
    else
        objects=$(find "$WORK/s3data/$S3_BUCKET_NAME/uploads" -type f | wc -l)
        tmp=$(find "$WORK/s3data" -type f -path '*multipart*' 2>/dev/null | wc -l)
    fi
    echo "left in storage: $objects files under uploads/ (expected $((2 * SEEDS)): the seeds and their metadata.json);" \
        "$tmp temp/multipart files (expected 0)"
    (( objects == 2 * SEEDS && tmp == 0 )) || { log "storage holds more than the seeds after the run"; FAILED=1; }

    if [[ $backend == s3 ]]; then
        echo "s3proxy over its life: CPU $(awk -v t="$(getconf CLK_TCK)" '{printf "user %.1fs sys %.1fs", $14 / t, $15 / t}' \
            "/proc/$S3_PID/stat"), peak RSS $(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$S3_PID/status") MiB" \
            "(it serves the signed downloads itself)"
    fi
    stop_all
    local rss_kb errors
    rss_kb=$(time_field "$SVC_TIME" "Maximum resident set size (kbytes)")
    echo "service peak RSS over its life (time -v): $(awk -v k="$rss_kb" 'BEGIN {printf "%.0f", k / 1024}') MiB" \
        "(-Xmx$XMX); CPU user $(time_field "$SVC_TIME" "User time (seconds)")s sys $(time_field "$SVC_TIME" "System time (seconds)")s" \
        "wall $(time_field "$SVC_TIME" "Elapsed (wall clock) time (h:mm:ss or m:ss)")"
    errors=$(sed -n 's/.*"errors": \([0-9]*\).*/\1/p' "$WORK/summary.json")
    if [[ $errors != 0 ]]; then
        log "$errors requests failed on $backend (first ones above; all counted in the table)"
        FAILED=1
    fi
    local keep=$FAILED
    if grep -q -E ' (ERROR|WARN) ' "$SVC_LOG"; then
        log "the service logged $(grep -c -E ' (ERROR|WARN) ' "$SVC_LOG") warnings or errors; the first:"
        grep -m 5 -E ' (ERROR|WARN) ' "$SVC_LOG" >&2 || true
        keep=1
    fi
    if (( keep )); then
        rm -rf "$WORK/storage" "$WORK/s3data"
        log "logs kept in $WORK (service.log, service.time, loadgen.err, s3proxy.log)"
    else
        rm -rf "$WORK"
    fi
    WORK=""
}

echo "machine: $(nproc) CPUs, $(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB RAM," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: figures are noisy); $(java -version 2>&1 | head -1)"
echo "MB/s = 10^6 bytes/s of bodies (upload: sent; download: received); latency = request sent to answer read;"
echo "upload:send = sending the body (paced by how fast the service takes it), upload:wait = from the last byte sent to the answer"
for backend in $BACKENDS; do
    run_backend "$backend"
    (( FAILED == 0 )) || break
done
(( FAILED == 0 )) || die "errors or leftovers (goal: none)"
echo
echo "all checks passed: every checksum verified, 0 errors, nothing left behind"
