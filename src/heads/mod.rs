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
pub mod relation;
pub mod relevance;
pub mod tuned;

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::model::batching::Mention;
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
            let hash = crate::digest::sha256_hex(&bytes);
            Ok(json!({"file": p.file_name().map(|f| f.to_string_lossy().into_owned()), "sha256": hash}))
        })
        .collect()
}

/// Reads a model stored as one JSON file `file` in `dir`.
pub(crate) fn read_model<T: serde::de::DeserializeOwned>(dir: &Path, file: &str) -> Result<T, HeadError> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|source| HeadError::Io { path: path.display().to_string(), source })?;
    // a whole-file document starts at line 1; serde's message gives the exact place
    serde_json::from_str(&text).map_err(|source| HeadError::Json { path: path.display().to_string(), line: 1, source })
}

/// Writes a model as one pretty-printed JSON file `file` in `dir` (made when missing).
pub(crate) fn write_model<T: serde::Serialize>(dir: &Path, file: &str, model: &T) -> Result<(), HeadError> {
    std::fs::create_dir_all(dir).map_err(|source| HeadError::Io { path: dir.display().to_string(), source })?;
    let path = dir.join(file);
    let text = serde_json::to_string_pretty(model).expect("plain data");
    std::fs::write(&path, text + "\n").map_err(|source| HeadError::Io { path: path.display().to_string(), source })
}

/// What a target-reading head reads of its pairs: the texts' vectors, each pair's pooled mention
/// (see [`Row`]), and the distinct targets' vectors.
pub struct PairVectors<'p> {
    pub texts: Vec<Vec<f32>>,
    pub mentions: Vec<Option<Vec<f32>>>,
    /// The extra spans' pooled states, in the order asked.
    pub extra: Vec<Option<Vec<f32>>>,
    targets: Vec<&'p str>,
    target_vectors: Vec<Vec<f32>>,
}

impl PairVectors<'_> {
    /// The vector of one of the pairs' targets.
    pub fn target(&self, target: &str) -> &[f32] {
        &self.target_vectors[self.targets.binary_search(&target).expect("a target of the pairs")]
    }
}

/// One input to a head: a text's vector, its target's vector for heads that read a target, the
/// mean of the text's token states over the target's mention for heads that read one (`None`:
/// not mentioned, read as zeros), and the tone head's P(negative, neutral, positive) of the text
/// for heads that read it.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    pub text: &'a [f32],
    pub target: Option<&'a [f32]>,
    pub mention: Option<&'a [f32]>,
    pub tone: Option<[f32; 3]>,
}

/// Where `text` mentions `target`: the `given` byte ranges, or when there are none and `locate`
/// is set, the text's words that name it ([`crate::text::locate`]). Training and scoring both
/// read mentions through here, so a head sees the same kind in use as it was trained on.
pub fn mention_spans<'a>(text: &str, target: &str, given: &'a [(usize, usize)], locate: bool) -> Cow<'a, [(usize, usize)]> {
    if given.is_empty() && locate {
        Cow::Owned(crate::text::locate::target_mentions(text, target))
    } else {
        Cow::Borrowed(given)
    }
}

