#!/usr/bin/env python3
"""What the learned attribution tagger costs: `standpoint score` on one corpus with each finder.

Runs the real pipeline on the same generated corpus (bench/scale.py's: deterministic, seven
languages in turn, about 1.4 KB an article) once per `--attribution` choice, one after another,
and records wall time, articles/s, text MB/s, statements and peak RSS in
bench/results/attribution.json:

- rules:   the cue reader only (the transformer scores statements, nothing else);
- auto:    per language what the tagger's measured figures choose (`auto` in tagger.json; the
           shipped tagger takes every first-class language, a tagger without it English only);
- learned: the tagger on every article.

    bench/attribution.py            # 1,400 articles (about 5 minutes on 2 cores)
    bench/attribution.py 700
    bench/attribution.py 1400 --baseline OTHER_BINARY   # side by side with another build
    bench/attribution.py 700 --baseline OTHER_BINARY --baseline-tagger OLD_TAGGER_DIR

With `--baseline`, each choice runs on the other build (an earlier commit's, say) right before
this one, on the same corpus and models, and each row names its binary; `--baseline-tagger`
gives that build the tagger it shipped with (a build reads only the tagger.json it knows).

Run nothing else meanwhile: on 2 cores any other job makes the figures meaningless.
"""
import argparse
import json
import subprocess
from pathlib import Path

import scale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="?", type=int, default=1400)
    parser.add_argument("--baseline", type=Path, help="another standpoint binary to run beside this one")
    parser.add_argument("--baseline-tagger", type=Path, help="the tagger directory the baseline binary reads")
    args = parser.parse_args()
    n = args.articles
    binaries = ([("baseline", args.baseline)] if args.baseline else []) + [("this", scale.BIN)]
    for _, binary in binaries:
        subprocess.run([str(binary), "--version"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    for finder in ["rules", "auto", "learned"]:
        for which, binary in binaries:
            extra = ["--attribution", finder]
            if which == "baseline" and args.baseline_tagger:
                extra += ["--tagger", str(args.baseline_tagger)]
            row = scale.run(n, extra, f"attribution-{finder}-{n}-{which}", binary)
            row["attribution"] = finder
            row["text_mb_per_s"] = round(row["bytes"] / 1e6 / row["wall_s"], 3)
            if args.baseline:
                row["binary"] = which if which == "this" else str(binary)
                if which == "baseline" and args.baseline_tagger:
                    row["tagger"] = str(args.baseline_tagger)
            rows.append(row)
            print(json.dumps(row), flush=True)
    scale.save("attribution", {"runs": rows})


if __name__ == "__main__":
    main()
