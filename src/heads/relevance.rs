//! Relevance: P(a statement is about a target), so that a target's aggregate counts only the
//! statements that concern it.
//!
//! It reads vectors of the statement and of the target — the stance head's own, which the stance
//! pass has already computed, or the untuned encoder's ([`Vectors`]) — through a logistic model:
//! P(about) = σ(w · f(u, v) + b), with `f` the cosine of the two vectors, and for
//! [`Features::Product`] also their normalised element-wise product (a learned weighting of the
//! directions in which statement and target agree).
//!
//! It is fitted on the labelled targets of the shared datasets (NewsMTSC, RuSentNE, RuOpinionNE,
//! MARDY …: a text and what it is about) against mismatched targets: the same text paired with
//! another text's target from the same file that it does not mention ([`pairs`]). The vectors,
//! the feature set, the L2 strength and the threshold are chosen on a seeded tenth of the training texts;
//! dev is reported once (`standpoint train --task relevance`, `standpoint eval --task relevance`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fitting::{logit, sigmoid, Rng};
use super::{Classifier, HeadError};
use crate::model::BatchConfig;

/// The file a relevance model is stored in, inside its directory.
pub const FILE: &str = "relevance.json";

/// What the logistic model reads of a (statement vector, target vector) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Features {
    /// The cosine alone: one weight and a bias, a calibrated similarity.
    Cosine,
    /// The cosine and the element-wise product of the unit vectors (hidden + 1 weights).
    Product,
}

impl Features {
    fn of(self, u: &[f32], v: &[f32]) -> Vec<f64> {
        let norm = |x: &[f32]| x.iter().map(|a| f64::from(*a) * f64::from(*a)).sum::<f64>().sqrt().max(1e-12);
        let (nu, nv) = (norm(u), norm(v));
        let products = u.iter().zip(v).map(|(a, b)| f64::from(*a) * f64::from(*b) / (nu * nv));
        let cosine: f64 = products.clone().sum();
        match self {
            Features::Cosine => vec![cosine],
            // scaled so that a product term is about as large as the cosine
            Features::Product => std::iter::once(cosine).chain(products.map(|p| p * (u.len() as f64).sqrt())).collect(),
        }
    }
}

/// Whose vectors of statement and target the model reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Vectors {
    /// The stance head's: already computed by the stance pass, so free.
    Stance,
    /// The untuned encoder's (the base model's layers above the heads' shared bottom): one more
    /// pass of those layers per statement and per target.
    Base,
    /// Both, their features side by side.
    Both,
}

impl Vectors {
    fn reads_stance(self) -> bool {
        matches!(self, Vectors::Stance | Vectors::Both)
    }

    pub fn reads_base(self) -> bool {
        matches!(self, Vectors::Base | Vectors::Both)
    }
}

/// Encodes texts into the vectors a model reads.
pub struct Readers<'a> {
    pub stance: &'a Classifier,
    pub base: &'a crate::model::Encoder,
}

impl Readers<'_> {
    /// The stance head's vectors (`base` false) or the untuned encoder's.
    pub fn encode(&self, base: bool, texts: &[&str], batch: &BatchConfig) -> Result<Vec<Vec<f32>>, HeadError> {
        match base {
            false => self.stance.encode(texts, batch, None),
            true => Ok(crate::model::embed(self.base, texts, batch)?.into_iter().map(|e| e.vector).collect()),
        }
    }
}

/// A fitted relevance model (`relevance.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relevance {
    pub format: u32,
    pub vectors: Vectors,
    pub features: Features,
    pub weights: Vec<f64>,
    pub bias: f64,
    /// A statement counts toward a target's aggregate when P(about) is at least this.
    pub threshold: f64,
    /// SHA-256 of the stance head's `tuned.json` (or `head.json`): the vectors it reads.
    pub stance_head: String,
    pub l2: f64,
    /// Free-form record of the run: data files with hashes, counts, held-out and dev figures.
    pub record: Value,
}

impl Relevance {
    /// P(about) from the statement's and the target's vectors: the stance head's, and the untuned
    /// encoder's when the model reads them ([`Vectors::reads_base`]).
    pub fn probability(&self, stance: (&[f32], &[f32]), base: Option<(&[f32], &[f32])>) -> f32 {
        sigmoid(logit(&self.weights, self.bias, &self.row(stance, base))) as f32
    }

