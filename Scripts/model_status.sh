#!/usr/bin/env bash
# Writes the status table of Docs/Models.md ("Status"): one row per fixture checkpoint, from
# `swiftsight validate --markdown-row` (hook points, gradients, generation, attention
# probabilities, tokenizer). Run it after adding an architecture and its fixture;
# ValidateCLITests checks every fixture passes and that every supported model_type has a row.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build --product swiftsight >/dev/null
bin="$(swift build --show-bin-path)/swiftsight"
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for dir in Tests/Fixtures/tiny-gpt2 Tests/Fixtures/architectures/*/; do
    [ -f "$dir/config.json" ] || continue
    "$bin" validate --markdown-row --model "$dir" >>"$rows" || true
done
python3 - "$rows" <<'PY'
import sys
rows = sorted(set(open(sys.argv[1]).read().splitlines()), key=lambda row: row.split('`')[1])
head = ["| `model_type` | hook points | gradients | generation | attention probabilities | tokenizer |",
        "| --- | --- | --- | --- | --- | --- |"]
table = "\n".join(head + rows)
path = "Docs/Models.md"
text = open(path).read()
begin, end = "<!-- status:begin -->", "<!-- status:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
open(path, "w").write(text[:i] + "\n" + table + "\n" + text[j:])
print(table)
PY
