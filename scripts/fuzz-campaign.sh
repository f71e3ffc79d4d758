#!/usr/bin/env bash
# The fuzz campaign (not CI): builds every tests/fuzz target with clang's libFuzzer, ASan and UBSan,
# runs each in turn from its seed corpus to a number of executions, and prints per target the
# executions, wall time, exec/s, corpus size and crashes.
#
#   scripts/fuzz-campaign.sh [--runs N] [--max-seconds S] [--build-dir DIR] [--out DIR]
#                            [--no-build] [TARGET...]
#
# Defaults: 10,000,000 executions per target (--max-seconds S also stops each after S seconds),
# build dir build-libfuzzer, results in fuzz-campaign/ (per target: the grown corpus, the log and
# any crash-*/leak-*/timeout-*/oom-* artifact). The seeds in tests/fuzz/corpus/<target>/ are copied, never modified. Exits 1 when a
# target crashed. The machine is shared: run it under `nice -n 19`; targets run one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10000000
max_seconds=0
build=build-libfuzzer
out=fuzz-campaign
do_build=1
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --max-seconds) max_seconds="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "fuzz-campaign: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [[ ${#targets[@]} -eq 0 ]]; then
  for f in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

if [[ $do_build -eq 1 ]]; then
  # Debian 12's clang-14; MH_SANITIZE instruments every library with ASan + UBSan and
  # MH_LIBFUZZER adds the coverage that guides libFuzzer (tests/fuzz/CMakeLists.txt).
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMH_LIBFUZZER=ON -DMH_SANITIZE=ON -DMH_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" -j 2 --target "${targets[@]}"
fi

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_stacktrace=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

mkdir -p "$out"
summary="$out/summary.tsv"
: >"$summary"
failed=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  corpus="$out/$t/corpus"
  artifacts="$out/$t/artifacts"
  log="$out/$t/fuzz.log"
  mkdir -p "$corpus" "$artifacts"
  [[ -d tests/fuzz/corpus/$t ]] && cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  # A DNS audit input is a sequence of messages: give it room for several.
  max_len=4096
  [[ $t == audit_* ]] && max_len=16384
  echo "fuzz-campaign: $t: $runs executions" >&2
  start=$(date +%s.%N)
  rc=0
  "$bin" -runs="$runs" -max_total_time="$max_seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  wall=$(echo "$end - $start" | bc)
  crashes=$(find "$artifacts" -type f | wc -l)
  [[ $rc -ne 0 && $crashes -eq 0 ]] && crashes="exit $rc"
  [[ $rc -ne 0 || $crashes != 0 ]] && failed=1
  printf '%s\t%s\t%.0f\t%.0f\t%s\t%s\n' "$t" "${execs:-0}" "$wall" \
    "$(echo "${execs:-0} / $wall" | bc -l)" "$(find "$corpus" -type f | wc -l)" "$crashes" \
    >>"$summary"
done

echo "| target | executions | wall s | exec/s | corpus (files) | crashes |"
echo "| --- | --- | --- | --- | --- | --- |"
while IFS=$'\t' read -r t execs wall rate corpus crashes; do
  echo "| $t | $execs | $wall | $rate | $corpus | $crashes |"
done <"$summary"
exit $failed
