//! Per-actor aggregation, computed from the records alone (so partial outputs merge exactly).
//!
//! **Estimates.** A statement's stance toward a target is read as a random label X ∈ {+1 favor,
//! −1 against, 0 neutral} with the model's probabilities; its score is E\[X\] = P(favor) −
//! P(against) (tone likewise, with positive / negative). An actor's figure is the mean score over
//! its statements. Its 95% interval is mean ± 1.96·√(Var(X)/n), clipped to [−1, 1], where
//! Var(X) = mean(P(+) + P(−)) − mean² is the variance of a label drawn from a random one of the
//! actor's statements: it counts both the disagreement between statements and the model's own
//! uncertainty in each, so a single confident statement still gets a wide interval.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::schema::{round4, ActRecord, ActorRef, QuoteRecord, Span};

/// Running sums for one estimate. Sums of records are order-independent up to floating-point
/// addition; the report adds records in input order, which shards preserve.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accumulator {
    n: u64,
    sum: f64,
    /// Σ E[X²] = Σ (P(+) + P(−)).
    second: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub n: u64,
    pub mean: f64,
    /// [low, high]
    pub ci95: [f64; 2],
}

impl Accumulator {
    pub fn add(&mut self, plus: f64, minus: f64) {
        self.n += 1;
        self.sum += plus - minus;
        self.second += plus + minus;
    }

    pub fn merge(&mut self, other: &Accumulator) {
        self.n += other.n;
        self.sum += other.sum;
        self.second += other.second;
    }

    pub fn estimate(&self) -> Estimate {
        if self.n == 0 {
            return Estimate { n: 0, mean: 0.0, ci95: [-1.0, 1.0] };
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        let var = (self.second / n - mean * mean).max(0.0);
        let half = 1.96 * (var / n).sqrt();
        let r = |x: f64| round4(x as f32);
        Estimate { n: self.n, mean: r(mean), ci95: [r((mean - half).max(-1.0)), r((mean + half).min(1.0))] }
    }
}

/// A statement offered as evidence: where it is, what was said, and in what context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub article_id: String,
    pub index: usize,
    pub score: f64,
    pub content: Span,
    pub context: Span,
    /// For stance toward a target: the act verb when the statement reports the speaker's own act
    /// on it ([`crate::acts`]), else null.
    pub act: Option<String>,
}

const EVIDENCE: usize = 3;

/// The strongest few statements by |score|, ties broken by position: order-independent.
#[derive(Debug, Clone, Default)]
struct Strongest(Vec<Evidence>);

impl Strongest {
    fn offer(&mut self, q: &QuoteRecord, score: f64, act: Option<&ActRecord>) {
        let key = |e: &Evidence| (std::cmp::Reverse((e.score.abs() * 10_000.0) as i64), e.article_id.clone(), e.index);
        let candidate = Evidence {
            article_id: q.article_id.clone(),
            index: q.index,
            score,
            content: q.content.clone(),
            context: q.context.clone(),
            act: act.map(|a| a.verb.text.clone()),
        };
        if self.0.len() == EVIDENCE && key(&candidate) >= key(self.0.last().expect("full")) {
            return;
        }
        self.0.push(candidate);
        self.0.sort_by_key(key);
        self.0.truncate(EVIDENCE);
    }
}

/// Counts distinct articles from records grouped by article (as quotes.jsonl is): a new article
/// id after a different one is a new article. Exact, in constant memory.
#[derive(Debug, Clone, Default)]
struct ArticleCount {
    last: Option<String>,
    n: u64,
}

impl ArticleCount {
    fn see(&mut self, id: &str) {
        if self.last.as_deref() != Some(id) {
            self.last = Some(id.to_owned());
            self.n += 1;
        }
    }
}

#[derive(Debug, Clone, Default)]
struct ActorAcc {
    actor: Option<ActorRef>,
    statements: u64,
    articles: ArticleCount,
    subs: BTreeMap<String, u64>,
    languages: BTreeMap<String, u64>,
    tone: Accumulator,
    tone_evidence: Strongest,
    stance: BTreeMap<String, (Accumulator, Strongest)>,
    left_out: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default)]
struct RelationAcc {
    from: Option<ActorRef>,
    to: Option<ActorRef>,
    statements: u64,
    articles: ArticleCount,
    by_cue: u64,
    left_out: u64,
    stance: Accumulator,
    tone: Accumulator,
    evidence: Strongest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetEstimate {
    pub target: String,
    #[serde(flatten)]
    pub estimate: Estimate,
    pub evidence: Vec<Evidence>,
    /// The actor's statements left out of this estimate: not about the target (quotes.jsonl
    /// `stance[].counted` false). Absent from the timeline's estimates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<u64>,
}

/// A statement left out of a target's aggregates, with why: its P(about the target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub article_id: String,
    pub index: usize,
    /// The speaker's actor id, null when unattributed.
    pub actor: Option<String>,
    pub relevance: Option<f64>,
    pub content: Span,
}

