//! Bring your own model: a local Hugging Face *sequence-classification* directory of the BERT,
//! XLM-RoBERTa or DeBERTa-v2 family (`config.json` with `id2label`, weights with the task head,
//! `tokenizer.json`), run on the same encoder code as everything else.
//!
//! What its labels say decides its role ([`Role`]): entailment / neutral / contradiction make it
//! an NLI model (zero-shot stance, see [`crate::scoring`]); negative / neutral / positive make it
//! a tone model. The task heads are the ones Hugging Face's `…ForSequenceClassification` classes
//! put on the `[CLS]` / `<s>` state:
//!
//! - BERT: `bert.pooler.dense` + tanh, then `classifier`;
//! - XLM-RoBERTa: `classifier.dense` + tanh, then `classifier.out_proj`;
//! - DeBERTa-v2: `pooler.dense` + the config's `pooler_hidden_act` (gelu), then `classifier`.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use tch::{Kind, Tensor};
use tokenizers::{Tokenizer, TruncationParams, TruncationStrategy};

use super::batching::{batches_by_length, padded};
use super::encoder::Encoder;
use super::precision::Precision;
use super::weights::{read_safetensors, Family};
use super::ModelError;

/// What a classification model is for, read from its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Labels include entailment and contradiction.
    Nli,
    /// Labels are negative / positive (and maybe neutral).
    Sentiment,
}

#[derive(Deserialize)]
struct HeadConfig {
    #[serde(default)]
    id2label: HashMap<String, String>,
    #[serde(default)]
    pooler_hidden_act: Option<String>,
}

struct Linear {
    weight: Tensor,
    bias: Tensor,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.matmul(&self.weight.tr()) + &self.bias
    }
}

enum Head {
    /// pooler (tanh) → classifier
    Bert { pooler: Linear, classifier: Linear },
    /// dense (tanh) → out_proj
    Roberta { dense: Linear, out_proj: Linear },
    /// pooler (activation) → classifier
    DebertaV2 { pooler: Linear, classifier: Linear, gelu: bool },
}

pub struct SequenceClassifier {
    encoder: Encoder,
    tokenizer: Tokenizer,
    head: Head,
    /// Labels in logit order, lower-cased.
    pub labels: Vec<String>,
    pub role: Role,
}

/// The role a directory's labels give it, or `None` for a bare encoder (no `id2label`).
pub fn role_of(dir: &Path) -> Result<Option<(Role, Vec<String>)>, ModelError> {
    let path = dir.join("config.json");
    let bytes = std::fs::read(&path).map_err(|e| ModelError::io(&path, e))?;
    let config: HeadConfig = serde_json::from_slice(&bytes).map_err(|source| ModelError::Json { path: path.clone(), source })?;
    if config.id2label.is_empty() {
        return Ok(None);
    }
    let mut labels: Vec<(usize, String)> = Vec::new();
    for (k, v) in &config.id2label {
        let i = k.parse::<usize>().map_err(|_| ModelError::Format(format!("{}: id2label key {k:?} is not a number", path.display())))?;
        labels.push((i, v.to_lowercase()));
    }
    labels.sort();
    let labels: Vec<String> = labels.into_iter().map(|(_, l)| l).collect();
    let has = |name: &str| labels.iter().any(|l| l == name);
    let role = if has("entailment") && has("contradiction") {
        Role::Nli
    } else if has("negative") && has("positive") {
        Role::Sentiment
    } else if labels.iter().all(|l| l.starts_with("label_")) {
        // id2label left at Hugging Face's defaults: a bare encoder saved through a task class
        return Ok(None);
    } else {
        return Err(ModelError::Format(format!(
            "{}: labels {labels:?} are neither NLI (entailment / neutral / contradiction) nor sentiment (negative / neutral / positive)",
            dir.display()
        )));
    };
    Ok(Some((role, labels)))
}

