//! Opinion tuples (holder, target, expression, polarity) measured as RuOpinionNE-2024 measures
//! them: whitespace tokens of the sentence; the holder `AUTHOR` as its own token set, `NULL` as
//! the empty set; a predicted tuple matches a gold one of the same sentence when holder, target
//! and expression token sets each intersect and the polarity is equal; precision and recall weigh
//! each match by its mean overlap (the share of the tuple's own holder, target and expression
//! tokens the other covers), and F1 is their harmonic mean.
//!
//! Predictions come from the product's real path ([`super::predict_opinions`]): the statements of each sentence,
//! their speaker as holder (`AUTHOR` when the writer speaks: no speaker), every actor a statement
//! addresses or names as target, the statement's content as expression, and the stance toward
//! that actor as polarity (neutral readings give no tuple).

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::heads::HeadError;

/// A holder: a span of the sentence, the author, or no one named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Spans(Vec<(usize, usize)>),
    Author,
    Null,
}

/// One opinion tuple; spans are code-point ranges of the sentence, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tuple {
    pub holder: Holder,
    pub target: Vec<(usize, usize)>,
    pub expression: Vec<(usize, usize)>,
    pub positive: bool,
}

/// A sentence with its gold tuples.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub id: String,
    pub text: String,
    pub lang: Option<String>,
    pub tuples: Vec<Tuple>,
}

#[derive(Deserialize)]
struct Row {
    id: String,
    text: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    opinions: Vec<Opinion>,
}

#[derive(Deserialize)]
struct Opinion {
    holder: Value,
    target: Spans,
    expression: Spans,
    polarity: String,
}

#[derive(Deserialize)]
struct Spans {
    spans: Vec<(usize, usize)>,
}

/// Reads sentences in the shared datasets' `opinion_tuples` layout (`ruopinionne2024/`).
pub fn read(paths: &[impl AsRef<Path>]) -> Result<Vec<Sentence>, HeadError> {
    let mut out = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let data = std::fs::read_to_string(path).map_err(|source| HeadError::Io { path: path.display().to_string(), source })?;
        for (n, line) in data.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let bad = |why: String| HeadError::Data(format!("{} line {}: {why}", path.display(), n + 1));
            let row: Row =
                serde_json::from_str(line).map_err(|source| HeadError::Json { path: path.display().to_string(), line: n + 1, source })?;
            let tuples = row
                .opinions
                .into_iter()
                .map(|o| {
                    let holder = match &o.holder {
                        Value::String(s) if s == "AUTHOR" => Holder::Author,
                        Value::String(s) if s == "NULL" => Holder::Null,
                        v => Holder::Spans(serde_json::from_value::<Spans>(v.clone()).map_err(|e| bad(format!("holder: {e}")))?.spans),
                    };
                    let positive = match o.polarity.as_str() {
                        "positive" => true,
                        "negative" => false,
                        p => return Err(bad(format!("polarity {p:?}"))),
                    };
                    Ok(Tuple { holder, target: o.target.spans, expression: o.expression.spans, positive })
                })
                .collect::<Result<_, _>>()?;
            out.push(Sentence { id: row.id, text: row.text, lang: row.lang, tuples });
        }
    }
    Ok(out)
}

/// Code-point ranges of the sentence's whitespace-separated tokens.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.chars().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.chars().count()));
    }
    out
}

/// A token set; the author is the token `usize::MAX`, and an empty set reads as one token of
/// its own that only another empty set shares (the reference's `"_"`).
type Set = BTreeSet<usize>;
const AUTHOR: usize = usize::MAX;
const NOBODY: usize = usize::MAX - 1;

fn covered(spans: &[(usize, usize)], toks: &[(usize, usize)]) -> Set {
    toks.iter().enumerate().filter(|(_, &(b, e))| spans.iter().any(|&(s, t)| b < t && e > s)).map(|(i, _)| i).collect()
}

