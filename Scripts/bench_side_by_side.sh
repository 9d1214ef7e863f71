#!/usr/bin/env bash
# The side-by-side benchmark in one sitting: nnsight/Hugging Face (Scripts/bench_reference.py)
# and SwiftSight (`swiftsight bench`), on the same checkpoint and the same token ids, in ROUNDS
# alternating rounds (default 2). Each side's figure per case is its lowest median over the
# rounds, so a burst of other work on the host during one side's round does not decide the ratio.
# Writes to OUT_DIR: reference-N.json, swiftsight-N.json and .txt per round, table.md, and
# section.md (the Markdown section for Docs/Benchmarks.md's current table: date, machine, versions,
# load, table; the sitting it replaces moves to its day's file under Docs/benchmarks/).
#   Scripts/bench_side_by_side.sh [MODEL_DIR] [OUT_DIR] [RUNS] [ROUNDS]    (PYTHON=... for another venv)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-/tmp/swiftsight-bench-gpt2}
out=${2:-/tmp/swiftsight-bench}
runs=${3:-11}
rounds=${4:-2}
python=${PYTHON:-/tmp/ref-venv/bin/python}
mkdir -p "$out"
[ -d "$model" ] || "$python" Scripts/make_bench_model.py "$model"
Scripts/setup.sh
swift build -c release --product swiftsight >/dev/null

load() { cut -d' ' -f1-3 /proc/loadavg; }
started=$(date -u +%Y-%m-%dT%H:%MZ)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
flags=$(grep -m1 '^flags' /proc/cpuinfo | grep -o 'avx512f\|avx512_bf16' | sort -u | xargs | tr ' ' ',')
memory=$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)
swift_version=$(swift --version 2>&1 | grep -o 'Swift version [0-9.]*' | head -1)
echo "== $started: $cpu ($flags), $(nproc) cores, $memory; $swift_version; kernel $(uname -r)"

loads=""
references=""
earlier=""
for round in $(seq 1 "$rounds"); do
  loads="$loads round $round: nnsight/HF $(load),"
  echo "== round $round/$rounds, nnsight/HF side (load average $(load))"
  "$python" Scripts/bench_reference.py --model "$model" --runs "$runs" --out "$out/reference-$round.json"
  references="${references:+$references,}$out/reference-$round.json"
  loads="$loads SwiftSight $(load);"
  echo "== round $round/$rounds, SwiftSight side (load average $(load))"
  if [ "$round" -lt "$rounds" ]; then
    .build/release/swiftsight bench --model "$model" --runs "$runs" --compare "$references" \
        --out "$out/swiftsight-$round.json" | tee "$out/swiftsight-$round.txt"
    earlier="${earlier:+$earlier,}$out/swiftsight-$round.json"
  else
    .build/release/swiftsight bench --model "$model" --runs "$runs" --compare "$references" \
        ${earlier:+--earlier "$earlier"} --out "$out/swiftsight-$round.json" --markdown "$out/table.md" \
        | tee "$out/swiftsight-$round.txt"
  fi
done
loads="$loads end: $(load)"

{
  echo "### $started, $cpu, $(nproc) cores, $memory (\`Scripts/bench_side_by_side.sh\`, $runs runs, $rounds rounds)"
  echo
  echo "$swift_version, kernel $(uname -r), CPU flags $flags. Load average (1, 5, 15 min) at the start of"
  echo "each side:$loads."
  echo "Times are medians in ms; ratio = SwiftSight / nnsight-HF (below 1: SwiftSight is faster);"
  echo "peak RSS is the resident high-water mark during each case (VmHWM, reset before it)."
  echo
  cat "$out/table.md"
} > "$out/section.md"
echo "== wrote $out/section.md"
