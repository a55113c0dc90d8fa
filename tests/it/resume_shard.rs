//! Runs that are killed (SIGKILL, at seeded random moments) and resumed, and runs split into
//! shards and merged, write exactly what one uninterrupted run writes — no article lost or
//! duplicated.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use standpoint::heads::fitting::Rng;

use crate::common::root;

const OUTPUTS: [&str; 5] = ["articles.jsonl", "quotes.jsonl", "report.json", "actors.csv", "report.html"];

fn corpus(dir: &Path) -> PathBuf {
    // The demo corpus three times over under new ids, with a few bad lines between.
    let demo = std::fs::read_to_string(root().join("datasets/demo/articles.jsonl")).unwrap();
    let mut out = String::new();
    for round in 0..3 {
        for line in demo.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["id"] = format!("{}-r{round}", v["id"].as_str().unwrap()).into();
            out.push_str(&v.to_string());
            out.push('\n');
        }
        out.push_str("not json\n{\"id\": \"demo-en-01-r0\", \"text\": \"duplicate\"}\n");
    }
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, out).unwrap();
    path
}

fn command(corpus: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_standpoint"));
    cmd.arg("score")
        .arg(corpus)
        .args(["--target", "the carbon border tax", "--chunk", "5", "--no-timings", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn assert_same_outputs(a: &Path, b: &Path, what: &str) {
    for f in OUTPUTS {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(x == y, "{what}: {f} differs from the uninterrupted run's");
    }
}

#[test]
fn killed_and_resumed_runs_and_merged_shards_equal_one_run() {
    let tmp = std::env::temp_dir().join(format!("standpoint-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let corpus = corpus(&tmp);
    let whole = tmp.join("whole");
    let started = std::time::Instant::now();
    let status = command(&corpus, &whole, &[]).status().unwrap();
    let full_run = started.elapsed();
    assert_eq!(status.code(), Some(2), "the bad lines fail");
    let lines = std::fs::read_to_string(&corpus).unwrap().lines().count();
    assert_eq!(std::fs::read_to_string(whole.join("articles.jsonl")).unwrap().lines().count(), lines);

    // Kill at random moments within a full run's duration (model loading, mid-chunk, while
    // writing), three times per trial, then let the last resume finish.
    let mut rng = Rng::new(2026);
    for trial in 0..2 {
        let out = tmp.join(format!("killed-{trial}"));
        let mut kills = 0;
        for attempt in 0..4 {
            let mut child = command(&corpus, &out, &["--resume"]).spawn().unwrap();
            if attempt < 3 {
                std::thread::sleep(full_run.mul_f64(0.1 + 0.6 * rng.uniform()));
                if child.try_wait().unwrap().is_none() {
                    child.kill().unwrap(); // SIGKILL
                    child.wait().unwrap();
                    kills += 1;
                    continue;
                }
            }
            let status = child.wait().unwrap();
            assert_eq!(status.code(), Some(2), "trial {trial} after {kills} kills");
            break;
        }
        assert!(kills > 0, "trial {trial} was never interrupted");
        assert_same_outputs(&whole, &out, &format!("resumed after {kills} kills"));
    }

    // Two shards, run at the same time, merged.
    let parts: Vec<PathBuf> = (0..2).map(|k| tmp.join(format!("part{k}"))).collect();
    let children: Vec<_> = parts.iter().enumerate().map(|(k, p)| command(&corpus, p, &["--shard", &format!("{k}/2")]).spawn().unwrap()).collect();
    for mut c in children {
        c.wait().unwrap();
    }
    let merged = tmp.join("merged");
    let status = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .arg("merge")
        .args(&parts)
        .args(["--no-timings", "--out"])
        .arg(&merged)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
    assert_same_outputs(&whole, &merged, "merged shards");

    // A shard missing is refused, not silently merged.
    let refused = Command::new(env!("CARGO_BIN_EXE_standpoint")).arg("merge").arg(&parts[0]).args(["--out"]).arg(tmp.join("x")).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("every shard"));
    let _ = std::fs::remove_dir_all(&tmp);
}
