#!/usr/bin/env bash
# Benchmark (not a test): raw-body upload throughput of the packaged service with the S3 backend,
# against putting the same bytes straight into the same S3-compatible server with a public client
# (`aws s3 cp`) at the same part size, plus the service's peak RSS. The server is s3proxy 4.1.0 (the
# project's test dependency) on its filesystem store, as a process of its own on loopback, checking
# SigV4. Prints figures; fails only when an upload is rejected or stored wrongly.
#
#   bench/upload-s3.sh
#
# Environment (all optional):
#   BENCH_MB=1024               upload size, MiB (a PNG signature, then random bytes)
#   BENCH_RUNS=3                measurements per path (service and direct alternate); medians are reported
#   BENCH_WARMUP=1              untimed uploads per path before the timed runs (JIT of both JVMs)
#   BENCH_XMX=256m              the service's -Xmx
#   BENCH_S3PROXY_XMX=1g        s3proxy's -Xmx
#   BENCH_PART_MB=10            part size of both paths, MiB (the service's REELVAULT_STORAGE_S3_PART_SIZE)
#   BENCH_AWS_CONCURRENCY       aws CLI's max_concurrent_requests; default: the service's part concurrency
#   BENCH_PORT=18080            first port to try for the service; the next free one is used
#   BENCH_S3_PORT=19000         first port to try for s3proxy
#   BENCH_VERIFY_STORED=1       also hash each stored object in s3proxy's folder (outside timing)
#
# Other variables in the environment reach the service too, e.g. REELVAULT_STORAGE_S3_PART_CONCURRENCY
# (default 10) or REELVAULT_STORAGE_S3_BUFFER_BUDGET (default 128M).
#
# Uses bash, java, openssl, curl, the aws CLI (Debian: awscli; installed with apt-get when missing and
# running as root), /usr/bin/time -v and coreutils/awk. The s3proxy classpath comes from Maven (the
# project's test classpath; the first run may download maven-dependency-plugin). Works in a temporary
# folder under target/, removed on exit; on failure the logs are kept and their path printed.
# MB/s below means 10^6 bytes per second; sizes are MiB. Both paths sign payloads (SigV4 over plain
# HTTP), as they must without TLS.
set -euo pipefail
export LC_ALL=C

SIZE_MB=${BENCH_MB:-1024}
RUNS=${BENCH_RUNS:-3}
WARMUP=${BENCH_WARMUP:-1}
XMX=${BENCH_XMX:-256m}
S3PROXY_XMX=${BENCH_S3PROXY_XMX:-1g}
PART_MB=${BENCH_PART_MB:-10}
SVC_CONCURRENCY=${REELVAULT_STORAGE_S3_PART_CONCURRENCY:-10}
AWS_CONCURRENCY=${BENCH_AWS_CONCURRENCY:-$SVC_CONCURRENCY}
FIRST_PORT=${BENCH_PORT:-18080}
FIRST_S3_PORT=${BENCH_S3_PORT:-19000}
VERIFY_STORED=${BENCH_VERIFY_STORED:-1}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
BUCKET=reelvault-bench
ACCESS_KEY=reelvault-bench
SECRET_KEY=$(openssl rand -hex 20)
REGION=us-east-1
TICKS=$(getconf CLK_TCK)


for tool in openssl curl java sha256sum awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number"
[[ $PART_MB =~ ^[0-9]+$ ]] && (( PART_MB >= 5 )) || die "BENCH_PART_MB must be a whole number >= 5 (S3's minimum part)"
[[ $AWS_CONCURRENCY =~ ^[1-9][0-9]*$ ]] || die "BENCH_AWS_CONCURRENCY must be a positive integer"
if ! command -v aws >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        log "the aws CLI is missing: apt-get install -y awscli"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >&2 || die "could not install awscli"
    else
        die "the aws CLI is missing: install it (Debian: sudo apt-get install -y awscli) and run again"
    fi
fi

# --- 1. the packaged service
ensure_jar

