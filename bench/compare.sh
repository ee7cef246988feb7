#!/usr/bin/env bash
# Benchmark (not a test): every row of issue 14's table in one run, each side by side with its baseline measured
# in the same run (the two alternating, medians of BENCH_RUNS), then the table with ratios and goals:
#
#   row                                   part script               baseline
#   signed GET of a 1 GiB object          bench/download-local.sh   nginx `sendfile on`, same file
#   signed GET, Range of 100 MiB          bench/download-local.sh   nginx, same Range
#   GET /api/v1/uploads/{id}, .../url     bench/small-requests.sh   /q/health/live of the same process (wrk)
#   raw upload 100 MiB and 1 GiB          bench/upload-local.sh     dd bs=1M conv=fdatasync to the same disk
#   start to ready                        bench/startup.sh          -
#   S3 upload 1 GiB (BENCH_S3=1 only)     bench/upload-s3.sh        aws s3 cp to the same s3proxy
#   tus upload 1 GiB, 5 and 50 MiB chunks bench/tus.sh              the plain upload endpoint, same bytes, local and S3
#
#   bench/compare.sh
#   BENCH_JAR=/path/to/old/target/quarkus-app/quarkus-run.jar bench/compare.sh    # measure another build
#
# Environment (all optional; passed on to the parts):
#   BENCH_JAR=target/quarkus-app/quarkus-run.jar   the jar to measure (built when missing and not set)
#   BENCH_RUNS=5          measurements per contender and row (medians)
#   BENCH_DURATION=10     seconds per wrk run
#   BENCH_PARTS="download small upload startup s3 tus"   the parts to run, in this order
#   BENCH_RETRIES=1       a part that fails (e.g. a port taken by another process meanwhile) runs again this often
#   BENCH_S3=0            1: also the S3 row (needs the AWS CLI, installed by upload-s3.sh when root, and Maven)
#
# Each part prints, on standard output, one line per row it measured:
#   ROW<TAB>id<TAB>service median<TAB>baseline median ("-": none)<TAB>unit<TAB>free text
# and compare.sh collects those lines (for parts that print none it reads what they print instead: the summary
# tables of upload-local.sh and upload-s3.sh, the "RESULT name rps= p99_ms=" lines of a small-requests.sh). The load average (uptime) is printed before and after each part and in the footer.
# Everything a part prints is kept in target/bench-compare.XXXX/PART.out (removed when all parts succeed).
# nginx and wrk are installed with apt-get when missing and running as root (Debian packages nginx, wrk).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"

export BENCH_RUNS=${BENCH_RUNS:-5}
export BENCH_DURATION=${BENCH_DURATION:-10}
PARTS=${BENCH_PARTS:-download small upload startup s3 tus}
S3=${BENCH_S3:-0}
RETRIES=${BENCH_RETRIES:-1}
[[ $BENCH_RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $BENCH_DURATION =~ ^[1-9][0-9]*s?$ ]] || die "BENCH_DURATION must be a number of seconds"

ensure_jar
export BENCH_JAR=$JAR
WORK=$(new_work_dir bench-compare)
FAILED=0
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local status=$?
    if [[ $status -eq 0 && $FAILED -eq 0 ]]; then rm -rf "$WORK"; else log "part outputs kept in $WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
need_tool nginx nginx
need_tool wrk wrk

ROWS="$WORK/rows.tsv"   # id, service, baseline, unit, extra, load before, load after
: >"$ROWS"
declare -A PART_STATUS

