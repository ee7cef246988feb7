#!/usr/bin/env bash
# Benchmark (not a test): signed-URL download throughput of the packaged service on the local storage backend,
# against nginx (`sendfile on`) serving the very same stored file, and optionally against a second (baseline) jar in
# the same run. Scenarios: a full GET of a 1 GiB object (verified against its CRC32C by the service), a 100 MB
# Range GET of it (not verified), and a full GET of a 100 MB object (verified: compared with the 100 MB Range, that
# is what the bit-rot guarantee costs). Every contender's request alternates with the others'; medians are printed.
# Fails only when a download is answered wrongly.
#
#   bench/download-local.sh
#
# Environment (all optional):
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar   the jar to measure (built when it is the default and missing)
#   BENCH_BASELINE_JAR=                            a second jar measured in the same run (e.g. the code before)
#   BENCH_RUNS=5                                   measurements per scenario and contender; medians are reported
#   BENCH_SMALL_REPEAT=3                           the 100 MB scenarios (Range, full) are measured this many times in
#                                                  each run, alternating as the others: a 100 MB GET takes ~40 ms here,
#                                                  and 5 of them moved a ratio by +-0.15 from one run to the next
#   BENCH_WARMUP=24                                untimed warm-up rounds per contender (Range + 100 MB GETs, every
#                                                  8th also a large one) after the checked downloads: the JIT settles
#   BENCH_WARMUP_REQUESTS=10s                      then wrk -t1 -c4 for this long on a 1-byte Range of the large object, per
#                                                  contender (when wrk is installed; 0 skips it): the request path's JIT
#                                                  warms as a serving process's would (24 rounds are ~50 requests).
#                                                  Each of these requests comes on a new connection
#                                                  (`Connection: close`), as every timed download does (one curl
#                                                  each): after a keep-alive warm-up the service's connection set-up
#                                                  and teardown were still interpreted, and its Range GET's time to
#                                                  first byte was 2-5 ms instead of 0.65 (nginx: 0.35)
#   BENCH_LARGE_MB=1024                            size of the large object, MiB
#   BENCH_RANGE_MB=100                             size of the range and of the small object, MB (10^6 bytes)
#   BENCH_XMX=256m                                 the services' -Xmx
#   BENCH_PORT=18180                               first port to try; the next free ones are used
#   BENCH_NGINX=nginx                              the nginx binary; the nginx column is left out when missing
#
# Output: one line per scenario, `scenario  <contender> MB/s ...  ratio` (ratio = BENCH_JAR / nginx, or / baseline
# jar without nginx; with both, also the paired service/baseline ratio), plus the load average before and after.
# Also the median time to first byte (curl's time_starttransfer) of each contender's Range GET.
# MB/s means 10^6 bytes per second (curl's speed_download of `curl -o /dev/null`). Uses bash, openssl, curl, java, sha256sum, awk, /usr/bin/time -v.
set -euo pipefail
export LC_ALL=C

RUNS=${BENCH_RUNS:-5}
SMALL_REPEAT=${BENCH_SMALL_REPEAT:-3}
WARMUP=${BENCH_WARMUP:-24}
WARMUP_REQUESTS=${BENCH_WARMUP_REQUESTS:-10s}
LARGE_MB=${BENCH_LARGE_MB:-1024}
RANGE_MB=${BENCH_RANGE_MB:-100}
XMX=${BENCH_XMX:-256m}
FIRST_PORT=${BENCH_PORT:-18180}
NGINX=${BENCH_NGINX:-nginx}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR=${BENCH_JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}
BASELINE_JAR=${BENCH_BASELINE_JAR:-}

for tool in openssl curl java sha256sum awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $SMALL_REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_SMALL_REPEAT must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a non-negative integer"
[[ $WARMUP_REQUESTS == 0 || $WARMUP_REQUESTS =~ ^[1-9][0-9]*[smh]?$ ]] || die "BENCH_WARMUP_REQUESTS must be 0 or a wrk duration such as 10s"
if [[ $JAR == "$ROOT/target/quarkus-app/quarkus-run.jar" ]]; then
    ensure_jar
fi
[[ -f $JAR ]] || die "no jar at $JAR"
[[ -z $BASELINE_JAR || -f $BASELINE_JAR ]] || die "no baseline jar at $BASELINE_JAR"
HAVE_NGINX=0
command -v "$NGINX" >/dev/null && HAVE_NGINX=1
[[ $HAVE_NGINX == 1 || -n $BASELINE_JAR ]] || log "no nginx and no baseline jar: no ratio (apt-get install -y nginx)"