fn nonempty(s: Set) -> Set {
    if s.is_empty() {
        [NOBODY].into()
    } else {
        s
    }
}

struct Sets {
    holder: Set,
    target: Set,
    expression: Set,
    positive: bool,
}

fn sets(t: &Tuple, toks: &[(usize, usize)]) -> Sets {
    let holder = match &t.holder {
        Holder::Author => [AUTHOR].into(),
        Holder::Null => Set::new(),
        Holder::Spans(s) => covered(s, toks),
    };
    Sets {
        holder: nonempty(holder),
        target: nonempty(covered(&t.target, toks)),
        expression: covered(&t.expression, toks),
        positive: t.positive,
    }
}

/// The reference's duplicate rule: a tuple equal in holder, target and polarity to one already
/// kept, and equal in expression, is kept once.
fn distinct(tuples: Vec<Sets>) -> Vec<Sets> {
    let mut out: Vec<Sets> = Vec::new();
    for t in tuples {
        if !out.iter().any(|o| o.holder == t.holder && o.target == t.target && o.positive == t.positive && o.expression == t.expression) {
            out.push(t);
        }
    }
    out
}

fn meets(a: &Set, b: &Set) -> bool {
    a.intersection(b).next().is_some()
}

/// The best mean overlap of `t` with a matching tuple of `others` (shares of `t`'s own sets),
/// or `None` when none matches.
fn best_match(t: &Sets, others: &[Sets]) -> Option<f64> {
    best_match_where(t, others, true)
}

/// As [`best_match`]; with `polarity` false, the polarity need not agree.
fn best_match_where(t: &Sets, others: &[Sets], polarity: bool) -> Option<f64> {
    let share = |a: &Set, b: &Set| a.intersection(b).count() as f64 / a.len().max(1) as f64;
    others
        .iter()
        .filter(|o| meets(&t.holder, &o.holder) && meets(&t.target, &o.target) && meets(&t.expression, &o.expression))
        .filter(|o| !polarity || t.positive == o.positive)
        .map(|o| (share(&t.holder, &o.holder) + share(&t.target, &o.target) + share(&t.expression, &o.expression)) / 3.0)
        .fold(None, |best: Option<f64>, x| Some(best.map_or(x, |b| b.max(x))))
}

/// Weighted tuple precision, recall and F1 of `predicted` (one list per gold sentence, same order).
pub fn metrics(gold: &[Sentence], predicted: &[Vec<Tuple>]) -> Value {
    let (mut p_sum, mut p_n, mut r_sum, mut r_n) = (0.0, 0usize, 0.0, 0usize);
    let (mut p_hits, mut r_hits, mut p_any) = (0usize, 0usize, 0usize);
    for (g, p) in gold.iter().zip(predicted) {
        let toks = tokens(&g.text);
        let gs = distinct(g.tuples.iter().map(|t| sets(t, &toks)).collect());
        let ps = distinct(p.iter().map(|t| sets(t, &toks)).collect());
        for t in &ps {
            p_n += 1;
            p_any += usize::from(best_match_where(t, &gs, false).is_some());
            if let Some(w) = best_match(t, &gs) {
                p_sum += w;
                p_hits += 1;
            }
        }
        for t in &gs {
            r_n += 1;
            if let Some(w) = best_match(t, &ps) {
                r_sum += w;
                r_hits += 1;
            }
        }
    }
    let ratio = |a: f64, n: usize| if n == 0 { 0.0 } else { a / n as f64 };
    let (precision, recall) = (ratio(p_sum, p_n), ratio(r_sum, r_n));
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    json!({
        "sentences": gold.len(), "gold_tuples": r_n, "predicted_tuples": p_n,
        "precision": round(precision), "recall": round(recall), "f1": round(f1),
        "matched_predicted": p_hits, "matched_gold": r_hits,
        // how often the polarity is right where holder, target and expression meet a gold tuple's
        "matched_predicted_any_polarity": p_any,
        "polarity_accuracy_on_those": if p_any == 0 { Value::Null } else { json!(round(p_hits as f64 / p_any as f64)) },
    })
}

