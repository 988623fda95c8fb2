#!/usr/bin/env python3
"""Plain-PyTorch baseline for `fewner bench span-train`: the span trainer's step in torch eager mode.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 training/bench/span_pytorch.py --batches BATCHES.json \
        --config CONFIG.json [--hidden 768] [--threads 2] [--warmup 3] [--gemm-seconds 1] [--out RESULT.json]

`fewner bench span-train` writes BATCHES.json (the index structure of the very batches it timed: detection
candidates (b, e, width, label), typing rows (b, e, class, role), BANER's boundary pairs, ways, word rows) and
CONFIG.json (the SpanTrainingConfig), runs this script and prints both results side by side. Per batch this
script does what SpanTrainer.trainStep does with SpanLosses (training/src/main/java/org/fewner/training/span/):
detection BCE over every candidate, typing projection, prototypical episode CE with the learnt "none" logit,
supervised InfoNCE, BANER's boundary loss, FGM/PGD on the cached input vectors, global-norm clipping, AdamW
(decay on matrices only) -- on random word vectors [rows, H] (values do not change the speed). Timed per step:
`prep` (index tensors and the masks the Java code builds in plain Java inside its forward), `forward`,
`backward` (all passes), `perturb`, `optimiser` (clip + AdamW). The fp32 GEMM peak is measured in the same
process with llm/bench/encoder_pytorch.py's `gemm` (torch.nn.functional.linear, best of repeats).
Needs Debian's python3-torch for /usr/bin/python3.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../llm/bench"))
from encoder_pytorch import gemm  # noqa: E402  (the same GEMM timing as the encoder baseline)

SUPPORT, QUERY, SHIFTED = 0, 1, 2


def params(cfg, H, gen):
    d, k, mw = cfg["detectDim"], cfg["typeDim"], cfg["maxWidth"]

    def u(shape, bound):
        return ((torch.rand(shape, generator=gen) * 2 - 1) * bound).requires_grad_()

    p = {"ds": u((H, d), H ** -0.5), "de": u((H, d), H ** -0.5), "dw": u((mw, d), 0.02),
         "db": torch.zeros(d, requires_grad=True), "do": u((d,), d ** -0.5),
         "dob": torch.full((1,), -2.0, requires_grad=True)}
    if cfg["typing"] == "projection":
        p.update({"tp": u((2 * H, k), (2.0 * H) ** -0.5), "tpb": torch.zeros(k, requires_grad=True),
                  "scale": torch.full((1,), 10.0, requires_grad=True),
                  "none": torch.full((1,), 0.3, requires_grad=True)})
    return p


def prep(b):
    """Index tensors and masks of one batch (what SpanLosses builds in Java in each pass)."""
    c = np.asarray(b["candidates"], dtype=np.int64).reshape(-1, 4)
    out = {"cb": torch.from_numpy(c[:, 0]), "ce": torch.from_numpy(c[:, 1]), "cw": torch.from_numpy(c[:, 2]),
           "y": torch.from_numpy(c[:, 3].astype(np.float32)), "typing": False}
    s = np.asarray(b["spans"], dtype=np.int64).reshape(-1, 4)
    n = b["ways"]
    if len(s) == 0 or n == 0:
        return out
    per = np.bincount(s[s[:, 3] == SUPPORT, 2], minlength=n) if (s[:, 3] == SUPPORT).any() else np.zeros(n)
    if (per[:n] == 0).any():
        return out
    ns = len(s)
    avg = np.zeros((n, ns), dtype=np.float32)
    sup = np.nonzero(s[:, 3] == SUPPORT)[0]
    avg[s[sup, 2], sup] = 1.0 / per[s[sup, 2]]
    q = np.nonzero(s[:, 3] == QUERY)[0]
    onehot = np.zeros((len(q), n + 1), dtype=np.float32)
    onehot[np.arange(len(q)), np.where(s[q, 2] >= 0, s[q, 2], n)] = 1.0
    kr = np.nonzero(s[:, 3] != SHIFTED)[0]
    cls = s[kr, 2]
    same = (cls[:, None] == cls[None, :]) & (cls[:, None] >= 0)
    np.fill_diagonal(same, False)
    npos = same.sum(1)
    anchor = (npos > 0).astype(np.float32)
    pos = np.where(same, 1.0 / np.maximum(npos, 1)[:, None], 0.0).astype(np.float32)
    bp = np.asarray(b["boundary_pairs"], dtype=np.int64).reshape(-1, 3)
    out.update({"typing": True, "sb": torch.from_numpy(s[:, 0]), "se": torch.from_numpy(s[:, 1]),
                "avg": torch.from_numpy(avg), "q": torch.from_numpy(q), "onehot": torch.from_numpy(onehot),
                "kr": torch.from_numpy(kr), "pos": torch.from_numpy(pos), "anchor": torch.from_numpy(anchor),
                "anchors": float(anchor.sum()), "self": torch.eye(len(kr)),
                "pr": torch.from_numpy(bp[:, 0]), "nr": torch.from_numpy(bp[:, 1]), "cl": torch.from_numpy(bp[:, 2])})
    return out


def losses(p, xd, xl, t, cfg, terms=None):
    """SpanLosses.compute + Terms.total, in torch; the unweighted terms go into `terms` when given."""
    terms = {} if terms is None else terms
    sp, ep = xd @ p["ds"], xd @ p["de"]
    h = (sp[t["cb"]] + ep[t["ce"]] + p["dw"][t["cw"]] + p["db"]).clamp_min(0)
    score = (h @ p["do"].reshape(-1, 1)).reshape(-1) + p["dob"]
    terms["detect"] = (F.softplus(score) - score * t["y"]).mean()
    total = cfg["detectWeight"] * terms["detect"]
    if cfg["typing"] != "projection" or not t["typing"]:
        return total
    z = F.normalize(torch.cat([xl[t["sb"]], xl[t["se"]]], 1) @ p["tp"] + p["tpb"], dim=1, eps=1e-12)
    protos = F.normalize(t["avg"] @ z, dim=1, eps=1e-12)
    if len(t["q"]) > 0 and cfg["episodeWeight"] > 0:
        cos = z[t["q"]] @ protos.T
        none = torch.ones(len(t["q"]), 1) * p["none"]
        logp = (torch.cat([cos, none], 1) * p["scale"]).log_softmax(1)
        terms["episode"] = -(logp * t["onehot"]).sum() / len(t["q"])
        total = total + cfg["episodeWeight"] * terms["episode"]
    if cfg["infonceWeight"] > 0 and t["anchors"] > 0:
        zk = z[t["kr"]]
        sim = zk @ zk.T / cfg["tau"] - t["self"] * 1e9
        per = (sim.log_softmax(1) * t["pos"]).sum(1)
        terms["infonce"] = -(per * t["anchor"]).sum() / t["anchors"]
        total = total + cfg["infonceWeight"] * terms["infonce"]
    if cfg["boundaryWeight"] > 0 and len(t["pr"]) > 0:
        a = protos[t["cl"]]
        s_pos = (z[t["pr"]] * a).sum(1)
        s_neg = (z[t["nr"]] * a).sum(1)
        terms["boundary"] = F.softplus(s_neg - s_pos).mean()
        total = total + cfg["boundaryWeight"] * terms["boundary"]
    return total


def perturb(delta, g, alpha, eps):
    n = g.norm()
    if n == 0 or not torch.isfinite(n):
        return delta
    delta = delta + alpha * g / n
    dn = delta.norm()
    return delta * (eps / dn) if dn > eps else delta


def step(p, opt, xd, xl, b, cfg, clock, seen=None):
    t0 = time.perf_counter()
    t = prep(b)
    clock["prep"] += time.perf_counter() - t0
    adv = cfg["adv"] != "none" and cfg["advEps"] > 0
    k = max(1, cfg["pgdSteps"]) if cfg["adv"] == "pgd" else 1
    alpha = cfg["advEps"] / k if cfg["adv"] == "pgd" else cfg["advEps"]
    t0 = time.perf_counter()
    xd0, xl0 = xd.clone().requires_grad_(adv), xl.clone().requires_grad_(adv)
    total = losses(p, xd0, xl0, t, cfg, None if seen is None else seen.setdefault("clean", {}))
    t1 = time.perf_counter()
    total.backward()
    t2 = time.perf_counter()
    clock["forward"] += t1 - t0
    clock["backward"] += t2 - t1
    if adv:
        gd, gl = xd0.grad, xl0.grad
        dd, dl = torch.zeros_like(xd), torch.zeros_like(xl)
        for it in range(k):
            t0 = time.perf_counter()
            dd, dl = perturb(dd, gd, alpha, cfg["advEps"]), perturb(dl, gl, alpha, cfg["advEps"])
            last = it == k - 1
            saved = None if last else {n: v.grad.clone() for n, v in p.items()}
            pd, pl = (xd + dd).requires_grad_(not last), (xl + dl).requires_grad_(not last)
            t1 = time.perf_counter()
            tot = losses(p, pd, pl, t, cfg, None if seen is None or not last else seen.setdefault("adv", {}))
            t2 = time.perf_counter()
            tot.backward()
            t3 = time.perf_counter()
            if not last:  # only the last perturbed pass contributes to the update
                gd, gl = pd.grad, pl.grad
                for n, v in p.items():
                    v.grad = saved[n]
            clock["perturb"] += t1 - t0
            clock["forward"] += t2 - t1
            clock["backward"] += t3 - t2
    t0 = time.perf_counter()
    if cfg["clipNorm"] > 0:
        torch.nn.utils.clip_grad_norm_(list(p.values()), cfg["clipNorm"])
    opt.step()
    opt.zero_grad(set_to_none=False)
    clock["optimiser"] += time.perf_counter() - t0


NAMES = {"span.detect.start": "ds", "span.detect.end": "de", "span.detect.width": "dw", "span.detect.bias": "db",
         "span.detect.out": "do", "span.detect.out_bias": "dob", "span.type.proj": "tp", "span.type.proj_bias": "tpb",
         "span.type.scale": "scale", "span.type.none": "none"}


def check(d, cfg, H):
    """Step 0 of the Java trainer in torch: same heads, same word vectors, same batch; loss terms and heads after."""
    with open(os.path.join(d, "check.json"), encoding="utf-8") as f:
        c = json.load(f)

    def load(entry):
        a = np.fromfile(os.path.join(d, entry["file"]), dtype="<f4").reshape(entry["shape"])
        return torch.from_numpy(a.copy())

    p = {NAMES[n]: load(e).requires_grad_() for n, e in c["before"].items()}
    decay = [v for v in p.values() if v.dim() == 2 and v.numel() > 1]
    rest = [v for v in p.values() if not (v.dim() == 2 and v.numel() > 1)]
    # step 0 of the warm-up schedule: lr * 1 / warmup
    lr0 = cfg["lr"] * 1 / cfg["warmup"] if cfg["warmup"] > 0 else cfg["lr"]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weightDecay"]},
                             {"params": rest, "weight_decay": 0.0}], lr=lr0, eps=1e-8)
    for v in p.values():
        v.grad = torch.zeros_like(v)
    seen = {}
    step(p, opt, load(c["xd"]), load(c["xl"]), c["batch"], cfg, {k: 0.0 for k in PHASES}, seen)
    java = c["losses"]
    out = {}
    for k in ["detect", "episode", "infonce", "boundary"]:
        if java.get(k) is not None and k in seen["clean"]:
            out[k] = {"java": java[k], "torch": float(seen["clean"][k])}
    if java.get("adv_sum") is not None and "adv" in seen:
        out["adv_sum"] = {"java": java["adv_sum"], "torch": float(sum(float(v) for v in seen["adv"].values()))}
    rel = max(abs(v["java"] - v["torch"]) / max(1e-12, abs(v["java"])) for v in out.values())
    after = {NAMES[n]: load(e) for n, e in c["after"].items()}
    moved = max(float((after[k] - load(c["before"][n])).abs().max()) for n, k in NAMES.items() if n in c["before"])
    diff = max(float((after[k] - p[k].detach()).abs().max()) for k in after)
    return {"terms": out, "max_rel_loss_diff": rel, "max_abs_head_diff_after_step": diff,
            "max_abs_head_change_in_step": moved}


PHASES = ["prep", "forward", "backward", "perturb", "optimiser"]


def main():
    ap = argparse.ArgumentParser(description="plain-PyTorch span-trainer step bench")
    ap.add_argument("--batches", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--gemm-seconds", type=float, default=1.0)
    ap.add_argument("--out")
    ap.add_argument("--profile-steps", type=int, default=0, help="steps under torch's profiler (self times per op)")
    ap.add_argument("--check", help="folder with check.json: step 0 of the Java trainer to reproduce")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(a.batches, encoding="utf-8") as f:
        batches = json.load(f)
    with open(a.config, encoding="utf-8") as f:
        cfg = json.load(f)
    H = a.hidden
    gen = torch.Generator().manual_seed(int(cfg["seed"]))
    p = params(cfg, H, gen)
    decay = [v for v in p.values() if v.dim() == 2 and v.numel() > 1]
    rest = [v for v in p.values() if not (v.dim() == 2 and v.numel() > 1)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weightDecay"]},
                             {"params": rest, "weight_decay": 0.0}], lr=cfg["lr"], eps=1e-8)
    for v in p.values():
        v.grad = torch.zeros_like(v)
    feats = [(torch.randn(b["rows"], H, generator=gen) * 0.5, torch.randn(b["rows"], H, generator=gen) * 0.5)
             for b in batches]
    phases = PHASES
    checked = check(a.check, cfg, H) if a.check else None
    for i in range(a.warmup):
        j = i % len(batches)
        step(p, opt, *feats[j], batches[j], cfg, {k: 0.0 for k in phases})
    per_step, clocks = [], []
    for j, b in enumerate(batches):
        clock = {k: 0.0 for k in phases}
        t0 = time.perf_counter()
        step(p, opt, *feats[j], b, cfg, clock)
        per_step.append(time.perf_counter() - t0)
        clocks.append(clock)
    words = [b["rows"] for b in batches]
    profile = None
    if a.profile_steps > 0:
        n = a.profile_steps
        with torch.autograd.profiler.profile() as prof:
            t0 = time.perf_counter()
            for i in range(n):
                j = i % len(batches)
                step(p, opt, *feats[j], batches[j], cfg, {k: 0.0 for k in phases})
            wall = time.perf_counter() - t0
        ops = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
        profile = {"steps": n, "wall_ms_per_step": 1000 * wall / n,
                   "op_ms_per_step": sum(e.self_cpu_time_total for e in ops) / 1000 / n,
                   "ops": [{"name": e.key, "calls_per_step": e.count / n, "self_ms_per_step": e.self_cpu_time_total / 1000 / n}
                           for e in ops]}
    rows_max = max(words)
    shapes = [gemm(rows_max, H, cfg["detectDim"], a.gemm_seconds),
              gemm(4096, 768, 3072, 2 * a.gemm_seconds), gemm(1024, 1024, 1024, 2 * a.gemm_seconds)]
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(),
              "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
              "steps": len(per_step), "step_s": per_step, "median_step_s": statistics.median(per_step),
              "best_step_s": min(per_step), "steps_per_s": len(per_step) / sum(per_step),
              "tokens_per_s": sum(words) / sum(per_step),
              "phase_s": {k: sum(c[k] for c in clocks) / len(clocks) for k in phases},
              "gemm_peak_gflops": max(s["best_gflops"] for s in shapes), "gemm_shapes": shapes, "check": checked,
              "profile": profile}
    text = json.dumps(result, indent=2)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    print(text)
    print(f"torch: {len(per_step)} steps, median {result['median_step_s']:.4f} s, "
          f"{result['tokens_per_s']:.0f} words/s", file=sys.stderr)


if __name__ == "__main__":
    main()