    fn row(&self, stance: (&[f32], &[f32]), base: Option<(&[f32], &[f32])>) -> Vec<f64> {
        feature_row(self.vectors, self.features, stance, base)
    }

    pub fn load(dir: &Path) -> Result<Self, HeadError> {
        let model: Relevance = super::read_model(dir, FILE)?;
        if model.format != 1 {
            return Err(HeadError::Data(format!("{}: unknown format {}", dir.join(FILE).display(), model.format)));
        }
        Ok(model)
    }

    pub fn save(&self, dir: &Path) -> Result<(), HeadError> {
        super::write_model(dir, FILE, self)
    }
}

/// The fingerprint a relevance model records of the stance head whose vectors it reads.
pub fn stance_head_hash(stance_dir: &Path) -> Result<String, HeadError> {
    let path = ["tuned.json", "head.json"]
        .iter()
        .map(|f| stance_dir.join(f))
        .find(|p| p.is_file())
        .ok_or_else(|| HeadError::Data(format!("{}: no tuned.json or head.json", stance_dir.display())))?;
    let bytes = std::fs::read(&path).map_err(|source| HeadError::Io { path: path.display().to_string(), source })?;
    Ok(crate::digest::sha256_hex(&bytes))
}

/// One text and the targets it is about.
#[derive(Debug, Clone)]
pub struct Targeted {
    pub text: String,
    pub lang: Option<String>,
    pub targets: Vec<String>,
    /// Which input file it came from: negatives are drawn within a file.
    pub file: usize,
}

/// Texts with their targets, from files in the shared classification schema (`text`, `target`)
/// or RuOpinionNE's (`text`, `opinions[].target.text`). Rows of one text are merged; texts
/// without a target are skipped, as are pronoun-like targets (all lower case, at most four
/// letters: "he", "him", "они"), which name nothing a user would ask about.
pub fn read(paths: &[impl AsRef<Path>]) -> Result<Vec<Targeted>, HeadError> {
    let mut out = Vec::new();
    for (file, path) in paths.iter().enumerate() {
        let path = path.as_ref();
        let data = std::fs::read_to_string(path).map_err(|source| HeadError::Io { path: path.display().to_string(), source })?;
        let mut by_text: BTreeMap<String, Targeted> = BTreeMap::new();
        let mut order = Vec::new();
        for (n, line) in data.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let row: Value =
                serde_json::from_str(line).map_err(|source| HeadError::Json { path: path.display().to_string(), line: n + 1, source })?;
            let Some(text) = row["text"].as_str().filter(|t| !t.trim().is_empty()) else { continue };
            let mut targets: Vec<String> = match row["opinions"].as_array() {
                Some(ops) => ops.iter().filter_map(|o| o["target"]["text"].as_str()).map(str::to_owned).collect(),
                None => row["target"].as_str().map(str::to_owned).into_iter().collect(),
            };
            targets.retain(|t| names_something(t));
            if targets.is_empty() {
                continue;
            }
            let entry = by_text.entry(text.to_owned()).or_insert_with(|| {
                order.push(text.to_owned());
                Targeted { text: text.to_owned(), lang: row["lang"].as_str().map(str::to_owned), targets: Vec::new(), file }
            });
            for t in targets {
                if !entry.targets.contains(&t) {
                    entry.targets.push(t);
                }
            }
        }
        out.extend(order.into_iter().map(|t| by_text.remove(&t).expect("listed")));
    }
    Ok(out)
}

fn names_something(target: &str) -> bool {
    let t = target.trim();
    !t.is_empty() && (t.chars().count() > 4 || t.chars().any(char::is_uppercase))
}

/// A (text, target) pair with its label: `about` for the text's own targets, not for a
/// mismatched one.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPair {
    pub item: usize,
    pub target: String,
    pub about: bool,
}

