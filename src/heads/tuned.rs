//! Fine-tuning the encoder's top layers together with a linear classifier. Tasks with a target read
//! `[u, v, u·v, |u − v|]` from the statement's and the target's vectors, both from the tuned layers,
//! and with `mention` set, `m`: the mean of the statement's tuned token states over the target's
//! mention in it (zeros when the target is not mentioned, or its place is not known).
//!
//! The frozen bottom (layers `0..first`) runs once over the training texts through the batching
//! layer's own tokenisation; its states stay in memory. Each epoch then trains only the top
//! layers (small learning rate) and the classifier (larger one) on length-bucketed batches, both
//! rates constant or on a linear warm-up and decay ([`Schedule`]).
//! Early stopping and the temperature use a seeded held-out slice of the training data; the dev
//! split is only reported on, through the weights as they are stored. The result is a directory
//! with `top.safetensors` (f16 or int8 rows, [`Storage`]), `classifier.safetensors` and
//! `tuned.json`.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Reduction, Tensor};

use super::fitting::{self, Rng};
use super::labelled::{self, Task};
use super::{metrics, HeadError};
use crate::model::batching::{content_tokens, padded_states, token_states};
use crate::model::top::{Storage, TopLayers};
use crate::model::{BatchConfig, Encoder, Precision};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TuneConfig {
    /// First layer to fine-tune (e5-small has 12): layers `first..` train, the rest stay frozen.
    pub first_layer: usize,
    pub epochs: usize,
    pub lr_top: f64,
    pub lr_head: f64,
    pub batch_size: usize,
    /// Training texts are cut to this many tokens (the product windows longer texts).
    pub max_tokens: usize,
    pub holdout: f64,
    pub seed: u64,
    /// Weigh each label by its inverse frequency within each language instead of over all the
    /// data, so a language whose data is mostly one label still counts every label equally.
    pub balance_per_language: bool,
    /// Read the target's mention in the text (`m`, see the module doc). Heads saved before this
    /// setting existed do not read one, so a missing field means `false`.
    #[serde(default)]
    pub mention: bool,
    /// Share of training rows whose mention is hidden (read as zeros), drawn anew each epoch: the
    /// product's free-text targets come without a mention, so the head must read news without one
    /// too. Missing in heads saved before it existed: 0.
    #[serde(default)]
    pub mention_dropout: f64,
    /// Where a row gives no mention, look for the target's words in the text
    /// ([`crate::text::locate`]), in training and in use alike: the user's free-text targets and
    /// datasets without `target_spans` then get one where the text names the target. Missing in
    /// heads saved before it existed: `false`, as by default (on dev it did not pay, see
    /// models/README.md).
    #[serde(default)]
    pub locate_targets: bool,
    /// How the tuned layers are stored ([`Storage`]); the dev figures are measured on the stored
    /// weights. Missing in heads saved before it existed: f16.
    #[serde(default)]
    pub storage: Storage,
    /// Loss weight of each language's rows (`lang`), multiplying the label weight; languages not
    /// named weigh 1. Raises a language whose data the others outnumber without repeating its rows
    /// (the cost of an epoch is unchanged). Missing in heads saved before it existed: none.
    #[serde(default)]
    pub language_weights: std::collections::BTreeMap<String, f64>,
    /// How the learning rates move over the run. Missing in heads saved before it existed:
    /// constant, as they were trained.
    #[serde(default)]
    pub schedule: Schedule,
}

/// How `lr_top` and `lr_head` move over a fine-tuning run's steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// The same rates at every step.
    #[default]
    Constant,
    /// Up from near zero over the first [`WARMUP`] of the steps, then down linearly to near zero
    /// at the last one: the usual schedule for fine-tuning BERT-like encoders.
    Linear,
}

/// Share of a run's steps spent warming up under [`Schedule::Linear`].
pub const WARMUP: f64 = 0.06;

impl Schedule {
    /// The factor on the learning rates at step `step` (from 0) of `total`.
    pub fn factor(self, step: usize, total: usize) -> f64 {
        match self {
            Schedule::Constant => 1.0,
            Schedule::Linear => {
                let warmup = ((total as f64 * WARMUP).ceil() as usize).clamp(1, total.max(1));
                if step >= total {
                    0.0
                } else if step < warmup {
                    (step + 1) as f64 / warmup as f64
                } else {
                    (total - step) as f64 / (total + 1 - warmup) as f64
                }
            }
        }
    }
}

