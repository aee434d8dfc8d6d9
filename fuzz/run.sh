#!/usr/bin/env bash
# fuzz/run.sh [seconds] [target...]
#
# Runs each fuzz target (all of them by default) under libFuzzer for
# `seconds` (default 60) and prints how many inputs each executed. Exits
# non-zero when a target found a failing input; it is saved under
# fuzz/artifacts/<target>/ (see fuzz/README.md for what to do with it).
#
# Works on the stable toolchain: cargo-fuzz's default AddressSanitizer needs
# the unstable `-Zsanitizer` flag, so this builds with `--sanitizer none`
# (the project's code forbids `unsafe`, so ASan would mostly check
# dependencies). FUZZ_SANITIZER=address runs with ASan instead, through
# RUSTC_BOOTSTRAP=1 (stable rustc accepting unstable flags).
#
# The committed seeds (fuzz/corpus/<target>) and regression inputs
# (fuzz/regressions/<target>) are read; new inputs go to
# fuzz/corpus-run/<target>, which git ignores, so the committed corpus stays
# small. `cargo fuzz cmin` and a review decide what moves into it.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
case "$seconds" in
  '' | *[!0-9]*) echo "usage: fuzz/run.sh [seconds] [target...]" >&2; exit 2 ;;
esac

if ! command -v cargo-fuzz >/dev/null; then
  echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 1
fi

sanitizer="${FUZZ_SANITIZER:-none}"
if [ "$sanitizer" != none ]; then
  export RUSTC_BOOTSTRAP=1
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

mkdir -p target/run-logs
echo "== building the targets (sanitizer: $sanitizer)"
cargo fuzz build --sanitizer "$sanitizer" >target/run-logs/build.log 2>&1 \
  || { tail -30 target/run-logs/build.log >&2; exit 1; }

failed=()
summary=()
for target in "${targets[@]}"; do
  mkdir -p "corpus-run/$target"
  dirs=("corpus-run/$target" "corpus/$target")
  [ -d "regressions/$target" ] && dirs+=("regressions/$target")
  log="target/run-logs/$target.log"
  echo "== $target: ${seconds}s"
  status=0
  # -timeout: one input may take at most 10 s; -rss_limit_mb: memory cap;
  # -max_len: inputs up to 64 KiB (bodies, argument lists).
  cargo fuzz run --sanitizer "$sanitizer" "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')"
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    grep -E 'panicked|SUMMARY|Test unit written' "$log" | head -5 || true
    summary+=("$target: FAILED after ${execs:-?} executions (log: fuzz/$log)")
  else
    summary+=("$target: ${execs:-?} executions in ${seconds}s, coverage ${cov:-?} edges, no failure")
  fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "failing targets: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
