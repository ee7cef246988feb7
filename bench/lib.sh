# shellcheck shell=bash
# Shared by the bench/ scripts (sourced, not run): building the jar, the work folder, logging, the service's token, its life cycle
# under /usr/bin/time -v, and small text helpers. Callers set WORK, and SVC_TIME_PID once started.

# ensure_jar: packages the service (tests skipped) when $JAR (target/quarkus-app/quarkus-run.jar) is missing.
# BENCH_JAR, when set, replaces $JAR (e.g. an older build to measure; it must exist: it is never built)
ensure_jar() {
    if [[ -n ${BENCH_JAR:-} ]]; then
        JAR=$(cd "$(dirname "$BENCH_JAR")" 2>/dev/null && pwd)/$(basename "$BENCH_JAR")
        [[ -f $JAR ]] || die "BENCH_JAR $BENCH_JAR does not exist"
        return 0
    fi
    if [[ ! -f $JAR ]]; then
        log "building $JAR"
        (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
    fi
}

# new_work_dir NAME: prints a new folder target/NAME.XXXX for a run's files
new_work_dir() {
    mkdir -p "$ROOT/target"
    mktemp -d "$ROOT/target/$1.XXXX"
}

# finish_work STATUS: the end of a script's EXIT trap: removes $WORK after a success, keeps it (and says where) after a
# failure, and exits with STATUS
finish_work() {
    if [[ $1 -eq 0 ]]; then
        rm -rf "$WORK"
    else
        log "logs kept in $WORK"
    fi
    exit "$1"
}

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port FIRST: the first port from FIRST that nothing listens on (100 tried)
free_port() {
    local port=$1
    while port_in_use "$port"; do
        port=$((port + 1))
        (( port < $1 + 100 )) || die "no free port in $1..$(($1 + 99))"
    done
    echo "$port"
}

# mint_token HOURS: writes $WORK/key.pem and $WORK/pub.pem and prints an RS256 token for user
# bench-user, issuer and audience reelvault-bench, valid HOURS hours
mint_token() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null
    openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem"
    sign_token "$1" bench-user
}

# sign_token HOURS SUB: an RS256 token signed with $WORK/key.pem (made by mint_token) for user SUB, issuer
# and audience reelvault-bench, valid HOURS hours
sign_token() {
    b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
    local now header payload signature
    now=$(date +%s)
    header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)
    payload=$(printf '{"iss":"reelvault-bench","aud":"reelvault-bench","sub":"%s","groups":["user"],"iat":%d,"exp":%d}' \
        "$2" "$now" $((now + 3600 * $1)) | b64url)
    signature=$(printf '%s' "$header.$payload" | openssl dgst -sha256 -sign "$WORK/key.pem" -binary | b64url)
    printf '%s\n' "$header.$payload.$signature"
}

# await_ready MANAGEMENT LOG: waits (60 s at most) until the service started as SVC_TIME_PID is ready
# (MANAGEMENT: the base URL of its management interface, where /q/health answers)
await_ready() {
    local deadline=$((SECONDS + 60))
    until curl -sf -o /dev/null "$1/q/health/ready"; do
        kill -0 "$SVC_TIME_PID" 2>/dev/null || die "the service exited during start-up; log: $2"
        (( SECONDS < deadline )) || die "the service was not ready within 60 s; log: $2"
        sleep 0.25
    done
}

# stop_service: SIGTERM to the JVM (the child of time), then wait for time to write its report
stop_service() {
    local java_pid
    java_pid=$(ps -o pid= --ppid "$SVC_TIME_PID" | tr -d ' ' || true)
    if [[ -n $java_pid ]]; then
        kill -TERM "$java_pid" 2>/dev/null || true
    fi
    local deadline=$((SECONDS + 30))
    while kill -0 "$SVC_TIME_PID" 2>/dev/null && (( SECONDS < deadline )); do
        sleep 0.2
    done
    if kill -0 "$SVC_TIME_PID" 2>/dev/null; then
        log "service did not stop within 30 s; killing it"
        [[ -n $java_pid ]] && kill -KILL "$java_pid" 2>/dev/null || true
    fi
    wait "$SVC_TIME_PID" 2>/dev/null || true
    SVC_TIME_PID=""
}

