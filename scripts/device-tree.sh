#!/usr/bin/env bash
# The device tool sends the whole working tree (tracked + untracked-not-ignored files) and refuses
# one over 64 MiB. With the committed tiny-scenes pack (35 MB) the tree is about 81 MB, so before a
# device call take the big committed files out of what travels, and put them back afterwards:
#
#   bash scripts/device-tree.sh slim      # untrack them (files stay on disk) and ignore them locally
#   ...device run...                      # the command there must not need them
#   bash scripts/device-tree.sh restore   # track them again (index back to HEAD for those paths)
#   bash scripts/device-tree.sh size      # what would travel, in bytes
#
# Only the index and .git/info/exclude change; nothing is committed and no file is deleted.
set -euo pipefail
cd "$(dirname "$0")/.."
# What no device run needs: the committed packs and the big test fixtures.
PATHS=(models/packs/tiny-scenes fixtures/p2p-reference models/exports models/tiny-shapes/train2)
EXCLUDE=$(git rev-parse --git-path info/exclude)
travelling() {
  { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 stat -c %s 2>/dev/null |
    awk '{s += $1} END {print s + 0}'
}
case "${1:-}" in
  slim)
    mkdir -p "$(dirname "$EXCLUDE")"
    : >"$EXCLUDE.device-tree" # the patterns this script added, for restore
    for p in "${PATHS[@]}"; do
      git rm -r -q --cached --ignore-unmatch "$p"
      if ! grep -qxF "/$p/" "$EXCLUDE" 2>/dev/null; then
        echo "/$p/" >>"$EXCLUDE"
        echo "/$p/" >>"$EXCLUDE.device-tree"
      fi
    done
    echo "travelling now: $(travelling) bytes (limit 67108864)"
    ;;
  restore)
    if [ -f "$EXCLUDE.device-tree" ]; then
      grep -vxF -f "$EXCLUDE.device-tree" "$EXCLUDE" >"$EXCLUDE.tmp" || true
      mv "$EXCLUDE.tmp" "$EXCLUDE"
      rm -f "$EXCLUDE.device-tree"
    fi
    git reset -q HEAD -- "${PATHS[@]}"
    echo "restored; travelling: $(travelling) bytes"
    ;;
  size) echo "$(travelling) bytes (limit 67108864)" ;;
  *)
    echo "usage: $0 slim|restore|size" >&2
    exit 2
    ;;
esac
