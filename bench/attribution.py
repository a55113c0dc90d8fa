#!/usr/bin/env python3
"""What the learned attribution tagger costs: `standpoint score` on one corpus with each finder.

Runs the real pipeline on the same generated corpus (bench/scale.py's: deterministic, seven
languages in turn, about 1.4 KB an article) once per `--attribution` choice, one after another,
and records wall time, articles/s, text MB/s, statements and peak RSS in
bench/results/attribution.json:

- rules:   the cue reader only (the transformer scores statements, nothing else);
- auto:    the tagger on the English articles (one in seven here), the rules on the rest;
- learned: the tagger on every article.

    bench/attribution.py            # 1,400 articles (about 5 minutes on 2 cores)
    bench/attribution.py 700

Run nothing else meanwhile: on 2 cores any other job makes the figures meaningless.
"""
import json
import os
import subprocess
import sys

import scale


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1400
    subprocess.run([str(scale.BIN), "--version"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    for finder in ["rules", "auto", "learned"]:
        row = scale.run(n, ["--attribution", finder], f"attribution-{finder}-{n}")
        row["attribution"] = finder
        row["text_mb_per_s"] = round(row["bytes"] / 1e6 / row["wall_s"], 3)
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = {"machine": {"cores": os.cpu_count()}, "runs": rows}
    (scale.ROOT / "bench/results").mkdir(parents=True, exist_ok=True)
    (scale.ROOT / "bench/results/attribution.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
