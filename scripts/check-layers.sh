#!/bin/bash
# Checks that no file under src/ includes a layer above its own. The rule is
# the "may include" column of the table in docs/ARCHITECTURE.md, so the doc
# and the check can not drift apart. Usage: scripts/check-layers.sh [ROOT]
# (ROOT holds src/ and docs/ARCHITECTURE.md; default: this checkout).
# Prints one line per violation and exits 1 when there is any.
set -euo pipefail
root=${1:-"$(dirname "$0")/.."}
doc="$root/docs/ARCHITECTURE.md"

# Rows such as: | `net/` | util | role |  ->  "net util"
declare -A allowed=()
while IFS='|' read -r _ layer may _; do
  layer=$(echo "$layer" | tr -d '` /')
  may=$(echo "$may" | tr -d ',')
  [ "$may" = " nothing of ours " ] && may=""
  allowed[$layer]=" $layer $(echo $may) "
done < <(grep -E '^\| `[a-z_]+/` \|' "$doc")
[ ${#allowed[@]} -gt 0 ] || { echo "check-layers: no layer table in $doc" >&2; exit 2; }

bad=0
while IFS= read -r -d '' file; do
  rel=${file#"$root/src/"}
  layer=${rel%%/*}
  [ "$layer" = "$rel" ] && continue  # src/main.cpp dispatches to every mode
  if [ -z "${allowed[$layer]+x}" ]; then
    echo "$rel: folder src/$layer/ has no row in docs/ARCHITECTURE.md"
    bad=1
    continue
  fi
  while IFS= read -r target; do
    [ -n "${allowed[$target]+x}" ] || continue  # not one of our layers
    case "${allowed[$layer]}" in
      *" $target "*) ;;
      *) echo "$rel: includes $target/ (src/$layer/ may include:${allowed[$layer]})"; bad=1 ;;
    esac
  done < <(sed -nE 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"([a-z_]+)/.*|\1|p' "$file")
done < <(find "$root/src" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0 | sort -z)
exit $bad