/// What a target's aggregates left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotAbout {
    pub target: String,
    /// Statements (attributed or not) not counted toward the target.
    pub statements: u64,
    /// The closest calls: the left-out statements with the highest relevance (at most 10).
    pub closest: Vec<LeftOut>,
}

const CLOSEST: usize = 10;

#[derive(Debug, Clone, Default)]
struct NotAboutAcc {
    statements: u64,
    closest: Vec<LeftOut>,
}

impl NotAboutAcc {
    fn offer(&mut self, q: &QuoteRecord, relevance: Option<f64>) {
        self.statements += 1;
        let key = |l: &LeftOut| (std::cmp::Reverse((l.relevance.unwrap_or(0.0) * 10_000.0) as i64), l.article_id.clone(), l.index);
        let candidate = LeftOut {
            article_id: q.article_id.clone(),
            index: q.index,
            actor: q.actor.as_ref().map(|a| a.actor.id.clone()),
            relevance,
            content: q.content.clone(),
        };
        if self.closest.len() == CLOSEST && key(&candidate) >= key(self.closest.last().expect("full")) {
            return;
        }
        self.closest.push(candidate);
        self.closest.sort_by_key(key);
        self.closest.truncate(CLOSEST);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorSummary {
    #[serde(flatten)]
    pub actor: ActorRef,
    pub statements: u64,
    pub articles: u64,
    /// Institutions inside the actor that spoke, with their statement counts.
    pub subs: BTreeMap<String, u64>,
    pub languages: BTreeMap<String, u64>,
    pub tone: Estimate,
    pub tone_evidence: Vec<Evidence>,
    /// One per target, in the order given.
    pub stance: Vec<TargetEstimate>,
}

/// What the relation's stance interval says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// The whole 95% interval of the stance toward the other actor is below zero.
    Criticises,
    /// The whole interval is above zero.
    Backs,
    /// The interval contains zero.
    Unclear,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    pub from: ActorRef,
    pub to: ActorRef,
    pub statements: u64,
    pub articles: u64,
    /// Statements where the cue itself addresses the other actor ("accused Yerevan of").
    pub by_cue: u64,
    /// Statements of the speaker that name the other actor without an attitude toward it (the
    /// relation model's reading): not counted above.
    pub left_out: u64,
    pub stance: Estimate,
    pub tone: Estimate,
    pub polarity: Polarity,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageSummary {
    pub lang: String,
    pub articles: u64,
    pub statements: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodEstimate {
    /// `YYYY-MM-DD`, or `YYYY-MM` when the dates span more than 92 days.
    pub period: String,
    pub actor: String,
    pub tone: Estimate,
    pub stance: Vec<TargetEstimate>,
}

/// All aggregates of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregates {
    pub actors: Vec<ActorSummary>,
    pub relations: Vec<Relation>,
    pub timeline: Vec<PeriodEstimate>,
    pub unattributed_statements: u64,
    /// Per target, the statements its aggregates left out as not about it.
    pub not_about: Vec<NotAbout>,
}

/// Folds quote records, grouped by article as in quotes.jsonl, into aggregates.
pub struct Aggregator<'a> {
    targets: &'a [String],
    actors: BTreeMap<String, ActorAcc>,
    relations: BTreeMap<(String, String), RelationAcc>,
    days: BTreeMap<(String, String), (Accumulator, Vec<Accumulator>)>,
    unattributed: u64,
    not_about: BTreeMap<String, NotAboutAcc>,
}

impl<'a> Aggregator<'a> {
    pub fn new(targets: &'a [String]) -> Self {
        Aggregator { targets, actors: BTreeMap::new(), relations: BTreeMap::new(), days: BTreeMap::new(), unattributed: 0, not_about: BTreeMap::new() }
    }

