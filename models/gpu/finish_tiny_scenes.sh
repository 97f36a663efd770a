#!/usr/bin/env bash
# After the GPU run, on the CPU machine: export, import, one generation, the quality figures.
#
#   bash models/gpu/finish_tiny_scenes.sh <train dir> [packs dir]     # default models/generated/packs
#
# The pack lands in <packs dir>/tiny-scenes (models/generated/ is git-ignored; pass models/packs once
# the figures meet the bars). SAMPLES (default 240) sets the quality run's sample count.
# --self-control-divisor 1: every self layer stays controllable, the 16x16 ones included (the import's
# default, 2, fuses full-grid self layers as SD needs; at 16x16 latents they are small, and issue 13
# wants the self window to reach them).
set -euo pipefail
cd "$(dirname "$0")/../.."
TRAIN="${1:?usage: finish_tiny_scenes.sh <train dir> [packs dir]}"
PACKS="${2:-models/generated/packs}"
EXPORT="${EXPORT:-models/generated/tiny-scenes}"
SAMPLES="${SAMPLES:-240}"
t0=$(date +%s)
/usr/bin/python3 models/export_scenes.py "$TRAIN" "$EXPORT" --golden models/generated/scenes-golden 2>&1 \
  | grep -v Warning | grep -v '^  _C\.' | tail -15
node models/ort_compare.mjs models/generated/scenes-golden   # onnxruntime vs torch on the trained weights
t1=$(date +%s)
# The import refuses a non-empty folder: import next to the export, then store the weights as float16
# (float32 compute: pack_fp16.py --storage) in place of an earlier tiny-scenes pack (and only a pack).
IMPORTED="$EXPORT-imported"
rm -rf "$IMPORTED"
pnpm -s ptp models import "$EXPORT" "$IMPORTED" --no-plain --self-control-divisor 1
if [ -f "$PACKS/tiny-scenes/ptp-manifest.json" ]; then rm -rf "$PACKS/tiny-scenes"; fi
/usr/bin/python3 models/pack_fp16.py --storage "$IMPORTED" "$PACKS/tiny-scenes"
# The editor starts new prompts with the manifest's samplePrompt (as tiny-shapes' manifest has one).
/usr/bin/python3 - "$PACKS/tiny-scenes/ptp-manifest.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    m = json.load(f)
out = {}
for k, v in m.items():
    out[k] = v
    if k == "createdAt":
        out["samplePrompt"] = "a red circle and a blue square on a striped background"
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
PY
t2=$(date +%s)
pnpm -s ptp run examples/generate.json --packs "$PACKS" --out models/generated/scenes-generate \
  --set model.pack=tiny-scenes --set 'prompt.text=a red circle and a blue square on a striped background' | tail -2
t3=$(date +%s)
pnpm -s ptp quality --pack tiny-scenes --packs "$PACKS" --samples "$SAMPLES" --out models/generated/scenes-quality
t4=$(date +%s)
echo "export $((t1 - t0)) s, import $((t2 - t1)) s, generate $((t3 - t2)) s, quality $((t4 - t3)) s"