impl Default for TuneConfig {
    fn default() -> Self {
        TuneConfig {
            first_layer: 8,
            epochs: 4,
            lr_top: 4e-5,
            lr_head: 2e-3,
            batch_size: 32,
            max_tokens: 128,
            holdout: 0.1,
            seed: 13,
            balance_per_language: false,
            mention: true,
            mention_dropout: 0.0,
            locate_targets: false,
            storage: Storage::F16,
            language_weights: Default::default(),
            schedule: Schedule::Constant,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TunedMeta {
    pub format: u32,
    pub task: Task,
    pub labels: Vec<String>,
    pub temperature: f64,
    pub config: TuneConfig,
    pub encoder: String,
    pub epochs_trained: usize,
    pub holdout_macro_f1: f64,
    pub record: serde_json::Value,
}

/// The classifier on a tuned encoder; the tuned layers themselves live in that encoder.
pub struct Tuned {
    classifier_vs: nn::VarStore,
    classifier: nn::Linear,
    pub meta: TunedMeta,
}

fn classifier(hidden: usize, classes: usize) -> (nn::VarStore, nn::Linear) {
    let vs = nn::VarStore::new(Device::Cpu);
    let linear = nn::linear(vs.root() / "classifier", hidden as i64, classes as i64, Default::default());
    (vs, linear)
}

/// Mean of `h` over the mask: `[batch, hidden]`.
fn pool(h: &Tensor, mask: &Tensor) -> Tensor {
    let m = mask.to_kind(Kind::Float).unsqueeze(-1);
    (h * &m).sum_dim_intlist(1, false, Kind::Float) / m.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0)
}

/// Bottom-layer states for each text (unpadded `[tokens, hidden]`, bf16 or f32 as computed), and
/// for each the positions (special tokens counted) of the tokens overlapping `mentions[i]`.
fn bottom_states(
    bottom: &Encoder,
    texts: &[&str],
    mentions: &[&[(usize, usize)]],
    max_tokens: usize,
) -> Result<(Vec<Tensor>, Vec<Vec<i64>>), HeadError> {
    let (pre, post) = bottom.special_tokens();
    let room = max_tokens.saturating_sub(pre.len() + post.len()).max(1);
    let mut positions = Vec::with_capacity(texts.len());
    let ids: Vec<Vec<i64>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let tokens = content_tokens(bottom, t)?;
            let spans = mentions.get(i).copied().unwrap_or(&[]);
            positions.push(tokens.overlapping(spans).into_iter().filter(|&k| k < room).map(|k| (pre.len() + k) as i64).collect());
            Ok(pre.iter().chain(tokens.ids.iter().take(room)).chain(post.iter()).map(|&i| i as i64).collect())
        })
        .collect::<Result<_, HeadError>>()?;
    Ok((token_states(bottom, &ids, 64, |i| (0, ids[i].len()))?, positions))
}

/// 0/1 mask `[rows, width]` with ones at each row's `positions`.
fn position_mask(positions: &[&[i64]], width: i64) -> Tensor {
    let mut mask = vec![0i64; positions.len() * width as usize];
    for (row, ps) in positions.iter().enumerate() {
        for &p in ps.iter().filter(|&&p| p < width) {
            mask[row * width as usize + p as usize] = 1;
        }
    }
    Tensor::from_slice(&mask).view([positions.len() as i64, width])
}

/// `[u, v, u·v, |u − v|]`: the statement's and the target's vectors side by side.
fn pair(u: &Tensor, v: &Tensor) -> Tensor {
    Tensor::cat(&[u, v, &(u * v), &(u - v).abs()], 1)
}

/// Mean-pooled vectors of the tuned layers' output and, for each row's `mentions`, the mean over
/// those positions (zeros for a row without any).
fn encode(top: &TopLayers, states: &[&Tensor], mentions: Option<&[&[i64]]>, train: bool) -> (Tensor, Option<Tensor>) {
    let (x, mask) = padded_states(states);
    let h = top.forward(&x, &mask, train);
    let m = mentions.map(|m| pool(&h, &position_mask(m, mask.size()[1])));
    (pool(&h, &mask), m)
}

