#!/usr/bin/env python3
"""What relevance costs: `standpoint score` on one corpus with and without the relevance model.

Runs the real pipeline on bench/scale.py's generated corpus (deterministic, seven languages in
turn, about 1.4 KB an article, one target) twice, one run after the other: `--no-relevance`
(every statement counts toward every target) and the default (P(about the target) from
models/heads/relevance). Both with `--attribution rules`, so that the difference is relevance
alone. Records wall time, articles/s, statements and peak RSS in bench/results/relevance.json.

    bench/relevance.py            # 1,400 articles (about 4 minutes on 2 cores)
    bench/relevance.py 700

Run nothing else meanwhile: on 2 cores any other job makes the figures meaningless.
"""
import argparse
import json

import scale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="?", type=int, default=1400)
    n = parser.parse_args().articles
    rows = []
    for label, extra in [("no-relevance", ["--no-relevance"]), ("relevance", [])]:
        row = scale.run(n, ["--attribution", "rules", *extra], f"relevance-{label}-{n}")
        row["relevance"] = label
        rows.append(row)
        print(json.dumps(row), flush=True)
    scale.save("relevance", {"runs": rows})


if __name__ == "__main__":
    main()