/// A (text, target) pair to score: the text's index, the target, and where the text mentions
/// the target (byte ranges of the text; empty when it does not, or when that is not known).
#[derive(Debug, Clone, Copy)]
pub struct Pair<'a> {
    pub text: usize,
    pub target: &'a str,
    pub mentions: &'a [(usize, usize)],
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
        Self::load_beside(model_dir, dir, precision, None)
    }

    /// As [`Self::load`]; a fine-tuned head whose bottom layers are `other`'s (same model, same
    /// cut) shares them in memory instead of loading its own copy.
    pub fn load_beside(model_dir: &Path, dir: &Path, precision: crate::model::Precision, other: Option<&Classifier>) -> Result<Self, HeadError> {
        if dir.join("tuned.json").is_file() {
            let (encoder, tuned) = match other {
                Some(Classifier::Tuned { encoder: shared, .. }) => tuned::Tuned::encoder_sharing(shared, model_dir, dir, precision)?,
                _ => tuned::Tuned::encoder(model_dir, dir, precision)?,
            };
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

    pub fn encoder(&self) -> &Encoder {
        match self {
            Classifier::Frozen { encoder, .. } | Classifier::Tuned { encoder, .. } => encoder,
        }
    }

    /// Sentence vectors as this head reads them (a tuned head's own top layers included).
    pub fn encode(&self, texts: &[&str], batch: &BatchConfig, cache: Option<&Path>) -> Result<Vec<Vec<f32>>, HeadError> {
        match self {
            Classifier::Frozen { encoder, .. } => features::vectors(encoder, texts, batch, cache),
            // the feature cache is keyed by the base encoder: tuned vectors stay out of it
            Classifier::Tuned { encoder, .. } => Ok(crate::model::embed(encoder, texts, batch)?.into_iter().map(|e| e.vector).collect()),
        }
    }

    /// Whether the head reads the tone head's output next to the vectors (see [`Row`]).
    pub fn reads_tone(&self) -> bool {
        matches!(self, Classifier::Frozen { head, .. } if head.meta.reads_tone)
    }

    /// Whether the head reads the target's mention in the text (see [`Row`]).
    pub fn reads_mentions(&self) -> bool {
        matches!(self, Classifier::Tuned { tuned, .. } if tuned.reads_mentions())
    }

    /// Calibrated probabilities, one distribution per row.
    pub fn classify(&self, rows: &[Row]) -> Result<Vec<Vec<f32>>, HeadError> {
        let mut x = Vec::new();
        for row in rows {
            match row.target {
                Some(v) => features::push_pair(&mut x, row.text, v),
                None => x.extend_from_slice(row.text),
            }
            if self.reads_mentions() {
                match row.mention {
                    Some(m) => x.extend_from_slice(m),
                    None => x.extend(std::iter::repeat(0.0).take(row.text.len())),
                }
            }
            if self.reads_tone() {
                let tone = row.tone.ok_or_else(|| HeadError::Data("this head reads the tone head's output; none was given".into()))?;
                x.extend_from_slice(&tone);
            }
        }
        match self {
            Classifier::Frozen { head, .. } => head.probabilities(&x),
            Classifier::Tuned { tuned, .. } => tuned.classify(&x),
        }
    }

    /// Calibrated probabilities in `labels()` order: one per text, or — for heads that read a
    /// target — one per [`Pair`]. Each text and each distinct target is encoded once; a head that
    /// reads mentions pools them from the texts' own forward passes. `tones` (per text) is needed
    /// by heads that read the tone head's output.
    pub fn probabilities_for(
        &self,
        texts: &[&str],
        pairs: Option<&[Pair]>,
        tones: Option<&[[f32; 3]]>,
        batch: &BatchConfig,
        cache: Option<&Path>,
    ) -> Result<Vec<Vec<f32>>, HeadError> {
        if self.reads_tone() && tones.is_none() {
            return Err(HeadError::Data("this head reads the tone head's output: give the tone head too".into()));
        }
        match pairs {
            None => {
                let u = self.encode(texts, batch, cache)?;
                let tone_at = |i: usize| tones.map(|t| t[i]);
                self.classify(&u.iter().enumerate().map(|(i, u)| Row { text: u, target: None, mention: None, tone: tone_at(i) }).collect::<Vec<_>>())
            }
            Some(pairs) => {
                let vectors = self.pair_vectors(texts, pairs, &[], batch, cache)?;
                self.classify_pairs(&vectors, pairs, tones)
            }
        }
    }

    /// The vectors a target-reading head classifies `pairs` from: each text and each distinct
    /// target encoded once, and — for a head that reads mentions — each pair's mention pooled
    /// from its text's own forward pass.
    /// `extra`: further spans of the texts to pool from the same passes (into
    /// [`PairVectors::extra`]; all `None` for a head that does not read mentions).
    pub fn pair_vectors<'p>(
        &self,
        texts: &[&str],
        pairs: &[Pair<'p>],
        extra: &[Mention],
        batch: &BatchConfig,
        cache: Option<&Path>,
    ) -> Result<PairVectors<'p>, HeadError> {
        let (texts, mentions, extra) = if self.reads_mentions() {
            let locate = matches!(self, Classifier::Tuned { tuned, .. } if tuned.locates_targets());
            let spans: Vec<Cow<[(usize, usize)]>> = pairs.iter().map(|p| mention_spans(texts[p.text], p.target, p.mentions, locate)).collect();
            let probes: Vec<Mention> =
                pairs.iter().zip(&spans).map(|(p, s)| Mention { text: p.text, spans: s }).chain(extra.iter().copied()).collect();
            let (embedded, mut m) = crate::model::batching::embed_with_mentions(self.encoder(), texts, &probes, batch)?;
            let extra = m.split_off(pairs.len());
            (embedded.into_iter().map(|e| e.vector).collect(), m, extra)
        } else {
            (self.encode(texts, batch, cache)?, vec![None; pairs.len()], vec![None; extra.len()])
        };
        let mut targets: Vec<&'p str> = pairs.iter().map(|p| p.target).collect();
        targets.sort_unstable();
        targets.dedup();
        let target_vectors = self.encode(&targets, batch, cache)?;
        Ok(PairVectors { texts, mentions, extra, targets, target_vectors })
    }

    /// Calibrated probabilities of `pairs` from their [`Self::pair_vectors`].
    pub fn classify_pairs(&self, vectors: &PairVectors, pairs: &[Pair], tones: Option<&[[f32; 3]]>) -> Result<Vec<Vec<f32>>, HeadError> {
        let rows: Vec<Row> = pairs
            .iter()
            .zip(&vectors.mentions)
            .map(|(p, m)| Row { text: &vectors.texts[p.text], target: Some(vectors.target(p.target)), mention: m.as_deref(), tone: tones.map(|t| t[p.text]) })
            .collect();
        self.classify(&rows)
    }

    /// Calibrated probabilities, one distribution per example (its text, and its target for heads
    /// that read one), in `labels()` order. `tone` is needed by heads that read it.
    pub fn probabilities(&self, examples: &[Example], batch: &BatchConfig, cache: Option<&Path>, tone: Option<&Classifier>) -> Result<Vec<Vec<f32>>, HeadError> {
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let tones = match (self.reads_tone(), tone) {
            (true, Some(t)) => Some(t.tone_of(&texts, batch, cache)?),
            _ => None,
        };
        let pairs: Option<Vec<Pair>> = self.task().uses_target().then(|| {
            examples
                .iter()
                .enumerate()
                .map(|(i, e)| Pair { text: i, target: e.target.as_deref().unwrap_or(""), mentions: e.mentions.as_deref().unwrap_or(&[]) })
                .collect()
        });
        self.probabilities_for(&texts, pairs.as_deref(), tones.as_deref(), batch, cache)
    }

    /// P(negative, neutral, positive) of each text, from a sentiment head.
    pub fn tone_of(&self, texts: &[&str], batch: &BatchConfig, cache: Option<&Path>) -> Result<Vec<[f32; 3]>, HeadError> {
        if self.task() != Task::Sentiment {
            return Err(HeadError::Data(format!("a tone head must be a sentiment head, not {:?}", self.task())));
        }
        let order = label_order(self.labels(), &["negative", "neutral", "positive"], &[])?;
        Ok(self.probabilities_for(texts, None, None, batch, cache)?.iter().map(|p| reorder3(p, &order)).collect())
    }

    /// Metrics on labelled examples of `task`, with the probabilities (in `task`'s label order)
    /// they came from. A stance head also answers target-sentiment data, read as favor →
    /// positive, against → negative: the label sets the shipped stance head was trained on.
    pub fn evaluate(&self, task: Task, examples: &[Example], batch: &BatchConfig, cache: Option<&Path>, tone: Option<&Classifier>) -> Result<(Value, Vec<Vec<f32>>), HeadError> {
        let as_label = |l: &str| -> String {
            match (self.task(), task, l) {
                (Task::Stance, Task::TargetSentiment, "favor") => "positive".into(),
                (Task::Stance, Task::TargetSentiment, "against") => "negative".into(),
                _ => l.to_owned(),
            }
        };
        if self.task() != task && !(self.task() == Task::Stance && task == Task::TargetSentiment) {
            return Err(HeadError::Data(format!("a {:?} head cannot be measured on {:?} data", self.task(), task)));
        }
        let mine: Vec<String> = self.labels().iter().map(|l| as_label(l)).collect();
        let order = label_order(&mine, task.labels(), &[])?;
        let probs: Vec<Vec<f32>> = self.probabilities(examples, batch, cache, tone)?.iter().map(|p| reorder(p, &order)).collect();
        Ok((report_on(task, examples, &probs), probs))
    }

    /// Writes `{"id", "label", "probs"}` lines, `probs` in `task`'s label order.
    pub fn write_predictions(task: Task, out: impl Write, examples: &[Example], probs: &[Vec<f32>]) -> std::io::Result<()> {
        let labels: Vec<String> = task.labels().iter().map(|l| l.to_string()).collect();
        let mut out = std::io::BufWriter::new(out);
        for (e, p) in examples.iter().zip(probs) {
            let by_label: serde_json::Map<String, Value> = labels.iter().zip(p).map(|(l, v)| (l.clone(), json!(v))).collect();
            writeln!(out, "{}", json!({"id": e.id, "label": labels[metrics::argmax(p)], "probs": by_label}))?;
        }
        out.flush()
    }
}

