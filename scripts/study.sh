#!/usr/bin/env bash
# Regenerates docs/study.md: the paper's sweep and V injection on the tiny-shapes pack.
#   bash scripts/study.sh            (about 10 min on 2 cores; resumable: rerun after Ctrl-C)
#   STUDY_FRESH=1 bash scripts/study.sh   (recompute every cell)
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/study
[ "${STUDY_FRESH:-0}" = 1 ] && rm -rf "$out"/grid "$out"/presets "$out"/vbeta
sweep() { pnpm --silent ptp sweep "$@" --provider "${PROVIDER:-cpu}"; }
# 1. The paper's grid: local blend k x cross-attention window x self-attention window.
sweep $out/edit.json --pairs $out/pairs.json --out $out/grid \
  --grid blend.k=0,0.3,0.6,1.0 --grid schedule.cross=0.2,0.5,0.8 --grid schedule.self=0.2,0.6,1.0 \
  --plot metrics.iou --plot metrics.success --plot metrics.backgroundPsnr
# 2. CL P2P (cross 0.2, self 0.8, no localisation) against the reference defaults (0.8, 0.4, k 0.3).
sweep $out/edit.json --pairs $out/pairs.json --out $out/presets/cl-p2p \
  --grid schedule.cross=0.2 --grid schedule.self=0.8 --grid blend.k=0
sweep $out/edit.json --pairs $out/pairs.json --out $out/presets/reference \
  --grid schedule.cross=0.8 --grid schedule.self=0.4 --grid blend.k=0.3
# 3. V injection: beta over A -> B -> A cycles (Direct Inversion of B).
sweep $out/cycle.json --pairs $out/pairs-cycle.json --out $out/vbeta \
  --grid schedule.vBeta=0,0.5,1 --plot metrics.iou --plot cycle.psnr
# 4. Tuned settings per pair (ptp tune): successive halving on seeds 1-4 at three budgets, then tuned vs
#    the reference defaults vs CL P2P on held-back seeds 101-105 (about 1.5 min per budget on 2 cores).
[ "${STUDY_FRESH:-0}" = 1 ] && rm -rf "$out"/tune "$out"/tune-budget-12 "$out"/tune-budget-64
for b in 12 32 64; do
  dir=$out/tune-budget-$b; [ "$b" = 32 ] && dir=$out/tune
  pnpm --silent ptp tune $out/edit.json --pairs $out/pairs.json --budget $b --tune-seeds 1,2,3,4 \
    --test-seeds 101,102,103,104,105 --out "$dir" --provider "${PROVIDER:-cpu}" \
    --title "Tuned schedules on tiny-shapes, budget $b"
done
pnpm --silent exec tsx scripts/studyReport.ts
