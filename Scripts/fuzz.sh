#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time (Docs/Fuzzing.md).
#
#   Scripts/fuzz.sh [seconds per target] [target...]
#       targets: safetensors-header config tokenizer (default: all three), 60 s each by default
#
# Builds in .build-fuzz with SWIFTSIGHT_FUZZ=1 (which declares the fuzz executables in
# Package.swift), instrumented for libFuzzer and AddressSanitizer. Starts from the committed
# seeds in Fuzz/Corpus/<target>; new inputs go to .build-fuzz/corpus/<target> (not the
# repository), crashes, timeouts and out-of-memory inputs to Fuzz/Findings/<target> (ignored
# by git). Exits non-zero when a target found anything new. Fork mode with -ignore_* keeps a run
# going after a finding, so one known crash does not hide the next.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh

seconds="${1:-60}"
shift || true
if [ $# -eq 0 ]; then set -- safetensors-header config tokenizer; fi

scratch=.build-fuzz
mkdir -p "$scratch"
export SWIFTSIGHT_FUZZ=1
# --sanitize=fuzzer links libFuzzer and compiles the executables without a `main` of their own,
# but instruments only the C targets for coverage; -Xswiftc -sanitize=fuzzer instruments Swift.
build() {
  swift build -c release --scratch-path "$scratch" --product "$1" \
    --sanitize=address --sanitize=fuzzer -Xswiftc -sanitize=fuzzer
}

status=0
for target in "$@"; do
  case "$target" in
    safetensors-header) product=FuzzSafetensorsHeader; max_len=65536 ;;
    config) product=FuzzConfig; max_len=16384 ;;
    tokenizer) product=FuzzTokenizer; max_len=131072 ;;
    *) echo "unknown target '$target' (safetensors-header, config or tokenizer)" >&2; exit 2 ;;
  esac
  echo "== $target: building $product" >&2
  if ! build "$product" >"$scratch/$target-build.log" 2>&1; then
    grep -E "error:" "$scratch/$target-build.log" >&2 || tail -20 "$scratch/$target-build.log" >&2
    exit 1
  fi
  binary="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/$product"
  corpus="$scratch/corpus/$target"
  findings="Fuzz/Findings/$target"
  mkdir -p "$corpus" "$findings"
  before=$(find "$findings" -type f | wc -l)
  log="$scratch/$target.log"
  echo "== $target: fuzzing for $seconds s (log: $log)" >&2
  # detect_leaks=0: the fork-mode children exit through libFuzzer, not through our code.
  # SWIFT_BACKTRACE=enable=no: a Swift trap goes straight to libFuzzer's crash handler (Swift's
  # backtracer, reading memory under AddressSanitizer, would itself be reported instead).
  set +e
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0 ${ASAN_OPTIONS:-}" \
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len="$max_len" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="$findings/" -print_final_stats=1 \
    "$corpus" "Fuzz/Corpus/$target" >"$log" 2>&1
  code=$?
  set -e
  grep -E "^#[0-9]+" "$log" | tail -1 >&2 || true
  found=$(( $(find "$findings" -type f | wc -l) - before ))
  echo "== $target: exit $code, $found new files in $findings" >&2
  if [ "$code" -ne 0 ] || [ "$found" -ne 0 ]; then status=1; fi
done
exit "$status"