/// Where each of `wanted` sits among a model's `labels`; a label in `optional` may be missing
/// (its probability then reads 0).
pub fn label_order(labels: &[String], wanted: &[&str], optional: &[&str]) -> Result<Vec<Option<usize>>, HeadError> {
    wanted
        .iter()
        .map(|w| match labels.iter().position(|l| l == w) {
            Some(i) => Ok(Some(i)),
            None if optional.contains(w) => Ok(None),
            None => Err(HeadError::Data(format!("the model has no label {w:?} (it has {labels:?})"))),
        })
        .collect()
}

/// `probs` rearranged by a [`label_order`].
pub fn reorder(probs: &[f32], order: &[Option<usize>]) -> Vec<f32> {
    order.iter().map(|i| i.map_or(0.0, |i| probs[i])).collect()
}

/// [`reorder`] into three classes.
pub fn reorder3(probs: &[f32], order: &[Option<usize>]) -> [f32; 3] {
    let r = reorder(probs, order);
    [r[0], r[1], r[2]]
}

/// Metrics of `probs` (in the task's label order) against the examples' gold labels.
pub(crate) fn report_on(task: Task, examples: &[Example], probs: &[Vec<f32>]) -> Value {
    let langs: Vec<Option<String>> = examples.iter().map(|e| e.lang.clone()).collect();
    metrics::report(task.labels(), &gold(task, examples), probs, &langs)
}

