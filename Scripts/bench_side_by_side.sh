#!/usr/bin/env bash
# The side-by-side benchmark in one sitting: nnsight/Hugging Face (Scripts/bench_reference.py),
# then SwiftSight (`swiftsight bench --compare`), on the same checkpoint and the same token ids.
# Writes OUT_DIR/reference.json, swiftsight.txt, table.md and section.md
# (the Markdown section for Docs/Benchmarks.md: date, machine, versions, load, table).
#   Scripts/bench_side_by_side.sh [MODEL_DIR] [OUT_DIR] [RUNS]      (PYTHON=... to use another venv)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-/tmp/swiftsight-bench-gpt2}
out=${2:-/tmp/swiftsight-bench}
runs=${3:-11}
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

load_reference_start=$(load)
echo "== nnsight/HF side (load average $load_reference_start)"
"$python" Scripts/bench_reference.py --model "$model" --runs "$runs" --out "$out/reference.json"
load_swift_start=$(load)
echo "== SwiftSight side (load average $load_swift_start)"
.build/release/swiftsight bench --model "$model" --runs "$runs" --compare "$out/reference.json" \
    --markdown "$out/table.md" | tee "$out/swiftsight.txt"
load_end=$(load)

{
  echo "### $started, $cpu, $(nproc) cores, $memory (\`Scripts/bench_side_by_side.sh\`, $runs runs)"
  echo
  echo "$swift_version, kernel $(uname -r), CPU flags $flags. Load average (1, 5, 15 min) at the start of the"
  echo "nnsight/HF side: $load_reference_start; of the SwiftSight side: $load_swift_start; at the end: $load_end."
  echo "Times are medians in ms; ratio = SwiftSight / nnsight-HF (below 1: SwiftSight is faster);"
  echo "peak RSS is the resident high-water mark during each case (VmHWM, reset before it)."
  echo
  cat "$out/table.md"
} > "$out/section.md"
echo "== wrote $out/section.md"
