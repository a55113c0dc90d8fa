//! Relations: whether the holder of a statement (its speaker, or no one named) expresses an
//! attitude toward an actor the statement names, and which way — so that an actor → actor
//! relation counts what A says *about* B, not every statement that mentions B.
//!
//! It reads what the stance pass has already computed for the (statement, actor) pair — the
//! statement's vector, the stance head's token states pooled over the actor's mention and over
//! the speaker's, and the stance head's P(favour, against, neutral) toward the actor — through
//! two logistic models: P(attitude) and P(positive | attitude). The second may be the stance
//! head's own reading (P(favour) against P(against)) when that measured better.
//!
//! It is fitted on RuOpinionNE-2024's opinion tuples (holder, target, polarity in Russian news
//! sentences): every (holder, target) pair a sentence offers — its gold holders and "no one named",
//! its gold targets and the actors the dictionary finds in it — labelled by whether a gold tuple
//! joins them (`standpoint train --task relation`, in [`crate::train::relation`]).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fitting::{logit, sigmoid};
use super::HeadError;

/// The file a relation model is stored in, inside its directory.
pub const FILE: &str = "relation.json";

/// What the attitude model reads of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Features {
    /// The stance head's three probabilities, whether a holder and a mention are there, and the
    /// cosines of the mention with the holder and with the statement.
    Stance,
    /// Those, and the element-wise products of the unit mention vector with the holder's and
    /// with the statement's (a learned weighting of the directions they share).
    Mentions,
}

/// Where P(positive | attitude) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolarityFrom {
    /// The stance head's P(favour) / (P(favour) + P(against)).
    Stance,
    /// The model's own logistic weights (`polarity_weights`, `polarity_bias`), on the same features.
    Own,
}

/// What a relation model reads of one (statement, actor) pair.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The statement's vector (the stance head's).
    pub statement: &'a [f32],
    /// The stance head's token states pooled over the actor's mention (`None`: not found).
    pub target: Option<&'a [f32]>,
    /// Pooled over the holder's mention (`None`: no speaker named in the text read).
    pub holder: Option<&'a [f32]>,
    /// The stance head's P(favour, against, neutral) toward the actor.
    pub stance: [f32; 3],
}

/// A fitted relation model (`relation.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub format: u32,
    pub features: Features,
    pub weights: Vec<f64>,
    pub bias: f64,
    /// A pair is a relation when P(attitude) is at least this.
    pub threshold: f64,
    pub polarity: PolarityFrom,
    #[serde(default)]
    pub polarity_weights: Vec<f64>,
    #[serde(default)]
    pub polarity_bias: f64,
    /// SHA-256 of the stance head's `tuned.json`: the vectors and probabilities it reads.
    pub stance_head: String,
    pub l2: f64,
    /// Free-form record of the run: data files with hashes, counts, held-out and dev figures.
    pub record: Value,
}

impl Relation {
    /// P(the holder expresses an attitude toward the actor).
    pub fn attitude(&self, x: &Inputs) -> f32 {
        sigmoid(logit(&self.weights, self.bias, &row(self.features, x))) as f32
    }

    /// P(positive | attitude).
    pub fn positive(&self, x: &Inputs) -> f32 {
        match self.polarity {
            PolarityFrom::Stance => stance_positive(x.stance),
            PolarityFrom::Own => sigmoid(logit(&self.polarity_weights, self.polarity_bias, &row(self.features, x))) as f32,
        }
    }

    pub fn load(dir: &Path) -> Result<Self, HeadError> {
        let model: Relation = super::read_model(dir, FILE)?;
        let bad = |why: String| HeadError::Data(format!("{}: {why}", dir.join(FILE).display()));
        if model.format != 1 {
            return Err(bad(format!("unknown format {}", model.format)));
        }
        if model.polarity == PolarityFrom::Own && model.polarity_weights.len() != model.weights.len() {
            return Err(bad("the polarity weights do not match the attitude weights".into()));
        }
        Ok(model)
    }