# adapt PART OUT: ROW lines from the summaries of the parts that print none
adapt() {
    case $1 in
        upload)
            awk '$2 ~ /^(MiB|GiB)$/ && $3 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/ && NF >= 5 {
                    n++; label[n] = $1 " " $2; svc[n] = $3; dd[n] = $4; rss[n] = $6
                    id[n] = "upload-" $1 ($2 == "GiB" ? "g" : "m") }
                /^service CPU, .* process: / {l = $0; sub(/^service CPU, /, "", l); c = l; sub(/ process: .*/, "", l)
                    sub(/.* process: /, "", c); cpu[l] = c}
                END {for (i = 1; i <= n; i++) printf "ROW\t%s\t%s\t%s\tMB/s\tpeak RSS %s MiB; whole process CPU: %s\n",
                    id[i], svc[i], dd[i], rss[i], cpu[label[i]]}' "$2" ;;
        small)
            # "RESULT <name> rps=<req/s> p99_ms=<ms> ratio=<r>" (names live, get, url)
            awk '$1 == "RESULT" {for (i = 3; i <= NF; i++) {split($i, kv, "="); v[$2, kv[1]] = kv[2]}; n[$2] = 1}
                END {for (name in n) if (name != "live") {id = (name == "get") ? "meta" : name
                    printf "ROW\t%s-rps\t%s\t%s\treq/s\t\n", id, v[name, "rps"], v["live", "rps"]
                    printf "ROW\t%s-p99\t%s\t%s\tms\t\n", id, v[name, "p99_ms"], v["live", "p99_ms"]}}' "$2" ;;
        s3)
            awk '$1 == "service" && $2 ~ /^[0-9.]+$/ {s = $2} $1 == "direct" && $2 ~ /^[0-9.]+$/ {d = $2}
                END {if (s != "" && d != "") printf "ROW\ts3-upload-1g\t%s\t%s\tMB/s\t\n", s, d}' "$2" ;;
    esac
}

# run_part PART SCRIPT: runs bench/SCRIPT, its output on the console and in $WORK/PART.out; collects its rows
run_part() {
    local part=$1 script="$ROOT/bench/$2" out="$WORK/$1.out" l0 l1 status=0
    if [[ ! -x $script ]]; then
        log "bench/$2 is missing: part $part skipped"
        PART_STATUS[$part]="bench/$2 missing"
        return 0
    fi
    local attempt
    for ((attempt = 0; attempt <= RETRIES; attempt++)); do
        echo
        echo "######## $part: bench/$2 -- before: $(uptime)"
        l0=$(load1)
        status=0
        BENCH_PORT=${BENCH_PORT:-$(random_port_base)} "$script" 2>&1 | tee "$out" || status=$?
        l1=$(load1)
        echo "######## $part: bench/$2 exit $status -- after: $(uptime)"
        [[ $status -eq 0 ]] && break
        (( attempt < RETRIES )) && log "part $part failed (exit $status): once more"
    done
    if [[ $status -ne 0 ]]; then
        FAILED=1
        PART_STATUS[$part]="failed (exit $status; output kept in $out)"
    fi
    { grep '^ROW	' "$out" || adapt "$part" "$out"; } | cut -f2- | awk -F'\t' -v OFS='\t' -v a="$l0" -v b="$l1" \
        '{print $1, $2, $3, $4, $5, a, b}' >>"$ROWS"
}

START_UPTIME=$(uptime)
START_TIME=$(date -u +%H:%M:%S)
for part in $PARTS; do
    case $part in
        download) run_part download download-local.sh ;;
        small) run_part small small-requests.sh ;;
        upload) run_part upload upload-local.sh ;;
        startup) run_part startup startup.sh ;;
        s3) if [[ $S3 == 1 ]]; then run_part s3 upload-s3.sh; else PART_STATUS[s3]="skipped (BENCH_S3=1 runs it)"; fi ;;
        tus) run_part tus tus.sh ;;
        *) die "unknown part '$part' in BENCH_PARTS (download small upload startup s3 tus)" ;;
    esac
done

