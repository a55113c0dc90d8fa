//! Speech cues in a sentence, and the speaker and content around each.
//!
//! Four shapes are read, in every language through its lexicon:
//! - speaker first: `SPEAKER [also] said [that] CONTENT` (and `SPEAKER said: "…"`);
//! - attribution last: `CONTENT, SPEAKER said [in a statement].` or `"…", — заявил SPEAKER.`;
//! - `according to SPEAKER, CONTENT` / `CONTENT, according to SPEAKER`;
//! - target cues: `SPEAKER accused TARGET of CONTENT`, `SPEAKER called on TARGET to CONTENT`.
//!
//! Speaker phrases are read word by word away from the cue and stop at punctuation, clause words
//! and (after the verb) prepositions; a relative pronoun ("Armenia, which denied …") hands over
//! to its antecedent. Cue words inside quotation marks are the quoted person's words, not cues.
//!
//! One file per cue shape (`speech`, `according`, `target`, `uncued`), with the readers they
//! share: `find` the cue words, `speaker` the speaker phrase, `content` the content span.

mod according;
mod content;
mod find;
mod speaker;
mod speech;
mod target;
mod uncued;

use super::marks::Quoted;
use super::{kind_for, Kind, Statement};
use crate::lexicon::Cues;
use crate::text::words::Word;
use crate::text::ByteSpan;
use according::according;
use content::content_span;
use find::find_cues;
use speaker::coordinated;
use speech::{participle, speech, survey_lead};
use target::target;

pub use speaker::relative_antecedent;
pub use target::addressed;
pub use uncued::{attribute_colon_lines, attribute_leftover_quotes};

/// Closing quotation marks, for reading what a quotation ends with.
pub(super) const CLOSING_MARKS: &[char] = &['"', '”', '»', '\'', '’', '“'];

pub(super) enum CueKind {
    Speech,
    Belief,
    Participle,
    According,
    Target { then: String },
}

/// One sentence and what every cue reader needs with it.
#[derive(Clone, Copy)]
pub(super) struct Sentence<'a> {
    pub(super) text: &'a str,
    pub(super) span: ByteSpan,
    pub(super) words: &'a [Word],
    pub(super) quotes: &'a [Quoted],
    pub(super) cues: &'a Cues,
}

impl Sentence<'_> {
    /// A statement (not a belief, not a continuation) found by one cue.
    pub(super) fn reported(
        &self,
        content: ByteSpan,
        cue: ByteSpan,
        speaker: ByteSpan,
        target: Option<ByteSpan>,
        confidence: f32,
    ) -> Statement {
        Statement {
            kind: kind_for(content, self.quotes, self.text, false),
            content,
            cue: Some(cue),
            speaker: Some(speaker),
            target,
            confidence,
            continues: None,
        }
    }
}

pub(super) struct Cue {
    pub(super) kind: CueKind,
    /// Word indices `[first, last]` of the cue phrase.
    pub(super) first: usize,
    pub(super) last: usize,
}

pub(super) fn gap<'t>(text: &'t str, words: &[Word], left: usize, right: usize) -> &'t str {
    &text[words[left].span.end..words[right].span.start]
}

/// Punctuation (not just spaces) between two adjacent words; a plural possessive's apostrophe
/// ("the farmers' union") does not count.
pub(super) fn broken(text: &str, words: &[Word], left: usize, right: usize) -> bool {
    let g = gap(text, words, left, right);
    let g = g.strip_prefix(['\'', '’']).filter(|rest| rest.starts_with(char::is_whitespace)).unwrap_or(g);
    g.chars().any(|c| !c.is_whitespace())
}

pub(super) fn in_quote(span: ByteSpan, quotes: &[Quoted]) -> bool {
    quotes.iter().any(|q| q.inner.contains(&span))
}

pub fn statements_in_sentence(text: &str, sentence: ByteSpan, words: &[Word], quotes: &[Quoted], cues: &Cues) -> Vec<Statement> {
    let found = find_cues(text, words, quotes, cues);
    let cx = Sentence { text, span: sentence, words, quotes, cues };
    let mut out: Vec<Statement> = Vec::new();
    for cue in &found {
        let cue_span = ByteSpan::new(words[cue.first].span.start, words[cue.last].span.end);
        let statement = match &cue.kind {
            CueKind::According => according(&cx, cue, cue_span),
            CueKind::Participle => participle(&cx, cue, cue_span, &out).into_iter().collect(),
            CueKind::Target { then } => target(&cx, cue, then, cue_span),
            CueKind::Speech | CueKind::Belief => speech(&cx, cue, cue_span, matches!(cue.kind, CueKind::Belief)),
        };
        let statement: Vec<Statement> = statement;
        out.extend(statement);
    }
    if out.is_empty() {
        out.extend(survey_lead(&cx));
    }
    // A later speaker inside an earlier statement's content ends that content: "X said A, and Y
    // said B" ends before Y; "X said A from Armenia, which denied B" ends before "which" (the
    // relative pronoun is the mention).
    // (at the cue when it comes first: "…, according to X")
    let cut_points: Vec<(ByteSpan, usize)> =
        out.iter().filter_map(|s| s.speaker.map(|sp| (sp, s.cue.map_or(sp.start, |c| c.start.min(sp.start))))).collect();
    // "X insisted that A, claiming B" / "X called on Y to A and said B": a cue after a comma or a
    // coordinating word inside A's content ends it
    let coordinator_before = |cue: ByteSpan| {
        let i = words.iter().position(|w| w.span.start == cue.start)?;
        coordinated(text, words, i, cues).then(|| text[..words[i - 1].span.start].trim_end().len())
    };
    let clause_cuts: Vec<usize> = out
        .iter()
        .filter_map(|s| s.cue)
        .filter(|cue| !in_quote(*cue, quotes))
        .filter_map(|cue| {
            text[..cue.start].trim_end().trim_end_matches(CLOSING_MARKS).strip_suffix(',').map(str::len).or_else(|| coordinator_before(cue))
        })
        .collect();
    for i in 0..out.len() {
        let cut = cut_points
            .iter()
            .filter(|(sp, at)| out[i].content.start < *at && *at < out[i].content.end && Some(*sp) != out[i].speaker)
            .map(|(_, at)| *at)
            .chain(clause_cuts.iter().copied().filter(|&at| out[i].content.start < at && at < out[i].content.end))
            .min();
        if let Some(cut) = cut {
            if let Some(c) = content_span(text, out[i].content.start, cut) {
                out[i].content = c;
                out[i].kind = kind_for(c, quotes, text, out[i].kind == Kind::Belief);
            }
        }
    }
    out
}
