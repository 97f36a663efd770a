#!/usr/bin/env python3
"""GPU bench (issue 18): the studio's Node runtime beside the original Prompt-to-Prompt code.

On the GPU machine (one command, from the repo root, after `bash bench/gpu/makeCarry.sh` here):

  PYTHONUNBUFFERED=1 python3 bench/gpu/gpuBench.py --report $OUT/gpu-bench.json

1. originalP2p.py (own process): the original controller code (AttentionReplace + LocalBlend of
   the reference notebook, loaded at run time from the carried copy of ../shared/reference-code,
   never part of the project) drives the project's SD-1.5-shaped PyTorch model (models/ptp_models,
   seed 0) in eager mode on the GPU: a plain two-prompt generation (EmptyControl) and the word swap
   with local blend, same batch;
2. models/make_pack.py writes the same model as an ONNX export, the studio imports it
   (`ptp models import`: default, self layers on the full latent grid fused) and writes a fused
   plain UNet (every attention layer com.microsoft MultiHeadAttention);
3. the studio's Node runtime (onnxruntime-node, WebGPU provider on the NVIDIA Vulkan driver; CPU
   provider with fewer steps when no adapter comes up) runs plain generation (plain and fused plain
   UNet) and the edit, each in its own process.
Prints per-step times, edit vs plain generation at the same batch, studio vs original and peak GPU
memory (device-wide use sampled every 50 ms minus the idle level; for PyTorch also its allocator's
peak), as a table and as JSON (--report). Stages are independent: one failing is reported and the
others still run.

Dry run on a CPU (small): --device cpu --provider cpu --shrink 8 --size 256 --steps 3
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def log(msg: str) -> None:
    print(f"[gpu-bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class MemorySampler:
    """Peak device-wide GPU memory in use while a stage runs, above the level before it started."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.peak = 0
        self.base = 0
        self._stop = threading.Event()
        self._thread = None

    def _used(self) -> int:
        import torch
        free, total = torch.cuda.mem_get_info()
        return total - free

    def __enter__(self):
        if self.enabled:
            self.base = self.peak = self._used()
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._used())

    def __exit__(self, *exc) -> None:
        if self._thread:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, self._used())

    @property
    def mib(self):
        return round((self.peak - self.base) / 2**20) if self.enabled else None


def run_json(cmd, env=None, timeout=None):
    """Runs a stage process, returns its last stdout line as JSON; its stderr is shown, and its
    last lines go into the error when it fails."""
    log("$ " + " ".join(cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=timeout,
                       cwd=REPO)
    sys.stderr.write(p.stderr)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    if p.returncode != 0 or not lines:
        tail = "\n".join((p.stdout + p.stderr).splitlines()[-12:])
        raise RuntimeError(f"exit {p.returncode}: {tail}")
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------------------------
# Carried files: node, onnxruntime-node, the studio bundle, the Vulkan loader, the reference code.


def unpack_carry(carries, work: str) -> str:
    """Unpacks each carried .tar.xz into WORK/carry (a folder is used as it is). Parts already
    unpacked there by an earlier call on the same warm machine count too: the carry may come in
    two calls when one would pass the device's limit on what travels (README.md)."""
    dirs = [c for c in carries if os.path.isdir(c)]
    if dirs:
        return dirs[0]
    dest = os.path.join(work, "carry")
    os.makedirs(dest, exist_ok=True)
    for carry in carries:
        if not os.path.exists(carry):
            log(f"carry {carry} not here: using what {dest} already holds")
            continue
        with tarfile.open(carry) as tar:
            if sys.version_info >= (3, 12):
                tar.extractall(dest, filter="data")
            else:
                tar.extractall(dest)
    missing = [p for p in ("node", "studioBench.mjs", "node_modules/onnxruntime-node", "reference/original-p2p")
               if not os.path.exists(os.path.join(dest, p))]
    if missing:
        log(f"carry incomplete, missing in {dest}: {', '.join(missing)}")
    if os.path.exists(os.path.join(dest, "node")):
        os.chmod(os.path.join(dest, "node"), 0o755)
    return dest


def node_env(carry: str, provider: str) -> dict:
    env = dict(os.environ)
    lib = os.path.join(carry, "lib")
    env["LD_LIBRARY_PATH"] = lib + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    if provider == "webgpu" and not env.get("VK_ICD_FILENAMES"):
        # The driver's folder is a read-only mount on these machines; its ICD names libGLX_nvidia.
        for icd in ("/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json", "/usr/share/vulkan/icd.d/nvidia_icd.json",
                    "/etc/vulkan/icd.d/nvidia_icd.json"):
            if os.path.exists(icd):
                env["VK_ICD_FILENAMES"] = env["VK_DRIVER_FILES"] = icd
                break
    return env


# ---------------------------------------------------------------------------------------------
# Stages 2 and 3: the pack, then the studio's runs.


def make_pack(a) -> dict:
    out = os.path.join(a.work, "export")
    cmd = [sys.executable, "models/make_pack.py", "--preset", "sd15-shaped", "--seed", "0", "--out", out]
    if a.shrink > 1:
        cmd += ["--shrink", str(a.shrink)]
    log("$ " + " ".join(cmd))
    t0 = time.time()
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL if a.quiet_export else None)
    return dict(export=out, seconds=time.time() - t0)


