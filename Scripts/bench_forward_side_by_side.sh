#!/usr/bin/env bash
# Times SwiftSight's forward/trace cases and Hugging Face's forward on the same benchmark
# checkpoint in one sitting. Needs the Python reference venv (see Scripts/make_fixtures.py).
#   Scripts/bench_forward_side_by_side.sh [MODEL_DIR] [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-/tmp/swiftsight-bench-gpt2}
python=${2:-/tmp/ref-venv/bin/python}
[ -d "$model" ] || "$python" Scripts/make_bench_model.py "$model"
Scripts/setup.sh
swift build -c release --product swiftsight >/dev/null
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "== SwiftSight $(.build/release/swiftsight --version | head -1)"
.build/release/swiftsight bench --model "$model"
echo "== Hugging Face transformers (torch $("$python" -c 'import torch; print(torch.__version__)'))"
"$python" Scripts/bench_hf_forward.py "$model"
