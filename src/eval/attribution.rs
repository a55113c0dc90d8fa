//! Attribution evaluation on PolNeAR-format documents, with exactly the reference scorer's
//! metrics (`shared/tools/attribution_metrics.py`; a test holds the two equal).
//!
//! Gold: one annotation per article is scored, the one with the smallest annotator id. Matching is
//! one-to-one and greedy by shared characters; `overlap` needs one shared character, `j50` also a
//! character Jaccard of at least 0.5 (the headline). `exact` compares content span sets after
//! stripping white space and quotation marks. Speaker F1 counts matched pairs whose predicted
//! speaker overlaps the gold source. The `quoted` subset keeps gold attributions whose content
//! holds a double quotation mark (or NYT-style ''), and unmatched predictions only if theirs does.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `{start, end}` in code points, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offsets {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldAttribution {
    #[serde(default)]
    pub source: Vec<Offsets>,
    #[serde(default)]
    pub content: Vec<Offsets>,    /// Read by the tagger's training; the scorer does not use it.
    #[serde(default)]
    pub cue: Vec<Offsets>,
}

#[derive(Debug, Clone, Deserialize)]
struct GoldMeta {
    article: String,
    annotator: Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldDocument {
    pub id: String,
    /// The article; empty in the file when `text_from` names where it is kept.
    #[serde(default)]
    pub text: String,
    /// Annotations the team made on text it may not copy (spans and ids only): the article is
    /// read from the shared datasets ([`TextFrom`]).
    #[serde(default)]
    text_from: Option<TextFrom>,
    #[serde(default)]
    pub lang: Option<String>,
    pub attributions: Vec<GoldAttribution>,
    meta: GoldMeta,
}

/// One predicted attribution, in the scorer's input format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predicted {
    pub content: Vec<Offsets>,
    pub speaker: Vec<Offsets>,
}

/// One line of the predictions file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PredictionLine {
    pub id: String,
    pub attributions: Vec<Predicted>,
}

/// Where an annotated article's text is kept: a JSONL file of the shared datasets (`file`,
/// relative to their `datasets/` folder), the record's `id`, and the SHA-256 of its `text`, so an
/// edited copy is an error rather than shifted spans.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextFrom {
    file: String,
    id: String,
    sha256: String,
}

/// The environment variable naming the folder that holds the shared `datasets/`; by default the
/// nearest `shared/` beside an ancestor of the gold file (`../shared` of the checkout).
pub const SHARED_ENV: &str = "STANDPOINT_SHARED";

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: article {id} takes its text from {file} of the shared datasets, which is not here; set {SHARED_ENV} to the folder that holds datasets/")]
    SharedMissing { path: String, id: String, file: String },
    #[error("{path}: article {id}: {file} has no record {record}, or its text is not the annotated one (sha256 {sha256})")]
    SharedText { path: String, id: String, file: String, record: String, sha256: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} line {line}: {source}")]
    Json { path: String, line: usize, source: serde_json::Error },
}

/// Reads gold files and keeps one annotation per article (the smallest annotator id), sorted by article.
pub fn load_gold(paths: &[impl AsRef<Path>]) -> Result<Vec<GoldDocument>, EvalError> {
    let mut by_article: BTreeMap<String, GoldDocument> = BTreeMap::new();
    let mut shared_files: HashMap<PathBuf, HashMap<String, String>> = HashMap::new();
    for path in paths {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io { path: path.display().to_string(), source })?;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let mut doc: GoldDocument = serde_json::from_str(line)
                .map_err(|source| EvalError::Json { path: path.display().to_string(), line: n + 1, source })?;
            if let Some(from) = doc.text_from.take() {
                doc.text = shared_text(path, &doc.id, &from, &mut shared_files)?;
            }
            let replace = by_article
                .get(&doc.meta.article)
                .is_none_or(|old| annotator_key(&doc.meta.annotator) < annotator_key(&old.meta.annotator));
            if replace {
                by_article.insert(doc.meta.article.clone(), doc);
            }
        }
    }
    Ok(by_article.into_values().collect())
}

