"""Standpoint on Apache Spark: the corpus is scored by N Standpoint processes, one per Spark
task, each taking a deterministic share (`--shard K/N`), and their outputs are merged into
exactly the report one process would write (`standpoint merge`).

    scripts/spark-env                      # PySpark from PyPI (local mode needs only Java)
    .venv-spark/bin/python examples/spark_score.py corpus.jsonl --out out/spark --shards 4 \
        --master 'local[2]' -- --target "the carbon border tax"

On a cluster, give --master your cluster's URL and put the corpus, the Standpoint checkout
(binary and models/) and the output folder on storage every executor sees. Each task reads the
whole corpus but scores only its chunks, so positions, duplicate-id checks and chunking are the
same as in one run; arguments after `--` go to every `standpoint score`.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parent.parent


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", help="corpus files or folders (as for standpoint score)")
    p.add_argument("--out", required=True, help="folder for the merged outputs; shards go to OUT/parts/")
    p.add_argument("--shards", type=int, default=2, help="Standpoint processes (Spark tasks)")
    p.add_argument("--master", default="local[2]", help="Spark master (default local[2]: two local executors)")
    p.add_argument("--standpoint", default=str(ROOT / "target/release/standpoint"), help="the standpoint binary")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = p.parse_args(argv[:cut])
    extra = argv[cut + 1 :]  # for every `standpoint score`
    inputs = [str(Path(i).resolve()) if i != "-" else i for i in args.inputs]
    out = Path(args.out).resolve()
    parts = [out / "parts" / f"part{k}" for k in range(args.shards)]

    spark = SparkSession.builder.master(args.master).appName("standpoint").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    binary, n = args.standpoint, args.shards

    def score_shard(k):
        # Runs on an executor: one Standpoint process for shard k of n. --resume makes a retried
        # task carry on where a failed attempt stopped.
        cmd = [binary, "score", *inputs, "--shard", f"{k}/{n}", "--out", str(parts[k]), "--quiet", "--resume", *extra]
        done = subprocess.run(cmd, capture_output=True, text=True)
        return k, done.returncode, done.stderr[-2000:]

    results = spark.sparkContext.parallelize(range(n), n).map(score_shard).collect()
    spark.stop()
    for k, code, err in sorted(results):
        if code not in (0, 2):  # 2: some articles failed, and are listed in the output
            sys.exit(f"shard {k}/{n} failed (exit {code}):\n{err}")
    merge = [binary, "merge", *map(str, parts), "--out", str(out)]
    if "--no-timings" in extra:
        merge.append("--no-timings")
    code = subprocess.run(merge).returncode
    sys.exit(code)


if __name__ == "__main__":
    main()
