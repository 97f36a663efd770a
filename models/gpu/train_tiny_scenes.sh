#!/usr/bin/env bash
# The tiny-scenes GPU run, one command on the device machine (CUDA + PyTorch 2.x, no Node, no network):
#
#   bash models/gpu/train_tiny_scenes.sh                 # writes into $OUT (the device tool's folder)
#
# Trains VAE, text encoder and UNet within MINUTES of wall time (default 7.5: the device allows 9 per
# command, and CUDA start-up plus the final judge need the rest) and leaves in $OUT: weights-NN.npz
# (float16 shards <= 15 MiB), train.json, train.log, samples.png, env.log and run.log. Bring those
# back and run models/gpu/finish_tiny_scenes.sh <that folder> on the CPU machine.
# CPU dry run of the same path: OUT=models/generated/scenes-dry DEVICE=cpu MINUTES=0.3 bash models/gpu/train_tiny_scenes.sh
# Extra arguments go to train_scenes.py (e.g. --batch 1024, --resume DIR).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-models/generated/scenes-train}"
MINUTES="${MINUTES:-7.5}"
DEVICE="${DEVICE:-cuda}"
# Token grounding loss on the object words' cross-attention (models/ptp_models/grounding.py): the
# first GPU run (without it) met the quality bars but its word maps were flat (attention IoU 0.07).
GROUND="${GROUND:-0.05}"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  # The first Python that has torch (Debian's /usr/bin/python3 here, the image's python3 there).
  for c in python3 python /usr/bin/python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' >/dev/null 2>&1; then PY="$c"; break; fi
  done
fi
if [ -z "$PY" ]; then echo "no Python with torch found" >&2; exit 2; fi
mkdir -p "$OUT"
{
  echo "== $(date -u '+%F %T') UTC, $(nproc) CPUs, python: $(command -v "$PY")"
  nvidia-smi --query-gpu=name,memory.used,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
  "$PY" -c 'import sys, torch; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available())'
  "$PY" -c 'import numpy; print("numpy", numpy.__version__)' 2>/dev/null || echo "numpy missing: .pt shards, no judge"
} 2>&1 | tee "$OUT/env.log"
"$PY" models/train_scenes.py --device "$DEVICE" --minutes "$MINUTES" --out "$OUT" --ground "$GROUND" "$@" 2>&1 | tee "$OUT/run.log"
status=${PIPESTATUS[0]}
ls -la "$OUT"
exit "$status"
