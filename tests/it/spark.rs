//! The Apache Spark recipe (examples/spark_score.py) with two local executors on a small corpus:
//! the merged report equals a single-process run's, byte for byte.

use std::process::Command;

use crate::common::root;

#[test]
fn spark_recipe_with_two_executors_equals_one_process() {
    let python = root().join(".venv-spark/bin/python");
    if !python.is_file() {
        let message = "no .venv-spark: run scripts/spark-env (the README's test command does) for the Spark test";
        assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "{message} (required when CI=true)");
        eprintln!("skipped: {message}");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("standpoint-spark-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let corpus = root().join("datasets/demo/articles.jsonl");
    let args = ["--target", "the carbon border tax", "--chunk", "4", "--no-timings"];
    let spark = Command::new(&python)
        .arg(root().join("examples/spark_score.py"))
        .arg(&corpus)
        .arg("--out")
        .arg(tmp.join("spark"))
        .args(["--shards", "2", "--master", "local[2]", "--standpoint", env!("CARGO_BIN_EXE_standpoint"), "--"])
        .args(args)
        .output()
        .unwrap();
    assert!(spark.status.success(), "the Spark recipe failed: {}", String::from_utf8_lossy(&spark.stderr));
    let single = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .arg("score")
        .arg(&corpus)
        .args(args)
        .arg("--out")
        .arg(tmp.join("single"))
        .output()
        .unwrap();
    assert!(single.status.success());
    for f in ["articles.jsonl", "quotes.jsonl", "report.json", "actors.csv", "report.html"] {
        let (a, b) = (std::fs::read(tmp.join("spark").join(f)).unwrap(), std::fs::read(tmp.join("single").join(f)).unwrap());
        assert!(a == b, "{f}: the Spark run differs from the single process");
    }
    let parts = std::fs::read_dir(tmp.join("spark/parts")).unwrap().count();
    assert_eq!(parts, 2, "two Standpoint processes did the work");
    let _ = std::fs::remove_dir_all(&tmp);
}
