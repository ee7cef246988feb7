#!/usr/bin/env bash
# Benchmark (not a test): similar-generation cache lookups on Redis at two store sizes, against
# redis-benchmark's plain GET at the same concurrency on the same server in the same run.
# Prints a table; fails only when a tool or the cache fails.
#
#   bench/cache-lookup.sh
#
# Environment (all optional):
#   BENCH_ENTRIES=10000,100000   store sizes (filled progressively, one fingerprint: the worst case)
#   BENCH_LOOKUPS=20000          timed lookups per round
#   BENCH_RUNS=3                 rounds per size, and redis-benchmark runs; medians are reported
#   BENCH_CONCURRENCY=8          lookups in flight (asynchronous calls, as the service makes them), and redis-benchmark's -c
#   BENCH_PORT=16379             first port to try for redis-server; the next free one is used
#   BENCH_XMX=512m               the harness JVM's -Xmx
#
# The lookups run through io.reelvault.bench.CacheBench (src/test/java; no public tool computes our
# prompt vectors), run from the test classpath: it builds the similar cache as the service does, with
# its embedder and default settings. Half of the lookups are near-duplicates of stored prompts (reordered, one filler word:
# not the exact key, so they take the LSH candidate path), half unrelated prompts. A lookup's time is
# the whole SimilarCache.lookup call: bucket hashing, one script round trip, cosine re-check.
# Uses bash, redis-server, redis-benchmark, java, the Maven wrapper (compiles the classes and writes the
# test classpath; offline with MAVEN_ARGS=-o) and coreutils/awk/sed only.
set -euo pipefail
export LC_ALL=C

ENTRIES=${BENCH_ENTRIES:-10000,100000}
LOOKUPS=${BENCH_LOOKUPS:-20000}
RUNS=${BENCH_RUNS:-3}
CONCURRENCY=${BENCH_CONCURRENCY:-8}
FIRST_PORT=${BENCH_PORT:-16379}
XMX=${BENCH_XMX:-512m}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
CLASSPATH_FILE="$ROOT/target/bench.cp"

for tool in redis-server redis-benchmark redis-cli java awk sed; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $CONCURRENCY =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONCURRENCY must be a positive integer"
[[ $ENTRIES =~ ^[0-9]+(,[0-9]+)*$ ]] || die "BENCH_ENTRIES must be comma-separated counts"

log "compiling and writing the test classpath"
(cd "$ROOT" && ./mvnw -B -q test-compile dependency:build-classpath "-Dmdep.outputFile=$CLASSPATH_FILE") \
    || die "the build failed"

WORK=$(new_work_dir bench-cache)
REDIS_PID=""
cleanup() {
    local status=$?
    if [[ -n $REDIS_PID ]]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    finish_work "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. our own redis-server on a free port, no persistence
PORT=$(free_port "$FIRST_PORT")
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
done
redis-cli -p "$PORT" ping >/dev/null 2>&1 || die "redis-server did not start; log: $WORK/redis.log"
log "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on port $PORT"

# --- 2. baseline: redis-benchmark GET at the same concurrency (CSV: rps, avg, min, p50, p95, p99, max)
for run in $(seq "$RUNS"); do
    redis-benchmark -p "$PORT" -t get -c "$CONCURRENCY" -n 200000 --csv 2>/dev/null \
        | awk -F'"' '/^"GET"/ {print $4, $10, $14}' >>"$WORK/get.txt"
done
get_rps=$(awk '{print $1}' "$WORK/get.txt" | median)
get_p50=$(awk '{print $2}' "$WORK/get.txt" | median)
get_p99=$(awk '{print $3}' "$WORK/get.txt" | median)

# --- 3. fill and look up through the service's cache (the same Redis)
log "filling to $ENTRIES entries and timing $RUNS x $LOOKUPS lookups at concurrency $CONCURRENCY"
REELVAULT_REDIS_URL="redis://127.0.0.1:$PORT/0" java "-Xmx$XMX" \
    -cp "$ROOT/target/classes:$ROOT/target/test-classes:$(cat "$CLASSPATH_FILE")" io.reelvault.bench.CacheBench \
    --entries "$ENTRIES" --lookups "$LOOKUPS" --rounds "$RUNS" --concurrency "$CONCURRENCY" \
    >"$WORK/cache.jsonl" 2>"$WORK/cache.err" \
    || die "cache bench failed: $(tail -3 "$WORK/cache.err")"

# the same GET baseline again after the fill (a full Redis may answer differently)
for run in $(seq "$RUNS"); do
    redis-benchmark -p "$PORT" -t get -c "$CONCURRENCY" -n 200000 --csv 2>/dev/null \
        | awk -F'"' '/^"GET"/ {print $4, $10, $14}' >>"$WORK/get-full.txt"
done
full_rps=$(awk '{print $1}' "$WORK/get-full.txt" | median)
full_p50=$(awk '{print $2}' "$WORK/get-full.txt" | median)
full_p99=$(awk '{print $3}' "$WORK/get-full.txt" | median)

# --- 4. table
field() { sed 's/"rounds".*//' <<<"$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"; }
rounds_median() { grep -o "\"$2\":[0-9.]*" <<<"$1" | cut -d: -f2 | median; }
printf '\nsimilar-generation cache lookup on Redis, concurrency %s, medians of %s runs\n\n' "$CONCURRENCY" "$RUNS"
printf '%-34s %10s %10s %10s %10s %12s\n' "what" "p50 ms" "p99 ms" "ops/s" "hit rate" "redis MB"
printf '%-34s %10s %10s %10s %10s %12s\n' "redis-benchmark GET (empty)" "$get_p50" "$get_p99" "$get_rps" "-" "-"
while IFS= read -r line; do
    n=$(field "$line" entries)
    p50=$(rounds_median "$line" p50_ms)
    p99=$(rounds_median "$line" p99_ms)
    rps=$(rounds_median "$line" per_second)
    similar=$(rounds_median "$line" similar)
    total=$(rounds_median "$line" lookups)
    mem=$(field "$line" redis_used_memory_bytes)
    printf '%-34s %10s %10s %10s %10s %12s\n' "cache lookup, $n entries" "$p50" "$p99" "$rps" \
        "$(awk -v s="$similar" -v t="$total" 'BEGIN {printf "%.3f", s / t}')" "$(awk -v m="$mem" 'BEGIN {printf "%.0f", m / 1048576}')"
done <"$WORK/cache.jsonl"
printf '%-34s %10s %10s %10s %10s %12s\n' "redis-benchmark GET (after fill)" "$full_p50" "$full_p99" "$full_rps" "-" "-"
printf '\nhit rate: lookups answered (half are near-duplicates of stored prompts, so 0.500 is all found).\n'
printf 'raw figures (every round):\n'
cat "$WORK/cache.jsonl"