/// What a frozen-vector head reads besides the vectors, and how its training data is widened.
#[derive(Default)]
pub struct TrainOptions<'a> {
    /// Append the tone head's P(negative, neutral, positive) to every input row.
    pub tone: Option<&'a Classifier>,
    /// Share of training examples also paired with another example's target, labelled neutral
    /// (stance heads: statements about something else take no stance).
    pub mismatched: f64,
}

/// Head inputs with the tone probabilities appended to each row, when the head reads them.
fn with_tone(x: Vec<f32>, n: usize, tones: Option<Vec<[f32; 3]>>) -> Vec<f32> {
    let Some(tones) = tones else { return x };
    let dim = x.len() / n.max(1);
    let mut out = Vec::with_capacity(x.len() + 3 * n);
    for (row, t) in x.chunks(dim).zip(&tones) {
        out.extend_from_slice(row);
        out.extend_from_slice(t);
    }
    out
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
    options: &TrainOptions,
) -> Result<Head, HeadError> {
    let (mut train_examples, skipped_train) = labelled::read(data, task)?;
    let (dev_examples, skipped_dev) = labelled::read(dev, task)?;
    let neutral = task.labels().iter().find(|l| **l == "neutral").copied();
    let added = match neutral {
        Some(neutral) if task.uses_target() && options.mismatched > 0.0 => {
            let extra = labelled::mismatched(&train_examples, options.mismatched, config.seed, neutral);
            let n = extra.len();
            train_examples.extend(extra);
            n
        }
        _ => 0,
    };
    let tones = |examples: &[Example]| {
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        options.tone.map(|t| t.tone_of(&texts, batch, cache)).transpose()
    };
    let x = with_tone(inputs_for(encoder, task, &train_examples, batch, cache)?, train_examples.len(), tones(&train_examples)?);
    let y = gold(task, &train_examples);
    let mut head = Head::train(
        task,
        &x,
        &y,
        config,
        encoder.profile.source.clone().unwrap_or_else(|| encoder.dir.display().to_string()),
        format!("{:?}", encoder.precision).to_lowercase(),
    )?;
    head.meta.reads_tone = options.tone.is_some();
    let probs_on = |examples: &[Example]| -> Result<Vec<Vec<f32>>, HeadError> {
        head.probabilities(&with_tone(inputs_for(encoder, task, examples, batch, cache)?, examples.len(), tones(examples)?))
    };
    let dev_metrics = report_on(task, &dev_examples, &probs_on(&dev_examples)?);
    // How often a dev text paired with a target it is not about is read as neutral.
    let relevance = match neutral {
        Some(neutral) if task.uses_target() => {
            let off = labelled::mismatched(&dev_examples, 1.0, config.seed + 1, neutral);
            let probs = probs_on(&off)?;
            let k = task.labels().iter().position(|l| *l == neutral).expect("found");
            json!({"pairs": off.len(), "neutral_rate": probs.iter().filter(|p| metrics::argmax(p) == k).count() as f64 / off.len().max(1) as f64})
        }
        _ => Value::Null,
    };
    head.meta.record = json!({
        "train": {"files": file_record(data)?, "examples": train_examples.len() - added, "mismatched_added": added,
                  "mismatched_share": options.mismatched, "skipped": skipped_train},
        "reads_tone": options.tone.is_some(),
        "dev": {"files": file_record(dev)?, "examples": dev_examples.len(), "skipped": skipped_dev, "metrics": dev_metrics,
                "off_target": relevance},
    });
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::mention_spans;

    #[test]
    fn a_given_mention_wins_and_locating_fills_only_a_missing_one() {
        let text = "Yerevan called the checkpoint a gross violation.";
        let at = text.find("checkpoint").unwrap();
        let given = [(0, 7)];
        assert_eq!(mention_spans(text, "the checkpoint", &given, true).as_ref(), &given);
        assert_eq!(mention_spans(text, "the checkpoint", &[], true).as_ref(), &[(at, at + "checkpoint".len())]);
        assert!(mention_spans(text, "the checkpoint", &[], false).is_empty());
    }
}
