//! Stance and tone heads on the multilingual encoder: training (`standpoint train`) and
//! measurement (`standpoint eval --task sentiment|target-sentiment|stance`).
//!
//! - [`labelled`] reads the shared datasets' schema;
//! - [`features`] turns texts (and targets) into head inputs through the batching layer;
//! - [`head`] is the classifier, its training, calibration and storage;
//! - [`metrics`] computes macro-F1, accuracy, per label, per language and ECE.

pub mod features;
pub mod head;
pub mod labelled;
pub mod metrics;
pub mod tuned;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::model::{BatchConfig, Encoder, ModelError};
pub use head::{Head, HeadConfig};
pub use labelled::{Example, Task};

#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} line {line}: {source}")]
    Json { path: String, line: usize, source: serde_json::Error },
    #[error("{0}")]
    Data(String),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
}

fn inputs_for(encoder: &Encoder, task: Task, examples: &[Example], batch: &BatchConfig, cache: Option<&Path>) -> Result<Vec<f32>, HeadError> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let targets: Vec<Option<&str>> = examples.iter().map(|e| e.target.as_deref()).collect();
    features::inputs(encoder, task, &texts, &targets, batch, cache)
}

fn gold(task: Task, examples: &[Example]) -> Vec<usize> {
    examples
        .iter()
        .map(|e| task.labels().iter().position(|l| Some(*l) == e.label.as_deref()).expect("reader kept only known labels"))
        .collect()
}

fn file_record(paths: &[PathBuf]) -> Result<Vec<Value>, HeadError> {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).map_err(|source| HeadError::Io { path: p.display().to_string(), source })?;
            let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            Ok(json!({"file": p.file_name().map(|f| f.to_string_lossy().into_owned()), "sha256": hash}))
        })
        .collect()
}

/// Predictions and metrics of `head` on labelled examples.
pub fn evaluate(
    encoder: &Encoder,
    head: &Head,
    examples: &[Example],
    batch: &BatchConfig,
    cache: Option<&Path>,
) -> Result<(Value, Vec<Vec<f32>>), HeadError> {
    let task = head.meta.task;
    let x = inputs_for(encoder, task, examples, batch, cache)?;
    let probs = head.probabilities(&x)?;
    let labels: Vec<&str> = head.meta.labels.iter().map(String::as_str).collect();
    let langs: Vec<Option<String>> = examples.iter().map(|e| e.lang.clone()).collect();
    Ok((metrics::report(&labels, &gold(task, examples), &probs, &langs), probs))
}

/// Writes `{"id", "label", "probs"}` lines.
pub fn write_predictions(out: impl Write, head: &Head, examples: &[Example], probs: &[Vec<f32>]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    for (e, p) in examples.iter().zip(probs) {
        let by_label: serde_json::Map<String, Value> = head.meta.labels.iter().zip(p).map(|(l, v)| (l.clone(), json!(v))).collect();
        let line = json!({"id": e.id, "label": head.meta.labels[metrics::argmax(p)], "probs": by_label});
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// Trains a head and returns it with its run record (data, hyper-parameters, dev metrics).
pub fn train(
    encoder: &Encoder,
    task: Task,
    data: &[PathBuf],
    dev: &[PathBuf],
    config: &HeadConfig,
    batch: &BatchConfig,
    cache: Option<&Path>,
) -> Result<Head, HeadError> {
    let (train_examples, skipped_train) = labelled::read(data, task)?;
    let (dev_examples, skipped_dev) = labelled::read(dev, task)?;
    let x = inputs_for(encoder, task, &train_examples, batch, cache)?;
    let y = gold(task, &train_examples);
    let mut head = Head::train(
        task,
        &x,
        &y,
        config,
        encoder.profile.source.clone().unwrap_or_else(|| encoder.dir.display().to_string()),
        format!("{:?}", encoder.precision).to_lowercase(),
    )?;
    let (dev_metrics, _) = evaluate(encoder, &head, &dev_examples, batch, cache)?;
    head.meta.record = json!({
        "train": {"files": file_record(data)?, "examples": train_examples.len(), "skipped": skipped_train},
        "dev": {"files": file_record(dev)?, "examples": dev_examples.len(), "skipped": skipped_dev, "metrics": dev_metrics},
    });
    Ok(head)
}
