#!/usr/bin/env bash
# Counts what `import SwiftSight` shows: the public declarations of SwiftSight and of every module
# it re-exports (`@_exported import` in Sources/SwiftSight), per module and in total.
#
#   Scripts/public_api.sh           counts
#   Scripts/public_api.sh --list    counts, then every public symbol as "Module  kind  path"
#   Scripts/public_api.sh --undocumented
#                                   counts, then the public symbols without a doc comment
#                                   (exits 1 if there is one)
#
# The figures come from the compiler's symbol graphs (`swift package dump-symbol-graph`), not
# from grepping sources, so declarations spread over extensions, operators and nested types all
# count, and `@_spi` symbols (the tests' helpers) do not: a user only sees them by asking. Members
# a type gets for free (protocol default implementations, inherited members) are left out
# (`--skip-synthesized-members`): they are the standard library's surface, not ours. Each
# symbol counts once, in the module that declares it (extensions of other modules' types
# included), so the total is the sum of the rows.
set -euo pipefail
cd "$(dirname "$0")/.."

list=0
case "${1:-}" in
    --list) list=1 ;;
    --undocumented) list=2 ;;
    "") ;;
    *) echo "usage: $0 [--list | --undocumented]" >&2; exit 2 ;;
esac

# The modules a user gets from `import SwiftSight`: itself and what it re-exports.
modules="SwiftSight $(sed -n 's/^@_exported import \([A-Za-z0-9_]*\).*/\1/p' Sources/SwiftSight/*.swift | sort -u | tr '\n' ' ')"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A fresh folder: a graph left by an earlier run (an extension since removed) must not count.
rm -rf .build/*/symbolgraph
if ! swift package dump-symbol-graph --skip-synthesized-members --minimum-access-level public >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
graphs=$(sed -n 's/^Files written to //p' "$log" | tail -1)
if [[ -z "$graphs" || ! -d "$graphs" ]]; then
    echo "public_api.sh: no symbol graph folder in the output of dump-symbol-graph:" >&2
    cat "$log" >&2
    exit 1
fi

python3 - "$graphs" "$list" $modules <<'EOF'
import json, os, sys

folder, mode, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
rows, listing = [], []
for module in modules:
    symbols = {}
    # Module.symbols.json, plus Module@Other.symbols.json for its extensions of Other's types.
    for name in sorted(os.listdir(folder)):
        if name == f"{module}.symbols.json" or (name.startswith(f"{module}@") and name.endswith(".symbols.json")):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                graph = json.load(f)
            for s in graph["symbols"]:
                if s["kind"]["identifier"] == "swift.extension" or s.get("accessLevel") not in ("public", "open"):
                    continue
                symbols[s["identifier"]["precise"]] = (s["kind"]["displayName"], ".".join(s["pathComponents"]),
                                                       bool(s.get("docComment")))
    rows.append((module, len(symbols)))
    listing += sorted((module, kind, path, documented) for kind, path, documented in symbols.values())

width = max(len(m) for m in modules)
for module, count in rows:
    print(f"{module:<{width}}  {count:>5}")
print(f"{'total':<{width}}  {sum(count for _, count in rows):>5}")
shown = [row for row in listing if mode == "1" or (mode == "2" and not row[3])]
if mode == "2":
    print(f"\n{len(shown)} without a doc comment")
elif shown:
    print()
for module, kind, path, _ in shown:
    print(f"{module}  {kind}  {path}")
sys.exit(1 if mode == "2" and shown else 0)
EOF
