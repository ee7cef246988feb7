#!/usr/bin/env bash
# Not a benchmark: a real Prometheus scraping the packaged service. Starts the service (local storage) and
# Debian's Prometheus on loopback with a temporary configuration (scrape every second, the alert rules of
# deploy/prometheus/alerts.yaml loaded), makes uploads, downloads through signed URLs and a few 404s with
# curl, waits for a scrape that began after the last request, then asks Prometheus' HTTP API
# (/api/v1/query) for the HTTP request counter, the transfer bytes and the per-area usage gauges, and prints
# them next to what curl sent and received. Also runs every query of deploy/grafana/dashboard.json against
# that Prometheus and prints the alert rules' states (/api/v1/rules).
#
#   bench/prometheus-scrape.sh
#
# Fails when a number disagrees with what curl did (the counters are exact for one process), when a
# rule or a dashboard query is rejected, or when a process does not start. Environment (all optional):
#   SCRAPE_UPLOADS=5          uploads (each then downloaded once through its signed URL)
#   SCRAPE_UPLOAD_KIB=256     size of each upload, KiB
#   SCRAPE_INTERVAL=1s        Prometheus' scrape and rule evaluation interval
#   BENCH_PORT=18080          first port to try for the service; the next free one is used
#   PROMETHEUS_PORT=19090     first port to try for Prometheus
#   PROMETHEUS=/usr/bin/prometheus
#
# Needs bash, java, curl, openssl, jq and Prometheus (apt-get install prometheus jq). Works in a temporary
# folder under target/, removed on success; on failure the logs are kept and their path printed. Both
# processes are stopped on exit, whatever happens.
set -euo pipefail
export LC_ALL=C

UPLOADS=${SCRAPE_UPLOADS:-5}
UPLOAD_KIB=${SCRAPE_UPLOAD_KIB:-256}
INTERVAL=${SCRAPE_INTERVAL:-1s}
FIRST_PORT=${BENCH_PORT:-18080}
PROM_FIRST_PORT=${PROMETHEUS_PORT:-19090}
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
RULES="$ROOT/deploy/prometheus/alerts.yaml"
DASHBOARD="$ROOT/deploy/grafana/dashboard.json"

for tool in java curl openssl jq awk sha256sum; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x $PROMETHEUS ]] || die "$PROMETHEUS not found: apt-get install prometheus (or set PROMETHEUS)"
[[ $UPLOADS =~ ^[1-9][0-9]*$ ]] || die "SCRAPE_UPLOADS must be a positive integer"
[[ $UPLOAD_KIB =~ ^[1-9][0-9]*$ ]] || die "SCRAPE_UPLOAD_KIB must be a positive integer"

ensure_jar

WORK=$(new_work_dir prometheus-scrape)
SVC_PID=""
PROM_PID=""