/// One sentence in the source repository's own submission layout (`sent_id`, `text`, `opinions`
/// with `Source`, `Target`, `Polar_expression` as `[[texts], ["start:end"]]` and `Polarity`
/// `POS`/`NEG`), so its evaluation script can score the same predictions.
#[derive(Serialize)]
pub struct SubmissionLine {
    pub sent_id: Value,
    pub text: String,
    pub opinions: Vec<Value>,
}

pub fn submission_line(sentence: &Sentence, sent_id: Value, tuples: &[Tuple]) -> SubmissionLine {
    let chars: Vec<char> = sentence.text.chars().collect();
    let part = |spans: &[(usize, usize)]| -> Value {
        let texts: Vec<String> = spans.iter().map(|&(s, e)| chars[s..e].iter().collect()).collect();
        let offsets: Vec<String> = spans.iter().map(|(s, e)| format!("{s}:{e}")).collect();
        json!([texts, offsets])
    };
    let opinions = tuples
        .iter()
        .map(|t| {
            let source = match &t.holder {
                Holder::Author => json!([["AUTHOR"], ["NULL"]]),
                Holder::Null => json!([["NULL"], ["0:0"]]),
                Holder::Spans(s) => part(s),
            };
            json!({"Source": source, "Target": part(&t.target), "Polar_expression": part(&t.expression),
                   "Polarity": if t.positive { "POS" } else { "NEG" }})
        })
        .collect();
    SubmissionLine { sent_id, text: sentence.text.clone(), opinions }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(holder: Holder, target: (usize, usize), expression: (usize, usize), positive: bool) -> Tuple {
        Tuple { holder, target: vec![target], expression: vec![expression], positive }
    }

    #[test]
    fn tuples_match_on_intersecting_tokens_and_weigh_by_overlap() {
        // "Путин резко раскритиковал решение Вашингтона" (tokens 0..5)
        let text = "Путин резко раскритиковал решение Вашингтона";
        let gold = Sentence {
            id: "s".into(),
            text: text.into(),
            lang: None,
            tuples: vec![tuple(Holder::Spans(vec![(0, 5)]), (34, 44), (12, 25), false)],
        };
        // the expression predicted as two tokens, one of them the gold one
        let wide = tuple(Holder::Spans(vec![(0, 5)]), (34, 44), (6, 25), false);
        let m = metrics(&[gold.clone()], &[vec![wide]]);
        assert_eq!(m["recall"], 1.0);
        // precision: (1 + 1 + 1/2) / 3 for the one predicted tuple
        assert_eq!(m["precision"], 0.8333);
        // the wrong polarity does not match; the author is not a span holder
        let wrong = tuple(Holder::Spans(vec![(0, 5)]), (34, 44), (12, 25), true);
        assert_eq!(metrics(&[gold.clone()], &[vec![wrong]])["f1"], 0.0);
        let author = tuple(Holder::Author, (34, 44), (12, 25), false);
        assert_eq!(metrics(&[gold], &[vec![author]])["f1"], 0.0);
    }

    #[test]
    fn an_unnamed_holder_matches_only_an_unnamed_one() {
        let text = "Решение назвали ошибкой";
        let gold = Sentence { id: "s".into(), text: text.into(), lang: None, tuples: vec![tuple(Holder::Null, (0, 7), (16, 23), false)] };
        assert_eq!(metrics(&[gold.clone()], &[vec![tuple(Holder::Null, (0, 7), (16, 23), false)]])["f1"], 1.0);
        assert_eq!(metrics(&[gold], &[vec![tuple(Holder::Author, (0, 7), (16, 23), false)]])["f1"], 0.0);
    }

    #[test]
    fn whitespace_tokens_are_code_point_ranges() {
        assert_eq!(tokens(" Ёлка  и\tдом "), vec![(1, 5), (7, 8), (9, 12)]);
    }
}
