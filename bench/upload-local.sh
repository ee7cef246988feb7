#!/usr/bin/env bash
# Benchmark (not a test): raw-body upload throughput of the packaged service with the local storage
# backend, against a plain `dd ... conv=fdatasync` copy to the same disk, plus the service's peak RSS
# at two upload sizes. Prints figures; fails only when an upload is rejected or stored wrongly.
#
#   bench/upload-local.sh
#
# Environment (all optional):
#   BENCH_SMALL_MB=100     size of the small upload, MiB
#   BENCH_LARGE_MB=1024    size of the large upload, MiB
#   BENCH_RUNS=3           measurements per size (service and dd alternate); medians are reported
#   BENCH_XMX=256m         the service's -Xmx
#   BENCH_PORT=18080       first port to try; the next free one is used
#   BENCH_WARMUP_MB=3072   untimed uploads per service process before the timed runs, until this many MiB went
#                          through (at least one): the JIT's warm-up. With a single 100 MiB warm-up the C2 compiler
#                          still took a third of the service's CPU samples during the timed uploads (perf, 2 CPUs),
#                          which then measured the compiler rather than the upload path; after 4 GiB it took 1 %
#   BENCH_WARMUP=          a number of warm-up uploads instead (overrides BENCH_WARMUP_MB)
#   BENCH_VERIFY_STORED=1  also hash the stored object on disk after each upload (outside timing)
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar  the packaged service to measure (built when it is the default
#                          and missing), e.g. an older build to compare with
#   BENCH_JAVA_OPTS=       extra JVM options for the service, e.g. -XX:StartFlightRecording=filename=/tmp/u.jfr
#
# Other variables in the environment reach the service too, e.g. QUARKUS_HTTP_LIMITS_MAX_CHUNK_SIZE.
#
# Uses bash, openssl, curl, dd, /usr/bin/time -v and coreutils/awk only. Works in a temporary folder
# under target/ (same disk as the repo), removed on exit; on failure the logs are kept and their
# path printed. MB/s below means 10^6 bytes per second (as dd prints it); sizes are MiB.
set -euo pipefail
export LC_ALL=C

SMALL_MB=${BENCH_SMALL_MB:-100}
LARGE_MB=${BENCH_LARGE_MB:-1024}
RUNS=${BENCH_RUNS:-3}
XMX=${BENCH_XMX:-256m}
FIRST_PORT=${BENCH_PORT:-18080}
VERIFY_STORED=${BENCH_VERIFY_STORED:-1}
WARMUP_MB=${BENCH_WARMUP_MB:-3072}
WARMUP=${BENCH_WARMUP:-}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
DEFAULT_JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
JAR=${BENCH_JAR:-$DEFAULT_JAR}
[[ $JAR == /* ]] || JAR="$PWD/$JAR"
JAVA_OPTS_EXTRA=${BENCH_JAVA_OPTS:-}
CLK_TCK=$(getconf CLK_TCK)


for tool in openssl curl dd java sha256sum awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ -z $WARMUP || $WARMUP =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number"
[[ $WARMUP_MB =~ ^[0-9]+$ ]] || die "BENCH_WARMUP_MB must be a whole number"
# warm_ups MB: the number of warm-up uploads of MB MiB
warm_ups() { if [[ -n $WARMUP ]]; then echo "$WARMUP"; else echo $(( (WARMUP_MB + $1 - 1) / $1 > 0 ? (WARMUP_MB + $1 - 1) / $1 : 1 )); fi; }

# --- 1. the packaged service
if [[ $JAR == "$DEFAULT_JAR" ]]; then
    ensure_jar
else
    [[ -f $JAR ]] || die "BENCH_JAR $JAR does not exist"
fi
log "service jar: $JAR"

# --- 2. work folder under target/, cleaned on exit; the service is stopped on exit
WORK=$(new_work_dir bench-upload)
SVC_TIME_PID=""

cleanup() {
    local status=$?
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then
        stop_service || true
    fi
    if [[ $status -eq 0 ]]; then
        rm -rf "$WORK"
    else
        # keep the logs and responses, drop the bulky data
        rm -rf "$WORK/storage" "$WORK"/input-*.bin "$WORK/dd.out" 2>/dev/null || true
        log "logs kept in $WORK (service logs: $WORK/service-*.log, time -v output: $WORK/service-*.time)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- disk space: the input, one stored copy and its temp/dd copy at the same time, with headroom
need_kb=$(( (LARGE_MB * 3 + SMALL_MB) * 1024 ))
avail_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
(( avail_kb > need_kb )) || die "need ~$((need_kb / 1024)) MiB free under $ROOT/target, have $((avail_kb / 1024)) MiB"

# --- 3. key pair and an RS256 token
TOKEN=$(mint_token 1)
SIGNING_KEY=$(openssl rand -hex 32)

# --- 4. the service, under /usr/bin/time -v
PORT=$(free_port "$FIRST_PORT")
BASE="http://127.0.0.1:$PORT"
MGMT_PORT=$(free_port $((PORT + 1)))  # the management interface: health
MGMT="http://127.0.0.1:$MGMT_PORT"

# start_service NAME: starts a fresh service process; its log is service-NAME.log
start_service() {
    local name=$1
    SVC_NAME=$name
    SVC_LOG="$WORK/service-$name.log"
    SVC_TIME="$WORK/service-$name.time"
    rm -rf "$WORK/storage"
    mkdir -p "$WORK/storage"
    log "starting service '$name' on port $PORT (-Xmx$XMX); log: $SVC_LOG"
    MP_JWT_VERIFY_PUBLICKEY_LOCATION="file:$WORK/pub.pem" \
    MP_JWT_VERIFY_ISSUER=reelvault-bench \
    LOCAL_STORAGE_PATH="$WORK/storage" \
    REELVAULT_UPLOADS_MAX_SIZE=2G \
    REELVAULT_RATE_LIMITS_UPLOAD_USER_CAPACITY=1000 \
    REELVAULT_SIGNING_KEY="$SIGNING_KEY" \
    QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_HTTP_PORT="$PORT" \
    QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
    REELVAULT_PUBLIC_BASE_URL="$BASE" \
        /usr/bin/time -v -o "$SVC_TIME" java "-Xmx$XMX" $JAVA_OPTS_EXTRA -jar "$JAR" >"$SVC_LOG" 2>&1 &
    SVC_TIME_PID=$!
    await_ready "$MGMT" "$SVC_LOG"
    SVC_JAVA_PID=$(ps -o pid= --ppid "$SVC_TIME_PID" | tr -d ' ')
    [[ -n $SVC_JAVA_PID ]] || die "cannot find the service's JVM (child of $SVC_TIME_PID)"
    log "service '$name' ready"
}



# --- 5. input files: PNG signature, then random bytes; exactly N MiB
make_input() {
    local mb=$1 file="$WORK/input-$1.bin"
    local bytes=$((mb * 1024 * 1024))
    printf '\x89PNG\r\n\x1a\n' >"$file"
    dd if=/dev/urandom of="$file" bs=1M count=$((bytes - 8)) iflag=count_bytes,fullblock \
        oflag=append conv=notrunc status=none
    echo "$file"
}


# cpu_ticks: the service JVM's user + system CPU time so far, in clock ticks (/proc/PID/stat fields 14 and 15)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SVC_JAVA_PID/stat"; }

# upload_once FILE SHA: one checked upload, then its DELETE; sets UPLOAD_SECS (curl's time_total) and
# UPLOAD_TICKS (the service's CPU clock ticks during the POST)
upload_once() {
    local file=$1 sha=$2 out code id key stored ticks0
    ticks0=$(cpu_ticks)
    out=$(curl -sS -o "$WORK/resp.json" -w '%{http_code} %{time_total}' -X POST \
        "$BASE/api/v1/uploads?filename=bench.png" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: image/png' -H 'Expect:' -T "$file") || die "curl failed (${out:-no output}); log: $SVC_LOG"
    UPLOAD_TICKS=$(( $(cpu_ticks) - ticks0 ))
    read -r code UPLOAD_SECS <<<"$out"
    if [[ $code != 201 ]]; then
        log "response body: $(cat "$WORK/resp.json")"
        die "upload of $file answered HTTP $code; service log: $SVC_LOG"
    fi
    [[ $(json_field "$WORK/resp.json" sha256) == "$sha" ]] \
        || die "the response's sha256 is not the file's ($sha): $(cat "$WORK/resp.json")"
    id=$(json_field "$WORK/resp.json" upload_id)
    key=$(json_field "$WORK/resp.json" key)
    if [[ $VERIFY_STORED == 1 ]]; then
        stored=$(sha256sum "$WORK/storage/$key" | cut -d' ' -f1)
        [[ $stored == "$sha" ]] || die "the stored object $WORK/storage/$key differs from the input (sha256 $stored)"
    fi
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/v1/uploads/$id" \
        -H "Authorization: Bearer $TOKEN")
    [[ $code == 204 ]] || die "DELETE of upload $id answered HTTP $code; service log: $SVC_LOG"
}

# bench_size MB: RUNS alternating uploads and dd copies of one input; sets SVC_MBS, DD_MBS
bench_size() {
    local mb=$1 file bytes sha i
    log "making a $mb MiB input"
    file=$(make_input "$mb")
    bytes=$(stat -c %s "$file")
    sha=$(sha256sum "$file" | cut -d' ' -f1) # computed once, before any timing
    cat "$file" >/dev/null                   # both contenders read it from the page cache
    local warm
    warm=$(warm_ups "$mb")
    for ((i = 1; i <= warm; i++)); do
        VERIFY_STORED=0 upload_once "$file" "$sha"
        log "  warm-up $i: service $mb MiB in ${UPLOAD_SECS}s (not counted)"
    done
    local svc_rates=() dd_rates=() cpu_rates=() t0 t1
    for ((i = 1; i <= RUNS; i++)); do
        upload_once "$file" "$sha"
        svc_rates+=("$(awk -v b="$bytes" -v s="$UPLOAD_SECS" 'BEGIN {printf "%.1f", b / s / 1e6}')")
        cpu_rates+=("$(awk -v b="$bytes" -v t="$UPLOAD_TICKS" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t / hz / (b / 1073741824)}')")
        log "  run $i: service $mb MiB in ${UPLOAD_SECS}s = ${svc_rates[-1]} MB/s, ${cpu_rates[-1]} CPU-s/GiB (load $(cut -d' ' -f1 /proc/loadavg))"

        # dd baseline to the same disk
        t0=$(date +%s.%N)
        dd if="$file" of="$WORK/dd.out" bs=1M conv=fdatasync status=none
        t1=$(date +%s.%N)
        rm -f "$WORK/dd.out"
        dd_rates+=("$(awk -v b="$bytes" -v a="$t0" -v z="$t1" 'BEGIN {printf "%.1f", b / (z - a) / 1e6}')")
        log "  run $i: dd      $mb MiB in $(awk -v a="$t0" -v z="$t1" 'BEGIN {printf "%.3f", z - a}')s = ${dd_rates[-1]} MB/s"
    done
    rm -f "$file"
    SVC_MBS=$(printf '%s\n' "${svc_rates[@]}" | median)
    SVC_CPU=$(printf '%s\n' "${cpu_rates[@]}" | median)
    DD_MBS=$(printf '%s\n' "${dd_rates[@]}" | median)
}

# measure NAME MB: a fresh service for one size; sets RES_* for the summary
measure() {
    local name=$1 mb=$2
    start_service "$name"
    bench_size "$mb"
    stop_service
    local rss_kb
    rss_kb=$(time_field "$SVC_TIME" "Maximum resident set size (kbytes)")
    [[ -n $rss_kb ]] || die "no RSS in $SVC_TIME"
    RES_SVC[$name]=$SVC_MBS
    RES_DD[$name]=$DD_MBS
    RES_CPUGIB[$name]=$SVC_CPU
    RES_RSS[$name]=$(awk -v k="$rss_kb" 'BEGIN {printf "%.0f", k / 1024}')
    RES_CPU[$name]="user $(time_field "$SVC_TIME" "User time (seconds)")s sys $(time_field "$SVC_TIME" "System time (seconds)")s wall $(time_field "$SVC_TIME" "Elapsed (wall clock) time (h:mm:ss or m:ss)")"
}

declare -A RES_SVC RES_DD RES_RSS RES_CPU RES_CPUGIB
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
measure small "$SMALL_MB"
measure large "$LARGE_MB"

# --- summary
label() { if (( $1 % 1024 == 0 )); then echo "$(($1 / 1024)) GiB"; else echo "$1 MiB"; fi; }
mem_total=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
mem_avail=$(awk '/^MemAvailable:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
java_version=$(java -version 2>&1 | head -1)
echo
echo "== reelvault upload benchmark (local storage; raw POST body; $RUNS runs per size, medians; warm-up: $(if [[ -n $WARMUP ]]; then echo "$WARMUP uploads"; else echo "$WARMUP_MB MiB of uploads (at least one)"; fi) per service)"
echo "machine: $(nproc) CPUs, $mem_total GiB RAM ($mem_avail GiB available), disk $(df -P "$ROOT" | awk 'NR==2 {print $1}')"
free_page_reporting
echo "jvm: $java_version, -Xmx$XMX${JAVA_OPTS_EXTRA:+ $JAVA_OPTS_EXTRA}; jar: $JAR"
echo "load average: $LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "MB/s = 10^6 bytes/s; dd = dd bs=1M conv=fdatasync to the same folder; ratio = service / dd"
echo "CPU-s/GiB = the service JVM's user+system CPU seconds during the upload POST, per GiB uploaded"
echo
printf '%-9s %14s %9s %7s %10s %18s\n' size "service MB/s" "dd MB/s" ratio "CPU-s/GiB" "service peak RSS"
for name in small large; do
    mb=$SMALL_MB; [[ $name == large ]] && mb=$LARGE_MB
    printf '%-9s %14s %9s %7s %10s %14s MiB\n' "$(label "$mb")" "${RES_SVC[$name]}" "${RES_DD[$name]}" \
        "$(awk -v s="${RES_SVC[$name]}" -v d="${RES_DD[$name]}" 'BEGIN {printf "%.2f", s / d}')" \
        "${RES_CPUGIB[$name]}" "${RES_RSS[$name]}"
done
echo
printf 'peak RSS ratio %s / %s: %s\n' "$(label "$LARGE_MB")" "$(label "$SMALL_MB")" \
    "$(awk -v a="${RES_RSS[large]}" -v b="${RES_RSS[small]}" 'BEGIN {printf "%.2f", a / b}')"
echo "service CPU, $(label "$SMALL_MB") process: ${RES_CPU[small]}"
echo "service CPU, $(label "$LARGE_MB") process: ${RES_CPU[large]}"
