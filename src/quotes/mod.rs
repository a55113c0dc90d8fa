//! Statements: who is reported as saying (or believing) what, with every part a span.
//!
//! Order of work for one article:
//! 1. [`furniture`] sets aside the outlet's own page furniture (donation appeals, "read more").
//! 2. [`marks`] pairs quotation marks into quoted spans (across paragraphs where the convention says so).
//! 3. [`cues`] reads each sentence for speech cues — verbs of saying, "according to", "X accused Y
//!    of" — and takes the speaker phrase and the content around each cue.
//! 4. Quotes no cue claimed are attributed from the sentence before ("…said:") or after ("He
//!    added."), or as the continuation of the previous paragraph's speaker.
//! 5. Transcript and headline lines ("BOULDUAN: …", "Лавров: …") are their name's statements.
//!
//! Speaker phrases are resolved to actors afterwards ([`crate::actors`]).

pub mod cues;
pub mod furniture;
pub mod marks;

use serde::{Deserialize, Serialize};

use crate::lexicon::{Cues, Lexicons};
use crate::text::{sentences, words, ByteSpan};

/// How the statement is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The content is a quotation.
    Direct,
    /// The content is a paraphrase.
    Indirect,
    /// A paraphrase that quotes some of the speaker's words.
    Mixed,
    /// A belief, perception or finding ("X believes …", "polls show …").
    Belief,
}

/// One attributed statement, in byte spans of the article text.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub kind: Kind,
    pub content: ByteSpan,
    pub cue: Option<ByteSpan>,
    /// The speaker as the text names it ("the State Department", "It", "Baku").
    pub speaker: Option<ByteSpan>,
    /// Whom the cue names as its object ("accused Yerevan of …").
    pub target: Option<ByteSpan>,
    pub confidence: f32,
    /// For the later parts of a split quotation ("A," he said. "B."): the first part's content.
    pub continues: Option<ByteSpan>,
}

/// Everything the quote stage found in one article.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub statements: Vec<Statement>,
    /// Paragraphs set aside as page furniture.
    pub furniture: Vec<ByteSpan>,
}

/// Statements of `text`, in text order. `lang` selects the cue lexicon; `None` uses all languages.
pub fn extract(text: &str, lang: Option<&str>, lexicons: &Lexicons) -> Extraction {
    let cues = lexicons.cues(lang);
    let pairs = lexicons.all_quote_pairs();
    let all_paragraphs = sentences::paragraphs(text);
    let (paragraphs, furniture) = furniture::split(text, &all_paragraphs, &cues);
    let quotes = marks::find_quotes(text, &paragraphs, &pairs);

    let mut statements = Vec::new();
    let mut sentence_spans = Vec::new();
    for para in &paragraphs {
        for sentence in sentences::sentences(text, *para, &cues.abbreviations) {
            sentence_spans.push(sentence);
            let ws = words::words(text, sentence);
            statements.extend(cues::statements_in_sentence(text, sentence, &ws, &quotes, &cues));
        }
    }
    cues::attribute_leftover_quotes(text, &sentence_spans, &paragraphs, &quotes, &cues, &mut statements);
    cues::attribute_colon_lines(text, &paragraphs, &quotes, &cues, &mut statements);
    statements.retain(|s| says_something(text, s.content, &cues));
    statements.sort_by_key(|s| (s.content.start, s.content.end));
    statements.dedup_by(|a, b| a.content == b.content);
    Extraction { statements, furniture }
}

/// Where an analysis's statements come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Finder {
    /// The cue reader of this module (text only).
    #[default]
    Rules,
    /// The learned tagger ([`crate::tagger`]), in every language.
    Learned,
    /// Per language, the finder the tagger's measured figures choose (`auto` in `tagger.json`;
    /// a tagger without it: the learned tagger in the languages it was trained on, the rules in
    /// the others).
    Auto,
}

/// Whether a content can be a statement: it holds a word, and it is not just a discourse marker
/// ("Однако", "Кроме того", "In particular"), which either finder may take for one.
pub fn says_something(text: &str, content: ByteSpan, cues: &Cues) -> bool {
    let ws = words::words(text, content);
    let phrase = ws.iter().map(|w| w.lower.trim_matches(|c: char| !c.is_alphanumeric())).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    !phrase.is_empty() && !cues.discourse_markers.contains(&phrase)
}

/// Whether a statement's cue is a verb of physical action ("Azerbaijani activists **blocked** the
/// Lachin corridor"): what it reports is an act, not something said.
pub fn cued_by_action(text: &str, cue: Option<ByteSpan>, cues: &Cues) -> bool {
    cue.is_some_and(|c| holds(text, c, &cues.action_verbs))
}