impl Tuned {
    /// Whether this head reads the target's mention in the text.
    pub fn reads_mentions(&self) -> bool {
        self.meta.config.mention && self.meta.task.uses_target()
    }

    /// Whether a missing mention is looked for by the target's words (see [`TuneConfig`]).
    pub fn locates_targets(&self) -> bool {
        self.reads_mentions() && self.meta.config.locate_targets
    }

    /// Training-time logits from cached bottom states.
    fn logits(&self, top: &TopLayers, states: &[&Tensor], targets: Option<&[&Tensor]>, mentions: &[&[i64]], train: bool) -> Tensor {
        let Some(t) = targets else { return self.classifier.forward(&encode(top, states, None, train).0) };
        let (u, m) = encode(top, states, self.reads_mentions().then_some(mentions), train);
        let x = pair(&u, &encode(top, t, None, train).0);
        self.classifier.forward(&match m {
            Some(m) => Tensor::cat(&[x, m], 1),
            None => x,
        })
    }

    /// Calibrated probabilities for row-major head inputs (`[u]`, or `[u, v, u·v, |u − v|]`).
    pub fn classify(&self, x: &[f32]) -> Result<Vec<Vec<f32>>, HeadError> {
        let width = self.classifier.ws.size()[1];
        let n = x.len() as i64 / width.max(1);
        if n == 0 {
            return Ok(Vec::new());
        }
        let x = Tensor::from_slice(x).view([n, width]);
        let p = tch::no_grad(|| (self.classifier.forward(&x) / self.meta.temperature).softmax(-1, Kind::Float));
        Ok(Vec::<f32>::try_from(p.contiguous().view([-1]))?.chunks(self.meta.labels.len()).map(<[f32]>::to_vec).collect())
    }

    /// The encoder this head runs on: `model_dir`'s bottom with these top layers attached.
    pub fn encoder(model_dir: &Path, dir: &Path, precision: Precision) -> Result<(Encoder, Tuned), HeadError> {
        let meta = Self::meta(dir)?;
        let bottom = Encoder::load_bottom(model_dir, precision, meta.config.first_layer)?;
        Self::on(bottom, model_dir, dir, meta)
    }

    /// As [`Self::encoder`], on a bottom already loaded by another tuned head (shared, not
    /// copied) when it is cut at or below this head's first tuned layer, of the same model: the
    /// base layers in between then run on top of the shared bottom ([`TopLayers::load_above`]),
    /// so two heads tuned from different layers hold one copy of the embeddings.
    pub fn encoder_sharing(shared: &Encoder, model_dir: &Path, dir: &Path, precision: Precision) -> Result<(Encoder, Tuned), HeadError> {
        let meta = Self::meta(dir)?;
        match shared.bottom_layers {
            Some(cut) if cut <= meta.config.first_layer && shared.dir == model_dir && shared.precision == precision.resolve() => {
                Self::on(shared.sharing_bottom(), model_dir, dir, meta)
            }
            _ => Self::encoder(model_dir, dir, precision),
        }
    }

    /// The layer a tuned head's own layers start from, read from `dir`'s `tuned.json`; `None`
    /// for a directory that holds no tuned head.
    pub fn first_layer(dir: &Path) -> Option<usize> {
        dir.join("tuned.json").is_file().then(|| Self::meta(dir).ok()).flatten().map(|m| m.config.first_layer)
    }

    fn meta(dir: &Path) -> Result<TunedMeta, HeadError> {
        super::read_model(dir, "tuned.json")
    }

    fn on(mut bottom: Encoder, model_dir: &Path, dir: &Path, meta: TunedMeta) -> Result<(Encoder, Tuned), HeadError> {
        let width = super::features::input_dim(bottom.hidden_size, meta.task, meta.config.mention);
        let (mut classifier_vs, classifier) = classifier(width, meta.labels.len());
        classifier_vs.load(dir.join("classifier.safetensors"))?;
        let cut = bottom.bottom_layers.unwrap_or(meta.config.first_layer);
        let kind = if bottom.precision == Precision::Bf16 { Kind::BFloat16 } else { Kind::Float };
        // The trained layers run in the bottom's arithmetic too: in bf16 the dev figures move by
        // at most 0.003 (models/README.md); `score` with the rules runs 30% faster with AMX.
        let mut top = TopLayers::load_above(model_dir, dir, meta.config.first_layer, cut, kind)?;
        top.run_trained_in(kind)?;
        bottom.attach_top(top);
        Ok((bottom, Tuned { classifier_vs, classifier, meta }))
    }

