#!/usr/bin/env bash
# Coverage-guided fuzzing of wfkit (cargo-fuzz / libFuzzer); see docs/fuzzing.md.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Installs cargo-fuzz if it is missing, builds every target in fuzz/ (its own workspace),
# runs each regression input under fuzz/regressions/TARGET/, then fuzzes each target for
# SECONDS_PER_TARGET seconds (default 20), one after the other, starting from fuzz/corpus/TARGET
# (kept between runs) and seeds made from tests/, examples/ and ../shared/corpus. Writes a
# markdown table to fuzz/RESULTS.md and stdout: each target's coverage when its corpus was
# loaded and at the end, and, for runs of 10 minutes or more, its coverage over time (twelve
# samples), which shows whether it reached a plateau. Exits 1 if any target crashed; the
# inputs are kept under fuzz/artifacts/TARGET/.
#
# Environment:
#   CARGO_TARGET_DIR  where to build (default: fuzz/target)
#   FUZZ_SANITIZER    cargo fuzz's --sanitizer (default: none, which works on stable Rust;
#                     `address` needs nightly features, so the script sets RUSTC_BOOTSTRAP=1)
#   WF_FUZZ_SKIP      oracles and known findings to switch off, comma-separated (default: the
#                     names in fuzz/known-findings; set it empty to run every oracle)
#   FUZZ_JOBS         libFuzzer -fork=N workers per target (default: 0, one process)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-20}
shift || true
all=(yaml_load expr_roundtrip check_compile run_vm scenario lsp serve_http serve_wire stdlib)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=("${all[@]}")
fi
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target \`$t\` (targets: ${all[*]})" >&2; exit 2; }
done

sanitizer=${FUZZ_SANITIZER:-none}
if [ "$sanitizer" != none ]; then
  export RUSTC_BOOTSTRAP=1
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/fuzz/target}
if [ -z "${WF_FUZZ_SKIP+set}" ]; then
  WF_FUZZ_SKIP=$(sed -e 's/#.*//' fuzz/known-findings | awk 'NF { printf "%s%s", sep, $1; sep = "," }')
fi
export WF_FUZZ_SKIP

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

echo "== building the fuzz targets (sanitizer: $sanitizer)"
build_start=$(date +%s)
(cd fuzz && cargo fuzz build --sanitizer "$sanitizer")
build_seconds=$(($(date +%s) - build_start))
echo "built in ${build_seconds}s"
host=$(rustc -vV | sed -n 's/^host: //p')
bin=$CARGO_TARGET_DIR/$host/release

echo "== seeds"
seeds=fuzz/corpus/.seeds
rm -rf "$seeds"
python3 fuzz/seeds.py "$root" "$seeds"
cat fuzz/gcw.dict fuzz/lsp.dict >fuzz/corpus/.lsp.dict

max_len() {
  case $1 in
    expr_roundtrip) echo 1024 ;;
    serve_http | serve_wire | stdlib) echo 4096 ;;
    scenario | lsp) echo 16384 ;;
    *) echo 32768 ;;
  esac
}

mkdir -p fuzz/logs
rows=()
plateaus=()
failed=0
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  artifacts=fuzz/artifacts/$t
  log=fuzz/logs/$t.log
  mkdir -p "$corpus" "$artifacts"
  dict=fuzz/gcw.dict
  [ "$t" = lsp ] && dict=fuzz/corpus/.lsp.dict
  findings=()
  before=$(ls "$artifacts" | wc -l)

  # Regressions first: each input must now pass (unless its finding is listed as known).
  shopt -s nullglob
  regressions=(fuzz/regressions/"$t"/*)
  shopt -u nullglob
  if [ ${#regressions[@]} -gt 0 ]; then
    if ! "$bin/$t" "${regressions[@]}" >"fuzz/logs/$t.regressions.log" 2>&1; then
      findings+=("a regression input fails (fuzz/logs/$t.regressions.log)")
    fi
  fi

  echo "== $t: ${seconds}s"
  fork=()
  [ "${FUZZ_JOBS:-0}" -gt 0 ] && fork=(-fork="$FUZZ_JOBS" -ignore_crashes=0)
  status=0
  "$bin/$t" "$corpus" "$seeds/$t" ${fork[@]+"${fork[@]}"} \
    -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -dict="$dict" -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 &
  fuzzer=$!
  samples=()
  if [ "$seconds" -ge 600 ]; then
    # Coverage over time: the last status line's `cov:` at twelve even steps.
    step=$((seconds / 12))
    for i in $(seq 1 12); do
      for _ in $(seq 1 "$step"); do
        kill -0 "$fuzzer" 2>/dev/null || break 2
        sleep 1
      done
      c=$(grep -E '^#[0-9]+' "$log" | grep -o ' cov: [0-9]*' | tail -n 1 | grep -o '[0-9]*' || true)
      samples+=("$((i * step)) s: ${c:-?}")
    done
  fi
  wait "$fuzzer" || status=$?
  # libFuzzer's last status line: `#N DONE cov: C ft: F corp: U/SIZE ... exec/s: R ...`.
  last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1 || true)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
  [ -n "$rate" ] || rate=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$last")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  inited=$(grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | grep -o ' cov: [0-9]*' | grep -o '[0-9]*' | head -n 1 || true)
  if [ ${#samples[@]} -gt 0 ]; then
    plateaus+=("- $t: start ${inited:-?}, $(printf '%s, ' "${samples[@]}" | sed 's/, $//'), end ${cov:-?}")
  fi
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  units=$(ls "$corpus" | wc -l)
  after=$(ls "$artifacts" | wc -l)
  if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
    new=$(ls -t "$artifacts" | head -n $((after - before > 0 ? after - before : 1)) | tr '\n' ' ')
    findings+=("exit $status: ${new% }")
    echo "-- $t failed; the end of $log:"
    grep -v -E '^#[0-9]+ +(NEW|REDUCE|pulse)' "$log" | tail -n 30
  fi
  if [ ${#findings[@]} -gt 0 ]; then
    failed=1
    found=$(printf '%s; ' "${findings[@]}")
    found=${found%; }
  else
    found=none
  fi
  rows+=("| $t | ${execs:-?} | ${rate:-?} | ${inited:-?} → ${cov:-?} | ${ft:-?} | $units | $found |")
done

{
  echo "# Fuzzing results"
  echo
  echo "\`scripts/fuzz.sh $seconds\` on $(date -u +%Y-%m-%d) ($(nproc) cores; build ${build_seconds}s;" \
    "sanitizer $sanitizer; skipped: ${WF_FUZZ_SKIP:-nothing})."
  echo
  echo "| target | execs | exec/s | cov (loaded → end) | ft | corpus | findings |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  if [ ${#plateaus[@]} -gt 0 ]; then
    echo
    echo "Coverage (libFuzzer's \`cov\`, covered edges) over the run:"
    echo
    printf '%s\n' "${plateaus[@]}"
  fi
} >fuzz/RESULTS.md
cat fuzz/RESULTS.md
exit "$failed"
