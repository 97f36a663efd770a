#!/usr/bin/env bash
# The study on tiny-scenes (issue 15): 27 pairs of five edit kinds (colour swap of one object among
# several, shape swap, background swap, an added size word with refine, a size word weighted down with
# reweight) x seeds 7-9 on the default pack, V injection cycles, three-turn chains and tuned settings.
# Called by scripts/study.sh; on its own:
#   bash scripts/study-scenes.sh     (about 75 min on 2 cores from scratch; resumable: rerun after Ctrl-C)
#   STUDY_FRESH=1 bash scripts/study-scenes.sh   (recompute every cell)
set -euo pipefail
cd "$(dirname "$0")/.."
s=docs/study/scenes
[ "${STUDY_FRESH:-0}" = 1 ] && rm -rf "$s"/k "$s"/grid "$s"/presets "$s"/vbeta "$s"/blend-v "$s"/chain "$s"/tune
# STUDY_REDIS=redis://host:6379 fans every sweep and tune out over `pnpm ptp worker --redis ...` processes.
fan=(${STUDY_REDIS:+--redis "$STUDY_REDIS"})
sweep() { pnpm --silent ptp sweep "$@" --seeds 7,8,9 --provider "${PROVIDER:-cpu}" "${fan[@]}"; }
# 1. Local blend k at the reference schedule (cross 0.8, self 0.4, divisor 4).
sweep $s/edit.json --pairs $s/pairs.json --out $s/k --grid blend.k=0,0.3,0.6,1.0 \
  --plot metrics.untouchedPsnr --plot metrics.success --title "tiny-scenes: local blend k"
# 2. CL P2P (cross 0.2, self 0.8, no localisation) against the reference defaults (0.8, 0.4, k 0.3).
sweep $s/edit.json --pairs $s/pairs.json --out $s/presets/cl-p2p \
  --grid schedule.cross=0.2 --grid schedule.self=0.8 --grid blend.k=0 --title "tiny-scenes: CL P2P"
sweep $s/edit.json --pairs $s/pairs.json --out $s/presets/reference \
  --grid schedule.cross=0.8 --grid schedule.self=0.4 --grid blend.k=0.3 --title "tiny-scenes: reference defaults"
# 3. V injection: beta x window over A -> B -> A cycles of the colour pairs (Direct Inversion of B).
sweep $s/cycle.json --pairs $s/pairs-cycle.json --out $s/vbeta \
  --grid schedule.vBeta=0,0.5,1 --grid schedule.vWindow=0.4,0.8 --plot metrics.untouchedPsnr --plot cycle.psnr \
  --title "tiny-scenes: V injection over A -> B -> A"
# 4. The paper's grid at k 0.3: cross window x self window x the self-attention divisor (1 reaches the
#    16x16 and 8x8 layers, the reference's 4 only 4x4).
sweep $s/edit.json --pairs $s/pairs.json --out $s/grid \
  --grid schedule.cross=0.2,0.5,0.8 --grid schedule.self=0.2,0.6,1.0 --grid schedule.selfResolutionDivisor=1,4 \
  --plot metrics.iou --plot metrics.success --plot metrics.untouchedPsnr --title "tiny-scenes: cross x self x divisor"
# 5. Local blend with V injection (window 0.8): does keeping the source's values protect the objects the
#    word maps do not separate?
sweep $s/edit.json --pairs $s/pairs.json --out $s/blend-v --grid blend.k=0.3,0.6 --grid schedule.vBeta=0,1 \
  --grid schedule.vWindow=0.8 --plot metrics.untouchedPsnr --title "tiny-scenes: local blend k x V injection"
# 6. Three-turn chains (colour, shape, background) with and without V injection, and in one step.
sweep $s/chain.json --pairs $s/chains.json --out $s/chain --title "tiny-scenes: three-turn edit chains"
# 7. Tuned settings per pair: successive halving on seeds 1-4 (budget 32 runs per pair), then tuned vs the
#    reference defaults vs CL P2P on held-back seeds 101-103.
pnpm --silent ptp tune $s/edit.json --pairs $s/pairs.json --provider "${PROVIDER:-cpu}" "${fan[@]}" --budget 32 \
  --tune-seeds 1,2,3,4 --test-seeds 101,102,103 --out $s/tune --select lcb --lcb-z 1 \
  --title "Tuned schedules on tiny-scenes, budget 32"