/// Whether an entry of `set` stands among the words of `text[span]`.
fn holds(text: &str, span: ByteSpan, set: &crate::lexicon::WordSet) -> bool {
    let ws: Vec<String> = words::words(text, span).into_iter().map(|w| w.lower).collect();
    set.found_in(&ws.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Whether a statement carries on from the one before it: its content points back to an event
/// already reported ("deplores **the development**": the language's `event_anaphors`), or its
/// cue carries on what the speaker was saying ("It **added** the checkpoint …":
/// `continuation_cues`).
pub fn refers_back(text: &str, statement: &Statement, cues: &Cues) -> bool {
    holds(text, statement.content, &cues.event_anaphors) || statement.cue.is_some_and(|c| holds(text, c, &cues.continuation_cues))
}

/// The tagger's `learned` statements as an extraction: page furniture is set aside as for the
/// rules (step 1 of [`extract`]), and nothing found in it is kept, nor a content that says
/// nothing ([`says_something`]), nor an act reported as if it were said ([`cued_by_action`]).
pub fn from_learned(text: &str, lang: Option<&str>, lexicons: &Lexicons, learned: Vec<Statement>) -> Extraction {
    let cues = lexicons.cues(lang);
    let (_, furniture) = furniture::split(text, &sentences::paragraphs(text), cues);
    let statements = learned
        .into_iter()
        .filter(|s| {
            !furniture.iter().any(|f| f.overlaps(&s.content)) && says_something(text, s.content, cues) && !cued_by_action(text, s.cue, cues)
        })
        .collect();
    Extraction { statements, furniture }
}

pub(crate) fn kind_for(content: ByteSpan, quotes: &[marks::Quoted], text: &str, belief: bool) -> Kind {
    if belief {
        return Kind::Belief;
    }
    let inside: Vec<&marks::Quoted> = quotes.iter().filter(|q| q.outer.overlaps(&content)).collect();
    if inside.is_empty() {
        return Kind::Indirect;
    }
    let quoted: usize = inside.iter().map(|q| q.inner.len()).sum();
    let own = content.trim_matches(text, &['"', '“', '”', '«', '»', '„', ',', '.']).len();
    if inside.len() == 1 && inside[0].inner.contains(&content) || quoted + 3 >= own {
        Kind::Direct
    } else {
        Kind::Mixed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discourse_marker_alone_is_no_statement_in_either_finder() {
        let lexicons = Lexicons::builtin();
        let text = "Кроме того, министр заявил: «Однако». Впрочем, — сказал он.";
        let cues = lexicons.cues(Some("ru"));
        let span = |s: &str| ByteSpan::new(text.find(s).unwrap(), text.find(s).unwrap() + s.len());
        assert!(!says_something(text, span("Кроме того"), cues));
        assert!(!says_something(text, span("«Однако»"), cues));
        assert!(!says_something(text, span("Впрочем,"), cues));
        assert!(says_something(text, span("министр заявил"), cues));
        let learned = vec![Statement {
            kind: Kind::Indirect,
            content: span("Кроме того"),
            cue: None,
            speaker: None,
            target: None,
            confidence: 0.9,
            continues: None,
        }];
        assert!(from_learned(text, Some("ru"), &lexicons, learned).statements.is_empty());
        assert!(extract(text, Some("ru"), &lexicons).statements.iter().all(|s| says_something(text, s.content, cues)));
    }

    fn statement(text: &str, content: &str, cue: Option<&str>) -> Statement {
        let at = |s: &str| ByteSpan::new(text.find(s).unwrap(), text.find(s).unwrap() + s.len());
        Statement { kind: Kind::Indirect, content: at(content), cue: cue.map(at), speaker: None, target: None, confidence: 0.9, continues: None }
    }

    #[test]
    fn an_action_verb_cues_no_statement_and_an_event_anaphor_points_back() {
        let lexicons = Lexicons::builtin();
        let text = "Activists blocked the Lachin corridor. Paris said it deplores the development. Киев осудил этот шаг.";
        let en = lexicons.cues(Some("en"));
        let blocked = statement(text, "the Lachin corridor", Some("blocked"));
        assert!(cued_by_action(text, blocked.cue, en));
        assert!(from_learned(text, Some("en"), &lexicons, vec![blocked]).statements.is_empty());
        let deplores = statement(text, "it deplores the development", Some("said"));
        assert!(!cued_by_action(text, deplores.cue, en));
        assert!(refers_back(text, &deplores, en));
        assert!(refers_back(text, &statement(text, "этот шаг", None), lexicons.cues(Some("ru"))));
        assert!(!refers_back(text, &statement(text, "the Lachin corridor", None), en));
        let text = "It added the checkpoint shall be implemented.";
        assert!(refers_back(text, &statement(text, "the checkpoint shall be implemented", Some("added")), en));
    }

    #[test]
    fn a_request_names_whom_it_asks() {
        let lexicons = Lexicons::builtin();
        let en = lexicons.cues(Some("en"));
        let text = "The separatists called on the Russian Federation to begin talks with Baku.";
        let asked = cues::addressed(text, &statement(text, "the Russian Federation to begin talks with Baku", Some("called on")), en).unwrap();
        assert_eq!(asked.slice(text).trim(), "the Russian Federation");
        // a verb of saying asks no one
        assert!(cues::addressed(text, &statement(text, "the Russian Federation to begin talks with Baku", Some("separatists")), en).is_none());
    }
}
