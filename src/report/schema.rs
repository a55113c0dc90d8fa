//! The output format, in one place: every record Standpoint writes, as Rust types. The JSON
//! Schema files in `schema/` describe the same records field by field for other languages; a test
//! validates real output against them, so the two cannot drift apart unnoticed.
//!
//! Offsets count Unicode code points of the article text, end exclusive. Probabilities are
//! rounded to four decimals (see [`round4`]).

use serde::{Deserialize, Serialize};

use crate::actors::{ActorKind, Via};
use crate::quotes::{Finder, Kind};

/// Carried by every file and every JSONL line. Bumped: major when a field changes meaning or
/// goes away, minor when one (or a value of one) is added.
pub const SCHEMA_VERSION: &str = "1.7";

/// Rounds a probability or score for output (byte-stable across runs and machines).
pub fn round4(x: f32) -> f64 {
    (f64::from(x) * 10_000.0).round() / 10_000.0
}

/// A piece of the article: code-point offsets and the exact text they slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A canonical actor as it appears in records.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ActorRef {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ActorKind,
    /// The state or body a person or institution belongs to, when known.
    pub parent: Option<String>,
}

/// Who spoke: the actor, the institution inside it, and how the mention was resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speaker {
    #[serde(flatten)]
    pub actor: ActorRef,
    pub sub: Option<String>,
    pub role: Option<String>,
    pub via: Via,
    pub confidence: f64,
}

/// P(negative, neutral, positive) and the scalar tone P(positive) − P(negative).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tone {
    pub negative: f64,
    pub neutral: f64,
    pub positive: f64,
    pub score: f64,
}

/// P(favor, against, neutral) toward one target and the scalar stance P(favor) − P(against).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stance {
    pub favor: f64,
    pub against: f64,
    pub neutral: f64,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStance {
    pub target: String,
    #[serde(flatten)]
    pub stance: Stance,
    /// P(the statement is about the target), from the relevance model
    /// ([`crate::heads::relevance`]); null when the run has none.
    pub relevance: Option<f64>,
    /// Whether the statement counts toward the target's aggregates: its relevance is at least the
    /// model's threshold (`run.config.relevance`), or its content names the target, or it reports
    /// the speaker's own act on the target, or it carries on ("the development", "It added") from the
    /// statement before it and that one counted, or the run has no relevance model.
    pub counted: bool,
    /// Set when the statement reports the speaker's own act on the target ([`crate::acts`]): the
    /// stance above is then the act's favour blended with the model's distribution.
    pub act: Option<ActRecord>,
}

/// The spans that made an act, and what the stance model alone said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActRecord {
    /// The words naming the speaker as agent; null when the language left the subject unsaid.
    pub agent: Option<Span>,
    pub verb: Span,
    pub target: Span,
    pub model: Stance,
}

/// How a statement points at another actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TowardVia {
    /// The cue's object: "accused Yerevan of …", "called on the EU to …".
    Cue,
    /// Named inside the statement's content.
    Mention,
}

/// The statement's stance toward another actor it addresses or names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Toward {
    pub actor: ActorRef,
    pub mention: Span,
    pub via: TowardVia,
    #[serde(flatten)]
    pub stance: Stance,
    /// The relation model's reading of the pair (absent when none was loaded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attitude: Option<Attitude>,
}

/// Whether the speaker expresses an attitude toward the actor the statement names (rather than
/// naming it in passing, or asking something of it), and which way.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attitude {
    /// P(the speaker expresses an attitude toward the actor).
    pub probability: f64,
    /// P(positive | attitude).
    pub positive: f64,
    /// `probability` reached the model's threshold: the pair counts toward the speaker → actor
    /// relation.
    pub counted: bool,
}

/// One line of `quotes.jsonl`: a statement with its speaker, actor and scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRecord {
    pub schema_version: String,
    pub article_id: String,
    /// The article's date as given (null when none).
    pub date: Option<String>,
    /// The statement's number within its article, from 0, in text order.
    pub index: usize,
    pub lang: Option<String>,
    pub kind: Kind,
    pub content: Span,
    pub cue: Option<Span>,
    /// The speaker as the text names it ("the State Department", "It").
    pub speaker_mention: Option<Span>,
    /// Null when the speaker is a pronoun with no antecedent or none is named.
    pub actor: Option<Speaker>,
    /// How sure the extraction is that this is a statement of this speaker (0–1).
    pub confidence: f64,
    /// The text the stance model read: the statement with its cue and speaker.
    pub context: Span,
    pub tone: Tone,
    /// One entry per `--target`, in the order given.
    pub stance: Vec<TargetStance>,
    pub toward: Vec<Toward>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
}

/// One line of `articles.jsonl` (and an entry of `report.json`'s `articles`): every input
/// article or unreadable input unit, scored or with the reason it was not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub schema_version: String,
    /// Position in the run's input order, from 0 (stable across resumes and shards).
    pub seq: u64,
    /// Null only when the input unit had no readable id.
    pub id: Option<String>,
    /// Where it came from: `corpus.jsonl:12`, `folder/a.txt`, `stdin`.
    pub origin: String,
    pub status: Status,
    pub reason: Option<String>,
    pub lang: Option<String>,
    /// Whether `lang` was given by the input (else detected).
    pub lang_given: bool,
    pub title: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// Length of the text in code points.
    pub chars: usize,
    pub statements: usize,
    /// Who found the statements (`rules` or `learned`, see `--attribution`); null when failed.
    pub attribution: Option<Finder>,
    /// Ids of the actors quoted, sorted.
    pub actors: Vec<String>,
}