/// Every text's own targets, and as many mismatched ones: each drawn (seeded) from another text
/// of the same file, neither among the text's targets nor mentioned in it in any form
/// (as [`super::labelled::mismatched`] tells a mention).
pub fn pairs(items: &[Targeted], seed: u64) -> Vec<LabelledPair> {
    let mut rng = Rng::new(seed);
    let mut by_file: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        by_file.entry(it.file).or_default().push(i);
    }
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let same = &by_file[&it.file];
        let lower = it.text.to_lowercase();
        let own: HashSet<String> = it.targets.iter().map(|t| t.to_lowercase()).collect();
        for t in &it.targets {
            out.push(LabelledPair { item: i, target: t.clone(), about: true });
            for _ in 0..16 {
                let other = &items[same[rng.below(same.len())]];
                let candidate = &other.targets[rng.below(other.targets.len())];
                if own.contains(&candidate.to_lowercase()) || super::labelled::mentions(&lower, &it.text, candidate) {
                    continue;
                }
                out.push(LabelledPair { item: i, target: candidate.clone(), about: false });
                break;
            }
        }
    }
    out
}

/// Splits items into (fit, held out) by a seeded share of the texts.
pub fn hold_out(n: usize, share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let k = ((n as f64 * share).round() as usize).min(n);
    let (hold, fit) = order.split_at(k);
    let (mut fit, mut hold) = (fit.to_vec(), hold.to_vec());
    fit.sort_unstable();
    hold.sort_unstable();
    (fit, hold)
}

/// Fits logistic weights (full-batch Adam on the mean log-loss + `l2`·|w|², features
/// standardised while fitting and folded back): deterministic, single-threaded.
pub fn fit(x: &[Vec<f64>], y: &[bool], l2: f64, steps: usize) -> (Vec<f64>, f64) {
    let n = x.len().max(1) as f64;
    let d = x.first().map_or(0, Vec::len);
    let mean: Vec<f64> = (0..d).map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n).collect();
    let sd: Vec<f64> = (0..d).map(|j| (x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n).sqrt().max(1e-9)).collect();
    let z: Vec<Vec<f64>> = x.iter().map(|r| r.iter().enumerate().map(|(j, a)| (a - mean[j]) / sd[j]).collect()).collect();
    let (mut w, mut b) = (vec![0.0; d], 0.0);
    let (mut m, mut v) = (vec![0.0; d + 1], vec![0.0; d + 1]);
    let (lr, b1, b2) = (0.05, 0.9, 0.999);
    for step in 1..=steps {
        let mut g = vec![0.0; d + 1];
        for (r, &label) in z.iter().zip(y) {
            let err = sigmoid(logit(&w, b, r)) - f64::from(u8::from(label));
            for j in 0..d {
                g[j] += err * r[j];
            }
            g[d] += err;
        }
        for j in 0..d {
            g[j] = g[j] / n + 2.0 * l2 * w[j];
        }
        g[d] /= n;
        for j in 0..=d {
            m[j] = b1 * m[j] + (1.0 - b1) * g[j];
            v[j] = b2 * v[j] + (1.0 - b2) * g[j] * g[j];
            let step_size = lr * (1.0 - b2.powi(step as i32)).sqrt() / (1.0 - b1.powi(step as i32));
            let delta = step_size * m[j] / (v[j].sqrt() + 1e-8);
            if j < d {
                w[j] -= delta;
            } else {
                b -= delta;
            }
        }
    }
    // back to raw features: w·(x − μ)/σ + b
    let raw: Vec<f64> = w.iter().zip(&sd).map(|(a, s)| a / s).collect();
    let bias = b - raw.iter().zip(&mean).map(|(a, mu)| a * mu).sum::<f64>();
    (raw, bias)
}

/// Area under the ROC curve of `scores` for the positives in `y` (ties count a half).
pub fn auc(scores: &[f64], y: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += (i..=j).filter(|&k| y[order[k]]).count() as f64 * mid;
        i = j + 1;
    }
    let pos = y.iter().filter(|&&p| p).count() as f64;
    let neg = y.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return f64::NAN;
    }
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// The threshold on P(about) that maximises true-positive rate minus false-positive rate.
pub fn youden_threshold(p: &[f64], y: &[bool]) -> f64 {
    let pos = y.iter().filter(|&&a| a).count().max(1) as f64;
    let neg = (y.len() as f64 - pos).max(1.0);
    let mut best = (f64::NEG_INFINITY, 0.5);
    for k in 1..100 {
        let t = k as f64 / 100.0;
        let tp = p.iter().zip(y).filter(|(q, a)| **a && **q >= t).count() as f64;
        let fp = p.iter().zip(y).filter(|(q, a)| !**a && **q >= t).count() as f64;
        let j = tp / pos - fp / neg;
        if j > best.0 {
            best = (j, t);
        }
    }
    best.1
}

