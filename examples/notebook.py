# %% [markdown]
# # Standpoint output in pandas
#
# Loads a `standpoint score` output folder into pandas and plots each actor's stance toward the
# run's first target with its 95% interval. Runs as a script (`python examples/notebook.py
# out/demo`) or cell by cell in Jupyter/VS Code (the `# %%` markers).
#
#     standpoint score datasets/demo/articles.jsonl --out out/demo --target "the carbon border tax"
#     python examples/notebook.py out/demo        # writes out/demo/stance.png

# %%
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/demo")
# Minor versions only add fields: any 1.x reads the same.
SCHEMA_MAJOR = "1."

# %% [markdown]
# ## One row per statement
# `quotes.jsonl` nests the actor, tone and per-target stance; `json_normalize` flattens them
# (`actor.id`, `tone.score`, …), and the stance list becomes one column per target.

# %%
lines = [json.loads(l) for l in (out / "quotes.jsonl").open(encoding="utf-8") if l.strip()]
assert all(l["schema_version"].startswith(SCHEMA_MAJOR) for l in lines), "written by another major schema version"
quotes = pd.json_normalize(lines)
for i, target in enumerate(json.loads((out / "report.json").read_text(encoding="utf-8"))["targets"]):
    quotes[f"stance: {target}"] = [l["stance"][i]["score"] for l in lines]
    # P(the statement is about the target), and whether the aggregates counted it
    quotes[f"relevance: {target}"] = [l["stance"][i]["relevance"] for l in lines]
    quotes[f"counted: {target}"] = [l["stance"][i]["counted"] for l in lines]
print(quotes[["article_id", "actor.id", "kind", "tone.score"]].head(10).to_string())

# %% [markdown]
# ## The report's per-actor aggregates

# %%
report = json.loads((out / "report.json").read_text(encoding="utf-8"))
assert report["schema_version"].startswith(SCHEMA_MAJOR)
actors = pd.DataFrame(
    [
        {
            "actor": a["name"],
            "id": a["id"],
            "statements": a["statements"],
            "tone": a["tone"]["mean"],
            **(
                {
                    "stance": a["stance"][0]["mean"],
                    "low": a["stance"][0]["ci95"][0],
                    "high": a["stance"][0]["ci95"][1],
                    "about": a["stance"][0]["n"],
                    "left_out": a["stance"][0]["left_out"],
                }
                if a["stance"]
                else {}
            ),
        }
        for a in report["actors"]
    ]
)
print(actors.head(15).to_string())

# The aggregates agree with the statements they come from: tone over all of an actor's
# statements, stance over those counted as about the target.
for _, row in actors.iterrows():
    mine = quotes[quotes["actor.id"] == row["id"]]
    assert len(mine) == row["statements"], row["id"]
    assert abs(mine["tone.score"].mean() - row["tone"]) < 1e-3, row["id"]
    if report["targets"]:
        target = report["targets"][0]
        about = mine[mine[f"counted: {target}"]]
        assert len(about) == row["about"] and len(mine) - len(about) == row["left_out"], row["id"]
        if len(about):
            assert abs(about[f"stance: {target}"].mean() - row["stance"]) < 1e-3, row["id"]

# %% [markdown]
# ## What the stance aggregates left out
# Per target, the statements the relevance model read as not about it, closest calls first.

# %%
for left in report["not_about"]:
    print(f"“{left['target']}”: {left['statements']} statements left out")
    print(pd.DataFrame([{"actor": l["actor"], "relevance": l["relevance"], "statement": l["content"]["text"][:80]} for l in left["closest"]]).to_string())

# %% [markdown]
# ## Who criticises or backs whom
# Each relation counts the statements of `from` in which the relation model reads an attitude
# toward `to` (`toward[].attitude.counted`); `left_out` are those that only name it.

# %%
relations = pd.DataFrame(
    [
        {"from": r["from"]["id"], "to": r["to"]["id"], "statements": r["statements"], "left_out": r["left_out"],
         "stance": r["stance"]["mean"], "reading": r["polarity"]}
        for r in report["relations"]
    ]
)
print(relations.head(15).to_string())
pairs = [(l["actor"]["id"] if l["actor"] else None, t) for l in lines for t in l["toward"]]
for _, r in relations.iterrows():
    mine = [t for a, t in pairs if a == r["from"] and t["actor"]["id"] == r["to"]]
    counted = [t for t in mine if t.get("attitude", {"counted": True})["counted"]]
    assert len(counted) == r["statements"] and len(mine) - len(counted) == r["left_out"], (r["from"], r["to"])

# %% [markdown]
# ## Stance per actor, with 95% intervals

# %%
if "stance" in actors:
    actors = actors[actors["about"] > 0]  # actors with no statement about the target have no stance
    top = actors.sort_values("statements", ascending=False).head(15).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(top) + 1.2))
    ax.errorbar(
        top["stance"], range(len(top)),
        xerr=[top["stance"] - top["low"], top["high"] - top["stance"]],
        fmt="o", capsize=3,
    )
    ax.set_yticks(range(len(top)), top["actor"])
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel(f"stance toward “{report['targets'][0]}” (favour − against)")
    fig.tight_layout()
    fig.savefig(out / "stance.png", dpi=120)
    print(f"wrote {out / 'stance.png'}")