def studio_stage(a, summary: dict) -> None:
    node = os.path.join(a.carry_dir, "node")
    bundle = os.path.join(a.carry_dir, "studioBench.mjs")
    export = summary["pack"]["export"]
    pack = os.path.join(a.work, "pack")
    shutil.rmtree(pack, ignore_errors=True)
    fused_plain = os.path.join(a.work, "fused-plain")
    shutil.rmtree(fused_plain, ignore_errors=True)
    env = node_env(a.carry_dir, a.provider)
    summary["studio"] = studio = {"node": subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()}
    studio["import"] = run_json([node, bundle, "import", export, pack], env)
    studio["fusedPlain"] = run_json([node, bundle, "fused-plain", os.path.join(export, "unet"), fused_plain], env)

    provider, steps = a.provider, a.steps
    # Most important first: the budget may skip the last (plain, explicit attention: the slowest).
    variants = [("edit", "partly fused controllable", os.path.join(pack, "unet", "model.onnx")),
                ("generation", "fused plain", os.path.join(fused_plain, "model.onnx")),
                ("generation", "plain", os.path.join(pack, "unet", "plain.onnx"))]
    studio["runs"] = runs = []
    for kind, label, unet in variants:
        if time.time() - a.started > a.budget_s:
            log(f"budget of {a.budget_s} s spent: skipping studio {kind} ({label})")
            continue
        cmd = [node, bundle, "run", pack, unet, kind, str(a.size // 8), str(steps), provider, str(a.warmup_steps)]
        # A hung run must not eat the whole call: it may end at most a minute past the budget.
        timeout = max(120, a.budget_s + 60 - (time.time() - a.started))
        try:
            with MemorySampler(a.device == "cuda") as mem:
                r = run_json(cmd, node_env(a.carry_dir, provider), timeout=timeout)
        except Exception as err:  # noqa: BLE001 (reported, and the CPU fallback tried)
            if provider != "webgpu":
                raise
            studio["webgpuError"] = str(err)[-2000:]
            why = next((line for line in str(err).splitlines() if "Error" in line), str(err)[-300:])
            log(f"WebGPU failed ({why[:400]}); falling back to the CPU provider, {a.cpu_fallback_steps} steps")
            provider, steps = "cpu", a.cpu_fallback_steps
            cmd[7:9] = [str(steps), provider]
            with MemorySampler(a.device == "cuda") as mem:
                r = run_json(cmd, node_env(a.carry_dir, provider), timeout=timeout)
        r.update(label=label, gpuPeakMiB=mem.mib)
        runs.append(r)
        log(f"studio {kind} ({label}, {provider}): median step {r['medianStepMs']:.1f} ms, total {r['totalSeconds']:.1f} s")


def peak_mib(r: dict) -> str:
    peak = r.get("gpuPeakMiB") if r.get("gpuPeakMiB") is not None else r.get("torchPeakMiB")
    return "-" if peak is None else str(peak)


def report(summary: dict) -> None:
    rows = []
    o = summary.get("original") or {}
    runs = (summary.get("studio") or {}).get("runs") or []

    def add(who, label, r, base=None, gen=None):
        if not r:
            return
        rows.append([who, label, r.get("provider", o.get("device", "")), r["unetCalls"], f"{r['medianStepMs']:.1f}",
                     f"{r['totalSeconds']:.1f}",
                     f"{r['medianStepMs'] / gen['medianStepMs']:.2f}x" if gen else "",
                     f"{r['medianStepMs'] / base['medianStepMs']:.2f}x" if base else "",
                     peak_mib(r)])

    og, oe = o.get("generation"), o.get("edit")
    add("original P2P (torch eager)", "generation (EmptyControl)", og)
    add("original P2P (torch eager)", "word swap + local blend", oe, gen=og)
    by = {r["label"]: r for r in runs}
    sg, sf, se = by.get("plain"), by.get("fused plain"), by.get("partly fused controllable")
    add("studio (Node runtime)", "generation, plain UNet", sg, base=og)
    add("studio (Node runtime)", "generation, fused plain UNet", sf, base=og)
    add("studio (Node runtime)", "word swap + local blend", se, base=oe, gen=sf or sg)
    header = ["runtime", "run (N=2, B=4)", "device", "UNet calls", "median ms/step", "total s",
              "edit vs generation", "studio vs original", "peak GPU MiB"]
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")
    if o.get("edit") and o.get("device", "").startswith("cuda"):
        print(f"original: torch peak allocated {o['generation'].get('torchPeakMiB')} / {o['edit'].get('torchPeakMiB')} MiB"
              f" (generation / edit); device-wide {o.get('gpuPeakMiB')} MiB")
    print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--carry", action="append",
                    help="what bench/gpu/makeCarry.sh made: .tar.xz parts (repeat) or the unpacked folder; "
                         "default bench/out/gpu-carry-node.tar.xz and bench/out/gpu-carry-rest.tar.xz")
    ap.add_argument("--work", default="/tmp/ptp-gpu-bench", help="scratch folder (the pack: 4.3 GB at full size)")
    ap.add_argument("--report", help="write the JSON summary here (e.g. $OUT/gpu-bench.json)")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"], help="PyTorch device of the original code")
    ap.add_argument("--provider", default="webgpu", choices=["webgpu", "cuda", "cpu"], help="studio's provider")
    ap.add_argument("--size", type=int, default=512, help="image side in pixels (latents: size / 8)")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup-steps", type=int, default=3)
    ap.add_argument("--cpu-fallback-steps", type=int, default=3, help="studio steps when WebGPU does not start")
    ap.add_argument("--shrink", type=int, default=1, help="models/make_pack.py --shrink (8 for a dry run)")
    ap.add_argument("--budget-s", type=int, default=480, help="skip studio runs that would start after this")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads of the original stage (0: torch's choice)")
    ap.add_argument("--skip", default="", help="comma list of stages to skip: original,studio")
    ap.add_argument("--quiet-export", action="store_true")
    a = ap.parse_args()
    a.started = time.time()

    os.makedirs(a.work, exist_ok=True)
    skip = set(filter(None, a.skip.split(",")))
    summary: dict = dict(args={k: v for k, v in vars(a).items() if k not in ("started",)}, errors={})
    a.carry_dir = unpack_carry(a.carry or [os.path.join(REPO, "bench", "out", f"gpu-carry-{part}.tar.xz")
                                            for part in ("node", "rest")], a.work)
    if a.device == "cuda":
        import torch
        torch.cuda.init()  # the memory sampler's own context: part of the idle level it subtracts
    if "original" not in skip:
        try:
            cmd = [sys.executable, os.path.join(HERE, "originalP2p.py"), "--carry-dir", a.carry_dir,
                   "--device", a.device, "--size", str(a.size), "--steps", str(a.steps), "--shrink", str(a.shrink),
                   "--warmup-steps", str(a.warmup_steps), "--threads", str(a.threads)]
            with MemorySampler(a.device == "cuda") as mem:
                summary["original"] = run_json(cmd)
            summary["original"]["gpuPeakMiB"] = mem.mib
            for k in ("generation", "edit"):
                r = summary["original"][k]
                log(f"original {k}: median step {r['medianStepMs']:.1f} ms, total {r['totalSeconds']:.1f} s")
        except Exception as err:  # noqa: BLE001 (each stage reports its own failure)
            summary["errors"]["original"] = str(err)[-3000:]
            log(f"original failed: {err}")
    if "studio" not in skip:
        try:
            summary["pack"] = make_pack(a)
            studio_stage(a, summary)
        except Exception as err:  # noqa: BLE001
            summary["errors"]["studio"] = str(err)[-3000:]
            log(f"studio failed: {err}")
    summary["seconds"] = time.time() - a.started
    report(summary)
    if a.report:
        with open(a.report, "w") as f:
            json.dump(summary, f, indent=1)
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