# stop PID NAME: SIGTERM, up to 20 s to exit, then SIGKILL
stop() {
    local pid=$1 name=$2 deadline=$((SECONDS + 20))
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop within 20 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    [[ -n $PROM_PID ]] && stop "$PROM_PID" prometheus
    [[ -n $SVC_PID ]] && stop "$SVC_PID" service
    if [[ $status -eq 0 ]]; then
        rm -rf "$WORK"
    else
        rm -rf "$WORK/storage" "$WORK/prometheus-data" "$WORK"/*.bin 2>/dev/null || true
        log "logs kept in $WORK (service.log, prometheus.log, prometheus.yml)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# --- 1. the service (local backend), with a throwaway key pair and signing key
TOKEN=$(mint_token 1)
PORT=$(free_port "$FIRST_PORT")
BASE="http://127.0.0.1:$PORT"
MGMT_PORT=$(free_port $((PORT + 1)))
MGMT="http://127.0.0.1:$MGMT_PORT"
mkdir -p "$WORK/storage"
log "starting the service on $BASE (health and metrics on $MGMT); log: $WORK/service.log"
MP_JWT_VERIFY_PUBLICKEY_LOCATION="file:$WORK/pub.pem" \
MP_JWT_VERIFY_ISSUER=reelvault-bench \
LOCAL_STORAGE_PATH="$WORK/storage" \
REELVAULT_SIGNING_KEY="$(openssl rand -hex 32)" \
QUARKUS_HTTP_HOST=127.0.0.1 \
QUARKUS_HTTP_PORT="$PORT" \
QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
REELVAULT_PUBLIC_BASE_URL="$BASE" \
    java -Xmx256m -jar "$JAR" >"$WORK/service.log" 2>&1 &
SVC_PID=$!
SVC_TIME_PID=$SVC_PID # what lib.sh's await_ready watches
await_ready "$MGMT" "$WORK/service.log"
log "service ready"

# --- 2. Prometheus on loopback, scraping it, with the alert rules
PROM_PORT=$(free_port "$PROM_FIRST_PORT")
PROM="http://127.0.0.1:$PROM_PORT"
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: $INTERVAL
  scrape_timeout: $INTERVAL
  evaluation_interval: $INTERVAL
rule_files:
  - $RULES
scrape_configs:
  - job_name: reelvault
    metrics_path: /q/metrics
    static_configs:
      - targets: ["127.0.0.1:$MGMT_PORT"]
EOF
log "starting $($PROMETHEUS --version 2>&1 | head -1) on $PROM; log: $WORK/prometheus.log"
"$PROMETHEUS" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
deadline=$((SECONDS + 60))
until curl -sf -o /dev/null "$PROM/-/ready"; do
    kill -0 "$PROM_PID" 2>/dev/null || die "prometheus exited during start-up; log: $WORK/prometheus.log"
    (( SECONDS < deadline )) || die "prometheus was not ready within 60 s; log: $WORK/prometheus.log"
    sleep 0.25
done
log "prometheus ready"

# query EXPR: the result vector of an instant query, as JSON (fails on an API error)
query() {
    local out
    out=$(curl -sS --get "$PROM/api/v1/query" --data-urlencode "query=$1") || die "query failed: $1"
    [[ $(jq -r .status <<<"$out") == success ]] || die "query '$1' answered: $out"
    jq -c .data.result <<<"$out"
}
# scalar EXPR: the single value of an instant query (0 when it has no result)
scalar() { query "$1" | jq -r 'if length == 0 then "0" else .[0].value[1] end'; }

# --- 3. traffic: uploads, downloads through signed URLs, 404s
auth=(-H "Authorization: Bearer $TOKEN")
sent=0
received=0
for ((i = 1; i <= UPLOADS; i++)); do
    file="$WORK/upload-$i.bin"
    printf '\x89PNG\r\n\x1a\n' >"$file"
    head -c $((UPLOAD_KIB * 1024 - 8)) /dev/urandom >>"$file"
    code=$(curl -sS -o "$WORK/resp.json" -w '%{http_code}' -X POST "$BASE/api/v1/uploads?filename=scrape-$i.png" \
        "${auth[@]}" -H 'Content-Type: image/png' --data-binary "@$file")
    [[ $code == 201 ]] || die "upload $i answered HTTP $code: $(cat "$WORK/resp.json")"
    id=$(jq -r .upload_id "$WORK/resp.json")
    sent=$((sent + $(stat -c %s "$file")))
    url=$(curl -sS -f "${auth[@]}" "$BASE/api/v1/uploads/$id/url" | jq -r .url)
    got=$(curl -sS -f -o "$WORK/download.bin" -w '%{size_download}' "$url")
    cmp -s "$file" "$WORK/download.bin" || die "download $i differs from upload $i"
    received=$((received + got))
    code=$(curl -sS -o /dev/null -w '%{http_code}' "${auth[@]}" "$BASE/api/v1/uploads/upload_20260101_nothinghere0")
    [[ $code == 404 ]] || die "a missing upload answered HTTP $code"
done
curl -sS -o /dev/null "$BASE/not/a/route/$id" || true
log "$UPLOADS uploads ($sent bytes) and downloads ($received bytes) done"

# --- 4. wait for a scrape that started after the last request
after=$(date +%s.%N)
deadline=$((SECONDS + 30))
until awk -v t="$(scalar 'timestamp(up{job="reelvault"})')" -v a="$after" 'BEGIN {exit !(t > a)}'; do
    (( SECONDS < deadline )) || die "no scrape within 30 s; prometheus log: $WORK/prometheus.log"
    sleep 0.5
done
[[ $(scalar 'up{job="reelvault"}') == 1 ]] || die "the scrape of $MGMT/q/metrics failed"

# --- 5. what Prometheus has
echo
echo "== reelvault scraped by Prometheus ($($PROMETHEUS --version 2>&1 | head -1 | awk '{print $3}'), every $INTERVAL)"
echo "traffic: $UPLOADS uploads of $UPLOAD_KIB KiB (POST), $UPLOADS signed-URL downloads, $UPLOADS GETs of a missing id, 1 unknown path"
echo
echo "http_server_requests_seconds_count{job=\"reelvault\"} by method, uri, status:"
query 'sum by (method, uri, status) (http_server_requests_seconds_count{job="reelvault"})' |
    jq -r 'sort_by(.metric.uri, .metric.method) | .[] | "  \(.metric.method) \(.metric.uri) \(.metric.status) = \(.value[1])"'
echo
in_bytes=$(scalar 'reelvault_storage_transfer_bytes_total{job="reelvault",direction="in"}')
out_bytes=$(scalar 'reelvault_storage_transfer_bytes_total{job="reelvault",direction="out"}')
printf 'reelvault_storage_transfer_bytes_total: in = %s (curl sent %s bodies, plus metadata.json), out = %s (curl received %s, plus metadata reads)\n' \
    "$in_bytes" "$sent" "$out_bytes" "$received"
echo
echo "reelvault_storage_objects / reelvault_storage_bytes by area:"
objects=$(query 'reelvault_storage_objects{job="reelvault"}')
bytes=$(query 'reelvault_storage_bytes{job="reelvault"}')
for area in uploads generations compositions temp; do
    printf '  %-13s objects = %-4s bytes = %s\n' "$area" \
        "$(jq -r --arg a "$area" '.[] | select(.metric.area == $a) | .value[1]' <<<"$objects")" \
        "$(jq -r --arg a "$area" '.[] | select(.metric.area == $a) | .value[1]' <<<"$bytes")"
done
echo
printf 'reelvault_ready = %s; local disk free = %s; HTTP p95 since start (histogram buckets) = %s s\n' \
    "$(scalar 'reelvault_ready{job="reelvault"}')" \
    "$(scalar 'reelvault_local_storage_free_bytes{job="reelvault"} / reelvault_local_storage_capacity_bytes{job="reelvault"}' | awk '{printf "%.1f%%", $1 * 100}')" \
    "$(scalar 'histogram_quantile(0.95, sum by (le) (http_server_requests_seconds_bucket{job="reelvault"}))')"
printf 'one scrape: %s samples in %s s\n' "$(scalar 'scrape_samples_scraped{job="reelvault"}')" \
    "$(scalar 'scrape_duration_seconds{job="reelvault"}')"

# --- 6. checks: the counters are this process's own, so they must equal what curl did
posted=$(scalar 'sum(http_server_requests_seconds_count{job="reelvault",method="POST",uri="/api/v1/uploads",status="201"})')
(( ${posted%.*} == UPLOADS )) || die "POST /api/v1/uploads 201 counted $posted, curl made $UPLOADS"
downloads=$(scalar 'sum(http_server_requests_seconds_count{job="reelvault",method="GET",uri="/storage/{key}",status="200"})')
(( ${downloads%.*} == UPLOADS )) || die "GET /storage/{key} 200 counted $downloads, curl made $UPLOADS"
awk -v i="$in_bytes" -v s="$sent" -v o="$out_bytes" -v r="$received" 'BEGIN {exit !(i >= s && o >= r)}' \
    || die "transfer bytes below what curl moved"
up_objects=$(jq -r '.[] | select(.metric.area == "uploads") | .value[1]' <<<"$objects")
(( ${up_objects%.*} == 2 * UPLOADS )) || die "uploads area shows $up_objects objects, expected $((2 * UPLOADS)) (original + metadata.json each)"
query '{job="reelvault", uri=~".*upload_[0-9]{8}_.*|/storage/uploads.*"}' | jq -e 'length == 0' >/dev/null \
    || die "an id or a raw path reached a label"

# --- 7. every dashboard query, run against this Prometheus
ok=0; empty=0; failed=0; without=()
while IFS=$'\t' read -r title expr; do
    q=${expr//'$__rate_interval'/1m}
    q=${q//'$job'/reelvault}
    q=${q//'$instance'/.*}
    out=$(curl -sS --get "$PROM/api/v1/query" --data-urlencode "query=$q")
    if [[ $(jq -r .status <<<"$out") != success ]]; then
        failed=$((failed + 1)); log "dashboard query rejected: $q: $(jq -r .error <<<"$out")"
    elif [[ $(jq '.data.result | length' <<<"$out") == 0 ]]; then
        empty=$((empty + 1)); without+=("$title")
    else
        ok=$((ok + 1))
    fi
done < <(jq -r '.panels[] | .title as $t | .targets[]? | "\($t)\t\(.expr)"' "$DASHBOARD")
echo
echo "dashboard queries: $ok with data, $empty without data (no such event, or no change between two scrapes, in this run), $failed rejected"
(( empty == 0 )) || printf '  without data: %s\n' "$(IFS=,; echo "${without[*]}" | sed 's/,/, /g')"
(( failed == 0 )) || die "dashboard queries rejected by Prometheus"

# --- 8. the alert rules as Prometheus evaluates them
echo
echo "alert rules (/api/v1/rules): state and health"
rules=$(curl -sS "$PROM/api/v1/rules?type=alert")
jq -r '.data.groups[] | .name as $g | .rules[] | "  \($g) \(.name): \(.state), health \(.health)\(if .lastError then " (" + .lastError + ")" else "" end)"' <<<"$rules"
[[ $(jq '[.data.groups[].rules[] | select(.health != "ok")] | length' <<<"$rules") == 0 ]] \
    || die "a rule does not evaluate"
echo "  (pending right after start-up is expected for the lifecycle and usage-scan rules: their gauges are 0 until"
echo "  the first sweep, 30 s after start, and the first usage pass, 10 s after start; their 'for' is 15 and 30 minutes)"
echo
echo "all checks passed"