    /// Whether the model reads vectors `hidden` wide (the stance head's encoder's): its weights
    /// fit the feature row of such vectors.
    pub fn reads_width(&self, hidden: usize) -> bool {
        let v = vec![0.0f32; hidden];
        self.weights.len() == row(self.features, &Inputs { statement: &v, target: Some(&v), holder: Some(&v), stance: [0.0; 3] }).len()
    }

    pub fn save(&self, dir: &Path) -> Result<(), HeadError> {
        super::write_model(dir, FILE, self)
    }
}

/// The stance head's reading of the polarity: P(favour) / (P(favour) + P(against)).
pub fn stance_positive(stance: [f32; 3]) -> f32 {
    let (f, a) = (stance[0], stance[1]);
    if f + a > 0.0 {
        f / (f + a)
    } else {
        0.5
    }
}

fn unit(x: &[f32]) -> Vec<f64> {
    let norm = x.iter().map(|a| f64::from(*a) * f64::from(*a)).sum::<f64>().sqrt().max(1e-12);
    x.iter().map(|a| f64::from(*a) / norm).collect()
}

fn cosine(a: Option<&[f32]>, b: Option<&[f32]>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) if !a.is_empty() && a.len() == b.len() => unit(a).iter().zip(unit(b)).map(|(x, y)| x * y).sum(),
        _ => 0.0,
    }
}

/// One pair's feature row for `features`.
pub(crate) fn row(features: Features, x: &Inputs) -> Vec<f64> {
    let flag = |b: bool| f64::from(u8::from(b));
    let mut out: Vec<f64> = x.stance.iter().map(|&p| f64::from(p)).collect();
    out.extend([flag(x.holder.is_some()), flag(x.target.is_some()), cosine(x.target, x.holder), cosine(x.target, Some(x.statement))]);
    if features == Features::Mentions {
        let d = x.statement.len();
        // scaled so that a product term is about as large as a cosine
        let scale = (d as f64).sqrt();
        let t = x.target.map(unit);
        let products = |other: Option<Vec<f64>>| -> Vec<f64> {
            match (&t, other) {
                (Some(t), Some(o)) => t.iter().zip(o).map(|(a, b)| a * b * scale).collect(),
                _ => vec![0.0; d],
            }
        };
        out.extend(products(x.holder.map(unit)));
        out.extend(products(Some(unit(x.statement))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_rows_have_one_width_whatever_is_missing() {
        let s = [0.5f32, -0.5, 1.0, 0.0];
        let full = Inputs { statement: &s, target: Some(&s), holder: Some(&s), stance: [0.2, 0.7, 0.1] };
        let bare = Inputs { statement: &s, target: None, holder: None, stance: [0.2, 0.7, 0.1] };
        for f in [Features::Stance, Features::Mentions] {
            assert_eq!(row(f, &full).len(), row(f, &bare).len());
        }
        // a mention that is its holder's own vector has cosine 1 with it
        assert!((row(Features::Stance, &full)[5] - 1.0).abs() < 1e-9);
        assert_eq!(row(Features::Mentions, &full).len(), 7 + 2 * s.len());
    }

    #[test]
    fn a_model_reads_only_vectors_as_wide_as_it_was_fitted_on() {
        let model = |features, n| Relation {
            format: 1,
            features,
            weights: vec![0.0; n],
            bias: 0.0,
            threshold: 0.5,
            polarity: PolarityFrom::Stance,
            polarity_weights: Vec::new(),
            polarity_bias: 0.0,
            stance_head: String::new(),
            l2: 0.0,
            record: Value::Null,
        };
        assert!(model(Features::Stance, 7).reads_width(384) && model(Features::Stance, 7).reads_width(4));
        assert!(model(Features::Mentions, 7 + 2 * 384).reads_width(384));
        assert!(!model(Features::Mentions, 7 + 2 * 384).reads_width(256));
    }

    #[test]
    fn the_stance_heads_polarity_ignores_neutral() {
        assert!((stance_positive([0.3, 0.1, 0.6]) - 0.75).abs() < 1e-6);
        assert_eq!(stance_positive([0.0, 0.0, 1.0]), 0.5);
    }
}
