#!/usr/bin/python3
"""CPU checks of the tiny-scenes Python side (no GPU, about 20-40 s):

  /usr/bin/python3 models/check_scenes.py

1. the batched sampler's token ids equal the CLIP BPE of caption() for every item;
2. objects never overlap and stay inside the picture;
3. the batched sampler (training) and the scalar mulberry32 sampler (TypeScript twin) draw the same
   distribution: object counts, backgrounds, shapes, sizes, dotted share within sampling error;
4. the numpy judge is right >= 99 % on ground-truth renders;
5. weight shards stay <= 15 MiB and read back equal (float16);
6. the grounding loss (--ground) finds each object's colour and shape words, and is lower for
   attention on the object's mask than for attention spread evenly.
"""
from __future__ import annotations

import collections
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptp_models.grounding import grounding_loss, object_word_weights  # noqa: E402
from ptp_models.presets import tiny_scenes  # noqa: E402
from ptp_models.scenes_judge import judge_batch  # noqa: E402
from ptp_models.scenes_world import (BACKGROUNDS, COLOURS, MAX_OBJECTS, SHAPES, batch_scene, caption,  # noqa: E402
                                     mulberry32,
                                     random_scene, render_scene, sample_batch)
from ptp_models.shards import read_shards, save_shards  # noqa: E402
from ptp_models.tokenizer_vocab import BOS, EOS, ClipBpe, build_reduced_bpe, check_single_tokens  # noqa: E402
from ptp_models.unet import UNet2DConditionModel  # noqa: E402


def main() -> None:
    torch.set_num_threads(1)
    spec = tiny_scenes()
    vocab, merges = build_reduced_bpe(spec.words)
    assert not check_single_tokens(spec.words, vocab, merges)
    bpe = ClipBpe(vocab, merges)
    words = {w: bpe.encode(w)[0] for w in spec.words}
    words.update({"<bos>": vocab[BOS], "<eos>": vocab[EOS]})
    gen = torch.Generator().manual_seed(0)
    n = 1024
    b = sample_batch(n, gen, "cpu", words, p_drop=0.0)
    bad = [i for i in range(n) if bpe(caption(batch_scene(b, i))) != b.ids[i].tolist()]
    assert not bad, f"token ids differ from the BPE of the caption for items {bad[:5]}"
    print(f"1. token ids = BPE(caption) for {n} items")
    assert int((b.masks.sum(1) > 1).sum()) == 0, "objects overlap"
    assert b.active[:, 0].all(), "a scene without objects"
    print("2. no overlap, every scene has an object")

    def hist(scenes):
        h = collections.Counter()
        for s in scenes:
            h[f"n{len(s.objects)}"] += 1
            h[s.background] += 1
            for o in s.objects:
                h[o.shape] += 1
                h[o.size] += 1
                h[o.texture] += 1
        return h

    batched = hist(batch_scene(b, i) for i in range(n))
    scalar = hist(random_scene(mulberry32(i)) for i in range(n))
    for k in sorted(set(batched) | set(scalar)):
        p, q = batched[k] / n, scalar[k] / n
        # Binomial standard error of a difference of two shares, 5 sigma.
        tol = 5 * (2 * max(p, q, 0.01) / n) ** 0.5
        assert abs(p - q) <= tol, f"{k}: batched {p:.3f} vs scalar {q:.3f}"
    print("3. samplers agree:", {k: round(batched[k] / n, 3) for k in ("n1", "n2", "n3", "dotted") + BACKGROUNDS[:2] + SHAPES[:2]})

    scenes = [random_scene(mulberry32(3000 + i)) for i in range(300)]
    res = judge_batch(torch.stack([render_scene(s)[0] for s in scenes]), scenes)
    assert min(res[k] for k in ("colour", "shape", "count", "background")) >= 0.99, res
    print("4. numpy judge on ground truth:", res)

    unet = UNet2DConditionModel(spec.unet)
    with tempfile.TemporaryDirectory() as d:
        names = save_shards(d, {"unet": unet})
        sizes = [os.path.getsize(os.path.join(d, x)) for x in names]
        back = read_shards(d, names)
        same = all(torch.equal(back[f"unet/{k}"], v.half().float()) for k, v in unet.state_dict().items())
        assert same and max(sizes) <= 15 * 2 ** 20
    print(f"5. shards {names}, bytes {sizes}, read back equal")

    g = sample_batch(16, gen, "cpu", words, p_drop=0.0)
    colour_ids = torch.tensor([words[c] for c in COLOURS])
    shape_ids = torch.tensor([words[x] for x in SHAPES])
    w = object_word_weights(g.ids, colour_ids, shape_ids, MAX_OBJECTS)
    for i in range(16):
        scene = batch_scene(g, i)
        for k, o in enumerate(scene.objects):
            assert int(w[i, k].sum()) == 2, (i, k)
            ids = set(g.ids[i][w[i, k] > 0].tolist())
            assert ids == {words[o.colour], words[o.shape]}, (i, k, caption(scene))
        assert int(w[i, len(scene.objects):].sum()) == 0
    side = 16
    masks = torch.nn.functional.adaptive_avg_pool2d(g.masks.float(), side).flatten(2)  # [B, K, Q]
    on_mask = torch.einsum("bkq,bkt->bqt", masks, w) + 1e-3  # each word's attention on its object
    even = torch.full_like(on_mask, 1.0)
    good, flat = grounding_loss([on_mask], g.masks, w), grounding_loss([even], g.masks, w)
    assert good < 0.5 * flat, (float(good), float(flat))
    print(f"6. grounding: each object's colour + shape words found; loss on the masks {float(good):.3f} "
          f"< spread evenly {float(flat):.3f}")


if __name__ == "__main__":
    main()
