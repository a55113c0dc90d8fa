//! Classification metrics: macro-F1 over the gold label set, accuracy, per label, per language,
//! and expected calibration error (15 equal-width confidence bins).

use std::collections::BTreeMap;

use serde_json::{json, Value};

pub const ECE_BINS: usize = 15;

/// `gold[i]` and `pred[i]` index `labels`; `probs[i]` is the predicted distribution.
pub fn report(labels: &[&str], gold: &[usize], probs: &[Vec<f32>], langs: &[Option<String>]) -> Value {
    let pred: Vec<usize> = probs.iter().map(|p| argmax(p)).collect();
    let mut out = summary(labels, gold, &pred);
    let mut by_lang: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for i in 0..gold.len() {
        let key = langs[i].clone().unwrap_or_else(|| "unknown".into());
        let slot = by_lang.entry(key).or_default();
        slot.0.push(gold[i]);
        slot.1.push(pred[i]);
    }
    let per_language: serde_json::Map<String, Value> = by_lang
        .into_iter()
        .map(|(lang, (g, p))| {
            let s = summary(labels, &g, &p);
            (lang, json!({"n": g.len(), "macro_f1": s["macro_f1"], "accuracy": s["accuracy"]}))
        })
        .collect();
    out["per_language"] = Value::Object(per_language);
    out["ece"] = json!(ece(gold, probs));
    out
}

fn summary(labels: &[&str], gold: &[usize], pred: &[usize]) -> Value {
    let n = gold.len();
    let correct = gold.iter().zip(pred).filter(|(g, p)| g == p).count();
    let present: Vec<usize> = (0..labels.len()).filter(|k| gold.contains(k)).collect();
    let mut per_label = serde_json::Map::new();
    let mut f1s = Vec::new();
    for (k, name) in labels.iter().enumerate() {
        let tp = gold.iter().zip(pred).filter(|(g, p)| **g == k && **p == k).count() as f64;
        let fp = pred.iter().zip(gold).filter(|(p, g)| **p == k && **g != k).count() as f64;
        let fne = gold.iter().zip(pred).filter(|(g, p)| **g == k && **p != k).count() as f64;
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let recall = if tp + fne > 0.0 { tp / (tp + fne) } else { 0.0 };
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        if present.contains(&k) {
            f1s.push(f1);
        }
        per_label.insert(
            name.to_string(),
            json!({"precision": precision, "recall": recall, "f1": f1, "support": (tp + fne) as usize}),
        );
    }
    json!({
        "n": n,
        "macro_f1": if f1s.is_empty() { 0.0 } else { f1s.iter().sum::<f64>() / f1s.len() as f64 },
        "accuracy": if n > 0 { correct as f64 / n as f64 } else { 0.0 },
        "per_label": per_label,
    })
}

pub fn argmax(p: &[f32]) -> usize {
    p.iter().enumerate().fold(0, |best, (i, v)| if *v > p[best] { i } else { best })
}

/// Expected calibration error of the top-label confidence.
pub fn ece(gold: &[usize], probs: &[Vec<f32>]) -> f64 {
    let mut bins = vec![(0usize, 0f64, 0f64); ECE_BINS];
    for (g, p) in gold.iter().zip(probs) {
        let k = argmax(p);
        let conf = p[k] as f64;
        let b = ((conf * ECE_BINS as f64) as usize).min(ECE_BINS - 1);
        bins[b].0 += 1;
        bins[b].1 += conf;
        bins[b].2 += f64::from(u8::from(k == *g));
    }
    let n = gold.len().max(1) as f64;
    bins.iter().filter(|b| b.0 > 0).map(|(c, conf, acc)| (*c as f64 / n) * ((conf - acc) / *c as f64).abs()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_f1_is_over_the_gold_label_set() {
        let labels = ["a", "b", "c"];
        // "c" never occurs in gold: it does not count toward the macro average.
        let r = summary(&labels, &[0, 0, 1, 1], &[0, 1, 1, 1]);
        let f_a = 2.0 * 1.0 * 0.5 / 1.5;
        let f_b = 2.0 * (2.0 / 3.0) * 1.0 / (2.0 / 3.0 + 1.0);
        assert!((r["macro_f1"].as_f64().unwrap() - (f_a + f_b) / 2.0).abs() < 1e-12);
        assert_eq!(r["accuracy"], 0.75);
    }

    #[test]
    fn perfectly_calibrated_predictions_have_zero_ece() {
        let probs = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        assert_eq!(ece(&[0, 1], &probs), 0.0);
        assert!((ece(&[1, 0], &probs) - 1.0).abs() < 1e-12);
    }
}
