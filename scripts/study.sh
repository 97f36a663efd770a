#!/usr/bin/env bash
# Regenerates docs/study.md: the study on tiny-scenes (scripts/study-scenes.sh) and the first one on
# tiny-shapes (the paper's sweep, V injection, tuning).
#   bash scripts/study.sh            (about 90 min on 2 cores from scratch; resumable: rerun after Ctrl-C)
#   STUDY_FRESH=1 bash scripts/study.sh   (recompute every cell)
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/study
[ "${STUDY_FRESH:-0}" = 1 ] && rm -rf "$out"/grid "$out"/presets "$out"/vbeta
bash scripts/study-scenes.sh
# STUDY_REDIS=redis://host:6379 fans every sweep and tune out over `pnpm ptp worker --redis ...` processes.
fan=(${STUDY_REDIS:+--redis "$STUDY_REDIS"})
sweep() { pnpm --silent ptp sweep "$@" --provider "${PROVIDER:-cpu}" "${fan[@]}"; }
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
#    Winners by the default rule, named (--select lcb: mean J minus 1 standard error over the tuning
#    seeds, among the candidates scored on the most seeds); results-mean.{json,md} beside each: the
#    same search with the winner by mean J (the rule before), from the same results.csv.
[ "${STUDY_FRESH:-0}" = 1 ] && rm -rf "$out"/tune "$out"/tune-budget-12 "$out"/tune-budget-64 "$out"/tune-select
tune() { pnpm --silent ptp tune $out/edit.json --pairs $out/pairs.json --provider "${PROVIDER:-cpu}" "${fan[@]}" "$@"; }
for b in 12 32 64; do
  dir=$out/tune-budget-$b; [ "$b" = 32 ] && dir=$out/tune
  args=(--budget $b --tune-seeds 1,2,3,4 --test-seeds 101,102,103,104,105 --out "$dir")
  tune "${args[@]}" --select mean --title "Tuned schedules on tiny-shapes, budget $b, winner by mean J"
  mv "$dir"/results.json "$dir"/results-mean.json && mv "$dir"/results.md "$dir"/results-mean.md
  tune "${args[@]}" --select lcb --lcb-z 1 --title "Tuned schedules on tiny-shapes, budget $b"
done
# 4b. How the winner is picked, checked on validation seeds 201-212 (neither tuning nor the held-back
#     seeds above): rule x rung-0 seeds x tuning seeds at each budget; one row per search in
#     tune-select/summary.md (about 10 min on 2 cores from scratch, most runs shared between searches).
sel=$out/tune-select; mkdir -p "$sel"
row() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const f = (s) => (s && s.mean !== null ? `${s.mean.toFixed(3)} ± ${s.half.toFixed(3)}` : "n/a");
const o = r.overall, d = r.tunedMinus;
console.log(`| ${r.budget} | ${process.argv[2]} | ${r.tuneSeeds.join(",")} | ${r.plan.rungs.map((x) => `${x.candidates}x${x.seeds}`).join(" > ")} | ${f(o.tuned.j)} | ${f(o.tuned.success)} | ${f(o.shared?.j)} | ${f(o.reference.j)} | ${f(o.clP2p.j)} | ${f(d.clP2p)} | ${f(d.shared)} |`);' "$@"
}
{
  echo "# Selection rules on validation seeds 201-212 (6 pairs x 12 seeds, mean ± 95 % CI)"
  echo
  echo "Written by scripts/study.sh (4b); every search shares tune-select/results.csv."
  echo
  echo "| budget | rule | tuning seeds | rungs | J tuned per pair | success tuned per pair | J tuned for all | J reference | J CL P2P | per pair - CL P2P | per pair - tuned for all |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for b in 12 32 64; do for seeds in 1,2,3,4 1,2,3,4,5,6; do for fs in 1 2; do
    [ "$seeds" = 1,2,3,4,5,6 ] && [ "$fs" = 2 ] && continue
    for rule in "mean 1" "lcb 1" "lcb 2" "min 1"; do
      set -- $rule
      tune --budget $b --tune-seeds $seeds --test-seeds 201,202,203,204,205,206,207,208,209,210,211,212 \
        --out "$sel" --select $1 --lcb-z $2 --first-seeds $fs >/dev/null 2>"$sel"/last.err
      label=$1; [ "$1" = lcb ] && label="lcb z $2"
      row "$sel"/results.json "$label, rung 0 on $fs seed$([ "$fs" = 1 ] || echo s)"
    done
  done; done; done
} >"$sel"/summary.md.tmp
mv "$sel"/summary.md.tmp "$sel"/summary.md; rm -f "$sel"/results.json "$sel"/results.md "$sel"/last.err
pnpm --silent exec tsx scripts/studyReport.ts
