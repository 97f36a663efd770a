#!/usr/bin/env bash
# Sets up what is missing and starts the studio (server on http://127.0.0.1:8188).
# Extra arguments go to `ptp serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec pnpm ptp serve "$@"