# --- 2. work folder under target/, cleaned on exit; the service and s3proxy are stopped on exit
WORK=$(new_work_dir bench-upload-s3)
SVC_TIME_PID=""
S3_PID=""

cleanup() {
    local status=$?
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then
        stop_service || true
    fi
    if [[ -n $S3_PID ]] && kill -0 "$S3_PID" 2>/dev/null; then
        kill -TERM "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
    fi
    if [[ $status -eq 0 ]]; then
        rm -rf "$WORK"
    else
        # keep the logs and responses, drop the bulky data
        rm -rf "$WORK/s3data" "$WORK/input.bin" 2>/dev/null || true
        log "logs kept in $WORK (service: service.log, service.time; s3proxy: s3proxy.log; aws: aws-*.err)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- disk space: the input, and per stored object its parts plus the assembled copy, with headroom
need_kb=$((SIZE_MB * 4 * 1024))
avail_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
(( avail_kb > need_kb )) || die "need ~$((need_kb / 1024)) MiB free under $ROOT/target, have $((avail_kb / 1024)) MiB"


# --- 3. s3proxy (filesystem store, SigV4), a process of its own
log "resolving s3proxy's classpath (the project's test classpath)"
(cd "$ROOT" && ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile="$WORK/classpath.txt" -Dmdep.includeScope=test >"$WORK/classpath.log" 2>&1) \
    || die "mvn dependency:build-classpath failed; see $WORK/classpath.log"
grep -q 's3proxy-' "$WORK/classpath.txt" || die "s3proxy is not on the test classpath ($WORK/classpath.txt)"
S3_PORT=$(free_port "$FIRST_S3_PORT")
ENDPOINT="http://127.0.0.1:$S3_PORT"
mkdir -p "$WORK/s3data"
cat >"$WORK/s3proxy.properties" <<EOF
s3proxy.endpoint=$ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$ACCESS_KEY
s3proxy.credential=$SECRET_KEY
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3data
EOF
log "starting s3proxy on $ENDPOINT (-Xmx$S3PROXY_XMX); log: $WORK/s3proxy.log"
java "-Xmx$S3PROXY_XMX" -cp "$(cat "$WORK/classpath.txt")" org.gaul.s3proxy.Main \
    --properties "$WORK/s3proxy.properties" >"$WORK/s3proxy.log" 2>&1 &
S3_PID=$!

# the aws CLI: credentials from the environment, settings from a config file of our own
export AWS_ACCESS_KEY_ID=$ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SECRET_KEY AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials-none"
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
cat >"$AWS_CONFIG_FILE" <<EOF
[default]
region = $REGION
s3 =
  addressing_style = path
  multipart_threshold = 100MB
  multipart_chunksize = ${PART_MB}MB
  max_concurrent_requests = $AWS_CONCURRENCY
EOF
awsc() { aws --endpoint-url "$ENDPOINT" "$@"; }

deadline=$((SECONDS + 60))
until port_in_use "$S3_PORT"; do
    kill -0 "$S3_PID" 2>/dev/null || die "s3proxy exited during start-up; log: $WORK/s3proxy.log"
    (( SECONDS < deadline )) || die "s3proxy did not listen within 60 s; log: $WORK/s3proxy.log"
    sleep 0.25
done
awsc s3 mb "s3://$BUCKET" >/dev/null 2>"$WORK/aws-mb.err" || die "aws s3 mb failed: $(cat "$WORK/aws-mb.err")"
log "s3proxy ready, bucket $BUCKET created"

# --- 4. key pair and an RS256 token
TOKEN=$(mint_token 4)

# --- 5. the service, under /usr/bin/time -v
PORT=$(free_port "$FIRST_PORT")
BASE="http://127.0.0.1:$PORT"
MGMT_PORT=$(free_port $((PORT + 1)))  # the management interface: health
MGMT="http://127.0.0.1:$MGMT_PORT"
SVC_LOG="$WORK/service.log"
SVC_TIME="$WORK/service.time"
log "starting the service on port $PORT (-Xmx$XMX, S3 backend); log: $SVC_LOG"
MP_JWT_VERIFY_PUBLICKEY_LOCATION="file:$WORK/pub.pem" \
MP_JWT_VERIFY_ISSUER=reelvault-bench \
USE_LOCAL_STORAGE=false \
S3_BUCKET=$BUCKET \
S3_ENDPOINT_URL=$ENDPOINT \
S3_PATH_STYLE=true \
REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION=none \
REELVAULT_STORAGE_S3_PART_SIZE="${PART_MB}M" \
REELVAULT_UPLOADS_MAX_SIZE=20G \
QUARKUS_HTTP_HOST=127.0.0.1 \
QUARKUS_HTTP_PORT="$PORT" \
QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
REELVAULT_PUBLIC_BASE_URL="$BASE" \
    /usr/bin/time -v -o "$SVC_TIME" java "-Xmx$XMX" -jar "$JAR" >"$SVC_LOG" 2>&1 &
SVC_TIME_PID=$!
await_ready "$MGMT" "$SVC_LOG"
SVC_PID=$(ps -o pid= --ppid "$SVC_TIME_PID" | tr -d ' ')
[[ -n $SVC_PID ]] || die "cannot find the service's JVM"
log "service ready"


# busy_secs: CPU seconds the whole machine has spent busy so far (all processes, all CPUs)
busy_secs() { awk -v t="$TICKS" '$1 == "cpu" {printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / t}' /proc/stat; }
# cpu_secs PID: user+sys CPU seconds the process has used so far
cpu_secs() { awk -v t="$TICKS" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }
mbs() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.1f", b / s / 1e6}'; }

# stored_check KEY: size, part count (from the multipart ETag) and, optionally, the bytes of a stored object
stored_check() {
    local key=$1 head etag size
    head=$(awsc s3api head-object --bucket "$BUCKET" --key "$key" --query '[ETag, ContentLength]' --output text \
        2>"$WORK/aws-head.err") || die "head-object $key failed: $(cat "$WORK/aws-head.err")"
    read -r etag size <<<"$head"
    [[ $size == "$BYTES" ]] || die "stored object $key has $size bytes, not $BYTES"
    PARTS=$(sed -E 's/.*-([0-9]+)"?$/\1/' <<<"$etag")
    [[ $PARTS =~ ^[0-9]+$ ]] || die "stored object $key is not a multipart upload (ETag $etag)"
    if [[ $VERIFY_STORED == 1 ]]; then
        [[ $(sha256sum "$WORK/s3data/$BUCKET/$key" | cut -d' ' -f1) == "$SHA" ]] \
            || die "the stored object $key differs from the input"
    fi
}

# service_once: one checked upload through the service, then its DELETE; sets SECS, CPU_* and PARTS
service_once() {
    local out code id key svc0 s3p0 busy0
    svc0=$(cpu_secs "$SVC_PID"); s3p0=$(cpu_secs "$S3_PID"); busy0=$(busy_secs)
    out=$(/usr/bin/time -f '%U %S' -o "$WORK/client.time" curl -sS -o "$WORK/resp.json" -w '%{http_code} %{time_total}' \
        -X POST "$BASE/api/v1/uploads?filename=bench.png" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: image/png' -H 'Expect:' -T "$INPUT") || die "curl failed (${out:-no output}); log: $SVC_LOG"
    CPU_SVC=$(awk -v a="$svc0" -v b="$(cpu_secs "$SVC_PID")" 'BEGIN {printf "%.2f", b - a}')
    CPU_S3P=$(awk -v a="$s3p0" -v b="$(cpu_secs "$S3_PID")" 'BEGIN {printf "%.2f", b - a}')
    CPU_CLIENT=$(awk '{printf "%.2f", $1 + $2}' "$WORK/client.time")
    CPU_OTHER=$(awk -v a="$busy0" -v b="$(busy_secs)" -v o="$CPU_SVC $CPU_S3P $CPU_CLIENT" \
        'BEGIN {split(o, x, " "); v = b - a - x[1] - x[2] - x[3]; printf "%.2f", v < 0 ? 0 : v}')
    read -r code SECS <<<"$out"
    SECS=$(awk -v s="$SECS" 'BEGIN {printf "%.2f", s}')
    if [[ $code != 201 ]]; then
        log "response body: $(cat "$WORK/resp.json")"
        die "upload answered HTTP $code; service log: $SVC_LOG"
    fi
    [[ $(json_field "$WORK/resp.json" sha256) == "$SHA" ]] \
        || die "the response's sha256 is not the file's ($SHA): $(cat "$WORK/resp.json")"
    id=$(json_field "$WORK/resp.json" upload_id)
    key=$(json_field "$WORK/resp.json" key)
    stored_check "$key"
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/v1/uploads/$id" -H "Authorization: Bearer $TOKEN")
    [[ $code == 204 ]] || die "DELETE of upload $id answered HTTP $code; service log: $SVC_LOG"
}

# direct_once: the same bytes straight to s3proxy with aws s3 cp, then aws s3 rm; sets SECS, CPU_* and PARTS
direct_once() {
    local key=direct/bench.png s3p0 t busy0
    s3p0=$(cpu_secs "$S3_PID"); busy0=$(busy_secs)
    /usr/bin/time -f '%e %U %S' -o "$WORK/client.time" \
        aws --endpoint-url "$ENDPOINT" s3 cp --only-show-errors --content-type image/png "$INPUT" "s3://$BUCKET/$key" \
        2>"$WORK/aws-cp.err" || die "aws s3 cp failed: $(cat "$WORK/aws-cp.err")"
    CPU_S3P=$(awk -v a="$s3p0" -v b="$(cpu_secs "$S3_PID")" 'BEGIN {printf "%.2f", b - a}')
    read -r SECS t <<<"$(awk '{printf "%s %.2f", $1, $2 + $3}' "$WORK/client.time")"
    CPU_CLIENT=$t
    CPU_OTHER=$(awk -v a="$busy0" -v b="$(busy_secs)" -v o="$CPU_S3P $CPU_CLIENT" \
        'BEGIN {split(o, x, " "); v = b - a - x[1] - x[2]; printf "%.2f", v < 0 ? 0 : v}')
    stored_check "$key"
    awsc s3 rm --only-show-errors "s3://$BUCKET/$key" 2>"$WORK/aws-rm.err" || die "aws s3 rm failed: $(cat "$WORK/aws-rm.err")"
}

# --- 6. the input: PNG signature, then random bytes; exactly SIZE_MB MiB
log "making a $SIZE_MB MiB input"
INPUT="$WORK/input.bin"
BYTES=$((SIZE_MB * 1024 * 1024))
printf '\x89PNG\r\n\x1a\n' >"$INPUT"
dd if=/dev/urandom of="$INPUT" bs=1M count=$((BYTES - 8)) iflag=count_bytes,fullblock oflag=append conv=notrunc status=none
SHA=$(sha256sum "$INPUT" | cut -d' ' -f1) # computed once, before any timing; also reads it into the page cache

for ((i = 1; i <= WARMUP; i++)); do
    service_once; log "  warm-up $i: service ${SECS}s (not counted)"
    direct_once; log "  warm-up $i: direct  ${SECS}s (not counted)"
done
declare -a R_SVC R_DIR C_SVC_CLIENT C_SVC_SVC C_SVC_S3P C_SVC_OTHER C_DIR_CLIENT C_DIR_S3P C_DIR_OTHER S_SVC S_DIR
for ((i = 1; i <= RUNS; i++)); do
    service_once
    R_SVC+=("$(mbs "$BYTES" "$SECS")"); S_SVC+=("$SECS"); P_SVC=$PARTS
    C_SVC_CLIENT+=("$CPU_CLIENT"); C_SVC_SVC+=("$CPU_SVC"); C_SVC_S3P+=("$CPU_S3P"); C_SVC_OTHER+=("$CPU_OTHER")
    log "  run $i: service $SIZE_MB MiB in ${SECS}s = ${R_SVC[-1]} MB/s ($PARTS parts; CPU s: curl $CPU_CLIENT, service $CPU_SVC, s3proxy $CPU_S3P, other processes $CPU_OTHER)"
    direct_once
    R_DIR+=("$(mbs "$BYTES" "$SECS")"); S_DIR+=("$SECS"); P_DIR=$PARTS
    C_DIR_CLIENT+=("$CPU_CLIENT"); C_DIR_S3P+=("$CPU_S3P"); C_DIR_OTHER+=("$CPU_OTHER")
    log "  run $i: direct  $SIZE_MB MiB in ${SECS}s = ${R_DIR[-1]} MB/s ($PARTS parts; CPU s: aws $CPU_CLIENT, s3proxy $CPU_S3P, other processes $CPU_OTHER)"
done

left=$(awsc s3api list-multipart-uploads --bucket "$BUCKET" --query 'length(Uploads || `[]`)' --output text 2>&1) \
    || die "list-multipart-uploads failed: $left"
[[ $left == 0 ]] || die "$left multipart uploads left in progress"
stop_service
rss_kb=$(time_field "$SVC_TIME" "Maximum resident set size (kbytes)")
[[ -n $rss_kb ]] || die "no RSS in $SVC_TIME"

# --- summary
med() { printf '%s\n' "$@" | median; }
svc_mbs=$(med "${R_SVC[@]}"); dir_mbs=$(med "${R_DIR[@]}")
mem_total=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
echo
echo "== reelvault S3 upload benchmark ($SIZE_MB MiB, PNG-headed random bytes; $RUNS runs per path, medians; $WARMUP warm-up per path)"
echo "machine: $(nproc) CPUs, $mem_total GiB RAM"
echo "server:  s3proxy 4.1.0, filesystem store under target/, SigV4, own JVM -Xmx$S3PROXY_XMX, $ENDPOINT"
echo "service: $(java -version 2>&1 | head -1), -Xmx$XMX; curl -T to POST /api/v1/uploads;" \
    "parts ${PART_MB} MiB, up to ${SVC_CONCURRENCY} in flight within a buffer budget of ${REELVAULT_STORAGE_S3_BUFFER_BUDGET:-128M}"
echo "direct:  $(aws --version 2>&1 | head -1); aws s3 cp, multipart_chunksize ${PART_MB}MB, max_concurrent_requests $AWS_CONCURRENCY"
echo "MB/s = 10^6 bytes/s; service time = curl's time_total; direct time = the whole aws command (CLI start-up included)"
echo "CPU s = CPU seconds during one upload (medians); others' s = the rest of the machine meanwhile (other users' load)"
echo
fmt='%-8s %7s %7s %6s %13s %14s %14s %10s\n'
printf "$fmt" path "MB/s" "time s" parts "client CPU s" "service CPU s" "s3proxy CPU s" "others' s"
printf "$fmt" service "$svc_mbs" "$(med "${S_SVC[@]}")" "$P_SVC" "$(med "${C_SVC_CLIENT[@]}")" \
    "$(med "${C_SVC_SVC[@]}")" "$(med "${C_SVC_S3P[@]}")" "$(med "${C_SVC_OTHER[@]}")"
printf "$fmt" direct "$dir_mbs" "$(med "${S_DIR[@]}")" "$P_DIR" "$(med "${C_DIR_CLIENT[@]}")" "-" \
    "$(med "${C_DIR_S3P[@]}")" "$(med "${C_DIR_OTHER[@]}")"
echo
echo "ratio service/direct: $(awk -v s="$svc_mbs" -v d="$dir_mbs" 'BEGIN {printf "%.2f", s / d}')"
echo "service peak RSS: $(awk -v k="$rss_kb" 'BEGIN {printf "%.0f", k / 1024}') MiB (-Xmx$XMX)"
echo "service CPU, whole process: user $(time_field "$SVC_TIME" "User time (seconds)")s sys $(time_field "$SVC_TIME" "System time (seconds)")s" \
    "wall $(time_field "$SVC_TIME" "Elapsed (wall clock) time (h:mm:ss or m:ss)")"
