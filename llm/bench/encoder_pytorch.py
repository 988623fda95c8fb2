#!/usr/bin/env python3
"""Plain-PyTorch baseline for `fewner bench encoder`: the same BERT encoder cells in torch eager mode.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 llm/bench/encoder_pytorch.py --model DIR [--out DIR] \
        [--reference ../shared/reference] [--threads 2] [--batches 1,8,32] [--lengths 32,128] [--serve]

Loads the converted HF-layout model (config.json + model.safetensors) with shared/reference/safetensors_np.py
(no `safetensors` package needed), checks the torch forward against the float64 numpy reference on one short
sequence, then times the encoder (no MLM head, unpadded random ids) per batch x length: median and best of the
repeats, tokens/s, GFLOP/s counted as in the Java bench (matmuls only: per layer 2*B*T*(4H^2 + 2HI) + 4*B*T^2*H),
and the ratio to the fp32 GEMM peak measured in the same process (torch.nn.functional.linear on the layer shapes
and on large shapes, best of repeats). Peak RSS from /proc/self/status VmHWM.
Needs Debian's python3-torch (1.13) for /usr/bin/python3; see llm/docs/encoder.md.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def load(model_dir, reference):
    sys.path.insert(0, reference)
    import safetensors_np  # noqa: E402
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    w = safetensors_np.load_file(os.path.join(model_dir, "model.safetensors"))
    w = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in w.items()}
    p = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
    return cfg, w, p


ACT = {
    "gelu": lambda x: F.gelu(x),
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_fast": lambda x: F.gelu(x, approximate="tanh"),
    "relu": F.relu,
}


class Encoder:
    """HF BertModel forward (post-LN), eager, inference only; returns the last hidden state [B, T, H]."""

    def __init__(self, cfg, w, p):
        self.cfg, self.w, self.p = cfg, w, p
        self.H = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.d = self.H // self.nh
        self.eps = cfg.get("layer_norm_eps", 1e-12)
        self.act = ACT[cfg.get("hidden_act", "gelu")]
        self.L = cfg["num_hidden_layers"]

    def ln(self, x, name):
        w = self.w
        g = w.get(name + ".weight", w.get(name + ".gamma"))
        b = w.get(name + ".bias", w.get(name + ".beta"))
        return F.layer_norm(x, (self.H,), g, b, self.eps)

    def lin(self, x, name):
        return F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    @torch.no_grad()
    def forward(self, ids):
        w, p = self.w, self.p
        B, T = ids.shape
        pos = torch.arange(T).unsqueeze(0).expand(B, T)
        x = (F.embedding(ids, w[p + "embeddings.word_embeddings.weight"])
             + F.embedding(pos, w[p + "embeddings.position_embeddings.weight"])
             + w[p + "embeddings.token_type_embeddings.weight"][0])
        x = self.ln(x, p + "embeddings.LayerNorm")
        hidden = [x]
        for i in range(self.L):
            q = f"{p}encoder.layer.{i}."
            def heads(t):
                return t.view(B, T, self.nh, self.d).transpose(1, 2)
            Q = heads(self.lin(x, q + "attention.self.query"))
            K = heads(self.lin(x, q + "attention.self.key"))
            V = heads(self.lin(x, q + "attention.self.value"))
            s = torch.matmul(Q, K.transpose(-1, -2)) / math.sqrt(self.d)
            ctx = torch.matmul(torch.softmax(s, -1), V).transpose(1, 2).reshape(B, T, self.H)
            x = self.ln(self.lin(ctx, q + "attention.output.dense") + x, q + "attention.output.LayerNorm")
            h = self.act(self.lin(x, q + "intermediate.dense"))
            x = self.ln(self.lin(h, q + "output.dense") + x, q + "output.LayerNorm")
            hidden.append(x)
        return hidden


def flops(cfg, B, T):
    H, I, L = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    return L * (2 * B * T * (4 * H * H + 2 * H * I) + 4 * B * T * T * H)


def gemm(m, k, n, seconds):
    x, wt, b = torch.randn(m, k), torch.randn(n, k), torch.randn(n)
    for _ in range(2):
        F.linear(x, wt, b)
    times, end = [], time.perf_counter() + seconds
    while len(times) < 3 or time.perf_counter() < end:
        t0 = time.perf_counter()
        F.linear(x, wt, b)
        times.append(time.perf_counter() - t0)
    times.sort()
    f = 2.0 * m * k * n
    return {"shape": f"[{m},{k}]x[{k},{n}]", "best_gflops": f / times[0] / 1e9,
            "median_gflops": f / times[len(times) // 2] / 1e9, "calls": len(times)}


def blas_loaded():
    """The BLAS library this process really loaded (Debian picks it through alternatives at run time;
    torch's build config says "generic" either way): the reference BLAS runs at ~6 GFLOP/s, OpenBLAS at ~200."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    with open("/proc/self/maps", encoding="ascii", errors="replace") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
    return ",".join(sorted(os.path.realpath(x) for x in libs)) or "none found"


def peak_rss_mib():
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return -1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="plain-PyTorch BERT encoder bench")
    ap.add_argument("--model", required=True)
    ap.add_argument("--reference", default=os.path.normpath(os.path.join(here, "../../../shared/reference")))
    ap.add_argument("--out")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--lengths", default="32,128")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-seconds", type=float, default=3.0)
    ap.add_argument("--gemm-seconds", type=float, default=1.0)
    ap.add_argument("--serve", action="store_true",
                    help="answer 'B T' / 'peak' lines on stdin with JSON lines (fewner bench encoder --pytorch)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    blas = blas_loaded()
    print(f"torch {torch.__version__}, BLAS loaded: {blas}, threads {torch.get_num_threads()}", file=sys.stderr)
    cfg, w, p = load(a.model, a.reference)
    enc = Encoder(cfg, w, p)

    # correctness: the torch forward against the float64 numpy reference on one short sequence
    import ref_models  # noqa: E402  (path added by load)
    ids0 = np.array([101, 2000, 3000, 4000, 5000, 6000, 7000, 102])
    ref = ref_models.load_model(a.model).forward(ids0)["hidden"]
    mine = enc.forward(torch.from_numpy(ids0).unsqueeze(0))
    check = max(float(np.abs(mine[i][0].numpy() - ref[i]).max()) for i in range(len(ref)))

    rng = np.random.default_rng(0)

    def time_cell(B, T):
        ids = torch.from_numpy(rng.integers(1000, cfg["vocab_size"], (B, T)))
        for _ in range(1 if B * T >= 2048 else 3):
            enc.forward(ids)
        times, start = [], time.perf_counter()
        while len(times) < a.repeats or time.perf_counter() - start < a.min_seconds:
            t0 = time.perf_counter()
            enc.forward(ids)
            times.append(time.perf_counter() - t0)
            if len(times) >= 200:
                break
        H, I = cfg["hidden_size"], cfg["intermediate_size"]
        g = [gemm(B * T, H, H, a.gemm_seconds), gemm(B * T, H, I, a.gemm_seconds), gemm(B * T, I, H, a.gemm_seconds)]
        med, best = statistics.median(times), min(times)
        fl = flops(cfg, B, T)
        print(f"torch: {B}x{T} median {med:.4f} s best {best:.4f} s ({len(times)} runs)", file=sys.stderr)
        return {"batch": B, "length": T, "runs": len(times), "median_s": med, "best_s": best,
                "tokens_per_s_median": B * T / med, "tokens_per_s_best": B * T / best,
                "gflops_median": fl / med / 1e9, "gflops_best": fl / best / 1e9,
                "layer_gemm_best_gflops": max(x["best_gflops"] for x in g), "layer_gemms": g}

    info = {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
            "blas": torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0], "blas_loaded": blas,
            "check_vs_reference_max_abs": check}
    if a.serve:
        # one JSON line per request, so that a caller can interleave its own cells with these:
        # "B T" -> the cell; "peak" -> GEMM peak and peak RSS; EOF ends
        print(json.dumps(dict(info, ready=True)), flush=True)
        for line in sys.stdin:
            req = line.split()
            if not req:
                continue
            if req[0] == "peak":
                ps = [gemm(4096, 768, 3072, 2 * a.gemm_seconds), gemm(4096, 3072, 768, 2 * a.gemm_seconds),
                      gemm(1024, 1024, 1024, 2 * a.gemm_seconds)]
                print(json.dumps({"gemm_peak_gflops": max(x["best_gflops"] for x in ps), "gemm_peak_shapes": ps,
                                  "peak_rss_mib": peak_rss_mib()}), flush=True)
            else:
                print(json.dumps(time_cell(int(req[0]), int(req[1]))), flush=True)
        return
    cells = []
    for B in [int(v) for v in a.batches.split(",")]:
        for T in [int(v) for v in a.lengths.split(",")]:
            cells.append(time_cell(B, T))
    peak_shapes = [gemm(4096, 768, 3072, 2 * a.gemm_seconds), gemm(4096, 3072, 768, 2 * a.gemm_seconds),
                   gemm(1024, 1024, 1024, 2 * a.gemm_seconds)]
    peak = max([x["best_gflops"] for x in peak_shapes] + [c["layer_gemm_best_gflops"] for c in cells])
    for c in cells:
        c["ratio_median"] = c["gflops_median"] / peak
        c["ratio_best"] = c["gflops_best"] / peak
    result = dict(info, gemm_peak_gflops=peak, gemm_peak_shapes=peak_shapes, cells=cells,
                  peak_rss_mib=peak_rss_mib())
    md = [f"PyTorch {torch.__version__} eager, BLAS {blas}, {torch.get_num_threads()} threads, OMP_WAIT_POLICY="
          f"{os.environ.get('OMP_WAIT_POLICY')}; fp32 GEMM peak {peak:.1f} GFLOP/s; peak RSS {result['peak_rss_mib']:.0f} MiB; "
          f"max |torch - numpy reference| {check:.1e}", "",
          "| B | T | runs | tokens/s median (best) | GFLOP/s median (best) | layer GEMMs best GFLOP/s | ratio to GEMM peak median (best) |",
          "|---|---|---|---|---|---|---|"]
    for c in cells:
        md.append(f"| {c['batch']} | {c['length']} | {c['runs']} | {c['tokens_per_s_median']:.0f} ({c['tokens_per_s_best']:.0f}) | "
                  f"{c['gflops_median']:.1f} ({c['gflops_best']:.1f}) | {c['layer_gemm_best_gflops']:.1f} | "
                  f"{c['ratio_median']:.2f} ({c['ratio_best']:.2f}) |")
    text = "\n".join(md) + "\n"
    print(text)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        tag = (os.environ.get("OMP_WAIT_POLICY") or "default").lower()
        with open(os.path.join(a.out, f"encoder-pytorch-{tag}.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
        with open(os.path.join(a.out, f"encoder-pytorch-{tag}.md"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