/// The text `from` names, read from the shared datasets (each file once) and checked by its hash.
fn shared_text(
    gold: &Path,
    id: &str,
    from: &TextFrom,
    files: &mut HashMap<PathBuf, HashMap<String, String>>,
) -> Result<String, EvalError> {
    let missing = || EvalError::SharedMissing { path: gold.display().to_string(), id: id.to_owned(), file: from.file.clone() };
    let file = match std::env::var_os(SHARED_ENV) {
        Some(dir) => PathBuf::from(dir).join("datasets").join(&from.file),
        None => {
            let absolute = std::path::absolute(gold).map_err(|_| missing())?;
            absolute
                .ancestors()
                .skip(1)
                .map(|a| a.join("shared/datasets").join(&from.file))
                .find(|f| f.is_file())
                .ok_or_else(missing)?
        }
    };
    if !files.contains_key(&file) {
        let text = std::fs::read_to_string(&file).map_err(|_| missing())?;
        let mut texts = HashMap::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line)
                .map_err(|source| EvalError::Json { path: file.display().to_string(), line: n + 1, source })?;
            if let (Some(rid), Some(t)) = (row["id"].as_str(), row["text"].as_str()) {
                texts.insert(rid.to_owned(), t.to_owned());
            }
        }
        files.insert(file.clone(), texts);
    }
    let text = files[&file].get(&from.id).filter(|t| crate::digest::sha256_hex(t.as_bytes()) == from.sha256);
    text.cloned().ok_or_else(|| EvalError::SharedText {
        path: gold.display().to_string(),
        id: id.to_owned(),
        file: from.file.clone(),
        record: from.id.clone(),
        sha256: from.sha256.clone(),
    })
}

fn annotator_key(v: &Value) -> (u8, String) {
    match v {
        Value::Number(n) => (0, format!("{:020}", n.as_u64().unwrap_or(0))),
        Value::String(s) => (1, s.clone()),
        other => (2, other.to_string()),
    }
}

const QUOTES: &str = "\"\u{201c}\u{201d}\u{201e}\u{201f}\u{00ab}\u{00bb}\u{2033}'\u{2018}\u{2019}\u{201a}\u{201b}\u{2039}\u{203a}";
const DQUOTES: &str = "\"\u{201c}\u{201d}\u{201e}\u{201f}\u{00ab}\u{00bb}\u{2033}";
const STRIP_EXTRA: &str = " \t\n\r\u{00a0}\u{2009}\u{200a}\u{202f}\u{3000}";

type Spans = Vec<(usize, usize)>;

fn spans(list: &[Offsets]) -> Spans {
    list.iter().filter(|s| s.end > s.start).map(|s| (s.start, s.end)).collect()
}

fn overlap(a: &Spans, b: &Spans) -> usize {
    a.iter()
        .flat_map(|&(s1, e1)| b.iter().map(move |&(s2, e2)| e1.min(e2).saturating_sub(s1.max(s2))))
        .sum()
}

fn total_len(s: &Spans) -> usize {
    s.iter().map(|(a, b)| b - a).sum()
}

