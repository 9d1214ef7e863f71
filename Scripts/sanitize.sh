#!/usr/bin/env bash
# The concurrency suites under ThreadSanitizer, then under AddressSanitizer (Docs/Fuzzing.md).
#
#   Scripts/sanitize.sh            both sanitizers
#   Scripts/sanitize.sh thread     one of them (thread | address)
#
# Each sanitizer builds in its own folder (.build-tsan, .build-asan: the instrumented objects
# must not mix with the normal build's). Exits non-zero when a sanitizer reports anything, a
# test fails, or a run exceeds SANITIZE_TIMEOUT seconds (default 2400 per sanitizer); the
# reports are in .build-<tsan|asan>/sanitize.log, their SUMMARY lines are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh

# The suites that run traces, generations, streams and dumps concurrently, cancel them or end
# them early, and the C thread pool and the tokenizer shared between tasks.
suites='ConcurrencyTests|TracingTests|StreamingTests|GenerationTests|GenerationStreamTests|GenerationErrorTests'
suites+='|ActivationDumpTests|ParallelTests|Cancel'
filter="${SANITIZE_FILTER:-$suites}"
timeout_seconds="${SANITIZE_TIMEOUT:-2400}"
if [ $# -eq 0 ]; then set -- thread address; fi

export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 suppressions=$PWD/Scripts/tsan.supp ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_stack_use_after_return=1 ${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$PWD/Scripts/lsan.supp ${LSAN_OPTIONS:-}"

status=0
for sanitizer in "$@"; do
  case "$sanitizer" in
    thread) scratch=.build-tsan ;;
    address) scratch=.build-asan ;;
    *) echo "unknown sanitizer '$sanitizer' (thread or address)" >&2; exit 2 ;;
  esac
  log="$scratch/sanitize.log"
  mkdir -p "$scratch"
  echo "== $sanitizer: building in $scratch" >&2
  if ! swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" >"$scratch/build.log" 2>&1; then
    grep -E "error:" "$scratch/build.log" >&2 || tail -20 "$scratch/build.log" >&2
    exit 1
  fi
  echo "== $sanitizer: running /$filter/ (log: $log)" >&2
  set +e
  timeout --kill-after=30 "$timeout_seconds" \
    swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$filter" >"$log" 2>&1
  code=$?
  set -e
  reports=$(grep -cE "(WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer)" "$log" || true)
  grep -E "^SUMMARY: |Test run with|Executed [0-9]+ tests" "$log" | sort | uniq -c >&2 || true
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
    echo "== $sanitizer: timed out after $timeout_seconds s" >&2; status=1
  elif [ "$code" -ne 0 ] || [ "$reports" -ne 0 ]; then
    echo "== $sanitizer: exit $code, $reports sanitizer reports (see $log)" >&2; status=1
  else
    echo "== $sanitizer: clean" >&2
  fi
done
exit "$status"
