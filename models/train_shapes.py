#!/usr/bin/python3
"""Train the tiny-shapes pack: a VAE, then a text encoder + UNet on the tiny-shapes world.

  /usr/bin/python3 models/train_shapes.py --out models/generated/tiny-shapes-train   # CPU: hours
  python3 models/train_shapes.py --device cuda --out $OUT                             # GPU: minutes
  /usr/bin/python3 models/export_shapes.py <train dir> models/exports/tiny-shapes

Writes `weights.npz` (EMA weights of all three networks, numpy so any torch version reads it),
`train.json` (config, scaling factor, timings, the quick judge's figures) and `train.log`.
Deterministic for a seed on the CPU; on CUDA up to floating-point summation order.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptp_models.presets import tiny_shapes  # noqa: E402
from ptp_models.shapes_world import (BACKGROUNDS, COLOURS, SHAPES, caption_table, judge,  # noqa: E402
                                     sample_batch)
from ptp_models.text_encoder import CLIPTextModel  # noqa: E402
from ptp_models.tokenizer_vocab import ClipBpe, build_reduced_bpe  # noqa: E402
from ptp_models.train_utils import Log, alphas_cumprod, encode_mean, set_lr  # noqa: E402
from ptp_models.unet import UNet2DConditionModel  # noqa: E402
from ptp_models.vae import AutoencoderKL  # noqa: E402


def lr_at(step: int, total: int, base: float, warmup: int = 300) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup)
    return base * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(p, 1.0))))


@torch.no_grad()
def ema_update(ema, model, decay):
    for e, p in zip(ema.parameters(), model.parameters()):
        e.mul_(decay).add_(p.detach(), alpha=1 - decay)


def train_vae(vae, args, gen, device, log):
    opt = torch.optim.AdamW(vae.parameters(), lr=args.vae_lr, weight_decay=0.0)
    lc = vae.config.latent_channels
    t0 = time.time()
    for step in range(args.vae_steps):
        set_lr(opt, lr_at(step, args.vae_steps, args.vae_lr, 200))
        b = sample_batch(args.batch, gen, device)
        moments = vae.quant_conv(vae.encoder(b.images))
        mean, logvar = moments[:, :lc], moments[:, lc:].clamp(-30, 20)
        z = mean + torch.exp(0.5 * logvar) * torch.randn(mean.shape, generator=gen, device=device)
        rec = vae.decoder(vae.post_quant_conv(z))
        mse = F.mse_loss(rec, b.images)
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).mean()
        loss = mse + 0.5 * F.l1_loss(rec, b.images) + args.kl * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 500 == 0 or step == args.vae_steps - 1:
            log(f"vae step {step} mse {mse.item():.5f} kl {kl.item():.3f} ({time.time() - t0:.0f}s)")
        if args.vae_time_cap and time.time() - t0 > args.vae_time_cap:
            log(f"vae time cap {args.vae_time_cap}s reached after {step + 1} steps")
            break
    vae.eval()
    with torch.no_grad():
        b = sample_batch(1024, gen, device)
        mean = encode_mean(vae, b.images)
        rec = vae.decoder(vae.post_quant_conv(mean)).clamp(-1, 1)
        psnr = 10 * math.log10(4 / F.mse_loss(rec, b.images).item())
        std = mean.std().item()
    sf = float(f"{1 / std:.4g}")
    log(f"vae done: round-trip PSNR {psnr:.2f} dB, latent std {std:.4f} -> scaling_factor {sf}")
    return sf, psnr, time.time() - t0


@torch.no_grad()
def sample(unet, text, vae, sf, ids, uncond, gen, device, guidance, steps=20, latent=8):
    """DDIM (eta 0, 'leading' spacing, offset 1) with classifier-free guidance."""
    ac = alphas_cumprod(device)
    n = ids.shape[0]
    ctx = text(ids)[0]
    unc = text(uncond.expand(n, -1))[0]
    x = torch.randn((n, 4, latent, latent), generator=gen, device=device)
    ts = list(range(0, 1000, 1000 // steps))[::-1]
    ts = [t + 1 for t in ts]
    for i, t in enumerate(ts):
        tt = torch.full((2 * n,), float(t), device=device)
        eps = unet(torch.cat([x, x]), tt, torch.cat([unc, ctx]))
        e_u, e_c = eps.chunk(2)
        e = e_u + guidance * (e_c - e_u)
        a_t = ac[t]
        a_prev = ac[ts[i + 1]] if i + 1 < len(ts) else ac.new_tensor(0.9991499)  # alphas[0]
        x0 = (x - (1 - a_t).sqrt() * e) / a_t.sqrt()
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * e
    return vae.decoder(vae.post_quant_conv(x / sf)).clamp(-1, 1)


def quick_judge(unet, text, vae, sf, table_ids, uncond, gen, device, guidance, n, log):
    colour = torch.randint(0, len(COLOURS), (n,), generator=gen, device=device)
    shape = torch.randint(0, len(SHAPES), (n,), generator=gen, device=device)
    bg = torch.randint(0, len(BACKGROUNDS), (n,), generator=gen, device=device)
    nb = len(BACKGROUNDS) + 1
    idx = ((0 * len(COLOURS) + colour) * len(SHAPES) + shape) * nb + bg + 1
    imgs = sample(unet, text, vae, sf, table_ids[idx], uncond, gen, device, guidance)
    jc, js, jb = judge(imgs)
    res = {"guidance": guidance, "n": n,
           "colour": (jc == colour).float().mean().item(),
           "shape": (js == shape).float().mean().item(),
           "background": (jb == bg).float().mean().item()}
    log(f"judge g={guidance}: colour {res['colour']:.3f} shape {res['shape']:.3f} "
        f"background {res['background']:.3f} (n={n})")
    return res, imgs


def load_resume(train_dir, text, unet, vae, log):
    with open(os.path.join(train_dir, "train.json")) as f:
        prev = json.load(f)
    arrays = np.load(os.path.join(train_dir, "weights.npz"))
    for prefix, m in (("text", text), ("unet", unet), ("vae", vae)):
        state = {k[len(prefix) + 1:]: torch.from_numpy(arrays[k].astype(np.float32) if arrays[k].dtype == np.float16 else arrays[k])
                 for k in arrays.files if k.startswith(prefix + "/")}
        m.load_state_dict(state, strict=True)
    vae.eval()
    log(f"resumed from {train_dir} ({prev.get('unet_steps_done')} UNet steps, seed {prev.get('seed')})")
    return prev["scaling_factor"], prev["vae_psnr_db"], prev["vae_seconds"]


def state_npz(path, **modules):
    arrays = {}
    for prefix, m in modules.items():
        for k, v in m.state_dict().items():
            # float16 halves the file (the device hands back files up to 16 MiB); export reads
            # it back as float32, and the quantisation error is far below training noise.
            a = v.detach().cpu().numpy()
            arrays[f"{prefix}/{k}"] = a.astype(np.float16) if v.is_floating_point() else a
    np.savez(path, **arrays)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--vae-steps", type=int, default=3000)
    ap.add_argument("--vae-lr", type=float, default=1e-3)
    ap.add_argument("--kl", type=float, default=1e-4)
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--time-cap", type=float, default=0, help="stop UNet training after N s (0: none)")
    ap.add_argument("--vae-time-cap", type=float, default=0, help="stop VAE training after N s")
    ap.add_argument("--fast", action="store_true", help="CUDA: TF32, cudnn autotune, bf16 autocast")
    ap.add_argument("--guidance", default="3,5,7.5", help="guidance scales the quick judge tries")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--resume", help="train dir of an earlier run: start from its weights and VAE "
                                     "(skips VAE training; the optimiser starts fresh)")
    ap.add_argument("--judge", type=int, default=256)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    log = Log(os.path.join(args.out, "train.log"))
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = args.fast
        torch.backends.cudnn.deterministic = not args.fast
        torch.backends.cuda.matmul.allow_tf32 = args.fast
        torch.backends.cudnn.allow_tf32 = args.fast
        log(f"device {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    else:
        # One thread: on a shared 2-core machine a second OpenMP thread spin-waits and makes each
        # step several times slower. Matmuls need an optimised BLAS (Debian: libopenblas0-openmp);
        # the reference BLAS is ~7x slower here.
        torch.set_num_threads(args.threads)
        log(f"device cpu, torch {torch.__version__}, {torch.get_num_threads()} threads")
    gen = torch.Generator(device=device).manual_seed(args.seed)

    spec = tiny_shapes()
    vocab, merges = build_reduced_bpe(spec.words)
    bpe = ClipBpe(vocab, merges)
    table = caption_table()
    table_ids = torch.tensor([bpe(c) for c in table], dtype=torch.long, device=device)
    uncond = table_ids[-1:]

    text = CLIPTextModel(spec.text).to(device)
    unet = UNet2DConditionModel(spec.unet).to(device)
    vae = AutoencoderKL(spec.vae).to(device)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    log(f"params: text {count(text):,} unet {count(unet):,} vae {count(vae):,}; "
        f"{len(table)} captions; args {vars(args)}")

    if args.resume:
        sf, vae_psnr, vae_s = load_resume(args.resume, text, unet, vae, log)
    else:
        sf, vae_psnr, vae_s = train_vae(vae, args, gen, device, log)
    info = {"seed": args.seed, "device": str(device), "torch": torch.__version__, "args": vars(args),
            "scaling_factor": sf, "vae_psnr_db": vae_psnr, "vae_seconds": vae_s,
            "params": {"text": count(text), "unet": count(unet), "vae": count(vae)}}

    def write_info(**more):
        info.update(more)
        with open(os.path.join(args.out, "train.json"), "w") as f:
            json.dump(info, f, indent=1)

    write_info()
    for p in vae.parameters():
        p.requires_grad_(False)

    ema_text, ema_unet = copy.deepcopy(text).eval(), copy.deepcopy(unet).eval()
    params = list(text.parameters()) + list(unet.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    ac = alphas_cumprod(device)
    t0 = time.time()
    losses = []
    done = 0
    for step in range(args.steps):
        set_lr(opt, lr_at(step, args.steps, args.lr))
        b = sample_batch(args.batch, gen, device)
        with torch.no_grad():
            lat = encode_mean(vae, b.images) * sf
        t = torch.randint(0, 1000, (args.batch,), generator=gen, device=device)
        noise = torch.randn(lat.shape, generator=gen, device=device)
        a = ac[t][:, None, None, None]
        noisy = a.sqrt() * lat + (1 - a).sqrt() * noise
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.fast):
            ctx = text(table_ids[b.captions])[0]
            pred = unet(noisy, t.float(), ctx)
        # Min-SNR-5 weighting (Hang et al. 2023): converges several times faster than plain MSE.
        snr = a.flatten() / (1 - a.flatten())
        weight = snr.clamp(max=5.0) / snr
        loss = (weight * ((pred.float() - noise) ** 2).mean(dim=(1, 2, 3))).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(0.999, (1 + step) / (10 + step))
        ema_update(ema_text, text, decay)
        ema_update(ema_unet, unet, decay)
        losses.append(loss.item())
        done = step + 1
        if step % 500 == 0 or done == args.steps:
            log(f"unet step {step} loss {np.mean(losses[-500:]):.4f} ({time.time() - t0:.0f}s)")
        if done % 1000 == 0:
            state_npz(os.path.join(args.out, "weights.npz"), text=ema_text, unet=ema_unet, vae=vae)
            write_info(unet_steps_done=done, unet_seconds=time.time() - t0)
        if args.time_cap and time.time() - t0 > args.time_cap:
            log(f"time cap {args.time_cap}s reached after {done} of {args.steps} steps")
            break
    unet_s = time.time() - t0
    state_npz(os.path.join(args.out, "weights.npz"), text=ema_text, unet=ema_unet, vae=vae)
    write_info(unet_steps_done=done, unet_seconds=unet_s, final_loss=float(np.mean(losses[-500:])))

    judged = []
    for g in [float(x) for x in args.guidance.split(",")]:
        res, imgs = quick_judge(ema_unet, ema_text, vae, sf, table_ids, uncond, gen, device, g,
                                args.judge, log)
        judged.append(res)
        write_info(judge=judged)
    grid = ((imgs[:64] + 1) * 127.5).round().byte().cpu().numpy()  # last judge's samples
    np.save(os.path.join(args.out, "samples.npy"), grid)
    log("done")


if __name__ == "__main__":
    main()
