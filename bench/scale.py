#!/usr/bin/env python3
"""Corpus-scale benchmark for `standpoint score`: memory stays bounded and time grows linearly.

Generates corpora of N articles (deterministic, from the team's own templates; about 1.4 KB each,
seven languages, one article in four carrying a quoted statement), runs the real pipeline on each
size one after another (with `--attribution rules`; bench/attribution.py measures what the
learned tagger adds), and records wall time, articles/s, statements, peak RSS (the run's own ru_maxrss) and CPU
utilisation (user + system time / wall / cores). Writes bench/results/scale.json.

    bench/scale.py                    # 10k, 50k, 200k articles (about 20 minutes on 2 cores)
    bench/scale.py 2000 8000          # other sizes
    bench/scale.py 2000 --baseline OTHER_BINARY   # each size on another build first, then this
                                                  # one (writes bench/results/scale-vs-baseline.json)

Run nothing else meanwhile: on 2 cores any other job makes the figures meaningless.
"""
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/standpoint"
WORK = ROOT / ".cache/bench-scale"

FILLER = {
    "en": "Officials met again on Tuesday to review the schedule for the coming months. The talks covered transport, energy and the budget, and a further round is planned for next week. Local businesses were watching the negotiations closely. ",
    "de": "Die Vertreter trafen sich am Dienstag erneut, um den Zeitplan für die kommenden Monate zu prüfen. Es ging um Verkehr, Energie und den Haushalt; eine weitere Runde ist für die nächste Woche geplant. ",
    "fr": "Les responsables se sont de nouveau réunis mardi pour examiner le calendrier des prochains mois. Les discussions ont porté sur les transports, l'énergie et le budget. ",
    "es": "Los responsables volvieron a reunirse el martes para revisar el calendario de los próximos meses. Las conversaciones abordaron el transporte, la energía y el presupuesto. ",
    "it": "I funzionari si sono riuniti di nuovo martedì per esaminare il calendario dei prossimi mesi. I colloqui hanno riguardato trasporti, energia e bilancio. ",
    "ru": "Представители сторон во вторник вновь встретились, чтобы обсудить график на ближайшие месяцы. Речь шла о транспорте, энергетике и бюджете. ",
    "uk": "Представники сторін у вівторок знову зустрілися, щоб обговорити графік на найближчі місяці. Йшлося про транспорт, енергетику та бюджет. ",
}
QUOTES = {
    "en": '"We will not accept new tariffs on our exports," the {adj} trade ministry said on Monday.',
    "de": "„Wir lehnen neue Zölle auf unsere Exporte ab“, sagte ein Sprecher der Regierung in {cap}.",
    "fr": "« Nous n'accepterons pas de nouveaux droits de douane », a déclaré le gouvernement à {cap}.",
    "es": "«No aceptaremos nuevos aranceles a nuestras exportaciones», afirmó el Gobierno en {cap}.",
    "it": "«Non accetteremo nuovi dazi sulle nostre esportazioni», ha dichiarato il governo a {cap}.",
    "ru": "«Мы не примем новые пошлины на наш экспорт», — заявили в правительстве.",
    "uk": "«Ми не приймемо нових мит на наш експорт», — заявили в уряді.",
}
PLACES = [("French", "Paris"), ("German", "Berlin"), ("Italian", "Rome"), ("Spanish", "Madrid"), ("Polish", "Warsaw")]


def machine():
    """The machine a figure comes from: CPU model, cores and the features libtorch's kernels
    choose their code by (bf16 and AMX kernels make different figures and last bits)."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = line.split(":", 1)[1].split()
                break
    except OSError:
        pass
    relevant = ["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16"]
    return {"cpu": model, "cores": os.cpu_count(), "cpu_features": [f for f in relevant if f in flags]}


def corpus(n):
    path = WORK / f"corpus-{n}.jsonl"
    if path.is_file():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(n)
    langs = sorted(FILLER)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            lang = langs[i % len(langs)]
            adj, cap = rng.choice(PLACES)
            parts = [FILLER[lang]] * 6
            if i % 4 == 0:
                parts.insert(rng.randrange(len(parts)), QUOTES[lang].format(adj=adj, cap=cap) + " ")
            text = "".join(parts).strip() + f" ({i})"
            f.write(json.dumps({"id": f"a{i}", "lang": lang, "date": f"2026-03-{1 + i % 28:02d}", "text": text}, ensure_ascii=False) + "\n")
    return path


def run(n, extra=(), name=None, binary=BIN):
    """One `standpoint score` run of `binary` on the n-article corpus, with `extra` flags.

    Peak RSS and CPU time are this run's own, from wait4 (RUSAGE_CHILDREN's ru_maxrss is the
    largest of every child so far, so it would carry one run's peak into the next)."""
    path = corpus(n)
    out = WORK / f"out-{name or n}"
    cmd = [str(binary), "score", str(path), "--out", str(out), "--quiet", "--target", "new tariffs", *extra]
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 2):
            stderr.seek(0)
            sys.exit(f"standpoint failed on {n} articles: {stderr.read().decode()[-2000:]}")
    report = json.loads((out / "report.json").read_text())
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024
    timings = report["run"].get("timings", {})
    return {
        "articles": n,
        "bytes": path.stat().st_size,
        "statements": report["totals"]["statements"],
        "wall_s": round(wall, 1),
        "pipeline_s": timings.get("pipeline_s"),
        "articles_per_s": round(n / wall, 1),
        "peak_rss_mib": round(peak, 1),
        "cpu_utilisation": round(cpu / wall / os.cpu_count(), 3),
    }


def write(path, result):
    """Writes `result` as indented JSON to `path`, making its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


def save(name, result):
    """Writes `result` (with the machine it was measured on) to bench/results/NAME.json."""
    write(ROOT / f"bench/results/{name}.json", {"machine": machine(), **result})


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, help="corpus sizes in articles (10000 50000 200000)")
    parser.add_argument("--baseline", type=Path, help="another standpoint binary, run right before this one at every size")
    args = parser.parse_args()
    sizes = args.sizes or [10_000, 50_000, 200_000]
    binaries = ([("baseline", args.baseline)] if args.baseline else []) + [("this", BIN)]
    for _, binary in binaries:
        subprocess.run([str(binary), "--version"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    for n in sizes:
        for which, binary in binaries:
            # The rules alone: the tagger's cost has its own benchmark (bench/attribution.py).
            row = {"binary": which, **run(n, ["--attribution", "rules"], name=f"{n}-{which}", binary=binary)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    this = [r for r in rows if r["binary"] == "this"]
    small, large = this[0], this[-1]
    per_article = lambda r: (r["pipeline_s"] or r["wall_s"]) / r["articles"]
    result = {
        "runs": rows,
        "baseline": str(args.baseline) if args.baseline else None,
        "linearity": {
            "pipeline_seconds_per_article_ratio_largest_to_smallest": round(per_article(large) / per_article(small), 3),
            "note": "1.0 is perfectly linear; model loading is outside pipeline_s (this build's runs)",
        },
        "peak_rss_mib_max": max(r["peak_rss_mib"] for r in this),
    }
    save("scale-vs-baseline" if args.baseline else "scale", result)
    print(json.dumps(result["linearity"]), f"peak RSS {result['peak_rss_mib_max']} MiB")


if __name__ == "__main__":
    main()
