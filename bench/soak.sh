#!/usr/bin/env bash
# Benchmark (not a test): a soak of the packaged service. For SOAK_MINUTES minutes, a mixed load at fixed rates
# (open loop: requests are started on schedule whatever the answers' pace): uploads of 64 KiB, 1 MiB and 4 MiB
# (sha256 answered vs sent), each user keeping its last 5 and deleting older ones; metadata reads; signed URLs;
# ranged downloads of seed objects through signed URLs (bytes vs the source's slice); listings; 404s. Every minute,
# after `jcmd PID GC.run`, prints the service's RSS, heap used after that GC (`jcmd PID GC.heap_info`), open FDs
# (/proc/PID/fd) and threads (/proc/PID/status), with the minute's operations, errors and latencies; at the end the
# growth of each from minute 2 (after warm-up) to the last (goal: flat). Exits 1 when any request failed.
#
#   bench/soak.sh                                  # local backend, 10 minutes
#   SOAK_BACKEND=s3 SOAK_MINUTES=3 bench/soak.sh   # S3 (s3proxy), 3 minutes
#
# Environment (all optional):
#   SOAK_BACKEND=local       local or s3 (s3proxy 4.1.0, its own process, filesystem store, SigV4; on S3 the signed
#                            downloads go to s3proxy, not through the service)
#   SOAK_MINUTES=10          length of the run
#   SOAK_REPORT_SECONDS=60   seconds between rows (shorter for quick runs)
#   SOAK_USERS=10            users the requests are spread over (each keeps the default rate limits)
#   SOAK_UPLOADS=2 SOAK_DOWNLOADS=20 SOAK_METADATA=2 SOAK_URLS=1 SOAK_LISTS=0.5 SOAK_MISSING=0.5
#                            requests per second of each kind
#   SOAK_WORKERS=64          requests in flight at most; past it a scheduled request is skipped and counted
#   BENCH_XMX=256m           the service's -Xmx
#   BENCH_S3PROXY_XMX=1g     s3proxy's -Xmx
#   BENCH_PORT=18080         first port to try for the service (the next free ones: API, management)
#   BENCH_S3_PORT=19000      first port to try for s3proxy
# Other variables in the environment reach the service too.
#
# Uses bash, java and jcmd (the JDK's), openssl, curl, python3 (bench/loadgen.py, standard library only),
# /usr/bin/time -v. The load generator runs on the same machine; on a shared machine the figures are noisy.
# Works in a temporary folder under target/, removed on success.
set -euo pipefail
export LC_ALL=C

BACKEND=${SOAK_BACKEND:-local}
MINUTES=${SOAK_MINUTES:-10}
REPORT=${SOAK_REPORT_SECONDS:-60}
USERS=${SOAK_USERS:-10}
WORKERS=${SOAK_WORKERS:-64}
XMX=${BENCH_XMX:-256m}
S3PROXY_XMX=${BENCH_S3PROXY_XMX:-1g}
FIRST_PORT=${BENCH_PORT:-18080}
FIRST_S3_PORT=${BENCH_S3_PORT:-19000}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
S3_BUCKET_NAME=reelvault-bench

for tool in openssl curl java jcmd python3 awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
[[ $BACKEND == local || $BACKEND == s3 ]] || die "SOAK_BACKEND must be local or s3"
[[ $MINUTES =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SOAK_MINUTES must be a number"
[[ $USERS =~ ^[1-9][0-9]*$ ]] || die "SOAK_USERS must be a positive integer"

ensure_jar

WORK=$(new_work_dir "bench-soak-$BACKEND")
SVC_TIME_PID=""
S3_PID=""
KEEP_LOGS=0 # set when the service logged warnings: its log is kept for reading

cleanup() {
    local status=$?
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then
        stop_service || true
    fi
    if [[ -n $S3_PID ]] && kill -0 "$S3_PID" 2>/dev/null; then
        kill -TERM "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
    fi
    if [[ $status -eq 0 && $KEEP_LOGS == 0 ]]; then
        rm -rf "$WORK"
    else
        rm -rf "$WORK/storage" "$WORK/s3data" 2>/dev/null || true
        log "logs kept in $WORK (service.log, service.time, loadgen.err, s3proxy.log)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mint_token 4 >/dev/null
for ((i = 1; i <= USERS; i++)); do sign_token 4 "soak-user-$i"; done >"$WORK/tokens"
[[ $BACKEND == s3 ]] && start_s3proxy "$FIRST_S3_PORT" "$S3PROXY_XMX"
start_bench_service "$BACKEND" "$FIRST_PORT" "$XMX"

echo
echo "== reelvault soak, $BACKEND backend, $MINUTES minutes"
echo "machine: $(nproc) CPUs, $(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB RAM," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: figures are noisy); $(java -version 2>&1 | head -1), -Xmx$XMX"
echo "RSS, FDs, threads: /proc of the service's JVM; heap: used right after jcmd GC.run (GC.heap_info)"
status=0
python3 "$ROOT/bench/loadgen.py" soak --base "$BASE" --tokens "$WORK/tokens" --pid "$SVC_PID" \
    --json "$WORK/summary.json" --duration "$(awk -v m="$MINUTES" 'BEGIN {print m * 60}')" --report "$REPORT" \
    --workers "$WORKERS" --upload-rate "${SOAK_UPLOADS:-2}" --download-rate "${SOAK_DOWNLOADS:-20}" \
    --meta-rate "${SOAK_METADATA:-2}" --url-rate "${SOAK_URLS:-1}" --list-rate "${SOAK_LISTS:-0.5}" \
    --missing-rate "${SOAK_MISSING:-0.5}" 2> >(tee "$WORK/loadgen.err" >&2) || status=$?
(( status == 0 )) || die "the load generator failed (exit $status); see $WORK/loadgen.err"

stop_service
rss_kb=$(time_field "$SVC_TIME" "Maximum resident set size (kbytes)")
echo "service peak RSS over its life (time -v): $(awk -v k="$rss_kb" 'BEGIN {printf "%.0f", k / 1024}') MiB;" \
    "CPU user $(time_field "$SVC_TIME" "User time (seconds)")s sys $(time_field "$SVC_TIME" "System time (seconds)")s" \
    "wall $(time_field "$SVC_TIME" "Elapsed (wall clock) time (h:mm:ss or m:ss)")"
if grep -q -E ' (ERROR|WARN) ' "$SVC_LOG"; then
    log "the service logged $(grep -c -E ' (ERROR|WARN) ' "$SVC_LOG") warnings or errors; the first:"
    grep -m 5 -E ' (ERROR|WARN) ' "$SVC_LOG" >&2 || true
    KEEP_LOGS=1
fi
errors=$(sed -n 's/.*"errors": \([0-9]*\).*/\1/p' "$WORK/summary.json")
[[ $errors == 0 ]] || die "$errors requests failed (goal: 0); the first ones are above"