/// Figures of P(about) on labelled pairs: AUC, and at `threshold` the share of true targets
/// kept and of mismatched ones left out.
pub fn figures(p: &[f64], y: &[bool], threshold: f64) -> Value {
    let pos = y.iter().filter(|&&a| a).count();
    let neg = y.len() - pos;
    let kept = p.iter().zip(y).filter(|(q, a)| **a && **q >= threshold).count();
    let dropped = p.iter().zip(y).filter(|(q, a)| !**a && **q < threshold).count();
    serde_json::json!({
        "pairs": y.len(), "about": pos, "mismatched": neg,
        "auc": round(auc(p, y)),
        "threshold": threshold,
        "about_kept": round(kept as f64 / pos.max(1) as f64),
        "mismatched_left_out": round(dropped as f64 / neg.max(1) as f64),
    })
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// One pair's features: of the stance head's vectors, of the untuned encoder's, or both side by
/// side.
fn feature_row(vectors: Vectors, features: Features, stance: (&[f32], &[f32]), base: Option<(&[f32], &[f32])>) -> Vec<f64> {
    let base = || base.expect("a model that reads the untuned encoder's vectors is given them");
    match vectors {
        Vectors::Stance => features.of(stance.0, stance.1),
        Vectors::Base => features.of(base().0, base().1),
        Vectors::Both => {
            let mut row = features.of(stance.0, stance.1);
            row.extend(features.of(base().0, base().1));
            row
        }
    }
}

/// Labelled pairs of `paths` (drawn with `seed`) with their features for each candidate.
fn labelled_rows(
    readers: &Readers,
    paths: &[PathBuf],
    candidates: &[(Vectors, Features)],
    batch: &BatchConfig,
    seed: u64,
) -> Result<Rows, HeadError> {
    let items = read(paths)?;
    let pairs = pairs(&items, seed);
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let mut targets: Vec<&str> = pairs.iter().map(|p| p.target.as_str()).collect();
    targets.sort_unstable();
    targets.dedup();
    let wanted = |base: bool| candidates.iter().any(|(v, _)| if base { v.reads_base() } else { v.reads_stance() });
    let encode = |base: bool| -> Result<Option<Encoded>, HeadError> {
        wanted(base).then(|| Ok((readers.encode(base, &texts, batch)?, readers.encode(base, &targets, batch)?))).transpose()
    };
    let (stance, base) = (encode(false)?, encode(true)?);
    let at = |t: &str| targets.binary_search(&t).expect("listed");
    let side = |e: &'_ Option<Encoded>, p: &LabelledPair| -> Option<(Vec<f32>, Vec<f32>)> {
        e.as_ref().map(|(u, v)| (u[p.item].clone(), v[at(&p.target)].clone()))
    };
    let x = candidates
        .iter()
        .map(|&(vectors, features)| {
            pairs
                .iter()
                .map(|p| {
                    let (s, b) = (side(&stance, p), side(&base, p));
                    let empty: (&[f32], &[f32]) = (&[], &[]);
                    let s = s.as_ref().map_or(empty, |(u, v)| (u.as_slice(), v.as_slice()));
                    feature_row(vectors, features, s, b.as_ref().map(|(u, v)| (u.as_slice(), v.as_slice())))
                })
                .collect()
        })
        .collect();
    Ok(Rows { items, pairs, x })
}

/// The texts' vectors and the targets' vectors, from one reader.
type Encoded = (Vec<Vec<f32>>, Vec<Vec<f32>>);

struct Rows {
    items: Vec<Targeted>,
    pairs: Vec<LabelledPair>,
    /// One feature table per candidate.
    x: Vec<Vec<Vec<f64>>>,
}

const FIT_STEPS: usize = 300;

