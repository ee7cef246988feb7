#!/usr/bin/env bash
# Benchmark (not a test): signed GET throughput of the packaged service on the local backend, against nginx
# (`sendfile on`) serving the very same file in the same run: a whole object, then a Range of it.
# Part of bench/compare.sh; runs alone too. Prints figures and one ROW line per row (see bench/README.md);
# fails only when a download is answered wrongly.
#
#   bench/download-local.sh
#
# Environment (all optional):
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar   the jar to measure (must exist when set)
#   BENCH_RUNS=5            measurements per contender and row (service and nginx alternate); medians are reported
#   BENCH_OBJECT_MB=1024    size of the object, MiB
#   BENCH_RANGE_MB=100      size of the Range, MiB (from offset BENCH_RANGE_OFFSET_MB=256, MiB)
#   BENCH_XMX=256m          the service's -Xmx
#   BENCH_PORT             first port to try for the service (default: random in 20000..32599); BENCH_NGINX_PORT
#                          (default BENCH_PORT + 50) for nginx
#
# The client is curl writing to /dev/null; both servers read the file from the page cache (read once before).
# One untimed, hashed download per contender checks the bytes first. nginx and wrk are installed with
# apt-get when missing and running as root. MB/s = 10^6 bytes per second.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

RUNS=${BENCH_RUNS:-5}
OBJECT_MB=${BENCH_OBJECT_MB:-1024}
RANGE_MB=${BENCH_RANGE_MB:-100}
RANGE_OFFSET_MB=${BENCH_RANGE_OFFSET_MB:-256}
XMX=${BENCH_XMX:-256m}
FIRST_PORT=${BENCH_PORT:-$(random_port_base)}
NGINX_PORT=${BENCH_NGINX_PORT:-$((FIRST_PORT + 50))}

JAR="$ROOT/target/quarkus-app/quarkus-run.jar"

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
(( RANGE_OFFSET_MB + RANGE_MB <= OBJECT_MB )) || die "the Range does not fit in the object"
for tool in openssl curl dd java sha256sum awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
ensure_jar

WORK=$(new_work_dir bench-download)
SVC_TIME_PID=""
NGINX_PID=""
cleanup() {
    local status=$?
    stop_nginx || true
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then stop_service || true; fi
    if [[ $status -eq 0 ]]; then rm -rf "$WORK"; else
        rm -rf "$WORK/storage" "$WORK/input.bin" 2>/dev/null || true
        log "logs kept in $WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_tool nginx nginx
avail_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
(( avail_kb > OBJECT_MB * 2 * 1024 + 1048576 )) || die "need ~$((OBJECT_MB * 2 + 1024)) MiB free under $ROOT/target"

TOKEN=$(mint_token 2)
REELVAULT_UPLOADS_MAX_SIZE=$(( OBJECT_MB + 1 ))M start_bench_service local "$FIRST_PORT" "$XMX"
assert_own_service

log "uploading a $OBJECT_MB MiB object"
make_png_input "$WORK/input.bin" "$OBJECT_MB"
upload_png "$WORK/input.bin" "$TOKEN"
rm -f "$WORK/input.bin"
FILE="$WORK/storage/$UPLOAD_KEY"
[[ -f $FILE ]] || die "the stored object is not at $FILE"
URL=$(signed_url "$UPLOAD_ID" "$TOKEN")
URL=${URL//\\u0026/&}
start_nginx "$WORK/storage" "$NGINX_PORT"
NGINX_URL="$NGINX_BASE/$UPLOAD_KEY"
cat "$FILE" >/dev/null

BYTES=$((OBJECT_MB * 1024 * 1024))
RANGE_FROM=$((RANGE_OFFSET_MB * 1024 * 1024))
RANGE="$RANGE_FROM-$((RANGE_FROM + RANGE_MB * 1024 * 1024 - 1))"
RANGE_SHA=$(dd if="$FILE" bs=1M skip="$RANGE_OFFSET_MB" count="$RANGE_MB" status=none | sha256sum | cut -d" " -f1)

# check NAME URL: the untimed, hashed downloads (whole and Range) of one contender; they warm it up too
check() {
    local sha
    sha=$(curl -sSf "$2" | sha256sum | cut -d' ' -f1)
    [[ $sha == "$UPLOAD_SHA" ]] || die "$1: the whole download's sha256 is $sha, not $UPLOAD_SHA"
    sha=$(curl -sSf -H "Range: bytes=$RANGE" "$2" | sha256sum | cut -d' ' -f1)
    [[ $sha == "$RANGE_SHA" ]] || die "$1: the Range's sha256 is $sha, not $RANGE_SHA"
    log "$1: whole object and Range checked (sha256)"
}
check service "$URL"
check nginx "$NGINX_URL"

# timed NAME URL RANGE EXPECT_CODE EXPECT_BYTES: one timed GET; prints its MB/s
timed() {
    local code bytes mbs
    read -r code bytes mbs <<<"$(get_rate "$2" "$3")"
    [[ $code == "$4" && $bytes == "$5" ]] || die "$1 answered HTTP $code with $bytes bytes (expected $4, $5 bytes)"
    echo "$mbs"
}

# row ID RANGE CODE BYTES LABEL: RUNS alternating timed GETs of service and nginx; emits the row
row() {
    local id=$1 range=$2 code=$3 bytes=$4 label=$5 i svc=() ngx=() l0 l1
    l0=$(load1)
    log "row $id ($label): load $(load_avg)"
    for ((i = 1; i <= RUNS; i++)); do
        svc+=("$(timed service "$URL" "$range" "$code" "$bytes")")
        ngx+=("$(timed nginx "$NGINX_URL" "$range" "$code" "$bytes")")
        log "  run $i: service ${svc[-1]} MB/s, nginx ${ngx[-1]} MB/s (load $(load1))"
    done
    l1=$(load1)
    log "row $id done: load $(load_avg)"
    local s n
    s=$(printf '%s\n' "${svc[@]}" | median)
    n=$(printf '%s\n' "${ngx[@]}" | median)
    echo "$label: service $s MB/s, nginx $n MB/s, ratio $(ratio "$s" "$n") (runs: service ${svc[*]}; nginx ${ngx[*]})"
    emit_row "$id" "$s" "$n" "MB/s" "service ${svc[*]}; nginx ${ngx[*]}; load $l0->$l1"
}

echo
echo "== signed GET on the local backend vs nginx sendfile ($RUNS runs each, alternating, medians; $(basename "$JAR") at $(dirname "$JAR"))"
row get-1g "" 200 "$BYTES" "whole object, $OBJECT_MB MiB"
row get-range-100m "$RANGE" 206 $((RANGE_MB * 1024 * 1024)) "Range of $RANGE_MB MiB at $RANGE_OFFSET_MB MiB"
