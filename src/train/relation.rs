//! Fitting the relation model ([`crate::heads::relation`]) on opinion tuples in RuOpinionNE's
//! layout, and measuring it.
//!
//! Every sentence offers (holder, target) pairs: its gold holders and "no one named" (the
//! author, or no holder: the product's statements without a speaker), crossed with its gold
//! targets and the actors the dictionary finds in it. A pair is an attitude when a gold tuple
//! joins them (its holder meets the holder's span, or both name no one; its target meets the
//! target's), positive when that tuple is. The feature set, the L2 strength, the polarity's source
//! and the threshold are chosen by cross-validation over the training sentences; dev is measured
//! once.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::actors::Dictionary;
use crate::eval::opinions::{Holder, Sentence};
use crate::heads::fitting::{logit, sigmoid};
use crate::heads::labelled::byte_ranges;
use crate::heads::relation::{row, Features, Inputs, PolarityFrom, Relation};
use crate::heads::relevance::{auc, fit, stance_head_hash};
use crate::heads::{label_order, reorder3, Classifier, HeadError, Pair};
use crate::model::batching::Mention;
use crate::model::BatchConfig;
use crate::text::ByteSpan;

/// Byte ranges of a sentence.
type Ranges = Vec<(usize, usize)>;

/// One (holder, target) pair of a sentence with its gold reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub sentence: usize,
    /// `None`: no one named (the author, or no holder).
    pub holder: Option<Ranges>,
    pub target: Ranges,
    /// `None`: no attitude; otherwise whether it is positive.
    pub label: Option<bool>,
}

fn meets(a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
    a.iter().any(|&(s, e)| b.iter().any(|&(t, u)| s < u && t < e))
}

/// Every pair the sentences offer, labelled by their gold tuples.
pub fn candidates(sentences: &[Sentence], dict: &Dictionary) -> Result<Vec<Candidate>, HeadError> {
    let mut out = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        let bytes = |spans: &[(usize, usize)]| {
            byte_ranges(&s.text, spans).ok_or_else(|| HeadError::Data(format!("{}: a span does not fit the text", s.id)))
        };
        let mut gold: Vec<(Option<Ranges>, Ranges, bool)> = Vec::new();
        for t in &s.tuples {
            let holder = match &t.holder {
                Holder::Spans(spans) => Some(bytes(spans)?),
                Holder::Author | Holder::Null => None,
            };
            gold.push((holder, bytes(&t.target)?, t.positive));
        }
        let mut holders: Vec<Option<Ranges>> = vec![None];
        let mut targets: Vec<Ranges> = Vec::new();
        for (h, t, _) in &gold {
            if !holders.contains(h) {
                holders.push(h.clone());
            }
            if !targets.contains(t) {
                targets.push(t.clone());
            }
        }
        for (span, _) in crate::actors::mentions(&s.text, ByteSpan::new(0, s.text.len()), dict, false) {
            let r = vec![(span.start, span.end)];
            if !targets.iter().any(|t| meets(t, &r)) {
                targets.push(r);
            }
        }
        for h in &holders {
            for t in &targets {
                if h.as_ref().is_some_and(|h| meets(h, t)) {
                    continue;
                }
                let joined: Vec<bool> = gold
                    .iter()
                    .filter(|(gh, gt, _)| {
                        meets(gt, t) && matches!((gh, h), (None, None))
                            || matches!((gh, h), (Some(a), Some(b)) if meets(a, b) && meets(gt, t))
                    })
                    .map(|g| g.2)
                    .collect();
                let label = (!joined.is_empty()).then(|| 2 * joined.iter().filter(|&&p| p).count() > joined.len());
                out.push(Candidate { sentence: i, holder: h.clone(), target: t.clone(), label });
            }
        }
    }
    Ok(out)
}

