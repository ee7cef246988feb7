#!/usr/bin/env bash
# Benchmark (not a test): a tus upload (POST /api/v1/tus/, then PATCHes of a fixed chunk size) against the same
# bytes sent in one request to the plain endpoint (POST /api/v1/uploads), on the local backend and on S3
# (s3proxy 4.1.0, the project's test dependency, on its filesystem store), with the service's peak RSS per
# contender. Issue 16's goal: tus with 50 MiB chunks at >= 0.8 of the plain endpoint, peak RSS flat.
#
#   bench/tus.sh
#   BENCH_SIZE_MB=64 BENCH_RUNS=1 bench/tus.sh        # a quick check that it works
#
# Environment (all optional):
#   BENCH_SIZE_MB=1024         upload size, MiB (a PNG signature, then random bytes); BENCH_MB is read when unset
#   BENCH_RUNS=5               measurements per contender (plain, then tus for each chunk size, alternating run by run
#                              in one service process per backend); medians are reported
#   BENCH_WARMUP=1             untimed uploads per contender first (JIT)
#   BENCH_CHUNKS_MB="5 50"     tus chunk sizes, MiB
#   BENCH_BACKENDS="local s3"  backends, in this order
#   BENCH_XMX=256m             the service's -Xmx
#   BENCH_S3PROXY_XMX=1g       s3proxy's -Xmx
#   BENCH_PORT                 first port to try for the service (random in 20000..32599 by default)
#
# Other variables in the environment reach the service, e.g. REELVAULT_STORAGE_S3_PART_SIZE (default 10M: a 5 MiB
# chunk then waits in the upload's tail object until the next one fills the part).
#
# The tus client is curl: the chunks are files cut from the input beforehand (split, outside timing), sent by one
# curl process over one connection (a config file with a `next` section per PATCH, each with its Upload-Offset), as a
# tus client library would; the plain upload is `curl -T input`. Both are timed from the first request to the last
# answer (tus: the creation POST, every PATCH, and the publication the last PATCH waits for). Each upload is checked
# (every PATCH 204, the published upload's sha256 the input's) and deleted afterwards.
# Peak RSS per contender: the JVM's VmHWM, reset (echo 5 > /proc/PID/clear_refs) before each upload and read after
# it; the maximum over the contender's runs. The whole process's peak (/usr/bin/time -v) is printed too. A JVM keeps
# the memory it took resident, so after the first run each contender's peak is at least what the others left: read
# the column as "flat or not" (tus should not stand out), not as each path's own footprint.
#
# Prints a table per backend and, for bench/compare.sh, one line per tus contender:
#   ROW<TAB>tus-BACKEND-CHUNKm<TAB>tus MB/s<TAB>plain MB/s<TAB>MB/s<TAB>peak RSS ...
# MB/s means 10^6 bytes per second; sizes are MiB. Uses bash, java, openssl, curl, split, sha256sum, base64,
# /usr/bin/time -v and coreutils/awk. Works in a folder under target/, removed on success (logs kept on failure).
set -euo pipefail
export LC_ALL=C

SIZE_MB=${BENCH_SIZE_MB:-${BENCH_MB:-1024}}
RUNS=${BENCH_RUNS:-5}
WARMUP=${BENCH_WARMUP:-1}
CHUNKS_MB=${BENCH_CHUNKS_MB:-5 50}
BACKENDS=${BENCH_BACKENDS:-local s3}
XMX=${BENCH_XMX:-256m}
S3PROXY_XMX=${BENCH_S3PROXY_XMX:-1g}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
FIRST_PORT=${BENCH_PORT:-$(random_port_base)}