    /// Stores a saved head's tuned layers anew in `storage` (from f16 to int8 rows, say),
    /// recording in `tuned.json` that its dev figures were measured before.
    pub fn repack(model_dir: &Path, dir: &Path, storage: Storage) -> Result<TunedMeta, HeadError> {
        let mut meta = Self::meta(dir)?;
        let mut top = TopLayers::load(model_dir, dir, meta.config.first_layer)?;
        let before = meta.config.storage;
        meta.config.storage = storage;
        meta.record["repacked"] = serde_json::json!({
            "from": before, "to": storage,
            "note": "record.dev.metrics were measured before this repacking; `standpoint eval` gives the figures of these weights",
        });
        top.save(dir, storage)?;
        super::write_model(dir, "tuned.json", &meta)?;
        Ok(meta)
    }

    fn save(&self, top: &mut TopLayers, dir: &Path) -> Result<(), HeadError> {
        std::fs::create_dir_all(dir).map_err(|source| HeadError::Io { path: dir.display().to_string(), source })?;
        top.save(dir, self.meta.config.storage)?;
        self.classifier_vs.save(dir.join("classifier.safetensors"))?;
        super::write_model(dir, "tuned.json", &self.meta)
    }
}

/// A label's weight never exceeds this, so a label with a handful of rows in one group does not
/// dominate the loss.
const MAX_LABEL_WEIGHT: f64 = 5.0;

/// Loss weights of the training examples: within each group (`group(i)`), a label's weight is the
/// inverse of its share, `n_group / (labels_in_group · n_group_label)`, capped at [`MAX_LABEL_WEIGHT`].
/// One group for all examples is plain class balancing.
/// Indexed like `y`; examples outside `fit` weigh 0.
fn label_weights<'a>(fit: &[usize], y: &[usize], group: impl Fn(usize) -> &'a str) -> Vec<f32> {
    use std::collections::HashMap;
    let mut counts: HashMap<(&str, usize), usize> = HashMap::new();
    let mut totals: HashMap<&str, usize> = HashMap::new();
    for &i in fit {
        *counts.entry((group(i), y[i])).or_default() += 1;
        *totals.entry(group(i)).or_default() += 1;
    }
    let labels_in = |g: &str| counts.keys().filter(|(h, _)| *h == g).count();
    let mut weights = vec![0.0; y.len()];
    for &i in fit {
        let g = group(i);
        let w = totals[g] as f64 / (labels_in(g) as f64 * counts[&(g, y[i])] as f64);
        weights[i] = w.min(MAX_LABEL_WEIGHT) as f32;
    }
    weights
}

