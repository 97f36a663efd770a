#!/usr/bin/env bash
# Sets up what is missing, builds the CLI and the editor if needed and starts the studio (server + editor on
# http://127.0.0.1:8188; data in $PTP_DATA_DIR or ~/.ptp-studio).
# Extra arguments go to `ptp serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# Build the editor (Vite) when it has a build script and its dist is missing or older than its sources;
# the server serves packages/ui/dist, or a page saying how to build it.
if [[ -f packages/ui/package.json ]] && grep -q '"build"' packages/ui/package.json; then
  # The editor bundles graph-core, the nodes and the templates (examples/) too: any of them makes it stale.
  if [[ ! -f packages/ui/dist/index.html ]] || [[ -n "$(find packages/ui/src packages/ui/index.html packages/ui/package.json packages/graph-core/src packages/nodes/src examples models/packs -newer packages/ui/dist/index.html -print -quit 2>/dev/null)" ]]; then
    echo "start: building the editor"
    pnpm --filter @ptp/ui build
  fi
fi
# bootstrap.sh built packages/runner/dist; the server (and its inference worker) run as plain node, and
# signals from a terminal or a supervisor reach the server itself.
exec node packages/runner/dist/ptp.mjs serve "$@"
