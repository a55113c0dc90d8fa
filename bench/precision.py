#!/usr/bin/env python3
"""What each arithmetic costs: `standpoint score` on one corpus with each --precision, side by side.

Runs the real pipeline on bench/scale.py's generated corpus (deterministic, seven languages in
turn) once per precision, one after another, and records wall time, articles/s, peak RSS and how
far each run's numbers are from the earlier rows' (confidence, tone and stance scores per
statement) in bench/results/precision.json:

- bf16:         native bf16 kernels (AVX512-BF16 / AMX); `auto` picks it where the CPU has them;
- f32:          f32 kernels, each chosen by the CPU's features;
- f32-portable: f32 kernels held to their AVX2 code: the same numbers on any x86-64 CPU with AVX2.

    bench/precision.py          # 700 articles
    bench/precision.py 1400

Run nothing else meanwhile: on 2 cores any other job makes the figures meaningless.
"""
import argparse
import json

import scale


def numbers(out):
    """Every statement's confidence, tone and stance scores, in output order."""
    rows = []
    for line in (out / "quotes.jsonl").read_text().splitlines():
        q = json.loads(line)
        rows.append([q["confidence"], q["tone"]["score"]] + [s["score"] for s in q["stance"]])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="?", type=int, default=700)
    args = parser.parse_args()
    n = args.articles
    rows, seen = [], {}
    for precision in ["bf16", "f32", "f32-portable"]:
        name = f"precision-{precision}-{n}"
        row = scale.run(n, ["--precision", precision], name)
        out = scale.WORK / f"out-{name}"
        report = json.loads((out / "report.json").read_text())
        row["precision"] = precision
        row["numerics"] = report["run"]["numerics"]
        got = numbers(out)
        for other, theirs in seen.items():
            if len(got) == len(theirs):
                diffs = [max(abs(a - b) for a, b in zip(x, y)) for x, y in zip(got, theirs)]
                row[f"max_abs_diff_vs_{other}"] = round(max(diffs, default=0.0), 4)
                row[f"statements_differing_vs_{other}"] = sum(d > 0 for d in diffs)
            else:
                row[f"statements_vs_{other}"] = f"{len(got)} vs {len(theirs)}"
        seen[precision] = got
        rows.append(row)
        print(json.dumps(row), flush=True)
    scale.save("precision", {"runs": rows})


if __name__ == "__main__":
    main()
