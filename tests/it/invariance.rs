//! The numbers do not depend on how the work is cut: one process with default threads, one
//! thread for everything, and three concurrent shards at another chunk size merged all write the
//! same five files, byte for byte (timings aside). Each article is batched by itself and every
//! pass runs its kernels on one thread (`standpoint::runtime`), so neither its batch mates nor
//! the thread count reach a statement's scores.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{read_jsonl, root};

const OUTPUTS: [&str; 5] = ["articles.jsonl", "quotes.jsonl", "report.json", "actors.csv", "report.html"];

/// The shipped tagger with its `auto` choice set to English only, so that one corpus runs both
/// finders whatever the shipped choice is: the tagger for English, the rules for the rest.
fn english_only_tagger(dir: &Path) -> PathBuf {
    let shipped = root().join("models/tagger");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(shipped.join("tagger.safetensors"), dir.join("tagger.safetensors")).unwrap();
    let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(shipped.join("tagger.json")).unwrap()).unwrap();
    meta["auto"] = serde_json::json!({"languages": {"en": "learned"}, "otherwise": "rules", "measured": null, "rule": "test: English only"});
    std::fs::write(dir.join("tagger.json"), serde_json::to_vec_pretty(&meta).unwrap()).unwrap();
    dir.to_owned()
}

fn score(out: &Path, tagger: &Path, extra: &[&str], one_thread_env: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_standpoint"));
    cmd.arg("score")
        .arg(root().join("datasets/demo/articles.jsonl"))
        .args(["--target", "the carbon border tax", "--target", "the European Union", "--no-timings", "--quiet", "--tagger"])
        .arg(tagger)
        .arg("--out")
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if one_thread_env {
        cmd.env("OMP_NUM_THREADS", "1").env("MKL_NUM_THREADS", "1");
    }
    cmd
}

fn ok(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn outputs_are_identical_whatever_the_threads_chunks_and_shards() {
    let tmp = std::env::temp_dir().join(format!("standpoint-invariance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let dir = |name: &str| -> PathBuf { tmp.join(name) };
    let tagger = english_only_tagger(&dir("tagger"));

    ok(&mut score(&dir("default"), &tagger, &[], false), "the default run");
    ok(&mut score(&dir("one-thread"), &tagger, &["--threads", "1", "--chunk", "1"], true), "the one-thread run");
    ok(&mut score(&dir("chunk7"), &tagger, &["--threads", "2", "--chunk", "7"], false), "the --chunk 7 run");
    let parts: Vec<PathBuf> = (0..3).map(|k| dir(&format!("part{k}"))).collect();
    let children: Vec<_> = parts
        .iter()
        .enumerate()
        .map(|(k, p)| score(p, &tagger, &["--chunk", "3", "--shard", &format!("{k}/3")], true).spawn().unwrap())
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a shard failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    ok(Command::new(env!("CARGO_BIN_EXE_standpoint")).arg("merge").args(&parts).arg("--no-timings").arg("--out").arg(dir("merged")), "merge");

    // The corpus exercises every model: the tagger (English) and the rules (the other six
    // languages), stance toward two targets, stance toward addressed actors, tone.
    let articles = read_jsonl(&dir("default").join("articles.jsonl"));
    let finders: std::collections::BTreeSet<&str> = articles.iter().filter_map(|a| a["attribution"].as_str()).collect();
    assert_eq!(finders, ["learned", "rules"].into_iter().collect(), "both finders ran");
    let quotes = read_jsonl(&dir("default").join("quotes.jsonl"));
    assert!(quotes.iter().any(|q| !q["toward"].as_array().unwrap().is_empty()), "some statement addresses an actor");
    assert!(quotes.iter().all(|q| q["stance"].as_array().unwrap().len() == 2), "every statement is scored toward both targets");

    for other in ["one-thread", "chunk7", "merged"] {
        for f in OUTPUTS {
            let (a, b) = (std::fs::read(dir("default").join(f)).unwrap(), std::fs::read(dir(other).join(f)).unwrap());
            assert!(a == b, "{f}: the {other} run differs from the default run");
        }
    }
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(dir("default").join("report.json")).unwrap()).unwrap();
    let numerics = &report["run"]["numerics"];
    assert_eq!(numerics["kernel_threads"], 1, "{numerics}");
    assert!(matches!(numerics["precision"].as_str(), Some("bf16" | "f32")), "{numerics}");
    assert!(report["run"].get("execution").is_none(), "--no-timings leaves out how the run was cut");
    let _ = std::fs::remove_dir_all(&tmp);
}
