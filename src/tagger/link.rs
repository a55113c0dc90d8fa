//! Which source run speaks a content: a learned alternative to the decoder's nearest-source rules.
//!
//! Each source run of the window within [`REACH`] of a content is a candidate, described by a few
//! facts of where it sits ([`FEATURES`]: the rules' own pick among them, the distance to the cue
//! and to the content, whether another content, cue or sentence lies between, …). A candidate
//! scores `weights · features`; no speaker scores 0, and the highest score wins (a conditional
//! logit over the candidates and "none"). The weights are fitted on the training documents' gold
//! tags ([`fit`]), and the tagger keeps them only when they beat the rules on its held-out slice.

use serde::{Deserialize, Serialize};

use crate::quotes::{kind_for, marks, Kind};
use crate::text::words::words;
use crate::text::ByteSpan;

use super::tags::{distance, within, Reading, Role, Run};

/// How far from a content (bytes) a source may be to be a candidate.
const REACH: usize = 400;

/// The facts each candidate is described by, in the weights' order.
pub const FEATURES: [&str; 22] = [
    "candidate",
    "rules_pick",
    "inside_content",
    "cue_0_10",
    "cue_10_40",
    "cue_40_100",
    "cue_beyond_100",
    "content_0_10",
    "content_10_60",
    "content_60_150",
    "content_150_300",
    "content_beyond_300",
    "before_content",
    "content_between",
    "source_between",
    "sentence_between",
    "next_to_another_cue",
    "lowercase",
    "content_quoted",
    "no_cue",
    "no_cue_within_60",
    "words",
];

const N: usize = FEATURES.len();

/// Weights over [`FEATURES`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linker {
    pub features: Vec<String>,
    pub weights: Vec<f32>,
}

/// The candidates of one reading and their features.
pub(crate) fn candidates(text: &str, reading: &Reading, runs: &[Run], quotes: &[marks::Quoted]) -> Vec<(Run, [f32; N])> {
    let content = reading.content.span;
    let quoted = kind_for(content, quotes, text, false) == Kind::Direct;
    runs.iter()
        .filter(|r| r.role == Role::Source && (distance(r.span, content) < REACH || Some(**r) == reading.rule_speaker))
        .map(|r| (*r, features(text, reading, r, runs, quoted)))
        .collect()
}

/// Whether `a` lies wholly between spans `x` and `y` (in either order).
fn between(a: ByteSpan, x: ByteSpan, y: ByteSpan) -> bool {
    let (first, second) = if x.start <= y.start { (x, y) } else { (y, x) };
    first.end <= a.start && a.end <= second.start
}

/// The facts of one candidate `source` of `reading` ([`FEATURES`]); `quoted`: whether the content
/// is a direct quote.
fn features(text: &str, reading: &Reading, source: &Run, runs: &[Run], quoted: bool) -> [f32; N] {
    let content = reading.content.span;
    let s = source.span;
    let to_content = distance(s, content);
    let bucket = |d: usize, lo: usize, hi: usize| (lo == 0 || lo < d) && d <= hi;
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let cue_distance = reading.cue.map(|c| distance(s, c.span));
    let cue_in = |lo: usize, hi: usize| cue_distance.is_some_and(|d| bucket(d, lo, hi));
    let gap = if s.end <= content.start {
        ByteSpan::new(s.end, content.start)
    } else if content.end <= s.start {
        ByteSpan::new(content.end, s.start)
    } else {
        ByteSpan::new(s.start, s.start)
    };
    let gap_text = gap.slice(text);
    let sentence_between = gap_text.contains(['\n']) || [". ", "! ", "? ", ".» ", ".\" ", ".“ "].iter().any(|m| gap_text.contains(m));
    let other = |role: Role| runs.iter().filter(move |r| r.role == role && r.span != s && r.span != content);
    let next_to_another_cue = other(Role::Cue).any(|c| Some(*c) != reading.cue && distance(c.span, s) <= 10);
    let lowercase = s.slice(text).chars().next().is_some_and(char::is_lowercase);
    let word_count = words(text, s).len();
    [
        1.0,
        flag(Some(*source) == reading.rule_speaker),
        flag(within(s, content)),
        flag(cue_in(0, 10)),
        flag(cue_in(10, 40)),
        flag(cue_in(40, 100)),
        flag(cue_distance.is_some_and(|d| d > 100)),
        flag(bucket(to_content, 0, 10)),
        flag(bucket(to_content, 10, 60)),
        flag(bucket(to_content, 60, 150)),
        flag(bucket(to_content, 150, 300)),
        flag(to_content > 300),
        flag(s.end <= content.start),
        flag(other(Role::Content).any(|c| between(c.span, s, content))),
        flag(other(Role::Source).any(|c| between(c.span, s, content))),
        flag(sentence_between),
        flag(next_to_another_cue),
        flag(lowercase),
        flag(quoted),
        flag(reading.cue.is_none()),
        flag(reading.cue.is_none() && to_content <= 60),
        (word_count as f32 / 10.0).min(1.0),
    ]
}