/// A fitted candidate with its held-out figure and probabilities.
struct Candidate {
    held_auc: f64,
    index: usize,
    l2: f64,
    weights: Vec<f64>,
    bias: f64,
    p_hold: Vec<f64>,
}

/// Fits a relevance model on `data`: the vectors (stance head's or base model's), the feature set
/// and the L2 strength chosen by the mean over the data files of the AUC on a seeded tenth of
/// the training texts (each dataset — entity targets in en and ru, claim categories in de —
/// weighs alike), the threshold by Youden's J on the same tenth; `dev` is measured once, after
/// the choice, and recorded.
pub fn train(
    readers: &Readers,
    stance_dir: &Path,
    data: &[PathBuf],
    dev: &[PathBuf],
    batch: &BatchConfig,
    seed: u64,
) -> Result<Relevance, HeadError> {
    let candidates: Vec<(Vectors, Features)> = [Vectors::Stance, Vectors::Base, Vectors::Both]
        .into_iter()
        .flat_map(|v| [Features::Cosine, Features::Product].map(|f| (v, f)))
        .collect();
    let rows = labelled_rows(readers, data, &candidates, batch, seed)?;
    let (fit_items, _) = hold_out(rows.items.len(), 0.1, seed);
    let fit_set: HashSet<usize> = fit_items.into_iter().collect();
    let (fit_idx, hold_idx): (Vec<usize>, Vec<usize>) = (0..rows.pairs.len()).partition(|&k| fit_set.contains(&rows.pairs[k].item));
    let y = |idx: &[usize]| idx.iter().map(|&k| rows.pairs[k].about).collect::<Vec<bool>>();
    let (y_fit, y_hold) = (y(&fit_idx), y(&hold_idx));
    let hold_file: Vec<usize> = hold_idx.iter().map(|&k| rows.items[rows.pairs[k].item].file).collect();
    // the mean over files of the held-out AUC, and the pooled AUC
    let judge = |p: &[f64]| -> (f64, f64) {
        let per_file: Vec<f64> = (0..data.len())
            .filter_map(|f| {
                let idx: Vec<usize> = (0..p.len()).filter(|&i| hold_file[i] == f).collect();
                let a = auc(&idx.iter().map(|&i| p[i]).collect::<Vec<_>>(), &idx.iter().map(|&i| y_hold[i]).collect::<Vec<_>>());
                a.is_finite().then_some(a)
            })
            .collect();
        (per_file.iter().sum::<f64>() / per_file.len().max(1) as f64, auc(p, &y_hold))
    };
    let mut tried = Vec::new();
    let mut best: Option<Candidate> = None;
    for (c, ((vectors, features), x)) in candidates.iter().zip(&rows.x).enumerate() {
        let pick = |idx: &[usize]| idx.iter().map(|&k| x[k].clone()).collect::<Vec<_>>();
        let (x_fit, x_hold) = (pick(&fit_idx), pick(&hold_idx));
        let l2s: &[f64] = match features {
            Features::Cosine => &[0.0],
            Features::Product => &[1e-3, 1e-2, 1e-1],
        };
        for &l2 in l2s {
            let (w, b) = fit(&x_fit, &y_fit, l2, FIT_STEPS);
            let p: Vec<f64> = x_hold.iter().map(|r| sigmoid(logit(&w, b, r))).collect();
            let (mean, pooled) = judge(&p);
            tried.push(serde_json::json!({"vectors": vectors, "features": features, "l2": l2,
                                          "held_out_auc_mean_over_files": round(mean), "held_out_auc_pooled": round(pooled)}));
            if best.as_ref().is_none_or(|b| mean > b.held_auc) {
                best = Some(Candidate { held_auc: mean, index: c, l2, weights: w, bias: b, p_hold: p });
            }
        }
    }
    let Candidate { held_auc, index, l2, weights, bias, p_hold } = best.ok_or_else(|| HeadError::Data("no training pairs".into()))?;
    let (vectors, features) = candidates[index];
    let threshold = youden_threshold(&p_hold, &y_hold);
    let mut model = Relevance {
        format: 1,
        vectors,
        features,
        weights,
        bias,
        threshold,
        stance_head: stance_head_hash(stance_dir)?,
        l2,
        record: Value::Null,
    };
    let dev_figures = measure(readers, &model, dev, batch, seed + 1)?;
    model.record = serde_json::json!({
        "train": {"files": super::file_record(data)?, "texts": rows.items.len(), "pairs": rows.pairs.len(), "seed": seed},
        "held_out": {"share_of_texts": 0.1, "pairs": hold_idx.len(), "chosen_by": "held-out AUC, mean over the training files",
                     "auc_mean_over_files": round(held_auc), "tried": tried, "figures": figures(&p_hold, &y_hold, threshold)},
        "dev": {"files": super::file_record(dev)?, "figures": dev_figures},
    });
    Ok(model)
}

