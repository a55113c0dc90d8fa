#!/usr/bin/env python3
"""Where `standpoint embed` spends its time: a `perf` sample of the real binary, by kind of work.

Runs `standpoint embed bench/sentences.jsonl` (bf16 where the CPU has it, the default) under
`perf record -e cpu-clock` and sums the samples by what the code does: the matrix products
and GELU (oneDNN's generated code, which runs both in bf16), Standpoint's attention kernel,
layer norms, element-wise copies and adds, tokenisation, memory and the kernel, and the rest. Unlike
`bench/encoder_ops.py` (the forward pass restated in PyTorch) this profiles the binary itself,
attention kernel included. Needs `perf`; run nothing else meanwhile.

    bench/embed_profile.py                 # this build, 2 threads
    bench/embed_profile.py --threads 1 --binary OTHER_BINARY

Writes bench/results/embed_profile.json.
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

import scale

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# First match wins; a symbol that matches none is "other". oneDNN's generated (JIT) code has no
# symbol: perf files it under a "[JIT]" object. The whole process is sampled, loading the model
# (about 15% of the run) included.
KINDS = [
    ("attention (Standpoint's kernel)", r"standpoint::model::attention"),
    ("attention (libtorch)", r"flash_attention|scaled_dot_product|_softmax"),
    ("layer norm", r"LayerNorm|layer_norm|RowwiseMoments"),
    ("copies and casts", r"direct_copy|copy_kernel|reduced_float_copy|contiguous"),
    ("element-wise add", r"add_kernel"),
    ("oneDNN: matrix products and GELU", r"^\[JIT\]$|dnnl|mkldnn|brgemm|jit_|gemm|mkl_|addmm|matmul|gelu"),
    ("tokenisation", r"tokenizers::|onig|regex"),
    ("loading the model", r"normal_kernel|uniform_kernel|CPUGeneratorImpl|_dl_|safetensors"),
    ("memory and kernel", r"^\[k\]|malloc|free|memset|memmove|memcpy|page"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "standpoint"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "embed_profile.json"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        cmd = [args.binary, "embed", os.path.join(HERE, "sentences.jsonl"), "-o", os.devnull, "--threads", str(args.threads), "--timings"]
        run = subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", "999", "-o", data, *cmd], capture_output=True, text=True, check=True)
        timings = next((json.loads(l) for l in reversed(run.stderr.splitlines()) if l.startswith("{")), {})
        report = subprocess.run(
            ["perf", "report", "-i", data, "--no-children", "-n", "--sort", "dso,symbol", "--stdio"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    samples = {name: 0 for name, _ in KINDS}
    samples["other"] = 0
    for line in report.splitlines():
        m = re.match(r"\s+[0-9.]+%\s+(\d+)\s+(.*?)\s+\[([.k])\]\s+(.*)", line)
        if not m:
            continue
        count, dso, space, symbol = int(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
        label = "[k] " + symbol if space == "k" else ("[JIT]" if dso.startswith("[JIT]") else symbol)
        kind = next((name for name, pattern in KINDS if re.search(pattern, label)), "other")
        samples[kind] += count
    total = max(1, sum(samples.values()))
    shares = {k: 100.0 * v / total for k, v in samples.items()}
    result = {
        "benchmark": "where standpoint embed spends its time (perf cpu-clock samples)",
        "command": " ".join(["standpoint", "embed", "bench/sentences.jsonl", "--threads", str(args.threads)]),
        "machine": scale.machine(),
        "embed_s": timings.get("embed_s"),
        "samples": total,
        "percent_of_samples": {k: round(v, 1) for k, v in sorted(shares.items(), key=lambda kv: -kv[1])},
    }
    scale.write(args.out, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