/// Fine-tunes the top layers and a classifier on `data`, reports on `dev`, and saves all to `out`.
pub fn train(
    model_dir: &Path,
    task: Task,
    data: &[std::path::PathBuf],
    dev: &[std::path::PathBuf],
    config: &TuneConfig,
    batch: &BatchConfig,
    out: &Path,
) -> Result<Tuned, HeadError> {
    let (examples, skipped) = labelled::read(data, task)?;
    let (dev_examples, dev_skipped) = labelled::read(dev, task)?;
    tch::manual_seed(config.seed as i64);
    tch::set_num_threads(batch.threads.max(1) as i32);
    let bottom = Encoder::load_bottom(model_dir, Precision::Auto, config.first_layer)?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let mentions: Vec<std::borrow::Cow<[(usize, usize)]>> = examples
        .iter()
        .map(|e| {
            super::mention_spans(&e.text, e.target.as_deref().unwrap_or(""), e.mentions.as_deref().unwrap_or(&[]), config.locate_targets)
        })
        .collect();
    let mentions: Vec<&[(usize, usize)]> = mentions.iter().map(|m| m.as_ref()).collect();
    let (states, mention_at) = bottom_states(&bottom, &texts, &mentions, config.max_tokens)?;
    let mentions_for = |idx: &[usize]| -> Vec<&[i64]> { idx.iter().map(|&i| mention_at[i].as_slice()).collect() };
    // Targets: each distinct one run through the bottom once; examples point at theirs.
    let mut distinct: Vec<&str> = examples.iter().filter_map(|e| e.target.as_deref()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let target_states = if task.uses_target() { bottom_states(&bottom, &distinct, &[], config.max_tokens)?.0 } else { Vec::new() };
    let target_of: Vec<usize> =
        examples.iter().map(|e| e.target.as_deref().and_then(|t| distinct.binary_search(&t).ok()).unwrap_or(0)).collect();
    let targets_for =
        |idx: &[usize]| -> Option<Vec<&Tensor>> { task.uses_target().then(|| idx.iter().map(|&i| &target_states[target_of[i]]).collect()) };
    let labels = task.labels();
    let y = super::gold(task, &examples);

    let mut rng = Rng::new(config.seed);
    // its own stream, so the order of batches does not depend on the mention dropout
    let mut hide = Rng::new(config.seed ^ 0x6d65_6e74);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    rng.shuffle(&mut order);
    let n_hold = ((examples.len() as f64 * config.holdout) as usize).clamp(1, examples.len() - 1);
    let (hold, fit) = order.split_at(n_hold);
    let (hold, mut fit) = (hold.to_vec(), fit.to_vec());

    let mut top = TopLayers::from_base(model_dir, config.first_layer)?;
    let (classifier_vs, linear) = classifier(super::features::input_dim(bottom.hidden_size, task, config.mention), labels.len());
    let mut tuned = Tuned {
        classifier_vs,
        classifier: linear,
        meta: TunedMeta {
            format: 1,
            task,
            labels: labels.iter().map(|s| s.to_string()).collect(),
            temperature: 1.0,
            config: config.clone(),
            encoder: bottom.profile.source.clone().unwrap_or_default(),
            epochs_trained: 0,
            holdout_macro_f1: -1.0,
            record: serde_json::Value::Null,
        },
    };
    let mut opt_top = nn::AdamW::default().build(&top.vs, config.lr_top)?;
    let mut opt_head = nn::AdamW::default().build(&tuned.classifier_vs, config.lr_head)?;
    let group = |i: usize| if config.balance_per_language { examples[i].lang.as_deref().unwrap_or("") } else { "" };
    let mut weight = label_weights(&fit, &y, group);
    for (w, e) in weight.iter_mut().zip(&examples) {
        *w *= *e.lang.as_deref().and_then(|l| config.language_weights.get(l)).unwrap_or(&1.0) as f32;
    }

    let hold_probs = |t: &Tuned| -> Vec<Vec<f32>> {
        hold.chunks(128)
            .flat_map(|c| {
                let s: Vec<&Tensor> = c.iter().map(|&i| &states[i]).collect();
                let p = tch::no_grad(|| t.logits(&top, &s, targets_for(c).as_deref(), &mentions_for(c), false).softmax(-1, Kind::Float));
                Vec::<f32>::try_from(p.view([-1])).unwrap().chunks(labels.len()).map(<[f32]>::to_vec).collect::<Vec<_>>()
            })
            .collect()
    };
    let gold_hold: Vec<usize> = hold.iter().map(|&i| y[i]).collect();
    let mut best: Vec<(String, Tensor)> = Vec::new();
    let steps = config.epochs * fit.len().div_ceil(config.batch_size);
    let mut step = 0;
    for epoch in 1..=config.epochs {
        // shuffle, then sort within buckets so batches pad little
        rng.shuffle(&mut fit);
        for bucket in fit.chunks_mut(config.batch_size * 20) {
            bucket.sort_by_key(|&i| states[i].size()[0]);
        }
        let mut batches: Vec<&[usize]> = fit.chunks(config.batch_size).collect();
        rng.shuffle(&mut batches);
        for b in batches {
            let mut mentions = mentions_for(b);
            for m in mentions.iter_mut() {
                if hide.uniform() < config.mention_dropout {
                    *m = &[];
                }
            }
            let s: Vec<&Tensor> = b.iter().map(|&i| &states[i]).collect();
            let gold = Tensor::from_slice(&b.iter().map(|&i| y[i] as i64).collect::<Vec<_>>());
            let w = Tensor::from_slice(&b.iter().map(|&i| weight[i]).collect::<Vec<f32>>());
            let per_example = tuned.logits(&top, &s, targets_for(b).as_deref(), &mentions, true).cross_entropy_loss::<&Tensor>(
                &gold,
                None,
                Reduction::None,
                -100,
                0.0,
            );
            let loss = (per_example * &w).sum(Kind::Float) / w.sum(Kind::Float);
            let factor = config.schedule.factor(step, steps);
            step += 1;
            opt_top.set_lr(config.lr_top * factor);
            opt_head.set_lr(config.lr_head * factor);
            opt_top.zero_grad();
            opt_head.zero_grad();
            loss.backward();
            opt_top.step();
            opt_head.step();
        }
        let probs = hold_probs(&tuned);
        let f1 = metrics::report(labels, &gold_hold, &probs, &vec![None; gold_hold.len()])["macro_f1"].as_f64().unwrap_or(0.0);
        eprintln!("standpoint: epoch {epoch}: held-out macro-F1 {f1:.4}");
        if f1 > tuned.meta.holdout_macro_f1 {
            tuned.meta.holdout_macro_f1 = f1;
            tuned.meta.epochs_trained = epoch;
            best = top.vs.variables().into_iter().chain(tuned.classifier_vs.variables()).map(|(k, v)| (k, v.detach().copy())).collect();
        }
    }
    tch::no_grad(|| {
        let mut vars = top.vs.variables();
        vars.extend(tuned.classifier_vs.variables());
        for (k, v) in &best {
            if let Some(var) = vars.get_mut(k) {
                var.copy_(v);
            }
        }
    });
    // Temperature on the held-out slice.
    let logits: Vec<Tensor> = hold
        .chunks(128)
        .map(|c| {
            let s: Vec<&Tensor> = c.iter().map(|&i| &states[i]).collect();
            tch::no_grad(|| tuned.logits(&top, &s, targets_for(c).as_deref(), &mentions_for(c), false))
        })
        .collect();
    let logits = Tensor::cat(&logits, 0);
    let gold = Tensor::from_slice(&gold_hold.iter().map(|&g| g as i64).collect::<Vec<_>>());
    tuned.meta.temperature = fitting::temperature(&logits, &gold);

    // Report on dev through the product's own path: the batching layer with the tuned top.
    let mut encoder = Encoder::load_bottom(model_dir, Precision::Auto, config.first_layer)?;
    top.round_to(config.storage);
    top.vs.freeze();
    encoder.attach_top(top);
    let classifier = super::Classifier::Tuned { encoder, tuned };
    let probs = classifier.probabilities(&dev_examples, batch, None, None)?;
    let super::Classifier::Tuned { encoder, mut tuned } = classifier else { unreachable!("built above") };
    tuned.meta.record = serde_json::json!({
        "train": {"files": super::file_record(data)?, "examples": examples.len(), "skipped": skipped},
        "dev": {"files": super::file_record(dev)?, "examples": dev_examples.len(), "skipped": dev_skipped,
                "metrics": super::report_on(task, &dev_examples, &probs)},
    });
    let mut top = encoder.into_top().expect("attached above");
    tuned.save(&mut top, out)?;
    Ok(tuned)
}

#[cfg(test)]
mod tests {
    use super::Schedule;

    #[test]
    fn the_linear_schedule_warms_up_then_decays_to_near_zero() {
        let total = 100;
        let f: Vec<f64> = (0..total).map(|s| Schedule::Linear.factor(s, total)).collect();
        let peak = f.iter().position(|&x| x == 1.0).expect("reaches the full rate");
        assert_eq!(peak, 5, "6% of 100 steps warm up, the sixth at the full rate");
        assert!(f[..=peak].windows(2).all(|w| w[0] < w[1]), "rises during warm-up");
        assert!(f[peak..].windows(2).all(|w| w[0] > w[1]), "falls after it");
        assert!(f[0] > 0.0 && f[total - 1] > 0.0 && f[total - 1] < 0.02, "never a wasted step, ends near zero");
        assert!((0..total).all(|s| Schedule::Constant.factor(s, total) == 1.0));
        assert_eq!(Schedule::Linear.factor(0, 1), 1.0, "a one-step run takes its one step at the full rate");
        assert_eq!(Schedule::Linear.factor(3, 0), 0.0, "past the end of a run: no rate, and no panic");
    }
}