impl SequenceClassifier {
    /// Loads a classification directory; `None` when it has no classification labels.
    pub fn load(dir: &Path, precision: Precision) -> Result<Option<Self>, ModelError> {
        let Some((role, labels)) = role_of(dir)? else { return Ok(None) };
        let encoder = Encoder::load(dir, precision)?;
        let config_path = dir.join("config.json");
        let config: HeadConfig = serde_json::from_slice(&std::fs::read(&config_path).map_err(|e| ModelError::io(&config_path, e))?)
            .map_err(|source| ModelError::Json { path: config_path.clone(), source })?;
        let weights_path = dir.join("model.safetensors");
        let tensors = read_safetensors(&weights_path, |n| n.contains("pooler") || n.starts_with("classifier"))?;
        let linear = |name: &str| -> Result<Linear, ModelError> {
            let get = |part: &str| {
                tensors
                    .get(&format!("{name}.{part}"))
                    .map(|t| t.to_kind(Kind::Float))
                    .ok_or_else(|| ModelError::Format(format!("{}: the classification head needs {name}.{part}", weights_path.display())))
            };
            Ok(Linear { weight: get("weight")?, bias: get("bias")? })
        };
        let head = match encoder.family {
            Family::Bert => {
                Head::Bert { pooler: linear("bert.pooler.dense").or_else(|_| linear("pooler.dense"))?, classifier: linear("classifier")? }
            }
            Family::Roberta => Head::Roberta { dense: linear("classifier.dense")?, out_proj: linear("classifier.out_proj")? },
            Family::DebertaV2 => Head::DebertaV2 {
                pooler: linear("pooler.dense")?,
                classifier: linear("classifier")?,
                gelu: config.pooler_hidden_act.as_deref().unwrap_or("gelu") == "gelu",
            },
        };
        let classes = match &head {
            Head::Bert { classifier, .. } | Head::DebertaV2 { classifier, .. } => classifier.weight.size()[0],
            Head::Roberta { out_proj, .. } => out_proj.weight.size()[0],
        };
        if classes as usize != labels.len() {
            return Err(ModelError::Format(format!("{}: {} labels but the head has {classes} outputs", dir.display(), labels.len())));
        }
        let mut tokenizer = encoder.tokenizer.clone();
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: encoder.max_tokens,
                strategy: TruncationStrategy::LongestFirst,
                ..Default::default()
            }))
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        Ok(Some(SequenceClassifier { encoder, tokenizer, head, labels, role }))
    }

    /// The directory it was loaded from.
    pub fn dir(&self) -> &Path {
        &self.encoder.dir
    }

    pub fn precision(&self) -> Precision {
        self.encoder.precision
    }

    /// Probabilities over `labels` for each text, or each (premise, hypothesis) pair, in input
    /// order: batched as every model run is (`batches_by_length`), special tokens and token
    /// types from the model's own tokenizer, over-long inputs cut longest-first.
    pub fn classify(&self, inputs: &[(&str, Option<&str>)], batch_size: usize) -> Result<Vec<Vec<f32>>, ModelError> {
        let encoded: Vec<tokenizers::Encoding> = inputs
            .iter()
            .map(|(a, b)| match b {
                Some(b) => self.tokenizer.encode((*a, *b), true),
                None => self.tokenizer.encode(*a, true),
            })
            .collect::<Result<_, _>>()
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let lens: Vec<usize> = encoded.iter().map(|e| e.get_ids().len()).collect();
        let mut out = vec![Vec::new(); inputs.len()];
        for group in batches_by_length(&lens, batch_size) {
            let rows = |part: fn(&tokenizers::Encoding) -> &[u32]| group.iter().map(|&i| part(&encoded[i])).collect::<Vec<_>>();
            let (ids, mask) = padded(&rows(tokenizers::Encoding::get_ids), self.encoder.pad_id as i64);
            let (types, _) = padded(&rows(tokenizers::Encoding::get_type_ids), 0);
            let probs = tch::no_grad(|| -> Result<Tensor, ModelError> {
                let types = (self.encoder.family == Family::Bert).then_some(&types);
                let hidden = self.encoder.hidden_states_typed(&ids, &mask, types)?;
                let first = hidden.select(1, 0).to_kind(Kind::Float);
                let logits = match &self.head {
                    Head::Bert { pooler, classifier } => classifier.forward(&pooler.forward(&first).tanh()),
                    Head::Roberta { dense, out_proj } => out_proj.forward(&dense.forward(&first).tanh()),
                    Head::DebertaV2 { pooler, classifier, gelu } => {
                        let pooled = pooler.forward(&first);
                        classifier.forward(&if *gelu { pooled.gelu("none") } else { pooled })
                    }
                };
                Ok(logits.softmax(-1, Kind::Float))
            })?;
            let flat = Vec::<f32>::try_from(probs.contiguous().view([-1]))?;
            for (row, &i) in flat.chunks(self.labels.len()).zip(&group) {
                out[i] = row.to_vec();
            }
        }
        Ok(out)
    }
}