    pub fn add(&mut self, q: &QuoteRecord) {
        for s in q.stance.iter().filter(|s| !s.counted) {
            self.not_about.entry(s.target.clone()).or_default().offer(q, s.relevance);
        }
        let Some(speaker) = &q.actor else {
            self.unattributed += 1;
            return;
        };
        let id = speaker.actor.id.clone();
        let acc = self.actors.entry(id.clone()).or_default();
        acc.actor.get_or_insert_with(|| speaker.actor.clone());
        acc.statements += 1;
        acc.articles.see(&q.article_id);
        if let Some(sub) = &speaker.sub {
            *acc.subs.entry(sub.clone()).or_default() += 1;
        }
        *acc.languages.entry(q.lang.clone().unwrap_or_else(|| "und".into())).or_default() += 1;
        acc.tone.add(q.tone.positive, q.tone.negative);
        acc.tone_evidence.offer(q, q.tone.score, None);
        for s in q.stance.iter().filter(|s| !s.counted) {
            *acc.left_out.entry(s.target.clone()).or_default() += 1;
        }
        for s in q.stance.iter().filter(|s| s.counted) {
            let (a, e) = acc.stance.entry(s.target.clone()).or_default();
            a.add(s.stance.favor, s.stance.against);
            e.offer(q, s.stance.score, s.act.as_ref());
        }
        for t in &q.toward {
            let r = self.relations.entry((id.clone(), t.actor.id.clone())).or_default();
            r.from.get_or_insert_with(|| speaker.actor.clone());
            r.to.get_or_insert_with(|| t.actor.clone());
            // with a relation model, only what the speaker says about the actor counts, its
            // polarity the model's; without one, every statement naming the actor, by its stance
            let (favor, against) = match &t.attitude {
                Some(a) if !a.counted => {
                    r.left_out += 1;
                    continue;
                }
                Some(a) => (a.positive, 1.0 - a.positive),
                None => (t.stance.favor, t.stance.against),
            };
            r.statements += 1;
            r.articles.see(&q.article_id);
            r.by_cue += u64::from(t.via == super::schema::TowardVia::Cue);
            r.stance.add(favor, against);
            r.tone.add(q.tone.positive, q.tone.negative);
            r.evidence.offer(q, favor - against, None);
        }
        if let Some(date) = &q.date {
            let day: String = date.chars().take(10).collect();
            let (tone, stance) =
                self.days.entry((day, id)).or_insert_with(|| (Accumulator::default(), vec![Accumulator::default(); self.targets.len()]));
            tone.add(q.tone.positive, q.tone.negative);
            for (a, s) in stance.iter_mut().zip(&q.stance).filter(|(_, s)| s.counted) {
                a.add(s.stance.favor, s.stance.against);
            }
        }
    }

