# Shared by the bench/ scripts (sourced, not run): building the jar, the work folder, logging, the service's token, its life cycle
# under /usr/bin/time -v, and small text helpers. Callers set WORK, and SVC_TIME_PID once started.

# ensure_jar: packages the service (tests skipped) when $JAR (target/quarkus-app/quarkus-run.jar) is missing
ensure_jar() {
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
# bench-user, issuer reelvault-bench, valid HOURS hours
mint_token() {
    b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null
    openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem"
    local now header payload signature
    now=$(date +%s)
    header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)
    payload=$(printf '{"iss":"reelvault-bench","sub":"bench-user","groups":["user"],"iat":%d,"exp":%d}' \
        "$now" $((now + 3600 * $1)) | b64url)
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
