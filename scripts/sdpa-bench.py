#!/usr/bin/python3
"""Times PyTorch scaled_dot_product_attention (FP32) on the attention shapes of `tubelet bench kernels`.

Issue 5's rows: batch·heads = 24 (2 clips × 12 heads), d = 64, L = 8 (temporal), 196/197 (spatial),
1568 (joint); forward, and forward + backward (gradients of Σ o∘dy w.r.t. q, k, v, as attention_bwd).
Run with Debian's interpreter, which has torch:  /usr/bin/python3 scripts/sdpa-bench.py [--device cuda]
Prints a Markdown table for docs/PERFORMANCE.md; the device label comes from torch (CPU or the GPU's name).
torch < 2.0 has no scaled_dot_product_attention: the script then times the same maths written as
matmul + softmax + matmul and says so in the header (`impl: math`), so such rows are never mistaken for SDPA.
"""

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

SHAPES = [(2, 12, length, 64) for length in (8, 196, 197, 1568)]


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def attention_math(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """softmax(q·kᵀ/√d)·v, what SDPA computes without mask or dropout."""
    scores = torch.matmul(q, k.transpose(-2, -1)) * (q.shape[-1] ** -0.5)
    return torch.matmul(torch.softmax(scores, dim=-1), v)


SDPA = getattr(F, "scaled_dot_product_attention", None)
attention = SDPA if SDPA is not None else attention_math


def time_ms(fn, device: torch.device, warmup: int, reps: int) -> float:
    for _ in range(warmup):
        fn()
    sync(device)
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync(device)
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    # FP32 throughout: no TF32 tensor-core matmuls, so the numbers compare with f32 WGSL kernels
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    label = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    gen = torch.Generator(device="cpu").manual_seed(5)

    impl = "scaled_dot_product_attention" if SDPA is not None else "math (matmul + softmax + matmul; torch < 2.0)"
    print(f"PyTorch {torch.__version__}, impl: {impl}, FP32, device: {label}")
    print()
    print("| op | shape | torch_ms | GFLOP/s |")
    print("| --- | --- | ---: | ---: |")
    for b, h, length, d in SHAPES:
        q, k, v, dy = (torch.rand(b, h, length, d, generator=gen).mul(2).sub(1).to(device) for _ in range(4))
        qg, kg, vg = (t.clone().requires_grad_(True) for t in (q, k, v))

        def fwd():
            with torch.no_grad():
                attention(q, k, v)

        def fwd_bwd():
            o = attention(qg, kg, vg)
            torch.autograd.grad(o, (qg, kg, vg), grad_outputs=dy)

        bh = b * h
        for op, fn, flops in (
            ("attention_fwd", fwd, 4 * bh * length * length * d),
            ("attention_bwd", fwd_bwd, 12 * bh * length * length * d),
        ):
            ms = time_ms(fn, device, args.warmup, args.reps)
            print(f"| {op} | {b}x{h}x{length}x{d} | {ms:.3f} | {flops / (ms * 1e6):.2f} |")


if __name__ == "__main__":
    main()