/// P(about) on `paths`' labelled pairs (drawn with `seed`): figures over all, per file and per
/// language.
pub fn measure(readers: &Readers, model: &Relevance, paths: &[PathBuf], batch: &BatchConfig, seed: u64) -> Result<Value, HeadError> {
    let rows = labelled_rows(readers, paths, &[(model.vectors, model.features)], batch, seed)?;
    let p: Vec<f64> = rows.x[0].iter().map(|r| sigmoid(logit(&model.weights, model.bias, r))).collect();
    let y: Vec<bool> = rows.pairs.iter().map(|q| q.about).collect();
    let subset = |keep: &dyn Fn(&Targeted) -> bool| {
        let idx: Vec<usize> = (0..rows.pairs.len()).filter(|&k| keep(&rows.items[rows.pairs[k].item])).collect();
        figures(&idx.iter().map(|&k| p[k]).collect::<Vec<_>>(), &idx.iter().map(|&k| y[k]).collect::<Vec<_>>(), model.threshold)
    };
    let per_file: serde_json::Map<String, Value> =
        paths.iter().enumerate().map(|(f, path)| (path.display().to_string(), subset(&|it: &Targeted| it.file == f))).collect();
    let mut langs: Vec<String> = rows.items.iter().map(|i| i.lang.clone().unwrap_or_else(|| "unknown".into())).collect();
    langs.sort();
    langs.dedup();
    let per_language: serde_json::Map<String, Value> =
        langs.iter().map(|l| (l.clone(), subset(&|it: &Targeted| it.lang.as_deref().unwrap_or("unknown") == l))).collect();
    let mut out = figures(&p, &y, model.threshold);
    out["per_file"] = Value::Object(per_file);
    out["per_language"] = Value::Object(per_language);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ordered_pairs_and_ties_as_halves() {
        assert_eq!(auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]), 0.75);
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), 0.5);
        assert_eq!(auc(&[0.9, 0.1], &[true, false]), 1.0);
    }

    #[test]
    fn fitting_separates_a_separable_feature_and_folds_standardisation_back() {
        let x: Vec<Vec<f64>> = (0..200).map(|i| vec![i as f64 / 100.0]).collect();
        let y: Vec<bool> = (0..200).map(|i| i >= 100).collect();
        let (w, b) = fit(&x, &y, 0.0, 400);
        let p = |a: f64| sigmoid(w[0] * a + b);
        assert!(p(0.2) < 0.1 && p(1.8) > 0.9, "w {w:?} b {b}");
        assert!((p(1.0) - 0.5).abs() < 0.1);
    }

    #[test]
    fn mismatched_targets_come_from_the_same_file_and_are_not_mentioned() {
        let item = |text: &str, target: &str, file| Targeted { text: text.into(), lang: None, targets: vec![target.into()], file };
        let items = [
            item("Trump said the wall works.", "Trump", 0),
            item("Biden spoke about Trump.", "Biden", 0),
            item("Путин выступил.", "Путин", 1),
        ];
        let p = pairs(&items, 3);
        // the Biden sentence mentions Trump, so it has no mismatched pair
        assert_eq!(p.iter().filter(|p| p.item == 1 && !p.about).count(), 0);
        assert!(p.contains(&LabelledPair { item: 0, target: "Biden".into(), about: false }));
        // the only text of its file has no other target to draw
        assert_eq!(p.iter().filter(|p| p.item == 2).count(), 1);
    }

    #[test]
    fn pronoun_targets_are_skipped() {
        assert!(!names_something("he") && !names_something("они"));
        assert!(names_something("EU") && names_something("Путин") && names_something("migration"));
    }
}