# time_field FILE LABEL: a value from the time -v report
time_field() { awk -F': ' -v k="$2" '{sub(/^[ \t]+/, "", $1)} $1 == k {print $2}' "$1"; }
# median: of the numbers on standard input, one a line
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# json_field FILE NAME: a string field of a one-line JSON document
json_field() { sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$1"; }

# start_s3proxy FIRST_PORT XMX: s3proxy 4.1.0 (the project's test dependency, classpath from Maven) on its
# filesystem store under $WORK/s3data, a process of its own on loopback checking SigV4, with bucket $S3_BUCKET_NAME
# made (a PUT signed by curl's --aws-sigv4). Sets S3_PID, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY.
start_s3proxy() {
    # Jetty serves each request on a thread of its own (blocking I/O): enough threads that the pool is not the limit
    # for load.sh's 250 clients plus the service's connections. When s3proxy is slower than the load (a busy machine),
    # a request that waits too long (presumably past Jetty's 30 s idle timeout) is closed without an answer, whatever
    # the threads:
    # the client sees "Remote end closed connection without response" (load.sh's S3 downloads, which go to s3proxy)
    local S3PROXY_THREADS=${BENCH_S3PROXY_THREADS:-600}
    S3_ACCESS_KEY=reelvault-bench
    S3_SECRET_KEY=$(openssl rand -hex 20)
    if [[ ! -s $ROOT/target/bench-s3proxy.classpath ]]; then
        log "resolving s3proxy's classpath (the project's test classpath)"
        (cd "$ROOT" && { ./mvnw -o -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
            -Dmdep.outputFile="$ROOT/target/bench-s3proxy.classpath" -Dmdep.includeScope=test \
            || ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
            -Dmdep.outputFile="$ROOT/target/bench-s3proxy.classpath" -Dmdep.includeScope=test; } \
            >"$WORK/classpath.log" 2>&1) || die "mvn dependency:build-classpath failed; see $WORK/classpath.log"
    fi
    grep -q 's3proxy-' "$ROOT/target/bench-s3proxy.classpath" || die "s3proxy is not on the test classpath"
    local port
    port=$(free_port "$1")
    S3_ENDPOINT="http://127.0.0.1:$port"
    mkdir -p "$WORK/s3data"
    cat >"$WORK/s3proxy.properties" <<PROPS
s3proxy.endpoint=$S3_ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
s3proxy.ignore-unknown-headers=true
s3proxy.jetty.max-threads=$S3PROXY_THREADS
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3data
PROPS
    log "starting s3proxy on $S3_ENDPOINT (-Xmx$2); log: $WORK/s3proxy.log"
    java "-Xmx$2" -cp "$(cat "$ROOT/target/bench-s3proxy.classpath")" org.gaul.s3proxy.Main \
        --properties "$WORK/s3proxy.properties" >"$WORK/s3proxy.log" 2>&1 &
    S3_PID=$!
    local deadline=$((SECONDS + 60))
    until port_in_use "$port"; do
        kill -0 "$S3_PID" 2>/dev/null || die "s3proxy exited during start-up; log: $WORK/s3proxy.log"
        (( SECONDS < deadline )) || die "s3proxy did not listen within 60 s; log: $WORK/s3proxy.log"
        sleep 0.25
    done
    local code
    code=$(curl -sS -o "$WORK/mb.out" -w "%{http_code}" -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$S3_ENDPOINT/$S3_BUCKET_NAME") || die "creating the bucket failed"
    [[ $code == 200 ]] || die "creating bucket $S3_BUCKET_NAME answered HTTP $code: $(cat "$WORK/mb.out")"
    log "s3proxy ready, bucket $S3_BUCKET_NAME created"
}

# start_bench_service BACKEND FIRST_PORT XMX: the packaged service on BACKEND (local: root $WORK/storage; s3: the
# s3proxy of start_s3proxy) under /usr/bin/time -v (report: $WORK/service.time), tokens verified with
# $WORK/pub.pem. Other variables in the environment reach it too. Sets PORT, BASE, MGMT, SVC_LOG, SVC_TIME,
# SVC_TIME_PID and SVC_PID (the JVM).
start_bench_service() {
    local backend=$1 mgmt_port
    PORT=$(free_port "$2")
    BASE="http://127.0.0.1:$PORT"
    mgmt_port=$(free_port $((PORT + 1)))
    MGMT="http://127.0.0.1:$mgmt_port"
    SVC_LOG="$WORK/service.log"
    SVC_TIME="$WORK/service.time"
    local env=(MP_JWT_VERIFY_PUBLICKEY_LOCATION="file:$WORK/pub.pem" MP_JWT_VERIFY_ISSUER=reelvault-bench
        MP_JWT_VERIFY_AUDIENCES=reelvault-bench
        QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_HOST=127.0.0.1
        QUARKUS_MANAGEMENT_PORT="$mgmt_port" REELVAULT_PUBLIC_BASE_URL="$BASE")
    if [[ $backend == s3 ]]; then
        env+=(USE_LOCAL_STORAGE=false S3_BUCKET="$S3_BUCKET_NAME" S3_ENDPOINT_URL="$S3_ENDPOINT" S3_PATH_STYLE=true
            AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY"
            REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION="${REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION:-none}")
    else
        mkdir -p "$WORK/storage"
        env+=(LOCAL_STORAGE_PATH="$WORK/storage" REELVAULT_SIGNING_KEY="$(openssl rand -hex 32)")
    fi
    log "starting the service on $BASE ($backend backend, -Xmx$3; management $MGMT); log: $SVC_LOG"
    env "${env[@]}" /usr/bin/time -v -o "$SVC_TIME" java "-Xmx$3" -jar "$JAR" >"$SVC_LOG" 2>&1 &
    SVC_TIME_PID=$!
    await_ready "$MGMT" "$SVC_LOG"
    SVC_PID=$(ps -o pid= --ppid "$SVC_TIME_PID" | tr -d ' ')
    [[ -n $SVC_PID ]] || die "cannot find the service's JVM"
    log "service ready (JVM pid $SVC_PID)"
}

# --- shared by compare.sh and its parts (download-local.sh, small-requests.sh, startup.sh)

# emit_row ID SERVICE BASELINE UNIT EXTRA: the machine-readable result line of one table row that compare.sh
# collects: ROW<TAB>id<TAB>service median<TAB>baseline median ("-" when none)<TAB>unit<TAB>free text
emit_row() { printf 'ROW\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"; }

# free_page_reporting: prints a note when this machine is a virtual machine whose balloon reports free pages to its
# host (virtio-balloon with VIRTIO_BALLOON_F_REPORTING, feature bit 5): memory the guest freed a few seconds ago (a
# deleted upload's page cache, dd's truncated output) is given back, and the next write into the page cache that
# takes it pays a host page fault per page. Seen here: dd conv=fdatasync of 1 GiB at 560 or at 2000 MB/s in turn,
# the kernel's copy into the page cache 3x as slow in a slow upload (async-profiler), O_DIRECT writes unaffected.
free_page_reporting() {
    local dev
    for dev in /sys/bus/virtio/devices/*; do
        [[ -r $dev/device && -r $dev/features && $(cat "$dev/device") == 0x0005 ]] || continue
        [[ $(cut -c6 "$dev/features") == 1 ]] || continue
        echo "machine: a VM whose balloon reports free pages to its host: buffered writes into freshly freed memory" \
            "(service and dd alike) pay host page faults, so they vary run to run; O_DIRECT ones do not"
        return
    done
}

# load_avg: the 1-, 5- and 15-minute load averages, as uptime prints them
load_avg() { uptime | sed 's/.*load average: //'; }
# load1: the 1-minute load average
load1() { cut -d' ' -f1 /proc/loadavg; }

# need_tool COMMAND PACKAGE: the command, installed with apt-get (Debian package PACKAGE) when missing and running as root
need_tool() {
    command -v "$1" >/dev/null && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        log "installing $2 (apt-get) for '$1'"
        { apt-get install -y "$2" || { apt-get update && apt-get install -y "$2"; }; } >"${WORK:-/tmp}/apt-$2.log" 2>&1 \
            || die "apt-get install $2 failed; see ${WORK:-/tmp}/apt-$2.log"
    fi
    command -v "$1" >/dev/null || die "'$1' is not installed (Debian package $2)"
}

# secs_since T0: seconds (3 decimals) from T0 (date +%s.%N) to now
secs_since() { awk -v a="$1" -v z="$(date +%s.%N)" 'BEGIN {printf "%.3f", z - a}'; }
# ratio A B: A / B with 2 decimals ("-" when either is missing or B is 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b}'; }

# make_png_input FILE MIB: FILE of exactly MIB MiB: a PNG signature, then random bytes
make_png_input() {
    printf '\x89PNG\r\n\x1a\n' >"$1"
    dd if=/dev/urandom of="$1" bs=1M count=$(($2 * 1024 * 1024 - 8)) iflag=count_bytes,fullblock \
        oflag=append conv=notrunc status=none
}

# upload_png FILE TOKEN: a raw upload to the service at $BASE (checked: 201 and the file's sha256); sets UPLOAD_ID,
# UPLOAD_KEY (the object's key: on the local backend the file $WORK/storage/KEY) and UPLOAD_SHA
# shellcheck disable=SC2034 # UPLOAD_ID and UPLOAD_KEY are for the caller
upload_png() {
    local code
    UPLOAD_SHA=$(sha256sum "$1" | cut -d' ' -f1)
    code=$(curl -sS -o "$WORK/upload.json" -w '%{http_code}' -X POST "$BASE/api/v1/uploads?filename=bench.png" \
        -H "Authorization: Bearer $2" -H 'Content-Type: image/png' -H 'Expect:' -T "$1") || die "upload: curl failed"
    [[ $code == 201 ]] || die "upload answered HTTP $code: $(cat "$WORK/upload.json"); log: ${SVC_LOG:-}"
    [[ $(json_field "$WORK/upload.json" sha256) == "$UPLOAD_SHA" ]] || die "upload: wrong sha256: $(cat "$WORK/upload.json")"
    UPLOAD_ID=$(json_field "$WORK/upload.json" upload_id)
    UPLOAD_KEY=$(json_field "$WORK/upload.json" key)
}

# signed_url ID TOKEN: prints the signed GET URL of upload ID (GET /api/v1/uploads/ID/url)
signed_url() {
    local code
    code=$(curl -sS -o "$WORK/url.json" -w '%{http_code}' "$BASE/api/v1/uploads/$1/url" -H "Authorization: Bearer $2") \
        || die "GET .../url: curl failed"
    [[ $code == 200 ]] || die "GET .../url answered HTTP $code: $(cat "$WORK/url.json")"
    json_field "$WORK/url.json" url
}

# start_nginx DOCROOT FIRST_PORT: nginx in the foreground of a background job (daemon off, master_process off, one
# process), serving DOCROOT with sendfile on, access_log off, its config, pid, logs and temp paths under $WORK/nginx.
# Sets NGINX_PID and NGINX_BASE.
start_nginx() {
    local dir="$WORK/nginx" port
    port=$(free_port "$2")
    mkdir -p "$dir/tmp" "$dir/logs"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $1;
        location / { }
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >"$dir/logs/stdout.log" 2>&1 &
    NGINX_PID=$!
    NGINX_BASE="http://127.0.0.1:$port"
    local deadline=$((SECONDS + 20))
    until port_in_use "$port"; do
        kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$dir/logs/error.log" "$dir/logs/stdout.log" 2>/dev/null)"
        (( SECONDS < deadline )) || die "nginx did not listen within 20 s; see $dir/logs"
        sleep 0.1
    done
    log "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $NGINX_BASE (sendfile on), root $1"
}

# stop_nginx: stops the nginx of start_nginx
stop_nginx() {
    [[ -n ${NGINX_PID:-} ]] || return 0
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
}

# get_rate URL [RANGE]: one GET of URL to /dev/null (with `Range: bytes=RANGE` when given); prints
# "HTTP_CODE BYTES MB/s" (curl's size_download / time_total, 10^6 bytes per second)
get_rate() {
    local args=(-sS -o /dev/null -w '%{http_code} %{size_download} %{time_total}')
    [[ -n ${2:-} ]] && args+=(-H "Range: bytes=$2")
    curl "${args[@]}" "$1" | awk '{printf "%s %s %.1f\n", $1, $2, $2 / $3 / 1e6}'
}

# wrk_run OUT URL [HEADER]: wrk -t2 -c32 (BENCH_WRK_THREADS, BENCH_WRK_CONNECTIONS) for BENCH_DURATION
# (wrk's -d: seconds, or 10s, 1m; default 10) with --latency; its report in OUT. Prints "REQ_PER_SEC P99_MS ERRORS" (errors: non-2xx/3xx
# answers plus socket errors)
wrk_run() {
    local args=(-t"${BENCH_WRK_THREADS:-2}" -c"${BENCH_WRK_CONNECTIONS:-32}" -d"${BENCH_DURATION:-10}" --latency)
    [[ -n ${3:-} ]] && args+=(-H "$3")
    wrk "${args[@]}" "$2" >"$1" 2>&1 || die "wrk failed: $(cat "$1")"
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /m$/) return substr(v, 1, length(v) - 1) * 60000
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        $1 == "Requests/sec:" {rps = $2}
        $1 == "99%" && p99 == "" {p99 = ms($2)}
        /Non-2xx or 3xx responses:/ {err += $NF}
        /Socket errors:/ {for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) err += $i + 0}
        END {printf "%.0f %.2f %d\n", rps, p99, err}' "$1"
}

# random_port_base: a first port to try, random in 20000..32599, so that benches run at the same time by others
# (whose defaults are 18080 and up) rarely race for the same port; below Linux's ephemeral ports (32768 and up),
# which the clients' own connections take (a listener found one taken between free_port and its bind)
random_port_base() { echo $((20000 + (RANDOM % 126) * 100)); }

# assert_own_service: dies unless the service of SVC_TIME_PID is still running (when its port was taken in the
# meantime, await_ready may have seen another process's health)
assert_own_service() {
    sleep 0.5
    kill -0 "$SVC_TIME_PID" 2>/dev/null || die "the service exited after start-up (port taken?); log: ${SVC_LOG:-}"
}
