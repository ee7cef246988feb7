#!/usr/bin/env bash
# Part of ./mvnw package (exec-maven-plugin, after quarkus:build): writes APP_DIR/app-cds.jsa, an AppCDS archive of
# every class the service loads while it starts for real and answers its first requests (the runtime init, Vert.x, the REST layer, Jackson, the JWT check, the local store,
# metrics, health, OpenAPI): those were half of the classes of a start, parsed and verified from the jars each time.
#
#   src/main/cds/train-archive.sh target/quarkus-app
#
# A training run: the packaged app on the local backend in a temporary root, random ports (read back from its log),
# a throwaway JWT key; once ready, an upload, its metadata and signed URL, a full and a ranged read of it, a 404, the
# metrics and the OpenAPI document; then SIGTERM, on which the JVM writes the archive (-XX:ArchiveClassesAtExit).
# The archive only speeds up a start: if anything here fails, there is no archive and a warning says why (the build
# goes on; AppCdsArchiveIT then fails). Quarkus' own archive of its static init is off (application.properties). Set
# REELVAULT_CDS_TRAIN=false to skip the run (and have no archive). Needs bash, curl and openssl.
set -uo pipefail
export LC_ALL=C

APP_DIR=${1:?usage: train-archive.sh APP_DIR}
# an archive of an earlier build would name other jars (the JVM would refuse it, with a warning at every start)
rm -f "$APP_DIR/app-cds.jsa"
[[ ${REELVAULT_CDS_TRAIN:-true} == false ]] && { echo "[cds] training skipped (REELVAULT_CDS_TRAIN=false)"; exit 0; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/reelvault-cds.XXXXXX")
PID=""
cleanup() {
    [[ -n $PID ]] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$WORK" "$APP_DIR/app-cds.jsa.training"
}
trap cleanup EXIT
warn() {
    echo "[cds] WARNING: $*; no $APP_DIR/app-cds.jsa: the service starts without an AppCDS archive. Service log:" >&2
    tail -20 "$WORK/service.log" >&2 2>/dev/null
    exit 0
}
for tool in curl openssl java; do command -v "$tool" >/dev/null || warn "'$tool' is not installed"; done
[[ -f $APP_DIR/quarkus-run.jar ]] || warn "no $APP_DIR/quarkus-run.jar"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null || warn "openssl failed"
openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem" || warn "openssl failed"
now=$(date +%s)
header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"reelvault-cds","aud":"reelvault-cds","sub":"cds-user","groups":["user"],"iat":%d,"exp":%d}' \
    "$now" $((now + 600)) | b64url)
TOKEN="$header.$payload.$(printf '%s' "$header.$payload" | openssl dgst -sha256 -sign "$WORK/key.pem" -binary | b64url)"
mkdir -p "$WORK/storage"

# started from APP_DIR with the relative jar path, as the service is started to use the archive (JDK 17 maps it only
# for the class path it was made with)
(cd "$APP_DIR" && exec env MP_JWT_VERIFY_PUBLICKEY_LOCATION="file:$WORK/pub.pem" MP_JWT_VERIFY_ISSUER=reelvault-cds \
    MP_JWT_VERIFY_AUDIENCES=reelvault-cds LOCAL_STORAGE_PATH="$WORK/storage" REELVAULT_SIGNING_KEY="$(openssl rand -hex 32)" \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=0 QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=0 \
    QUARKUS_SHUTDOWN_DELAY=0S QUARKUS_LOG_CONSOLE_JSON=false \
    java -XX:ArchiveClassesAtExit=app-cds.jsa.training -Xlog:cds=off -Xlog:cds+dynamic=off -jar quarkus-run.jar) \
    >"$WORK/service.log" 2>&1 &
PID=$!
# "... Listening on: http://127.0.0.1:PORT. Management interface listening on http://127.0.0.1:PORT."
for ((i = 0; i < 1200; i++)); do
    grep -q "Management interface listening on" "$WORK/service.log" && break
    kill -0 "$PID" 2>/dev/null || warn "the training run exited during start-up"
    sleep 0.1
done
API=$(sed -n 's/.*Listening on: \(http:[^ ]*[0-9]\)\..*/\1/p' "$WORK/service.log" | head -1)
MGMT=$(sed -n 's/.*Management interface listening on \(http:[^ ]*[0-9]\)\..*/\1/p' "$WORK/service.log" | head -1)
[[ -n $API && -n $MGMT ]] || warn "the training run did not say where it listens within 120 s"
curl -sf -o /dev/null --retry 20 --retry-delay 1 --retry-all-errors "$MGMT/q/health/ready" || warn "never ready"

# first requests: every step is best effort (a changed API makes a smaller archive, not a broken build)
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0\37\25\304\211' >"$WORK/in.png"
head -c 300000 /dev/urandom >>"$WORK/in.png"
auth=(-H "Authorization: Bearer $TOKEN")
codes=""
call() { codes+="$1 $(curl -s -o "$WORK/answer" -w '%{http_code}' "${@:2}") "; }
call upload "${auth[@]}" -H 'Content-Type: image/png' --data-binary "@$WORK/in.png" "$API/api/v1/uploads?filename=cds.png"
id=$(sed -n 's/.*"upload_id":"\([^"]*\)".*/\1/p' "$WORK/answer")
call metadata "${auth[@]}" "$API/api/v1/uploads/$id"
call url "${auth[@]}" "$API/api/v1/uploads/$id/url"
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$WORK/answer")
if [[ -n $url ]]; then
    call get "$url"
    call range -H 'Range: bytes=100-199999' "$url"
    call head -I "$url"
fi
call missing "${auth[@]}" "$API/api/v1/uploads/upload_20260101_doesnotexist0000"
call list "${auth[@]}" "$API/api/v1/uploads"
call unauthenticated "$API/api/v1/uploads"
call metrics "$MGMT/q/metrics"
call openapi "$API/q/openapi"
echo "[cds] training requests (HTTP status): $codes"

kill -TERM "$PID"
for ((i = 0; i < 600; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PID" 2>/dev/null && warn "the training run did not stop within 60 s"
wait "$PID"
PID=""
[[ -s $APP_DIR/app-cds.jsa.training ]] || warn "the training run wrote no archive"
mv -f "$APP_DIR/app-cds.jsa.training" "$APP_DIR/app-cds.jsa"
echo "[cds] $APP_DIR/app-cds.jsa: $(du -h "$APP_DIR/app-cds.jsa" | cut -f1), the classes of a start and of first requests"
