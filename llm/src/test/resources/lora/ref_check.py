#!/usr/bin/env python3
"""Test helper for the Java LoRA tests: runs shared/reference on adapters and merged models.

    ref_check.py REFERENCE_DIR merged MODEL ADAPTER MERGED_MODEL
        forward of the reference with the adapter vs forward of our merged model; prints
        {"max_rel": worst over hidden states and logits of max|a-b| / max|b|}
    ref_check.py REFERENCE_DIR load MODEL ADAPTER
        the adapter loads in the reference; prints {"max_change": max|with - without| over logits/last hidden}
"""
import json
import sys
import warnings

import numpy as np

sys.path.insert(0, sys.argv[1])
import ref_models as rm  # noqa: E402

warnings.simplefilter("ignore")


def outputs(m, ids):
    o = m.forward(ids)
    out = list(o["hidden"])
    if o.get("logits") is not None:
        out.append(o["logits"])
    return out


def main():
    mode = sys.argv[2]
    model = sys.argv[3]
    cfg = rm.load_config(model)
    ids = [int(x) % int(cfg["vocab_size"]) for x in (3, 17, 5, 42, 9, 1, 28)]
    if mode == "merged":
        a = outputs(rm.load_model(model, sys.argv[4]), ids)
        b = outputs(rm.load_model(sys.argv[5]), ids)
        worst = max(float(np.max(np.abs(x - y)) / max(float(np.max(np.abs(x))), 1e-30)) for x, y in zip(a, b))
        print(json.dumps({"max_rel": worst}))
    elif mode == "load":
        a = outputs(rm.load_model(model, sys.argv[4]), ids)
        b = outputs(rm.load_model(model), ids)
        print(json.dumps({"max_change": float(np.max(np.abs(a[-1] - b[-1])))}))
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
