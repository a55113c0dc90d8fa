#!/usr/bin/env python3
"""Where the encoder's time goes: Standpoint's inference forward pass, op for op, in PyTorch.

Runs the same libtorch operations as `src/model/bert_inference.rs` (query/key/value as one
product, `scaled_dot_product_attention`, one-kernel GELU, output projections accumulated onto
their residuals) on the converted e5-small in bf16, over bench/sentences.jsonl in length-sorted
batches, and either times it (best of three passes) or prints PyTorch's per-operator profile.
Variants show what each choice buys on this machine:

    $(scripts/reference-env) bench/encoder_ops.py                      # sentences/s, 1 thread
    $(scripts/reference-env) bench/encoder_ops.py --profile            # time per operator
    $(scripts/reference-env) bench/encoder_ops.py --attention matmul   # attention written out
    $(scripts/reference-env) bench/encoder_ops.py --residual add       # bias copy + separate add
    $(scripts/reference-env) bench/encoder_ops.py --threads 2 --batch 16

One kernel thread is the default because `standpoint` runs each batch on one thread, two batches
at a time on two cores. Run nothing else meanwhile.
"""
import argparse
import json
import os
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(os.path.dirname(HERE), "models", "multilingual-e5-small")
HEADS, EPS, MASKED = 12, 1e-12, -10000.0


def weights():
    w = {k.removeprefix("bert."): v.to(torch.bfloat16) for k, v in load_file(os.path.join(MODEL, "model.safetensors")).items()}
    layers = []
    for i in range(12):
        g = lambda n: w[f"encoder.layer.{i}.{n}"]
        qkv = [f"attention.self.{p}" for p in ("query", "key", "value")]
        layers.append({
            "qkv_w": torch.cat([g(p + ".weight") for p in qkv]), "qkv_b": torch.cat([g(p + ".bias") for p in qkv]),
            "o_w": g("attention.output.dense.weight"), "o_b": g("attention.output.dense.bias"),
            "n1_w": g("attention.output.LayerNorm.weight"), "n1_b": g("attention.output.LayerNorm.bias"),
            "u_w": g("intermediate.dense.weight"), "u_b": g("intermediate.dense.bias"),
            "d_w": g("output.dense.weight"), "d_b": g("output.dense.bias"),
            "n2_w": g("output.LayerNorm.weight"), "n2_b": g("output.LayerNorm.bias"),
        })
    return w, layers


def projection(x, w, b, residual, how):
    if how == "accumulate":  # residual + b, then x·Wᵀ added in place
        b_, t, h = residual.shape
        return (residual + b).view(b_ * t, h).addmm_(x.reshape(b_ * t, -1), w.t()).view(b_, t, h)
    return F.linear(x, w, b) + residual


def layer(x, mask, l, args):
    b, t, h = x.shape
    qkv = F.linear(x, l["qkv_w"], l["qkv_b"]).view(b, t, 3, HEADS, h // HEADS).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    if args.attention == "matmul":
        ctx = ((q @ k.transpose(-1, -2)) * (h // HEADS) ** -0.5 + mask).softmax(-1) @ v
    else:
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    ctx = ctx.transpose(1, 2).reshape(b, t, h)
    a = F.layer_norm(projection(ctx, l["o_w"], l["o_b"], x, args.residual), (h,), l["n1_w"], l["n1_b"], EPS)
    u = F.gelu(F.linear(a, l["u_w"], l["u_b"]))
    return F.layer_norm(projection(u, l["d_w"], l["d_b"], a, args.residual), (h,), l["n2_w"], l["n2_b"], EPS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--attention", choices=["sdpa", "matmul"], default="sdpa")
    ap.add_argument("--residual", choices=["accumulate", "add"], default="accumulate")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import tokenizers
    tok = tokenizers.Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
    texts = [json.loads(l)["text"] for l in open(os.path.join(HERE, "sentences.jsonl"), encoding="utf-8")]
    ids = sorted((e.ids[:512] for e in tok.encode_batch(["query: " + t for t in texts])), key=len, reverse=True)
    w, layers = weights()
    batches = [ids[i:i + args.batch] for i in range(0, len(ids), args.batch)]

    def run(rows):
        t = max(map(len, rows))
        x_ids = torch.tensor([r + [1] * (t - len(r)) for r in rows])
        m = torch.tensor([[1] * len(r) + [0] * (t - len(r)) for r in rows])
        x = F.embedding(x_ids, w["embeddings.word_embeddings.weight"]) + w["embeddings.position_embeddings.weight"][:t] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = F.layer_norm(x, (x.shape[-1],), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], EPS)
        mask = ((1.0 - m.float()) * MASKED).to(torch.bfloat16)[:, None, None, :]
        for l in layers:
            x = layer(x, mask, l, args)
        x, mm = x.float(), m[..., None].float()
        return (x * mm).sum(1) / mm.sum(1)

    with torch.inference_mode():
        run(batches[-1])
        if args.profile:
            from torch.profiler import ProfilerActivity, profile
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                for b in batches:
                    run(b)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))
            return
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for b in batches:
                run(b)
            best = min(best, time.perf_counter() - start)
    print(json.dumps({"threads": args.threads, "batch": args.batch, "attention": args.attention, "residual": args.residual,
                      "seconds": round(best, 2), "sentences_per_s": round(len(ids) / best, 1)}))


if __name__ == "__main__":
    main()
