//! The transformer's part of the pipeline: each statement's tone, its stance toward every target,
//! and its stance toward the actors it addresses — batched through the one batching layer.
//!
//! Cost model: the tone head encodes each statement once; the stance head encodes each statement
//! once and each distinct target (free-text targets and actor names) once, then classifies the
//! pairs with a small MLP. So the encoder's work grows with statements + distinct targets, never
//! with statements × targets.

use std::path::{Path, PathBuf};

use crate::heads::{Classifier, HeadError, Row, Task};
use crate::model::{BatchConfig, Precision};

/// Where the shipped heads live, relative to the checkout.
pub const TONE_HEAD: &str = "models/heads/tone";
pub const STANCE_HEAD: &str = "models/heads/stance";

/// P(negative, neutral, positive).
pub type ToneProbs = [f32; 3];
/// P(favor, against, neutral).
pub type StanceProbs = [f32; 3];

pub struct Scorer {
    tone: Classifier,
    stance: Classifier,
    batch: BatchConfig,
    /// The directories loaded, for the run record.
    pub tone_dir: PathBuf,
    pub stance_dir: PathBuf,
}

/// What to score for one chunk of statements.
pub struct Request<'a> {
    /// What the tone head reads (the statement's content).
    pub tone_texts: Vec<&'a str>,
    /// What the stance head reads (the statement with its cue and speaker).
    pub stance_texts: Vec<&'a str>,
    /// The user's targets: every statement is scored toward each.
    pub targets: &'a [String],
    /// (statement, actor name) pairs: stance toward actors a statement addresses.
    pub toward: Vec<(usize, &'a str)>,
}

pub struct Scores {
    pub tone: Vec<ToneProbs>,
    /// `[statement][target]`.
    pub stance: Vec<Vec<StanceProbs>>,
    /// One per `Request::toward` pair.
    pub toward: Vec<StanceProbs>,
}

fn in_order(labels: &[String], wanted: &[&str], probs: &[f32]) -> Result<[f32; 3], HeadError> {
    let mut out = [0.0; 3];
    for (slot, name) in out.iter_mut().zip(wanted) {
        let i = labels.iter().position(|l| l == name).ok_or_else(|| HeadError::Data(format!("head has no label {name:?}")))?;
        *slot = probs[i];
    }
    Ok(out)
}

impl Scorer {
    pub fn load(model_dir: &Path, tone_dir: &Path, stance_dir: &Path, precision: Precision, batch: BatchConfig) -> Result<Self, HeadError> {
        let tone = Classifier::load(model_dir, tone_dir, precision)?;
        let stance = Classifier::load(model_dir, stance_dir, precision)?;
        for (c, want, dir) in [(&tone, Task::Sentiment, tone_dir), (&stance, Task::Stance, stance_dir)] {
            if c.task() != want {
                return Err(HeadError::Data(format!("{} is a {:?} head, not {:?}", dir.display(), c.task(), want)));
            }
        }
        Ok(Scorer { tone, stance, batch, tone_dir: tone_dir.to_owned(), stance_dir: stance_dir.to_owned() })
    }

    /// The arithmetic the encoders run in (auto resolved).
    pub fn precision(&self) -> Precision {
        self.stance.encoder().precision
    }

    pub fn score(&self, request: &Request) -> Result<Scores, HeadError> {
        let n = request.tone_texts.len();
        if n == 0 {
            return Ok(Scores { tone: Vec::new(), stance: Vec::new(), toward: Vec::new() });
        }
        let t = self.tone.encode(&request.tone_texts, &self.batch, None)?;
        let tone_rows: Vec<Row> = t.iter().map(|u| Row { text: u, target: None, tone: None }).collect();
        let tone = self
            .tone
            .classify(&tone_rows)?
            .iter()
            .map(|p| in_order(self.tone.labels(), &["negative", "neutral", "positive"], p))
            .collect::<Result<Vec<_>, _>>()?;

        let u = self.stance.encode(&request.stance_texts, &self.batch, None)?;
        let mut distinct: Vec<&str> = request.targets.iter().map(String::as_str).chain(request.toward.iter().map(|p| p.1)).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let v = self.stance.encode(&distinct, &self.batch, None)?;
        let target_vec = |t: &str| &v[distinct.binary_search(&t).expect("listed")][..];
        let reads_tone = self.stance.reads_tone();
        let row = |i: usize, target: &str| Row { text: &u[i], target: Some(target_vec(target)), tone: reads_tone.then_some(tone[i]) };
        let mut rows: Vec<Row> = Vec::with_capacity(n * request.targets.len() + request.toward.len());
        for i in 0..n {
            rows.extend(request.targets.iter().map(|t| row(i, t)));
        }
        rows.extend(request.toward.iter().map(|&(i, name)| row(i, name)));
        let probs = self
            .stance
            .classify(&rows)?
            .iter()
            .map(|p| in_order(self.stance.labels(), &["favor", "against", "neutral"], p))
            .collect::<Result<Vec<_>, _>>()?;
        let (per_target, toward) = probs.split_at(n * request.targets.len());
        let stance = if request.targets.is_empty() {
            vec![Vec::new(); n]
        } else {
            per_target.chunks(request.targets.len()).map(<[_]>::to_vec).collect()
        };
        Ok(Scores { tone, stance, toward: toward.to_vec() })
    }
}