for tool in openssl curl java sha256sum split base64 awk; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is not installed"
[[ $SIZE_MB =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZE_MB must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a whole number"
for c in $CHUNKS_MB; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "BENCH_CHUNKS_MB: '$c' is not a positive integer"; done
for b in $BACKENDS; do [[ $b == local || $b == s3 ]] || die "BENCH_BACKENDS: '$b' is neither local nor s3"; done

ensure_jar
WORK=$(new_work_dir bench-tus)
SVC_TIME_PID=""
S3_PID=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local status=$?
    if [[ -n $SVC_TIME_PID ]] && kill -0 "$SVC_TIME_PID" 2>/dev/null; then
        stop_service || true
    fi
    if [[ -n $S3_PID ]] && kill -0 "$S3_PID" 2>/dev/null; then
        kill -TERM "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK/s3data" "$WORK/storage" "$WORK"/input.bin "$WORK"/chunks-* 2>/dev/null || true
    finish_work "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# disk: the input, its chunk copies, and per backend the stored object plus the tus bytes while they are published
need_kb=$((SIZE_MB * 1024 * (1 + $(wc -w <<<"$CHUNKS_MB") + 3)))
avail_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
(( avail_kb > need_kb )) || die "need ~$((need_kb / 1024)) MiB free under $ROOT/target, have $((avail_kb / 1024)) MiB"

TOKEN=$(mint_token 4)
INPUT="$WORK/input.bin"
BYTES=$((SIZE_MB * 1024 * 1024))
log "making a $SIZE_MB MiB input and its chunks ($CHUNKS_MB MiB)"
make_png_input "$INPUT" "$SIZE_MB"
SHA=$(sha256sum "$INPUT" | cut -d' ' -f1)
for c in $CHUNKS_MB; do
    mkdir -p "$WORK/chunks-$c"
    split -b "${c}M" -d -a 6 "$INPUT" "$WORK/chunks-$c/c."
done
META="filename $(printf 'bench.png' | base64),filetype $(printf 'image/png' | base64)"

mbs() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.1f", b / s / 1e6}'; }
now() { date +%s.%N; }
# reset_peak: the JVM's VmHWM (peak RSS) from now on; peak_mib: the peak since, MiB (empty when /proc cannot tell)
reset_peak() { echo 5 >"/proc/$SVC_PID/clear_refs" 2>/dev/null || true; }
peak_mib() { awk '$1 == "VmHWM:" {printf "%.0f", $2 / 1024}' "/proc/$SVC_PID/status" 2>/dev/null || true; }

# delete_upload ID: removes a finished upload (the stored object and its metadata)
delete_upload() {
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$BASE/api/v1/uploads/$1" -H "Authorization: Bearer $TOKEN")
    [[ $code == 204 ]] || die "DELETE of upload $1 answered HTTP $code; log: $SVC_LOG"
}

# plain_once: the input in one POST /api/v1/uploads; sets SECS, checked, then deleted
plain_once() {
    local t0 code
    t0=$(now)
    code=$(curl -sS -o "$WORK/plain.json" -w '%{http_code}' -X POST "$BASE/api/v1/uploads?filename=bench.png" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' -H 'Expect:' -T "$INPUT") \
        || die "plain upload: curl failed; log: $SVC_LOG"
    SECS=$(secs_since "$t0")
    [[ $code == 201 ]] || die "plain upload answered HTTP $code: $(cat "$WORK/plain.json"); log: $SVC_LOG"
    [[ $(json_field "$WORK/plain.json" sha256) == "$SHA" ]] || die "plain upload: wrong sha256: $(cat "$WORK/plain.json")"
    delete_upload "$(json_field "$WORK/plain.json" upload_id)"
}

# tus_once CHUNK_MB: creation, then one PATCH per chunk file over one connection; sets SECS, checked, then deleted
tus_once() {
    local dir="$WORK/chunks-$1" t0 code location offset=0 f size n=0 bad resource id
    t0=$(now)
    code=$(curl -sS -o "$WORK/tus-create.out" -D "$WORK/tus-create.hdr" -w '%{http_code}' -X POST "$BASE/api/v1/tus/" \
        -H "Authorization: Bearer $TOKEN" -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $BYTES" \
        -H "Upload-Metadata: $META") || die "tus creation: curl failed; log: $SVC_LOG"
    [[ $code == 201 ]] || die "tus creation answered HTTP $code: $(cat "$WORK/tus-create.out"); log: $SVC_LOG"
    location=$(awk 'tolower($1) == "location:" {sub(/\r$/, "", $2); print $2}' "$WORK/tus-create.hdr")
    [[ -n $location ]] || die "tus creation: no Location"
    # one curl, one connection: a `next` section per PATCH (written inside the timed span, as it needs the Location;
    # it takes microseconds per chunk)
    : >"$WORK/tus.curl"
    for f in "$dir"/c.*; do
        size=$(stat -c %s "$f")
        (( n > 0 )) && echo 'next' >>"$WORK/tus.curl"
        cat >>"$WORK/tus.curl" <<CFG
url = "$location"
request = "PATCH"
upload-file = "$f"
header = "Authorization: Bearer $TOKEN"
header = "Tus-Resumable: 1.0.0"
header = "Content-Type: application/offset+octet-stream"
header = "Upload-Offset: $offset"
header = "Expect:"
silent
show-error
output = "/dev/null"
dump-header = "$WORK/tus-last.hdr"
write-out = "%{http_code}\n"
CFG
        offset=$((offset + size))
        n=$((n + 1))
    done
    curl -K "$WORK/tus.curl" >"$WORK/tus-codes.txt" || die "tus PATCHes: curl failed; log: $SVC_LOG"
    SECS=$(secs_since "$t0")
    bad=$(grep -cv '^204$' "$WORK/tus-codes.txt" || true)
    (( bad == 0 && $(wc -l <"$WORK/tus-codes.txt") == n )) \
        || die "tus: $bad of $n PATCHes not answered 204 ($(sort "$WORK/tus-codes.txt" | uniq -c | tr '\n' ' ')); log: $SVC_LOG"
    grep -qi "^upload-offset: $BYTES" "$WORK/tus-last.hdr" || die "tus: the last PATCH's offset: $(cat "$WORK/tus-last.hdr")"
    resource=$(awk 'tolower($1) == "reelvault-resource:" {sub(/\r$/, "", $2); print $2}' "$WORK/tus-last.hdr")
    [[ -n $resource ]] || die "tus: the last PATCH names no Reelvault-Resource"
    code=$(curl -sS -o "$WORK/tus-meta.json" -w '%{http_code}' "$resource" -H "Authorization: Bearer $TOKEN") \
        || die "GET $resource failed"
    [[ $code == 200 ]] || die "GET $resource answered HTTP $code"
    [[ $(json_field "$WORK/tus-meta.json" sha256) == "$SHA" ]] || die "tus upload: wrong sha256: $(cat "$WORK/tus-meta.json")"
    id=$(json_field "$WORK/tus-meta.json" upload_id)
    delete_upload "$id"
    # the finished upload's state stays until its expiry (a resuming client sees it done): a few hundred bytes
}

# the service: no size limit below the input, no rate limit on the creations (one per run)
export REELVAULT_UPLOADS_MAX_SIZE=${REELVAULT_UPLOADS_MAX_SIZE:-20G} REELVAULT_RATE_LIMITS_ENABLED=false
declare -A RESULT_MBS RESULT_RSS RESULT_WHOLE
S3_BUCKET_NAME=reelvault-bench-tus
CONTENDERS=("plain")
for c in $CHUNKS_MB; do CONTENDERS+=("tus-$c"); done

for backend in $BACKENDS; do
    if [[ $backend == s3 && -z $S3_PID ]]; then
        start_s3proxy $((FIRST_PORT + 50)) "$S3PROXY_XMX"
    fi
    start_bench_service "$backend" "$FIRST_PORT" "$XMX"
    assert_own_service
    declare -A runs=() peaks=()
    for ((i = -WARMUP + 1; i <= RUNS; i++)); do
        for who in "${CONTENDERS[@]}"; do
            reset_peak
            if [[ $who == plain ]]; then plain_once; else tus_once "${who#tus-}"; fi
            peak=$(peak_mib)
            if (( i <= 0 )); then
                log "  $backend $who warm-up: ${SECS}s (not counted)"
                continue
            fi
            runs[$who]+="$(mbs "$BYTES" "$SECS") "
            [[ -n $peak ]] && (( peak > ${peaks[$who]:-0} )) && peaks[$who]=$peak
            log "  $backend $who run $i: $SIZE_MB MiB in ${SECS}s = $(mbs "$BYTES" "$SECS") MB/s, peak RSS ${peak:-?} MiB"
        done
    done
    stop_service
    whole=$(awk -v k="$(time_field "$WORK/service.time" "Maximum resident set size (kbytes)")" 'BEGIN {printf "%.0f", k / 1024}')
    for who in "${CONTENDERS[@]}"; do
        RESULT_MBS[$backend,$who]=$(tr ' ' '\n' <<<"${runs[$who]}" | grep . | median)
        RESULT_RSS[$backend,$who]=${peaks[$who]:--}
    done
    RESULT_WHOLE[$backend]=$whole
    unset runs peaks
done

echo
echo "== reelvault tus vs plain upload ($SIZE_MB MiB, PNG-headed random bytes; medians of $RUNS runs, $WARMUP warm-up each;"
echo "   contenders alternate run by run in one service per backend, -Xmx$XMX)"
echo "machine: $(nproc) CPUs, $(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB RAM; load: $(load_avg)"
echo "S3: s3proxy 4.1.0 (filesystem store, SigV4, -Xmx$S3PROXY_XMX); part size ${REELVAULT_STORAGE_S3_PART_SIZE:-10M}"
fmt='%-7s %-10s %9s %10s %14s\n'
printf "$fmt" backend contender "MB/s" "vs plain" "peak RSS MiB"
for backend in $BACKENDS; do
    plain=${RESULT_MBS[$backend,plain]}
    for who in "${CONTENDERS[@]}"; do
        printf "$fmt" "$backend" "$who" "${RESULT_MBS[$backend,$who]}" "$(ratio "${RESULT_MBS[$backend,$who]}" "$plain")" \
            "${RESULT_RSS[$backend,$who]}"
    done
    echo "        whole service process peak RSS ($backend): ${RESULT_WHOLE[$backend]} MiB"
done
echo "goal: tus with 50 MiB chunks >= 0.8 of plain; peak RSS flat (tus about as plain)"
for backend in $BACKENDS; do
    for c in $CHUNKS_MB; do
        emit_row "tus-$backend-${c}m" "${RESULT_MBS[$backend,tus-$c]}" "${RESULT_MBS[$backend,plain]}" "MB/s" \
            "peak RSS ${RESULT_RSS[$backend,tus-$c]} MiB (plain ${RESULT_RSS[$backend,plain]} MiB); $SIZE_MB MiB in $c MiB chunks"
    done
done