/// What the stance head gives each candidate: the sentence's vector, the pooled target and holder
/// mentions, and P(favour, against, neutral) toward the target's words.
pub struct Read {
    statements: Vec<Vec<f32>>,
    targets: Vec<Option<Vec<f32>>>,
    holders: Vec<Option<Vec<f32>>>,
    stance: Vec<[f32; 3]>,
}

impl Read {
    fn inputs(&self, c: &Candidate, k: usize) -> Inputs<'_> {
        Inputs {
            statement: &self.statements[c.sentence],
            target: self.targets[k].as_deref(),
            holder: self.holders[k].as_deref(),
            stance: self.stance[k],
        }
    }
}

/// The stance head's reading of every candidate, through the same pass the product uses
/// ([`Classifier::pair_vectors`] with the holders as extra spans).
pub fn read(stance: &Classifier, sentences: &[Sentence], cands: &[Candidate], batch: &BatchConfig) -> Result<Read, HeadError> {
    let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let names: Vec<String> =
        cands.iter().map(|c| c.target.iter().map(|&(a, b)| &sentences[c.sentence].text[a..b]).collect::<Vec<_>>().join(" ")).collect();
    let pairs: Vec<Pair> = cands.iter().zip(&names).map(|(c, n)| Pair { text: c.sentence, target: n, mentions: &c.target }).collect();
    let holders: Vec<Mention> = cands.iter().map(|c| Mention { text: c.sentence, spans: c.holder.as_deref().unwrap_or(&[]) }).collect();
    let vectors = stance.pair_vectors(&texts, &pairs, &holders, batch, None)?;
    let order = label_order(stance.labels(), &["favor", "against", "neutral"], &[])?;
    let stance_probs = stance.classify_pairs(&vectors, &pairs, None)?.iter().map(|p| reorder3(p, &order)).collect();
    Ok(Read { statements: vectors.texts, targets: vectors.mentions, holders: vectors.extra, stance: stance_probs })
}

const FIT_STEPS: usize = 300;