fn score(weights: &[f32], x: &[f32; N]) -> f32 {
    weights.iter().zip(x).map(|(w, x)| w * x).sum()
}

impl Linker {
    /// Whether these weights are over this build's [`FEATURES`].
    pub fn fits_this_build(&self) -> bool {
        self.features.iter().map(String::as_str).eq(FEATURES) && self.weights.len() == N
    }

    /// The speaker of `reading`: the best-scoring candidate, or none when none scores above 0.
    pub(crate) fn speaker(&self, text: &str, reading: &Reading, runs: &[Run], quotes: &[marks::Quoted]) -> Option<Run> {
        candidates(text, reading, runs, quotes)
            .into_iter()
            .map(|(r, x)| (r, score(&self.weights, &x)))
            .filter(|&(_, s)| s > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(r, _)| r)
    }
}

/// One content's candidates, which of them the gold names (`None`: no speaker among them), and
/// the weight of the choice in the fit.
pub(crate) struct Choice {
    pub(crate) candidates: Vec<[f32; N]>,
    pub(crate) gold: Option<usize>,
    pub(crate) weight: f64,
}

/// Weights that maximise the weighted log-likelihood of the gold choices (L2 `l2`), by Adam over
/// full batches: the problem is convex and small (a few thousand choices, [`N`] weights).
pub(crate) fn fit(choices: &[Choice], l2: f64, steps: usize) -> Linker {
    let mut w = [0.0f64; N];
    let (mut m, mut v) = ([0.0f64; N], [0.0f64; N]);
    let (lr, b1, b2) = (0.05, 0.9, 0.999);
    let total: f64 = choices.iter().map(|c| c.weight).sum::<f64>().max(f64::MIN_POSITIVE);
    for step in 1..=steps {
        let mut grad = [0.0f64; N];
        for c in choices {
            let scores: Vec<f64> = c.candidates.iter().map(|x| x.iter().zip(&w).map(|(x, w)| *x as f64 * w).sum()).collect();
            let top = scores.iter().copied().fold(0.0f64, f64::max);
            let z = (-top).exp() + scores.iter().map(|s| (s - top).exp()).sum::<f64>();
            for (i, x) in c.candidates.iter().enumerate() {
                let p = (scores[i] - top).exp() / z - if c.gold == Some(i) { 1.0 } else { 0.0 };
                for k in 0..N {
                    grad[k] += c.weight * p * x[k] as f64;
                }
            }
        }
        for k in 0..N {
            let g = grad[k] / total + l2 * w[k];
            m[k] = b1 * m[k] + (1.0 - b1) * g;
            v[k] = b2 * v[k] + (1.0 - b2) * g * g;
            let (mh, vh) = (m[k] / (1.0 - b1.powi(step as i32)), v[k] / (1.0 - b2.powi(step as i32)));
            w[k] -= lr * mh / (vh.sqrt() + 1e-8);
        }
    }
    Linker { features: FEATURES.iter().map(|f| f.to_string()).collect(), weights: w.iter().map(|&x| x as f32).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(k: usize) -> [f32; N] {
        let mut x = [0.0; N];
        x[0] = 1.0;
        x[k] = 1.0;
        x
    }

    #[test]
    fn the_fit_learns_which_fact_marks_the_speaker_and_when_there_is_none() {
        // the gold speaker is always the candidate beside the cue; a lone candidate far off never is
        let near = FEATURES.iter().position(|f| *f == "cue_0_10").unwrap();
        let far = FEATURES.iter().position(|f| *f == "content_beyond_300").unwrap();
        let mut choices: Vec<Choice> = (0..20).map(|_| Choice { candidates: vec![one(far), one(near)], gold: Some(1), weight: 1.0 }).collect();
        choices.extend((0..20).map(|_| Choice { candidates: vec![one(far)], gold: None, weight: 1.0 }));
        let linker = fit(&choices, 1e-3, 300);
        assert!(linker.fits_this_build());
        let s = |x: &[f32; N]| score(&linker.weights, x);
        assert!(s(&one(near)) > 0.0 && s(&one(near)) > s(&one(far)), "{:?}", linker.weights);
        assert!(s(&one(far)) < 0.0, "{:?}", linker.weights);
    }
}