fn norm(spans: &Spans, chars: &[char]) -> Vec<(usize, usize)> {
    let strip = |c: char| QUOTES.contains(c) || STRIP_EXTRA.contains(c);
    let mut out: Vec<(usize, usize)> = spans
        .iter()
        .filter_map(|&(mut s, mut e)| {
            let e0 = e.min(chars.len());
            e = e0;
            while s < e && strip(chars[s]) {
                s += 1;
            }
            while e > s && strip(chars[e - 1]) {
                e -= 1;
            }
            (e > s).then_some((s, e))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One-to-one greedy matching by score (descending), ties by gold then prediction index.
fn greedy(mut pairs: Vec<(f64, usize, usize)>) -> HashMap<usize, usize> {
    pairs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap().then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut g2p = HashMap::new();
    let mut used = HashSet::new();
    for (_, gi, pi) in pairs {
        if g2p.contains_key(&gi) || used.contains(&pi) {
            continue;
        }
        g2p.insert(gi, pi);
        used.insert(pi);
    }
    g2p
}

fn quoted(content: &Spans, chars: &[char]) -> bool {
    content.iter().any(|&(s, e)| {
        let seg = &chars[s.min(chars.len())..e.min(chars.len())];
        seg.iter().any(|&c| DQUOTES.contains(c)) || seg.windows(2).any(|w| w == ['\'', '\''])
    })
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    pred: usize,
    gold: usize,
    match_ov: usize,
    match_ex: usize,
    match_ex_pred: usize,
    gold_src: usize,
    gold_src_matched: usize,
    spk_ok: usize,
    pred_spk: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.pred += o.pred;
        self.gold += o.gold;
        self.match_ov += o.match_ov;
        self.match_ex += o.match_ex;
        self.match_ex_pred += o.match_ex_pred;
        self.gold_src += o.gold_src;
        self.gold_src_matched += o.gold_src_matched;
        self.spk_ok += o.spk_ok;
        self.pred_spk += o.pred_spk;
    }
    fn json(&self) -> Value {
        json!({
            "pred": self.pred, "gold": self.gold, "match_ov": self.match_ov, "match_ex": self.match_ex,
            "match_ex_pred": self.match_ex_pred, "gold_src": self.gold_src, "gold_src_matched": self.gold_src_matched,
            "spk_ok": self.spk_ok, "pred_spk": self.pred_spk,
        })
    }
}

fn score_doc(chars: &[char], gold: &[GoldAttribution], pred: &[Predicted], subset: bool, min_jaccard: f64) -> Counts {
    let g: BTreeMap<usize, (Spans, Spans)> = gold
        .iter()
        .enumerate()
        .map(|(i, a)| (i, (spans(&a.content), spans(&a.source))))
        .filter(|(_, (c, _))| !c.is_empty())
        .collect();
    let p: Vec<(Spans, Spans)> =
        pred.iter().map(|a| (spans(&a.content), spans(&a.speaker))).filter(|(c, _)| !c.is_empty()).collect();

    let mut pairs = Vec::new();
    for (&gi, (gc, _)) in &g {
        for (pi, (pc, _)) in p.iter().enumerate() {
            let ov = overlap(gc, pc);
            if ov == 0 {
                continue;
            }
            if min_jaccard > 0.0 && (ov as f64) / ((total_len(gc) + total_len(pc) - ov) as f64) < min_jaccard {
                continue;
            }
            pairs.push((ov as f64, gi, pi));
        }
    }
    let g2p = greedy(pairs);
    let in_sub: HashMap<usize, bool> = g.iter().map(|(&gi, (gc, _))| (gi, !subset || quoted(gc, chars))).collect();
    let mut ignored: HashSet<usize> = g2p.iter().filter(|(gi, _)| !in_sub[gi]).map(|(_, &pi)| pi).collect();
    if subset {
        let matched: HashSet<usize> = g2p.values().copied().collect();
        ignored.extend((0..p.len()).filter(|pi| !matched.contains(pi) && !quoted(&p[*pi].0, chars)));
    }
    let p_sub: Vec<usize> = (0..p.len()).filter(|pi| !ignored.contains(pi)).collect();
    let g_sub: Vec<usize> = g.keys().copied().filter(|gi| in_sub[gi]).collect();

    let gn: HashMap<usize, Vec<(usize, usize)>> = g.iter().map(|(&gi, (gc, _))| (gi, norm(gc, chars))).collect();
    let pn: Vec<Vec<(usize, usize)>> = p.iter().map(|(pc, _)| norm(pc, chars)).collect();
    let mut epairs = Vec::new();
    for &gi in g.keys() {
        for (pi, pnorm) in pn.iter().enumerate() {
            if !gn[&gi].is_empty() && gn[&gi] == *pnorm {
                epairs.push((1.0, gi, pi));
            }
        }
    }
    let eg2p = greedy(epairs);
    let p_sub_set: HashSet<usize> = p_sub.iter().copied().collect();
    Counts {
        pred: p_sub.len(),
        gold: g_sub.len(),
        match_ov: g_sub.iter().filter(|gi| g2p.contains_key(gi)).count(),
        match_ex: g_sub.iter().filter(|gi| eg2p.contains_key(gi)).count(),
        match_ex_pred: g_sub.iter().filter(|gi| eg2p.get(gi).is_some_and(|pi| p_sub_set.contains(pi))).count(),
        gold_src: g_sub.iter().filter(|gi| !g[gi].1.is_empty()).count(),
        gold_src_matched: g_sub.iter().filter(|gi| !g[gi].1.is_empty() && g2p.contains_key(gi)).count(),
        spk_ok: g_sub
            .iter()
            .filter(|gi| !g[gi].1.is_empty() && g2p.get(gi).is_some_and(|&pi| overlap(&g[gi].1, &p[pi].1) > 0))
            .count(),
        pred_spk: p_sub.iter().filter(|&&pi| !p[pi].1.is_empty()).count(),
    }
}

fn prf(tp_p: usize, n_p: usize, tp_g: usize, n_g: usize) -> (f64, f64, f64) {
    let p = if n_p > 0 { tp_p as f64 / n_p as f64 } else { 0.0 };
    let r = if n_g > 0 { tp_g as f64 / n_g as f64 } else { 0.0 };
    let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    (p, r, f)
}

fn evaluate(docs: &[GoldDocument], preds: &HashMap<String, Vec<Predicted>>, subset: bool, min_jaccard: f64) -> Counts {
    let mut total = Counts::default();
    for d in docs {
        let chars: Vec<char> = d.text.chars().collect();
        let empty = Vec::new();
        total.add(&score_doc(&chars, &d.attributions, preds.get(&d.id).unwrap_or(&empty), subset, min_jaccard));
    }
    total
}

fn report(docs: &[GoldDocument], preds: &HashMap<String, Vec<Predicted>>, subset: bool) -> Value {
    let ov = evaluate(docs, preds, subset, 0.0);
    let j = evaluate(docs, preds, subset, 0.5);
    let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    let (jp, jr, jf) = prf(j.match_ov, j.pred, j.match_ov, j.gold);
    json!({
        "content_f1_overlap": prf(ov.match_ov, ov.pred, ov.match_ov, ov.gold).2,
        "content_f1_j50": jf,
        "content_f1_exact": prf(ov.match_ex_pred, ov.pred, ov.match_ex, ov.gold).2,
        "speaker_accuracy": ratio(j.spk_ok, j.gold_src_matched),
        "speaker_f1": prf(j.spk_ok, j.pred_spk, j.spk_ok, j.gold_src).2,
        "speaker_accuracy_overlap": ratio(ov.spk_ok, ov.gold_src_matched),
        "speaker_f1_overlap": prf(ov.spk_ok, ov.pred_spk, ov.spk_ok, ov.gold_src).2,
        "precision_j50": jp,
        "recall_j50": jr,
        "counts_j50": j.json(),
    })
}

/// The reference scorer's output object for these predictions.
pub fn metrics(docs: &[GoldDocument], preds: &HashMap<String, Vec<Predicted>>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("n_documents".into(), json!(docs.len()));
    if let Value::Object(all) = report(docs, preds, false) {
        out.extend(all);
    }
    out.insert("quoted".into(), report(docs, preds, true));
    Value::Object(out)
}