WORK=$(new_work_dir bench-download)
SVC_TIME_PID=""
declare -A PIDS # contender -> `time` pid of its service
NGINX_PID=""

cleanup() {
    local status=$?
    for name in "${!PIDS[@]}"; do
        SVC_TIME_PID=${PIDS[$name]}
        kill -0 "$SVC_TIME_PID" 2>/dev/null && stop_service || true
    done
    [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
    if [[ $status -eq 0 ]]; then
        rm -rf "$WORK"
    else
        find "$WORK" -name '*.bin' -delete 2>/dev/null || true
        rm -rf "$WORK"/*/storage 2>/dev/null || true
        log "logs kept in $WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_kb=$(( (LARGE_MB * 3 + RANGE_MB * 3) * 1024 ))
[[ -n $BASELINE_JAR ]] && need_kb=$(( need_kb + (LARGE_MB + RANGE_MB) * 1024 ))
avail_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
(( avail_kb > need_kb )) || die "need ~$((need_kb / 1024)) MiB free under $ROOT/target, have $((avail_kb / 1024)) MiB"

MAIN_WORK=$WORK
TOKEN=$(mint_token 2)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# input files: PNG signature, then random bytes
make_input() {
    local file=$1 bytes=$2
    printf '\x89PNG\r\n\x1a\n' >"$file"
    dd if=/dev/urandom of="$file" bs=1M count=$((bytes - 8)) iflag=count_bytes,fullblock \
        oflag=append conv=notrunc status=none
}
LARGE_BYTES=$((LARGE_MB * 1024 * 1024))
RANGE_BYTES=$((RANGE_MB * 1000 * 1000))
log "making the inputs ($LARGE_MB MiB and $RANGE_MB MB)"
make_input "$WORK/large.bin" "$LARGE_BYTES"
make_input "$WORK/small.bin" "$RANGE_BYTES"
LARGE_SHA=$(sha256sum "$WORK/large.bin" | cut -d' ' -f1)
SMALL_SHA=$(sha256sum "$WORK/small.bin" | cut -d' ' -f1)
RANGE_START=$((LARGE_BYTES / 3))
RANGE="bytes=$RANGE_START-$((RANGE_START + RANGE_BYTES - 1))"
RANGE_SHA=$(dd if="$WORK/large.bin" bs=1M iflag=skip_bytes,count_bytes skip="$RANGE_START" count="$RANGE_BYTES" \
    status=none | sha256sum | cut -d' ' -f1)

# upload_signed FILE: uploads FILE to the service at $BASE, prints "KEY URL" (its signed GET URL)
upload_signed() {
    local out code id key
    code=$(curl -sS -o "$WORK/resp.json" -w '%{http_code}' -X POST "$BASE/api/v1/uploads?filename=bench.png" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' -H 'Expect:' -T "$1") || die "upload failed"
    [[ $code == 201 ]] || die "upload answered HTTP $code: $(cat "$WORK/resp.json")"
    id=$(json_field "$WORK/resp.json" upload_id)
    key=$(json_field "$WORK/resp.json" key)
    code=$(curl -sS -o "$WORK/url.json" -w '%{http_code}' "$BASE/api/v1/uploads/$id/url" \
        -H "Authorization: Bearer $TOKEN") || die "signing failed"
    [[ $code == 200 ]] || die "GET .../url answered HTTP $code: $(cat "$WORK/url.json")"
    echo "$key $(json_field "$WORK/url.json" url | sed 's/\\u0026/\&/g')"
}

# start NAME JAR PORT: a service for contender NAME with both objects stored; sets URL_LARGE[NAME], URL_SMALL[NAME]
declare -A URL_LARGE URL_SMALL KEY_LARGE KEY_SMALL
start() {
    local name=$1 out
    WORK="$MAIN_WORK/$name"
    mkdir -p "$WORK"
    cp "$MAIN_WORK/pub.pem" "$WORK/pub.pem"
    JAR=$2 REELVAULT_UPLOADS_MAX_SIZE=2G start_bench_service local "$3" "$XMX"
    PIDS[$name]=$SVC_TIME_PID
    read -r LARGE_KEY out < <(upload_signed "$MAIN_WORK/large.bin")
    URL_LARGE[$name]=$out
    KEY_LARGE[$name]=$LARGE_KEY
    read -r SMALL_KEY out < <(upload_signed "$MAIN_WORK/small.bin")
    URL_SMALL[$name]=$out
    KEY_SMALL[$name]=$SMALL_KEY
    WORK=$MAIN_WORK
}

start service "$JAR" "$FIRST_PORT"
CONTENDERS=(service)
if [[ -n $BASELINE_JAR ]]; then
    start baseline "$BASELINE_JAR" $((FIRST_PORT + 10))
    CONTENDERS+=(baseline)
fi

# nginx with sendfile on, serving the first service's storage root (the same files)
if [[ $HAVE_NGINX == 1 ]]; then
    NGINX_PORT=$(free_port $((FIRST_PORT + 20)))
    mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
    cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
$( [[ $(id -u) == 0 ]] && echo "user root;" )
events { worker_connections 64; }
http {
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $MAIN_WORK/service/storage;
    }
}
CONF
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/logs/stderr.log" &
    NGINX_PID=$!
    deadline=$((SECONDS + 10))
    until port_in_use "$NGINX_PORT"; do
        kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$WORK/nginx/logs/stderr.log")"
        (( SECONDS < deadline )) || die "nginx did not listen within 10 s"
        sleep 0.2
    done
    URL_LARGE[nginx]="http://127.0.0.1:$NGINX_PORT/${KEY_LARGE[service]}"
    URL_SMALL[nginx]="http://127.0.0.1:$NGINX_PORT/${KEY_SMALL[service]}"
    CONTENDERS+=(nginx)
    log "nginx (sendfile on) on port $NGINX_PORT"
fi

# check NAME URL SHA [RANGE]: one untimed download, its bytes hashed (also warms the page cache and the JIT)
check() {
    local got
    got=$(curl -sS -f ${4:+-H "Range: $4"} "$2" | sha256sum | cut -d' ' -f1) || die "$1: download of $2 failed"
    [[ $got == "$3" ]] || die "$1: $2 ${4:-} served bytes with sha256 $got, not $3"
}
# speed URL [RANGE [TTFB_FILE]]: MB/s of one download to /dev/null; with TTFB_FILE, its time to first byte (ms,
# curl's time_starttransfer) is appended there
speed() {
    local out code bytes_per_s ttfb
    out=$(curl -sS -o /dev/null ${2:+-H "Range: $2"} -w '%{http_code} %{speed_download} %{time_starttransfer}' "$1") \
        || die "curl $1 failed"
    read -r code bytes_per_s ttfb <<<"$out"
    [[ $code == 200 || $code == 206 ]] || die "$1 answered HTTP $code"
    [[ -n ${3:-} ]] && awk -v t="$ttfb" 'BEGIN {printf "%.3f\n", t * 1000}' >>"$3"
    awk -v b="$bytes_per_s" 'BEGIN {printf "%.1f\n", b / 1e6}'
}

declare -A RESULTS # "scenario contender" -> space-separated MB/s values
SCENARIOS=(full-large range small-full)
for name in "${CONTENDERS[@]}"; do
    for _ in 1 2; do
        check "$name" "${URL_LARGE[$name]}" "$LARGE_SHA"
        check "$name" "${URL_LARGE[$name]}" "$RANGE_SHA" "$RANGE"
        check "$name" "${URL_SMALL[$name]}" "$SMALL_SHA"
    done
    # JIT warm-up, untimed: after the six checks alone the JVM's C2 compiler thread still took ~16 ms of CPU per
    # Range GET over the next 20 (as much as the send itself), on the core curl needs
    for ((w = 0; w < WARMUP; w++)); do
        speed "${URL_LARGE[$name]}" "$RANGE" >/dev/null
        speed "${URL_SMALL[$name]}" >/dev/null
        (( w % 8 == 0 )) && speed "${URL_LARGE[$name]}" >/dev/null
    done
    if [[ $WARMUP_REQUESTS != 0 ]] && command -v wrk >/dev/null; then
        # a new connection per request, as the timed downloads: the connection's set-up and teardown warm up too
        wrk -t1 -c4 -d"$WARMUP_REQUESTS" -H "Range: bytes=0-0" -H "Connection: close" "${URL_LARGE[$name]}" \
            >"$WORK/warmup-$name.out" 2>&1 || die "wrk warm-up of $name failed: $(cat "$WORK/warmup-$name.out")"
        log "warm-up $name: $(awk '/^Requests\/sec:/ {print $2}' "$WORK/warmup-$name.out") one-byte Range GETs/s (one connection each) for $WARMUP_REQUESTS"
    fi
done
for ((i = 1; i <= RUNS; i++)); do
    for name in "${CONTENDERS[@]}"; do
        RESULTS["full-large $name"]+="$(speed "${URL_LARGE[$name]}") "
    done
    for ((r = 0; r < SMALL_REPEAT; r++)); do
        for name in "${CONTENDERS[@]}"; do
            RESULTS["range $name"]+="$(speed "${URL_LARGE[$name]}" "$RANGE" "$WORK/ttfb-range.$name") "
            RESULTS["small-full $name"]+="$(speed "${URL_SMALL[$name]}") "
        done
    done
    log "run $i of $RUNS done"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

med() { tr ' ' '\n' <<<"${RESULTS["$1 $2"]}" | grep . | median; }
# paired KEY_A KEY_B: the median of the per-round ratios A/B of two result series ("scenario contender"; each round
# measures every series back to back: steadier than a ratio of medians when the machine's load drifts)
paired() {
    local a b
    read -ra a <<<"${RESULTS["$1"]}"
    read -ra b <<<"${RESULTS["$2"]}"
    for i in "${!a[@]}"; do awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN {printf "%.3f\n", x / y}'; done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
label() { case $1 in
    full-large) echo "GET full ${LARGE_MB} MiB" ;;
    range) echo "GET Range ${RANGE_MB} MB" ;;
    small-full) echo "GET full ${RANGE_MB} MB" ;;
esac; }
reference=nginx
[[ $HAVE_NGINX == 1 ]] || reference=baseline

echo
echo "== reelvault signed download benchmark (local storage; $RUNS runs per scenario, $((RUNS * SMALL_REPEAT)) of the ${RANGE_MB} MB ones, alternating, medians)"
echo "machine: $(nproc) CPUs; load average before $LOAD_BEFORE, after $LOAD_AFTER"
echo "service: $JAR${BASELINE_JAR:+; baseline: $BASELINE_JAR}"
echo "MB/s = 10^6 bytes/s (curl speed_download, -o /dev/null); ratio = service / $reference; the service verifies full GETs (CRC32C, SHA-256 for objects stored without one), not ranges"
for s in "${SCENARIOS[@]}"; do
    line=$(printf '%-32s service %8s MB/s' "$(label "$s")" "$(med "$s" service)")
    [[ -n $BASELINE_JAR ]] && line+=$(printf '  baseline %8s MB/s' "$(med "$s" baseline)")
    [[ $HAVE_NGINX == 1 ]] && line+=$(printf '  nginx %8s MB/s' "$(med "$s" nginx)")
    if [[ $HAVE_NGINX == 1 || -n $BASELINE_JAR ]]; then
        line+=$(printf '  ratio %s (paired %s)' "$(ratio "$(med "$s" service)" "$(med "$s" "$reference")")" \
            "$(paired "$s service" "$s $reference")")
    fi
    [[ -n $BASELINE_JAR && $HAVE_NGINX == 1 ]] && line+=$(printf '  service/baseline paired %s' \
        "$(paired "$s service" "$s baseline")")
    echo "$line"
done
echo "bit-rot guarantee: verified full ${RANGE_MB} MB / unverified Range ${RANGE_MB} MB = $(ratio "$(med small-full service)" "$(med range service)") (paired $(paired "small-full service" "range service"))"
line="time to first byte of the Range GET, median ms:"
for name in "${CONTENDERS[@]}"; do line+=" $name $(median <"$WORK/ttfb-range.$name")"; done
echo "$line"
for name in "${CONTENDERS[@]}"; do
    for s in "${SCENARIOS[@]}"; do
        echo "  all runs, $name, $(label "$s"): ${RESULTS["$s $name"]}"
    done
done
# the rows of bench/compare.sh (ROW lines, see lib.sh's emit_row): the service against nginx
row_ref() { if [[ $HAVE_NGINX == 1 ]]; then med "$1" nginx; else echo -; fi; }
emit_row get-1g "$(med full-large service)" "$(row_ref full-large)" MB/s "verified (CRC32C); paired ratio $(
    [[ $HAVE_NGINX == 1 ]] && paired "full-large service" "full-large nginx" || echo -); load $LOAD_BEFORE -> $LOAD_AFTER"
emit_row get-range-100m "$(med range service)" "$(row_ref range)" MB/s "not verified; paired ratio $(
    [[ $HAVE_NGINX == 1 ]] && paired "range service" "range nginx" || echo -)"
emit_row get-100m-verified "$(med small-full service)" "$(med range service)" MB/s \
    "the bit-rot guarantee's cost: a verified full ${RANGE_MB} MB GET against the unverified Range of that size"