# --- the table: id, part, scenario, baseline, goal kind (ratio: service/baseline at least; max: service at most)
ROW_SPECS=(
    "get-1g|download|signed GET of a 1 GiB object|nginx sendfile on, same file|ratio|0.9"
    "get-range-100m|download|signed GET, Range of 100 MiB|nginx, same Range|ratio|0.9"
    "meta-rps|small|GET /api/v1/uploads/{id} (wrk -t2 -c32, warm)|/q/health/live|ratio|0.5"
    "meta-p99|small|  same, p99 latency|/q/health/live p99|max|6"
    "url-rps|small|GET /api/v1/uploads/{id}/url (wrk)|/q/health/live|ratio|0.5"
    "url-p99|small|  same, p99 latency|/q/health/live p99|max|6"
    "upload-100m|upload|raw upload 100 MiB|dd conv=fdatasync|ratio|0.6"
    "upload-1g|upload|raw upload 1 GiB|dd conv=fdatasync|ratio|0.9"
    "start-ready|startup|start to ready (/q/health/ready 200)|-|max|1.5"
    "s3-upload-1g|s3|S3 upload 1 GiB|aws s3 cp|ratio|0.9"
    "tus-local-50m|tus|tus upload 1 GiB, 50 MiB chunks, local|plain upload endpoint, same bytes|ratio|0.8"
    "tus-s3-50m|tus|tus upload 1 GiB, 50 MiB chunks, S3|plain upload endpoint, same bytes (s3proxy)|ratio|0.8"
)
row_out() { printf '%-46s %13s %14s %6s %10s %5s %12s\n' "$@"; }
line() { printf '%s\n' "----------------------------------------------------------------------------------------------------------------"; }
echo
echo "==== reelvault vs baselines, same run ($START_TIME-$(date -u +%H:%M:%S) UTC); medians of $BENCH_RUNS runs, wrk ${BENCH_DURATION%s}s"
echo "jar: $BENCH_JAR"
echo "machine: $(nproc) CPUs, $(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo) GiB RAM; $(java -version 2>&1 | head -1)"
line
row_out scenario reelvault baseline ratio goal met "load 1m"
line
known=" "
for spec in "${ROW_SPECS[@]}"; do
    IFS='|' read -r id part label base kind goal <<<"$spec"
    known+="$id "
    [[ " $PARTS " == *" $part "* ]] || continue
    row=$(awk -F'\t' -v id="$id" '$1 == id' "$ROWS" | tail -1)
    if [[ -z $row ]]; then
        row_out "$label" "${PART_STATUS[$part]:-no ROW line}" "" "" "" "" ""
        continue
    fi
    IFS=$'\t' read -r _ svc bl unit extra l0 l1 <<<"$row"
    r=$(ratio "$svc" "$bl")
    if [[ $kind == ratio ]]; then
        goal_text=">= $goal"
        met=$(awk -v r="$r" -v g="$goal" 'BEGIN {print (r == "-") ? "-" : (r + 0 >= g ? "yes" : "no")}')
    else
        goal_text="<= $goal $unit"
        met=$(awk -v s="$svc" -v g="$goal" 'BEGIN {print (s + 0 <= g) ? "yes" : "no"}')
    fi
    [[ $bl == - ]] && bl_text="-" || bl_text="$bl $unit"
    row_out "$label" "$svc $unit" "$bl_text" "$r" "$goal_text" "$met" "$l0->$l1"
    printf '    baseline: %s; %s\n' "$base" "$extra"
done
# rows of ids not in the issue's table (e.g. a part's extra figures)
while IFS=$'\t' read -r id svc bl unit extra l0 l1; do
    [[ $known == *" $id "* ]] && continue
    row_out "$id" "$svc $unit" "$bl $unit" "$(ratio "$svc" "$bl")" "" "" "$l0->$l1"
    printf '    %s\n' "$extra"
done <"$ROWS"
line
for part in "${!PART_STATUS[@]}"; do
    echo "part $part: ${PART_STATUS[$part]}"
done
echo "load at start: $START_UPTIME"
echo "load at end:   $(uptime)"
echo "ratio = reelvault / baseline (for p99 and start-up the goal is on reelvault's own figure); goals are for a quiet"
echo "machine: with a load average above the CPU count ($(nproc)) the figures are noisy"
free_page_reporting
exit $FAILED
