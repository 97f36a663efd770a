"""Pack presets and the seeded construction of their three networks."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Tuple

import torch
import torch.nn.functional as F

from .init import init_weights, install_noise_prior, rescale_output
from .text_encoder import CLIPTextModel, TextConfig
from .scenes_world import vocabulary as scenes_vocabulary
from .tokenizer_vocab import TINY_WORDS, build_reduced_bpe, order_words_for_single_tokens
from .unet import UNet2DConditionModel, UNetConfig
from .vae import AutoencoderKL, VaeDecoderExport, VaeEncoderExport, VAEConfig

PRESETS = ("tiny-random", "sd15-shaped")  # tiny-shapes / tiny-scenes are trained: train_*.py
# out_sample = normalised(sample) + a random, prompt-dependent residual of this std (see
# init.install_noise_prior): 0.2 keeps 50-step CFG-7.5 latents at std ~1 while prompts still
# change the result by about half the latent magnitude.
UNET_RESIDUAL_STD = 0.2
DECODED_STD = 0.35  # random decoder output std: about 0.4% of pixels fall outside [-1, 1]


@dataclass
class PackSpec:
    name: str
    text: TextConfig
    unet: UNetConfig
    vae: VAEConfig
    # "reduced": vocabulary built from `words` (tokenizer_vocab.py); "clip": full CLIP BPE files.
    tokenizer: str
    words: Tuple[str, ...] = ()
    latent_size: int = 8  # latent side used for tracing and calibration (export is dynamic)
    external_unet: bool = False  # write unet/model.onnx_data (needed above 2 GB)


def _groups(channels) -> int:
    """Largest of 32, 16, 8, ... dividing every channel count (32 as SD when possible)."""
    g = 32
    while any(c % g for c in channels):
        g //= 2
    return g


def tiny_random() -> PackSpec:
    vocab, _ = build_reduced_bpe(TINY_WORDS)
    return PackSpec(
        name="tiny-random",
        text=TextConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=128,
                        num_hidden_layers=2, num_attention_heads=2),
        unet=UNetConfig(block_out_channels=(32, 40, 40), attention_levels=(True, True, False),
                        layers_per_block=1, heads=2, cross_attention_dim=32, norm_num_groups=8,
                        sample_size=8),
        vae=VAEConfig(block_out_channels=(8, 16, 16, 16), layers_per_block=1, norm_num_groups=4,
                      sample_size=64),
        tokenizer="reduced",
        words=TINY_WORDS,
        latent_size=8,
    )


def tiny_shapes() -> PackSpec:
    """The trained demo pack (train_shapes.py): 32 px images, a 4x VAE to 8x8x4 latents; sized
    to train in about an hour on two CPU cores."""
    vocab, _ = build_reduced_bpe(TINY_WORDS)
    return PackSpec(
        name="tiny-shapes",
        text=TextConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=256,
                        num_hidden_layers=2, num_attention_heads=4),
        unet=UNetConfig(block_out_channels=(32, 64, 64), attention_levels=(True, True, False),
                        layers_per_block=1, heads=4, cross_attention_dim=64, norm_num_groups=8,
                        sample_size=8),
        vae=VAEConfig(block_out_channels=(16, 32, 32), layers_per_block=1, norm_num_groups=8,
                      sample_size=32),
        tokenizer="reduced",
        words=TINY_WORDS,
        latent_size=8,
    )


# The tiny-random words plus those of the scenes world, ordered so every word stays one token.
SCENES_WORDS: Tuple[str, ...] = tuple(order_words_for_single_tokens(
    list(TINY_WORDS) + [w for w in scenes_vocabulary() if w not in TINY_WORDS]))


def tiny_scenes() -> PackSpec:
    """The GPU-trained scenes pack (train_scenes.py): 64 px images of 1-3 objects on structured
    backgrounds, a 4x VAE to 16x16x4 latents, self- and cross-attention at 16x16, 8x8 and 4x4
    (plus the 2x2 mid block); about 16.4M parameters in all, sized for one short GPU run."""
    vocab, _ = build_reduced_bpe(SCENES_WORDS)
    return PackSpec(
        name="tiny-scenes",
        text=TextConfig(vocab_size=len(vocab), hidden_size=128, intermediate_size=512,
                        num_hidden_layers=3, num_attention_heads=4),
        unet=UNetConfig(block_out_channels=(64, 128, 192, 192), attention_levels=(True, True, True, False),
                        layers_per_block=1, heads=4, cross_attention_dim=128, norm_num_groups=16,
                        sample_size=16),
        vae=VAEConfig(block_out_channels=(32, 64, 64), layers_per_block=1, norm_num_groups=16,
                      sample_size=64),
        tokenizer="reduced",
        words=SCENES_WORDS,
        latent_size=16,
    )


def sd15_shaped(shrink: int = 1) -> PackSpec:
    """SD 1.5 dimensions; `shrink` divides every width (not depth, heads or vocabulary) so the
    same code path can be exercised quickly."""

    def w(*c):
        out = tuple(x // shrink for x in c)
        if any(x * shrink != y for x, y in zip(out, c)):
            raise ValueError(f"--shrink {shrink} does not divide widths {c}")
        return out

    unet_ch = w(320, 640, 1280, 1280)
    vae_ch = w(128, 256, 512, 512)
    (text_dim, text_ff) = w(768, 3072)
    return PackSpec(
        name="sd15-shaped" if shrink == 1 else f"sd15-shaped-shrink{shrink}",
        text=TextConfig(vocab_size=49408, hidden_size=text_dim, intermediate_size=text_ff,
                        num_hidden_layers=12, num_attention_heads=12),
        unet=UNetConfig(block_out_channels=unet_ch, attention_levels=(True, True, True, False),
                        layers_per_block=2, heads=8, cross_attention_dim=text_dim,
                        norm_num_groups=_groups(unet_ch), sample_size=64),
        vae=VAEConfig(block_out_channels=vae_ch, layers_per_block=2,
                      norm_num_groups=_groups(vae_ch), sample_size=512),
        tokenizer="clip",
        latent_size=8,
        external_unet=True,
    )


def fixture_unet_config(attention_mode: str = "folded") -> UNetConfig:
    """The small UNet of the patcher fixtures: attention at two levels and in the mid block."""
    return UNetConfig(block_out_channels=(8, 16, 16), attention_levels=(True, True, False),
                      layers_per_block=1, heads=2, cross_attention_dim=32, norm_num_groups=2,
                      sample_size=8, attention_mode=attention_mode)


def get_spec(preset: str, shrink: int = 1) -> PackSpec:
    if preset == "tiny-random":
        if shrink != 1:
            raise ValueError("--shrink applies to sd15-shaped only")
        return tiny_random()
    if preset == "sd15-shaped":
        return sd15_shaped(shrink)
    raise ValueError(f"unknown preset {preset!r}; choose from {PRESETS}")


# ---------------------------------------------------------------------------------------------
# Probe inputs for calibration (deterministic, drawn from the pack's generator).


def probe_ids(vocab_size: int, gen: torch.Generator, batch: int = 2, words: int = 6) -> torch.Tensor:
    """BOS, `words` random ordinary tokens, EOS, EOS padding: shaped like real prompts."""
    bos, eos = vocab_size - 2, vocab_size - 1
    ids = torch.full((batch, 77), eos, dtype=torch.int64)
    ids[:, 0] = bos
    ids[:, 1 : 1 + words] = torch.randint(0, vocab_size - 2, (batch, words), generator=gen)
    return ids


def probe_image(size: int, gen: torch.Generator) -> torch.Tensor:
    """A smooth random image in (-1, 1): low-resolution noise, upsampled."""
    low = torch.randn(1, 3, max(size // 8, 1), max(size // 8, 1), generator=gen)
    return torch.tanh(F.interpolate(low, size=(size, size), mode="bilinear", align_corners=False))


@dataclass
class PackModels:
    text: CLIPTextModel
    unet: UNet2DConditionModel
    vae: AutoencoderKL
    calibration: dict


@torch.no_grad()
def build_models(spec: PackSpec, seed: int) -> PackModels:
    gen = torch.Generator().manual_seed(seed)
    text = CLIPTextModel(spec.text).eval()
    init_weights(text, gen)
    unet = UNet2DConditionModel(spec.unet).eval()
    init_weights(unet, gen)
    vae = AutoencoderKL(spec.vae).eval()
    init_weights(vae, gen)

    ids = probe_ids(spec.text.vocab_size, gen)
    context = text(ids)[0]
    n = spec.latent_size
    sample = torch.randn(2, 4, n, n, generator=gen)
    t = torch.tensor(500.0)
    cal = {"unet.conv_out(residual)": install_noise_prior(
        unet, lambda: unet(sample, t, context), UNET_RESIDUAL_STD)}

    sf = spec.vae.scaling_factor
    lc = spec.vae.latent_channels
    image = probe_image(8 * n, gen)
    enc, dec = VaeEncoderExport(vae), VaeDecoderExport(vae)
    cal["vae.quant_conv(mean rows)"] = rescale_output(
        vae.quant_conv, lambda: enc(image), 1.0 / sf, rows=slice(0, lc))
    z = torch.randn(1, lc, n, n, generator=gen) / sf
    cal["vae.decoder.conv_out"] = rescale_output(vae.decoder.conv_out, lambda: dec(z), DECODED_STD)
    return PackModels(text, unet, vae, cal)


def set_attention_mode(unet: UNet2DConditionModel, mode: str) -> None:
    """Switch every attn1/attn2 between the 'folded' and 'sdpa' formulations (same weights)."""
    for _, m in unet.attention_layers():
        m.mode = mode
    unet.config = replace(unet.config, attention_mode=mode)
