//! Stance and tone heads on the multilingual encoder: training (`standpoint train`) and
//! measurement (`standpoint eval --task sentiment|target-sentiment|stance`).
//!
//! - [`labelled`] reads the shared datasets' schema;
//! - [`features`] turns texts (and targets) into head inputs through the batching layer;
//! - [`head`] is the classifier, its training, calibration and storage;
//! - [`metrics`] computes macro-F1, accuracy, per label, per language and ECE.

pub mod features;
pub mod fitting;
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

pub(crate) fn gold(task: Task, examples: &[Example]) -> Vec<usize> {
    examples
        .iter()
        .map(|e| task.labels().iter().position(|l| Some(*l) == e.label.as_deref()).expect("reader kept only known labels"))
        .collect()
}

pub(crate) fn file_record(paths: &[PathBuf]) -> Result<Vec<Value>, HeadError> {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).map_err(|source| HeadError::Io { path: p.display().to_string(), source })?;
            let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            Ok(json!({"file": p.file_name().map(|f| f.to_string_lossy().into_owned()), "sha256": hash}))
        })
        .collect()
}

/// A trained head with the encoder it runs on: either kind, one interface.
pub enum Classifier {
    /// An MLP on frozen sentence vectors (`head.json`).
    Frozen { encoder: Encoder, head: Head },
    /// Fine-tuned top layers and a linear classifier (`tuned.json`); the encoder carries the layers.
    Tuned { encoder: Encoder, tuned: tuned::Tuned },
}

impl Classifier {
    /// Loads the head in `dir`, on the base encoder in `model_dir`.
    pub fn load(model_dir: &Path, dir: &Path, precision: crate::model::Precision) -> Result<Self, HeadError> {
        if dir.join("tuned.json").is_file() {
            let (encoder, tuned) = tuned::Tuned::encoder(model_dir, dir, precision)?;
            Ok(Classifier::Tuned { encoder, tuned })
        } else {
            Ok(Classifier::Frozen { encoder: Encoder::load(model_dir, precision)?, head: Head::load(dir)? })
        }
    }

    pub fn task(&self) -> Task {
        match self {
            Classifier::Frozen { head, .. } => head.meta.task,
            Classifier::Tuned { tuned, .. } => tuned.meta.task,
        }
    }

    pub fn labels(&self) -> &[String] {
        match self {
            Classifier::Frozen { head, .. } => &head.meta.labels,
            Classifier::Tuned { tuned, .. } => &tuned.meta.labels,
        }
    }

    /// Calibrated probabilities, one distribution per example, in `labels()` order.
    pub fn probabilities(&self, examples: &[Example], batch: &BatchConfig, cache: Option<&Path>) -> Result<Vec<Vec<f32>>, HeadError> {
        match self {
            Classifier::Frozen { encoder, head } => head.probabilities(&inputs_for(encoder, head.meta.task, examples, batch, cache)?),
            Classifier::Tuned { encoder, tuned } => {
                let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
                let targets: Vec<&str> = examples.iter().map(|e| e.target.as_deref().unwrap_or("")).collect();
                tuned.probabilities(encoder, &texts, tuned.meta.task.uses_target().then_some(&targets[..]), batch)
            }
        }
    }

    /// Metrics on labelled examples, with the probabilities they came from.
    pub fn evaluate(&self, examples: &[Example], batch: &BatchConfig, cache: Option<&Path>) -> Result<(Value, Vec<Vec<f32>>), HeadError> {
        let probs = self.probabilities(examples, batch, cache)?;
        Ok((report_on(self.task(), examples, &probs), probs))
    }

    /// Writes `{"id", "label", "probs"}` lines.
    pub fn write_predictions(&self, out: impl Write, examples: &[Example], probs: &[Vec<f32>]) -> std::io::Result<()> {
        let labels = self.labels();
        let mut out = std::io::BufWriter::new(out);
        for (e, p) in examples.iter().zip(probs) {
            let by_label: serde_json::Map<String, Value> = labels.iter().zip(p).map(|(l, v)| (l.clone(), json!(v))).collect();
            writeln!(out, "{}", json!({"id": e.id, "label": labels[metrics::argmax(p)], "probs": by_label}))?;
        }
        out.flush()
    }
}

/// Metrics of `probs` (in the task's label order) against the examples' gold labels.
pub(crate) fn report_on(task: Task, examples: &[Example], probs: &[Vec<f32>]) -> Value {
    let langs: Vec<Option<String>> = examples.iter().map(|e| e.lang.clone()).collect();
    metrics::report(task.labels(), &gold(task, examples), probs, &langs)
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
    let dev_probs = head.probabilities(&inputs_for(encoder, task, &dev_examples, batch, cache)?)?;
    let dev_metrics = report_on(task, &dev_examples, &dev_probs);
    head.meta.record = json!({
        "train": {"files": file_record(data)?, "examples": train_examples.len(), "skipped": skipped_train},
        "dev": {"files": file_record(dev)?, "examples": dev_examples.len(), "skipped": skipped_dev, "metrics": dev_metrics},
    });
    Ok(head)
}
