#!/usr/bin/env bash
# Counts what `import SwiftSight` shows: the public declarations of SwiftSight and of every module
# it re-exports (`@_exported import` in Sources/SwiftSight), per module and in total.
#
#   Scripts/public_api.sh           counts
#   Scripts/public_api.sh --list    counts, then every public symbol as "Module  kind  path"
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
    "") ;;
    *) echo "usage: $0 [--list]" >&2; exit 2 ;;
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

folder, show_list, modules = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
rows, total, listing = [], 0, []
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
                symbols[s["identifier"]["precise"]] = (s["kind"]["displayName"], ".".join(s["pathComponents"]))
    rows.append((module, len(symbols)))
    total += len(symbols)
    listing += sorted((module, kind, path) for kind, path in symbols.values())

width = max(len(m) for m in modules)
for module, count in rows:
    print(f"{module:<{width}}  {count:>5}")
print(f"{'total':<{width}}  {total:>5}")
if show_list:
    print()
    for module, kind, path in listing:
        print(f"{module}  {kind}  {path}")
EOF
