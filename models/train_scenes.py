#!/usr/bin/python3
"""Train the tiny-scenes pack within a wall-clock budget: a 4x VAE, then text encoder + UNet on the
tiny-scenes world (ptp_models/scenes_world.py), with every batch rendered on the training device.

  python3 models/train_scenes.py --device cuda --minutes 8 --out $OUT          # the GPU run
  /usr/bin/python3 models/train_scenes.py --minutes 0.3 --out models/generated/scenes-train   # CPU smoke
  /usr/bin/python3 models/train_scenes.py --resume <train dir> --minutes 5 --out <new dir>
  /usr/bin/python3 models/export_scenes.py <train dir> models/generated/tiny-scenes

Writes float16 weight shards `weights-NN.npz` (<= 15 MiB each: EMA text encoder and UNet, the
VAE), `train.json` (config, scaling factor, steps, timings, the Python judge's figures),
`train.log` and `samples.png` (64 judged samples). Shards and train.json are rewritten every
`--checkpoint-every` seconds, so a run cut short still leaves usable weights. The learning rate
follows the clock (warm-up, then cosine to 10% at the deadline), so any budget ends annealed.
bf16 autocast and TF32 only on CUDA; everything else is plain torch that runs on torch 1.13 and 2.x.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptp_models.grounding import capture_cross_attention, grounding_loss, object_word_weights  # noqa: E402
from ptp_models.presets import tiny_scenes  # noqa: E402
from ptp_models.scenes_world import (COLOURS, MAX_OBJECTS, SHAPES, caption, mulberry32,  # noqa: E402
                                     random_scene, sample_batch)
from ptp_models.shards import load_module, read_shards, save_shards  # noqa: E402
from ptp_models.text_encoder import CLIPTextModel  # noqa: E402
from ptp_models.tokenizer_vocab import BOS, EOS, ClipBpe, build_reduced_bpe  # noqa: E402
from ptp_models.train_utils import (BF16, BatchProbe, Log, alphas_cumprod, autocast,  # noqa: E402
                                    emulate_cuda_autocast_norms, ema_update, encode_mean, lr_at,
                                    make_optimizer, set_lr)
from ptp_models.unet import UNet2DConditionModel  # noqa: E402
from ptp_models.vae import AutoencoderKL  # noqa: E402


def train_vae(vae, args, gen, device, words, deadline, log):
    opt = torch.optim.AdamW(vae.parameters(), lr=args.vae_lr, weight_decay=0.0)
    lc = vae.config.latent_channels
    t0 = time.time()
    step = 0
    while step < args.vae_steps and time.time() < deadline:
        set_lr(opt, lr_at((time.time() - t0) / max(1e-6, deadline - t0), step, args.vae_lr, 100))
        x = sample_batch(args.vae_batch, gen, device, words, p_drop=0.0).images
        with autocast(device):
            moments = vae.quant_conv(vae.encoder(x))
        moments = moments.float()
        mean, logvar = moments[:, :lc], moments[:, lc:].clamp(-30, 20)
        z = mean + torch.exp(0.5 * logvar) * torch.randn(mean.shape, generator=gen, device=device)
        with autocast(device):
            rec = vae.decoder(vae.post_quant_conv(z))
        rec = rec.float()
        mse = F.mse_loss(rec, x)
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).mean()
        loss = mse + 0.5 * F.l1_loss(rec, x) + args.kl * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 250 == 0:
            log(f"vae step {step} mse {mse.item():.5f} kl {kl.item():.3f} ({time.time() - t0:.0f}s)")
        step += 1
    vae.eval()
    with torch.no_grad():
        x = sample_batch(args.vae_eval, gen, device, words, p_drop=0.0).images
        mean = encode_mean(vae, x)
        rec = vae.decoder(vae.post_quant_conv(mean)).clamp(-1, 1)
        psnr = 10 * math.log10(4 / F.mse_loss(rec, x).item())
        std = mean.std().item()
    sf = float(f"{1 / std:.4g}")
    log(f"vae done after {step} steps: round-trip PSNR {psnr:.2f} dB, latent std {std:.4f} -> scaling_factor {sf}")
    return sf, psnr, time.time() - t0, step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--minutes", type=float, default=8.0, help="wall budget for everything, judge included")
    ap.add_argument("--batch", type=int, default=0, help="UNet batch (0: chosen by --batch-probe on CUDA, 8 on CPU)")
    ap.add_argument("--batch-probe", default="512,1024",
                    help="candidate UNet batches timed at the start when --batch is 0 on CUDA (or always, "
                         "if given explicitly with --batch 0 on the CPU)")
    ap.add_argument("--batch-probe-steps", type=int, default=6)
    ap.add_argument("--vae-batch", type=int, default=0, help="VAE batch (0: 256 on CUDA, 8 on CPU)")
    ap.add_argument("--vae-share", type=float, default=0.15, help="share of the budget for the VAE")
    ap.add_argument("--vae-steps", type=int, default=100000)
    ap.add_argument("--vae-lr", type=float, default=1e-3)
    ap.add_argument("--vae-eval", type=int, default=0, help="samples for PSNR/scaling (0: 1024 CUDA, 32 CPU)")
    ap.add_argument("--kl", type=float, default=1e-4)
    ap.add_argument("--steps", type=int, default=10 ** 9, help="UNet step cap (the clock usually ends it)")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--checkpoint-every", type=float, default=90, help="seconds between weight saves")
    ap.add_argument("--judge", type=int, default=0, help="judged samples per guidance (0: 256 CUDA, 4 CPU)")
    ap.add_argument("--judge-steps", type=int, default=20)
    ap.add_argument("--guidance", default="5,7.5")
    ap.add_argument("--reserve", type=float, default=0, help="seconds kept for the final save + judge "
                                                              "(0: 30 on CUDA, 10 on CPU)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bf16", choices=("auto", "on"), default="auto",
                    help="auto: bf16 autocast on CUDA only; on: also on the CPU (a test of that path)")
    ap.add_argument("--resume", help="train dir of an earlier run: start from its weights and VAE")
    ap.add_argument("--ground", type=float, default=0.0,
                    help="weight of the token grounding loss on the object words' cross-attention (0: off)")
    ap.add_argument("--ground-min-grid", type=int, default=4, help="cross layers with a grid at least this side")
    ap.add_argument("--ground-pixel", type=float, default=1.0, help="weight of its pixel term")
    ap.add_argument("--train-only", choices=("all", "attn2"), default="all",
                    help="attn2: train only the UNet's cross-attention (text encoder and the rest frozen)")
    ap.add_argument("--distill", action="store_true",
                    help="regress the starting model's own prediction instead of the noise (a --resume "
                         "fine-tune: a low-variance target that keeps what the model draws at small batches)")
    args = ap.parse_args(argv)
    t_start = time.time()
    device = torch.device(args.device)
    BF16["on"] = args.bf16 == "on"
    if BF16["on"] and device.type == "cpu":
        emulate_cuda_autocast_norms()
    cuda = device.type == "cuda"
    probe_flag = any(a.startswith("--batch-probe") for a in (argv if argv is not None else sys.argv[1:]))
    probe_sizes = [int(x) for x in args.batch_probe.split(",")] if not args.batch and (cuda or probe_flag) else []
    for k, gpu, cpu in (("batch", 512, 8), ("vae_batch", 256, 8), ("vae_eval", 1024, 32), ("judge", 256, 4),
                        ("reserve", 30, 10)):
        if not getattr(args, k):
            setattr(args, k, gpu if cuda else cpu)
    os.makedirs(args.out, exist_ok=True)
    log = Log(os.path.join(args.out, "train.log"))
    torch.manual_seed(args.seed)
    if cuda:
        with contextlib.suppress(Exception):
            torch.backends.cudnn.benchmark = True
            torch.set_float32_matmul_precision("high")  # TF32 for the fp32 parts
        log(f"device {torch.cuda.get_device_name(device)}, torch {torch.__version__}")
    else:
        # One thread: on a shared 2-core machine a second OpenMP thread spin-waits.
        torch.set_num_threads(args.threads)
        log(f"device cpu, torch {torch.__version__}, {torch.get_num_threads()} threads")
    deadline = t_start + args.minutes * 60
    gen = torch.Generator(device=device).manual_seed(args.seed)

    spec = tiny_scenes()
    vocab, merges = build_reduced_bpe(spec.words)
    bpe = ClipBpe(vocab, merges)
    words = {w: bpe.encode(w)[0] for w in spec.words}
    words.update({"<bos>": vocab[BOS], "<eos>": vocab[EOS]})
    text = CLIPTextModel(spec.text).to(device)
    unet = UNet2DConditionModel(spec.unet).to(device)
    vae = AutoencoderKL(spec.vae).to(device)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    log(f"params: text {count(text):,} unet {count(unet):,} vae {count(vae):,}; args {vars(args)}")

    prev = {}
    if args.resume:
        with open(os.path.join(args.resume, "train.json")) as f:
            prev = json.load(f)
        arrays = read_shards(args.resume, prev["shards"])
        for name, m in (("text", text), ("unet", unet), ("vae", vae)):
            load_module(m, arrays, name)
        vae.eval()
        sf, vae_psnr, vae_s, vae_steps = prev["scaling_factor"], prev["vae_psnr_db"], 0.0, 0
        log(f"resumed from {args.resume} ({prev.get('unet_steps_total')} UNet steps so far)")
    else:
        vae_deadline = t_start + args.vae_share * (deadline - t_start)
        sf, vae_psnr, vae_s, vae_steps = train_vae(vae, args, gen, device, words, vae_deadline, log)
    for p in vae.parameters():
        p.requires_grad_(False)
    info = {"preset": spec.name, "seed": args.seed, "device": str(device), "torch": torch.__version__,
            "args": vars(args), "scaling_factor": sf, "vae_psnr_db": vae_psnr, "vae_seconds": vae_s,
            "vae_steps": vae_steps, "resumed_from": prev.get("unet_steps_total", 0),
            "params": {"text": count(text), "unet": count(unet), "vae": count(vae)}}
    ema_text, ema_unet = copy.deepcopy(text).eval(), copy.deepcopy(unet).eval()

    def save(**more):
        info.update(more)
        info["shards"] = save_shards(args.out, {"text": ema_text, "unet": ema_unet, "vae": vae})
        with open(os.path.join(args.out, "train.json"), "w") as f:
            json.dump(info, f, indent=1)

    teacher = None
    if args.distill:
        if not args.resume:
            raise SystemExit("--distill needs --resume (the teacher is the starting model)")
        teacher = (copy.deepcopy(text).eval(), copy.deepcopy(unet).eval())
        for p in [*teacher[0].parameters(), *teacher[1].parameters()]:
            p.requires_grad_(False)
    if args.train_only == "attn2":
        for p in text.parameters():
            p.requires_grad_(False)
        for name, p in unet.named_parameters():
            p.requires_grad_(".attn2." in name)
    params = [p for p in list(text.parameters()) + list(unet.parameters()) if p.requires_grad]
    log(f"trainable parameters: {sum(p.numel() for p in params):,} ({args.train_only})")
    opt = make_optimizer(params, args.lr, cuda)
    ac = alphas_cumprod(device)
    unet_deadline = deadline - args.reserve
    t0 = last_save = time.time()
    losses, ground_losses = [], []
    step = samples = 0
    colour_ids = torch.tensor([words[c] for c in COLOURS], device=device)
    shape_ids = torch.tensor([words[c] for c in SHAPES], device=device)
    probe = BatchProbe(probe_sizes or [args.batch], args.batch_probe_steps, device, log)
    # At least one step, so even a budget spent on the VAE leaves a consistent trained-by-this-code state.
    while step < args.steps and (step == 0 or time.time() < unet_deadline):
        batch = probe.batch(step)
        progress = (time.time() - t0) / max(1e-6, unet_deadline - t0)
        set_lr(opt, lr_at(progress, step, args.lr, args.warmup))
        b = sample_batch(batch, gen, device, words)
        with torch.no_grad(), autocast(device):
            lat = encode_mean(vae, b.images).float() * sf
        t = torch.randint(0, 1000, (batch,), generator=gen, device=device)
        noise = torch.randn(lat.shape, generator=gen, device=device)
        a = ac[t][:, None, None, None]
        noisy = a.sqrt() * lat + (1 - a).sqrt() * noise
        grounding = capture_cross_attention(unet) if args.ground else contextlib.nullcontext([])
        with autocast(device), grounding as maps:
            pred = unet(noisy, t.float(), text(b.ids)[0])
        target = noise
        if teacher is not None:
            with torch.no_grad(), autocast(device):
                target = teacher[1](noisy, t.float(), teacher[0](b.ids)[0]).float()
        # Min-SNR-5 weighting (Hang et al. 2023), as tiny-shapes.
        snr = a.flatten() / (1 - a.flatten())
        loss = ((snr.clamp(max=5.0) / snr) * ((pred.float() - target) ** 2).mean(dim=(1, 2, 3))).mean()
        if args.ground:
            weights = object_word_weights(b.ids, colour_ids, shape_ids, MAX_OBJECTS)
            g_loss = grounding_loss(maps, b.masks, weights, args.ground_min_grid, args.ground_pixel)
            ground_losses.append(g_loss.detach())
            loss = loss + args.ground * g_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(args.ema, (1 + step) / (10 + step))
        ema_update(ema_text, text, decay)
        ema_update(ema_unet, unet, decay)
        losses.append(loss.detach())
        probe.done_step(step)
        step += 1
        samples += batch
        if step % 250 == 0 or step == 1:
            recent = torch.stack(losses[-250:]).mean().item()
            losses = losses[-250:]
            if ground_losses:
                ground_losses = ground_losses[-250:]
                log(f"grounding loss {torch.stack(ground_losses).mean().item():.4f} (weight {args.ground})")
            log(f"unet step {step} loss {recent:.4f} lr {opt.param_groups[0]['lr']:.2e} "
                f"({time.time() - t0:.0f}s, {(time.time() - t0) / step * 1000:.0f} ms/step)")
        if time.time() - last_save > args.checkpoint_every:
            save(unet_steps=step, unet_steps_total=info["resumed_from"] + step, unet_seconds=time.time() - t0)
            last_save = time.time()
    unet_s = time.time() - t0
    final_loss = torch.stack(losses[-250:]).mean().item() if losses else None
    save(unet_steps=step, unet_steps_total=info["resumed_from"] + step, unet_seconds=unet_s,
         ms_per_step=1000 * unet_s / max(1, step), final_loss=final_loss, batch=probe.chosen, samples=samples,
         batch_probe=probe.rates)
    log(f"unet done: {step} steps ({samples:,} samples) in {unet_s:.0f}s ({1000 * unet_s / max(1, step):.0f} ms/step), loss {final_loss}")

    try:
        from scenes_sampling import judge_samples  # numpy: the GPU machine may lack it
    except ImportError as e:
        log(f"no judge: {e}")
        return
    scenes = [random_scene(mulberry32(10_000 + i)) for i in range(args.judge)]
    ids = torch.tensor([bpe(caption(s)) for s in scenes], dtype=torch.long, device=device)
    uncond = torch.tensor([bpe("")], dtype=torch.long, device=device)
    judged = []
    for g in [float(x) for x in args.guidance.split(",")]:
        res = judge_samples(ema_unet, ema_text, vae, sf, ids, uncond, scenes, device, g, args.judge_steps,
                            args.seed, os.path.join(args.out, "samples.png"))
        judged.append(res)
        log(f"judge g={g}: " + " ".join(f"{k} {v:.3f}" for k, v in res.items() if k not in ("guidance", "n")))
        info.update(judge=judged)
        with open(os.path.join(args.out, "train.json"), "w") as f:
            json.dump(info, f, indent=1)
    log(f"done in {time.time() - t_start:.0f}s")


if __name__ == "__main__":
    main()