    pub fn finish(self) -> Aggregates {
        let targets = self.targets;
        let mut actors: Vec<ActorSummary> = self
            .actors
            .into_values()
            .map(|a| ActorSummary {
                actor: a.actor.expect("set on first add"),
                statements: a.statements,
                articles: a.articles.n,
                subs: a.subs,
                languages: a.languages,
                tone: a.tone.estimate(),
                tone_evidence: a.tone_evidence.0,
                stance: targets
                    .iter()
                    .map(|t| {
                        let (acc, ev) = a.stance.get(t).cloned().unwrap_or_default();
                        let left_out = Some(a.left_out.get(t).copied().unwrap_or(0));
                        TargetEstimate { target: t.clone(), estimate: acc.estimate(), evidence: ev.0, left_out }
                    })
                    .collect(),
            })
            .collect();
        actors.sort_by(|a, b| b.statements.cmp(&a.statements).then_with(|| a.actor.id.cmp(&b.actor.id)));
        let mut relations: Vec<Relation> = self
            .relations
            .into_values()
            .filter(|r| r.statements > 0)
            .map(|r| {
                let stance = r.stance.estimate();
                let polarity = if stance.ci95[1] < 0.0 {
                    Polarity::Criticises
                } else if stance.ci95[0] > 0.0 {
                    Polarity::Backs
                } else {
                    Polarity::Unclear
                };
                Relation {
                    from: r.from.expect("set"),
                    to: r.to.expect("set"),
                    statements: r.statements,
                    articles: r.articles.n,
                    by_cue: r.by_cue,
                    left_out: r.left_out,
                    stance,
                    tone: r.tone.estimate(),
                    polarity,
                    evidence: r.evidence.0,
                }
            })
            .collect();
        relations.sort_by(|a, b| b.statements.cmp(&a.statements).then_with(|| (&a.from.id, &a.to.id).cmp(&(&b.from.id, &b.to.id))));

        // Days, or months when the dates span more than a quarter.
        let span_days = {
            let days: Vec<&String> = self.days.keys().map(|(d, _)| d).collect();
            match (days.iter().min(), days.iter().max()) {
                (Some(a), Some(b)) => day_number(a).zip(day_number(b)).map_or(0, |(a, b)| b - a),
                _ => 0,
            }
        };
        let mut periods: BTreeMap<(String, String), (Accumulator, Vec<Accumulator>)> = BTreeMap::new();
        for ((day, actor), (tone, stance)) in self.days {
            let period = if span_days > 92 { day.chars().take(7).collect() } else { day };
            let entry =
                periods.entry((period, actor)).or_insert_with(|| (Accumulator::default(), vec![Accumulator::default(); targets.len()]));
            entry.0.merge(&tone);
            for (a, b) in entry.1.iter_mut().zip(&stance) {
                a.merge(b);
            }
        }
        let timeline = periods
            .into_iter()
            .map(|((period, actor), (tone, stance))| PeriodEstimate {
                period,
                actor,
                tone: tone.estimate(),
                stance: targets
                    .iter()
                    .zip(stance)
                    .map(|(t, a)| TargetEstimate { target: t.clone(), estimate: a.estimate(), evidence: Vec::new(), left_out: None })
                    .collect(),
            })
            .collect();
        let mut not_about = self.not_about;
        let not_about = targets
            .iter()
            .map(|t| {
                let acc = not_about.remove(t).unwrap_or_default();
                NotAbout { target: t.clone(), statements: acc.statements, closest: acc.closest }
            })
            .collect();
        Aggregates { actors, relations, timeline, unattributed_statements: self.unattributed, not_about }
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` prefix (civil calendar), if it parses.
fn day_number(date: &str) -> Option<i64> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    Some(365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 719_469)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_confident_statement_still_has_a_wide_interval() {
        let mut a = Accumulator::default();
        a.add(0.9, 0.05);
        let e = a.estimate();
        assert!((e.mean - 0.85).abs() < 1e-4);
        assert!(e.ci95[0] < 0.6 && e.ci95[1] == 1.0, "{e:?}");
    }

    #[test]
    fn many_agreeing_statements_narrow_it() {
        let mut a = Accumulator::default();
        for _ in 0..50 {
            a.add(0.1, 0.8);
        }
        let e = a.estimate();
        assert!(e.ci95[1] < -0.5 && e.ci95[0] > -0.9, "{e:?}");
    }

    #[test]
    fn merging_equals_adding() {
        let (mut a, mut b, mut all) = (Accumulator::default(), Accumulator::default(), Accumulator::default());
        for (i, (p, m)) in [(0.2, 0.5), (0.7, 0.1), (0.3, 0.3)].iter().enumerate() {
            if i % 2 == 0 {
                a.add(*p, *m)
            } else {
                b.add(*p, *m)
            }
            all.add(*p, *m);
        }
        a.merge(&b);
        assert_eq!(a.estimate(), all.estimate());
    }

    fn statement_toward(attitude: &str) -> QuoteRecord {
        let line = r#"{"schema_version":"1.7","article_id":"a","date":null,"index":0,"lang":"en","kind":"direct",
            "content":{"start":0,"end":4,"text":"text"},"cue":null,"speaker_mention":null,
            "actor":{"id":"US","name":"United States","type":"state","parent":null,"sub":null,"role":null,"via":"name","confidence":1.0},
            "confidence":1.0,"context":{"start":0,"end":4,"text":"text"},
            "tone":{"negative":0.5,"neutral":0.5,"positive":0.0,"score":-0.5},"stance":[],
            "toward":[{"actor":{"id":"AZ","name":"Azerbaijan","type":"state","parent":null},"mention":{"start":0,"end":4,"text":"text"},
                       "via":"mention","favor":0.6,"against":0.1,"neutral":0.3,"score":0.5ATTITUDE}]}"#;
        serde_json::from_str(&line.replace("ATTITUDE", attitude)).expect("a quote record")
    }

    #[test]
    fn relations_count_only_the_attitudes_the_model_read_with_its_polarity() {
        let mut agg = Aggregator::new(&[]);
        agg.add(&statement_toward(r#","attitude":{"probability":0.9,"positive":0.1,"counted":true}"#));
        agg.add(&statement_toward(r#","attitude":{"probability":0.2,"positive":0.9,"counted":false}"#));
        let r = &agg.finish().relations[0];
        assert_eq!((r.statements, r.left_out), (1, 1));
        // 2 · P(positive) − 1, not the stance's favour − against
        assert!((r.stance.mean + 0.8).abs() < 1e-9, "{:?}", r.stance);
        // without a relation model, every statement by its stance; none counted, no relation
        let mut agg = Aggregator::new(&[]);
        agg.add(&statement_toward(""));
        assert!((agg.finish().relations[0].stance.mean - 0.5).abs() < 1e-9);
        let mut agg = Aggregator::new(&[]);
        agg.add(&statement_toward(r#","attitude":{"probability":0.2,"positive":0.9,"counted":false}"#));
        assert!(agg.finish().relations.is_empty());
    }

    #[test]
    fn civil_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2023-04-23").unwrap() - day_number("2023-01-01").unwrap(), 112);
        assert_eq!(day_number("spring"), None);
    }
}