/// Attitude detection and polarity over candidates: AUC of P(attitude); at `threshold`, pair
/// precision, recall and F1 (a found pair counts only with the right polarity); the polarity's
/// accuracy on the gold attitudes.
pub fn figures(cands: &[&Candidate], p_attitude: &[f64], p_positive: &[f64], threshold: f64) -> Value {
    let y: Vec<bool> = cands.iter().map(|c| c.label.is_some()).collect();
    let gold = y.iter().filter(|&&a| a).count();
    let found = p_attitude.iter().filter(|&&p| p >= threshold).count();
    let right = |k: usize| cands[k].label == Some(p_positive[k] >= 0.5);
    let hits = (0..cands.len()).filter(|&k| p_attitude[k] >= threshold && right(k)).count();
    let polar = (0..cands.len()).filter(|&k| y[k]).filter(|&k| right(k)).count();
    let f1 = |hits: usize, found: usize| {
        let (precision, recall) = (hits as f64 / found.max(1) as f64, hits as f64 / gold.max(1) as f64);
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        (precision, recall, f1)
    };
    let (precision, recall, f) = f1(hits, found);
    json!({
        "pairs": cands.len(), "attitudes": gold, "auc": round(auc(p_attitude, &y)), "threshold": threshold,
        "found": found, "precision": round(precision), "recall": round(recall), "f1": round(f),
        // the baseline of reading every pair as an attitude, with the same polarity
        "f1_every_pair": round(f1(polar, cands.len()).2),
        "polarity_accuracy": round(polar as f64 / gold.max(1) as f64),
    })
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The threshold (in hundredths) with the best pair F1.
fn best_threshold(cands: &[&Candidate], p_attitude: &[f64], p_positive: &[f64]) -> (f64, f64) {
    (1..100)
        .map(|k| {
            let t = k as f64 / 100.0;
            (figures(cands, p_attitude, p_positive, t)["f1"].as_f64().unwrap_or(0.0), t)
        })
        .fold((f64::NEG_INFINITY, 0.5), |best, x| if x.0 > best.0 { x } else { best })
}

/// Folds of the training sentences the choices are made on.
const FOLDS: usize = 5;

/// Out-of-fold probabilities for every candidate: for each fold, a logistic model fitted on the
/// other folds' candidates that `label` labels, applied to the fold's candidates.
fn out_of_fold(x: &[Vec<f64>], cands: &[Candidate], fold: &[usize], label: impl Fn(&Candidate) -> Option<bool>, l2: f64) -> Vec<f64> {
    let mut p = vec![0.0; cands.len()];
    for f in 0..FOLDS {
        let train: Vec<usize> = (0..cands.len()).filter(|&k| fold[cands[k].sentence] != f && label(&cands[k]).is_some()).collect();
        let (w, b) = fit(
            &train.iter().map(|&k| x[k].clone()).collect::<Vec<_>>(),
            &train.iter().map(|&k| label(&cands[k]) == Some(true)).collect::<Vec<_>>(),
            l2,
            FIT_STEPS,
        );
        for k in (0..cands.len()).filter(|&k| fold[cands[k].sentence] == f) {
            p[k] = sigmoid(logit(&w, b, &x[k]));
        }
    }
    p
}

/// Fits a relation model on `data`, choosing by 5-fold cross-validation over its sentences
/// (seeded), and measures `dev` once.
pub fn train(
    stance: &Classifier,
    stance_dir: &std::path::Path,
    dict: &Dictionary,
    data: &[PathBuf],
    dev: &[PathBuf],
    batch: &BatchConfig,
    seed: u64,
) -> Result<Relation, HeadError> {
    let sentences = crate::eval::opinions::read(data)?;
    let cands = candidates(&sentences, dict)?;
    if cands.is_empty() {
        return Err(HeadError::Data("no training pairs".into()));
    }
    let read_all = read(stance, &sentences, &cands, batch)?;
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    crate::heads::fitting::Rng::new(seed).shuffle(&mut order);
    let mut fold = vec![0; sentences.len()];
    for (i, &s) in order.iter().enumerate() {
        fold[s] = i % FOLDS;
    }
    let all: Vec<&Candidate> = cands.iter().collect();
    let features_tried = [Features::Stance, Features::Mentions];
    let tables: Vec<Vec<Vec<f64>>> =
        features_tried.iter().map(|&f| cands.iter().enumerate().map(|(k, c)| row(f, &read_all.inputs(c, k))).collect()).collect();
    let mut tried = Vec::new();

    // the polarity: the stance head's, or a logistic model on the gold attitudes
    let attitudes: Vec<usize> = (0..cands.len()).filter(|&k| cands[k].label.is_some()).collect();
    let accuracy =
        |q: &[f64]| attitudes.iter().filter(|&&k| cands[k].label == Some(q[k] >= 0.5)).count() as f64 / attitudes.len().max(1) as f64;
    let stance_q: Vec<f64> =
        cands.iter().enumerate().map(|(k, c)| f64::from(crate::heads::relation::stance_positive(read_all.inputs(c, k).stance))).collect();
    let mut polarity = (accuracy(&stance_q), None::<(Features, f64)>, stance_q);
    tried.push(json!({"polarity": "stance", "accuracy": round(polarity.0)}));
    for (f, x) in features_tried.iter().zip(&tables) {
        for l2 in [1e-3, 1e-2, 1e-1, 1.0] {
            let q = out_of_fold(x, &cands, &fold, |c| c.label, l2);
            let a = accuracy(&q);
            tried.push(json!({"polarity": "own", "features": f, "l2": l2, "accuracy": round(a)}));
            if a > polarity.0 {
                polarity = (a, Some((*f, l2)), q);
            }
        }
    }

    // the attitude: features (the polarity's, when it has its own) and L2 by pair F1, the
    // threshold with it
    let mut best: Option<(f64, Features, f64, f64, Value)> = None;
    for (f, x) in features_tried.iter().zip(&tables) {
        if polarity.1.is_some_and(|(pf, _)| pf != *f) {
            continue;
        }
        for l2 in [1e-3, 1e-2, 1e-1, 1.0] {
            let p = out_of_fold(x, &cands, &fold, |c| Some(c.label.is_some()), l2);
            let (f1, threshold) = best_threshold(&all, &p, &polarity.2);
            let figures = figures(&all, &p, &polarity.2, threshold);
            tried.push(json!({"attitude": f, "l2": l2, "figures": figures}));
            if best.as_ref().is_none_or(|b| f1 > b.0) {
                best = Some((f1, *f, l2, threshold, figures));
            }
        }
    }
    let (_, features, l2, threshold, cv_figures) = best.expect("at least one candidate tried");
    let x = &tables[features_tried.iter().position(|&f| f == features).expect("tried")];
    let everything: Vec<usize> = (0..cands.len()).collect();
    let (weights, bias) = fit(
        &everything.iter().map(|&k| x[k].clone()).collect::<Vec<_>>(),
        &cands.iter().map(|c| c.label.is_some()).collect::<Vec<_>>(),
        l2,
        FIT_STEPS,
    );
    let (polarity_from, polarity_weights, polarity_bias) = match polarity.1 {
        None => (PolarityFrom::Stance, Vec::new(), 0.0),
        Some((_, pl2)) => {
            let (w, b) = fit(
                &attitudes.iter().map(|&k| x[k].clone()).collect::<Vec<_>>(),
                &attitudes.iter().map(|&k| cands[k].label == Some(true)).collect::<Vec<_>>(),
                pl2,
                FIT_STEPS,
            );
            (PolarityFrom::Own, w, b)
        }
    };
    let mut model = Relation {
        format: 1,
        features,
        weights,
        bias,
        threshold,
        polarity: polarity_from,
        polarity_weights,
        polarity_bias,
        stance_head: stance_head_hash(stance_dir)?,
        l2,
        record: Value::Null,
    };
    let dev_figures = measure(stance, &model, dict, dev, batch)?;
    model.record = json!({
        "train": {"files": crate::heads::file_record(data)?, "sentences": sentences.len(), "pairs": cands.len(),
                  "attitudes": attitudes.len(), "seed": seed},
        "cross_validation": {"folds": FOLDS, "split_by": "sentence",
                     "chosen_by": "polarity: out-of-fold accuracy on the gold attitudes; attitude: out-of-fold pair F1 (a found pair counts with the right polarity), the threshold with it; the chosen settings then fitted on all training pairs",
                     "polarity_accuracy": round(polarity.0), "figures": cv_figures, "tried": tried},
        "dev": {"files": crate::heads::file_record(dev)?, "figures": dev_figures},
    });
    Ok(model)
}

/// The model's figures on `paths`' candidates, over all and by holder (named, no one named).
pub fn measure(
    stance: &Classifier,
    model: &Relation,
    dict: &Dictionary,
    paths: &[PathBuf],
    batch: &BatchConfig,
) -> Result<Value, HeadError> {
    let sentences = crate::eval::opinions::read(paths)?;
    let cands = candidates(&sentences, dict)?;
    let named: Vec<bool> = cands.iter().map(|c| c.holder.is_some()).collect();
    figures_by(stance, model, &sentences, &cands, batch, &[("holder_named", &|k| named[k]), ("holder_none", &|k| !named[k])])
}

/// The model's figures over all `cands` and over each named group of them.
fn figures_by(
    stance: &Classifier,
    model: &Relation,
    sentences: &[Sentence],
    cands: &[Candidate],
    batch: &BatchConfig,
    groups: &[(&str, &dyn Fn(usize) -> bool)],
) -> Result<Value, HeadError> {
    let read_all = read(stance, sentences, cands, batch)?;
    let p: Vec<f64> = cands.iter().enumerate().map(|(k, c)| f64::from(model.attitude(&read_all.inputs(c, k)))).collect();
    let q: Vec<f64> = cands.iter().enumerate().map(|(k, c)| f64::from(model.positive(&read_all.inputs(c, k)))).collect();
    let subset = |keep: &dyn Fn(usize) -> bool| {
        let idx: Vec<usize> = (0..cands.len()).filter(|&k| keep(k)).collect();
        let c: Vec<&Candidate> = idx.iter().map(|&k| &cands[k]).collect();
        figures(&c, &idx.iter().map(|&k| p[k]).collect::<Vec<_>>(), &idx.iter().map(|&k| q[k]).collect::<Vec<_>>(), model.threshold)
    };
    let mut out = subset(&|_| true);
    for (name, keep) in groups {
        out[*name] = subset(keep);
    }
    Ok(out)
}

/// The model's figures on target-sentiment rows (NewsMTSC's layout: a sentence, a target at its
/// spans, negative / neutral / positive), read as pairs with no holder named: a polar label is an
/// attitude toward the target, a neutral one none. Over all rows with a located target, and over
/// those whose target the dictionary resolves to an actor (states, bodies, groups).
pub fn measure_targets(
    stance: &Classifier,
    model: &Relation,
    dict: &Dictionary,
    paths: &[PathBuf],
    batch: &BatchConfig,
) -> Result<Value, HeadError> {
    let (examples, _) = crate::heads::labelled::read(paths, crate::heads::Task::TargetSentiment)?;
    let examples: Vec<_> = examples.into_iter().filter(|e| e.mentions.as_ref().is_some_and(|m| !m.is_empty())).collect();
    let sentences: Vec<Sentence> =
        examples.iter().map(|e| Sentence { id: e.id.clone(), text: e.text.clone(), lang: e.lang.clone(), tuples: Vec::new() }).collect();
    let cands: Vec<Candidate> = examples
        .iter()
        .enumerate()
        .map(|(i, e)| Candidate {
            sentence: i,
            holder: None,
            target: e.mentions.clone().unwrap_or_default(),
            label: match e.label.as_deref() {
                Some("positive") => Some(true),
                Some("negative") => Some(false),
                _ => None,
            },
        })
        .collect();
    let actor: Vec<bool> = examples
        .iter()
        .map(|e| e.target.as_deref().is_some_and(|t| !crate::actors::mentions(t, ByteSpan::new(0, t.len()), dict, false).is_empty()))
        .collect();
    figures_by(stance, model, &sentences, &cands, batch, &[("targets_the_dictionary_resolves", &|k| actor[k])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::opinions::Tuple;

    #[test]
    fn candidates_cross_holders_with_targets_and_take_the_gold_label() {
        // "Путин раскритиковал Байдена" (code points: Путин 0..5, Байдена 20..27)
        let text = "Путин раскритиковал Байдена";
        let s = Sentence {
            id: "s".into(),
            text: text.into(),
            lang: Some("ru".into()),
            tuples: vec![Tuple { holder: Holder::Spans(vec![(0, 5)]), target: vec![(20, 27)], expression: vec![(6, 19)], positive: false }],
        };
        let dict = Dictionary::builtin().unwrap();
        let c = candidates(&[s], &dict).unwrap();
        let b = |a: usize, z: usize| byte_ranges(text, &[(a, z)]).unwrap();
        // no one named → Байдена (no tuple), Путин → Байдена (negative); Путин is not its own target
        assert_eq!(c.len(), 2);
        assert!(c.contains(&Candidate { sentence: 0, holder: None, target: b(20, 27), label: None }));
        assert!(c.contains(&Candidate { sentence: 0, holder: Some(b(0, 5)), target: b(20, 27), label: Some(false) }));
    }
}
