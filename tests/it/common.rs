use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use standpoint::model::{Encoder, Precision};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn model_dir() -> PathBuf {
    let dir = root().join("models/multilingual-e5-small");
    assert!(
        dir.join("model.safetensors").is_file(),
        "{} is missing: run scripts/setup (the README's test command does) before cargo test",
        dir.display()
    );
    dir
}

/// The real encoder in the given arithmetic, loaded once for the whole test binary.
pub fn encoder_in(precision: Precision) -> MutexGuard<'static, Encoder> {
    static F32: OnceLock<Mutex<Encoder>> = OnceLock::new();
    static BF16: OnceLock<Mutex<Encoder>> = OnceLock::new();
    let cell = match precision {
        Precision::F32 => &F32,
        Precision::Bf16 => &BF16,
        Precision::Auto => return encoder_in(precision.resolve()),
    };
    cell.get_or_init(|| Mutex::new(Encoder::load(&model_dir(), precision).expect("the converted model loads")))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The encoder as the product runs it by default.
pub fn encoder() -> MutexGuard<'static, Encoder> {
    encoder_in(Precision::Auto)
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture lines are JSON"))
        .collect()
}

pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

pub fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number") as f32).collect()
}

/// A file from the shared folder beside the checkout (`../shared`), which users who clone the
/// repo do not have. Missing: a plain "skipped" note, or a failure when `CI=true`.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = root().join("..").join("shared").join(relative);
    if path.is_file() {
        return Some(path);
    }
    let message = format!("{} is missing: this test evaluates on ../shared data", path.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message} (required when CI=true)");
    }
    eprintln!("skipped: {message}");
    None
}

/// Runs the real binary and parses its JSONL output.
pub fn run_jsonl(args: &[&str]) -> Vec<serde_json::Value> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary starts");
    assert!(out.status.success(), "standpoint {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}
