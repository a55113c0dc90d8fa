//! `standpoint eval`: the product's real pipeline measured against labelled data.

pub mod attribution;
pub mod opinions;

use std::collections::HashMap;

use crate::actors::Dictionary;
use crate::corpus::{Article, Item};
use crate::lexicon::Lexicons;
use crate::heads::HeadError;
use crate::quotes::{Finder, Statement};
use crate::tagger::Tagger;
use crate::text::CharIndex;
use attribution::{GoldDocument, Offsets, Predicted, PredictionLine};

/// Runs the product's statement stages on each gold document's text, as `standpoint score` does:
/// [`crate::pipeline::analyse_chunk`], then [`crate::pipeline::relearn`] with the tagger when one
/// is given.
pub fn predict_attributions(
    docs: &[GoldDocument],
    lexicons: &Lexicons,
    dict: &Dictionary,
    learned: Option<(&Tagger, Finder)>,
) -> Result<Vec<PredictionLine>, HeadError> {
    let items: Vec<Item> = docs
        .iter()
        .map(|doc| Item::Article(Article { lang: doc.lang.clone(), ..Article::from_text(doc.id.clone(), doc.text.clone(), doc.id.clone()) }))
        .collect();
    let mut chunk = crate::pipeline::analyse_chunk(items, lexicons, dict, &[]);
    if let Some((tagger, finder)) = learned {
        chunk = crate::pipeline::relearn(chunk, tagger, finder, lexicons, dict, &[]);
    }
    if let Some(why) = chunk.failure {
        return Err(HeadError::Data(why));
    }
    Ok(docs
        .iter()
        .zip(chunk.analyses)
        .map(|(doc, analysis)| {
            let statements: Vec<Statement> = analysis.into_iter().flat_map(|a| a.found).map(|f| f.statement).collect();
            prediction_line(&doc.id, &doc.text, &statements)
        })
        .collect())
}

/// The scorer's line for one document's statements: code point offsets, and the parts of a split
/// quotation as one attribution with several content spans.
pub fn prediction_line(id: &str, text: &str, statements: &[Statement]) -> PredictionLine {
    let index = CharIndex::new(text);
    let offsets = |span: crate::text::ByteSpan| {
        let c = index.char_span(span);
        Offsets { start: c.start, end: c.end }
    };
    let mut attributions: Vec<(crate::text::ByteSpan, Predicted)> = Vec::new();
    for s in statements {
        match s.continues.and_then(|first| attributions.iter_mut().find(|(c, _)| *c == first)) {
            Some((_, whole)) => whole.content.push(offsets(s.content)),
            None => attributions.push((
                s.content,
                Predicted { content: vec![offsets(s.content)], speaker: s.speaker.map(offsets).into_iter().collect() },
            )),
        }
    }
    PredictionLine { id: id.to_owned(), attributions: attributions.into_iter().map(|(_, p)| p).collect() }
}

/// Opinion tuples of each sentence through `standpoint score`'s own stages ([`opinions`]): the
/// statements (with the scorer's tagger where it applies), their actors, the actors they address
/// or name, and the stance toward each.
pub fn predict_opinions(sentences: &[opinions::Sentence], lexicons: &Lexicons, dict: &Dictionary, scorer: &crate::scoring::Scorer) -> Vec<Vec<opinions::Tuple>> {
    let items: Vec<Item> = sentences
        .iter()
        .map(|s| Item::Article(Article { lang: s.lang.clone(), ..Article::from_text(s.id.clone(), s.text.clone(), s.id.clone()) }))
        .collect();
    let mut chunk = crate::pipeline::analyse_chunk(items, lexicons, dict, &[]);
    if let Some((tagger, finder)) = scorer.tagger() {
        chunk = crate::pipeline::relearn(chunk, tagger, finder, lexicons, dict, &[]);
    }
    crate::pipeline::score_chunk(chunk, 0, scorer, &[])
        .into_iter()
        .map(|scored| {
            let mut tuples = Vec::new();
            for q in &scored.quotes {
                let holder = match &q.speaker_mention {
                    Some(m) => opinions::Holder::Spans(vec![(m.start, m.end)]),
                    None => opinions::Holder::Author,
                };
                for t in &q.toward {
                    // the relation model's reading when there is one, else the stance's
                    let positive = match &t.attitude {
                        Some(a) if !a.counted => continue,
                        Some(a) => a.positive >= 0.5,
                        None if t.stance.neutral >= t.stance.favor.max(t.stance.against) => continue,
                        None => t.stance.favor > t.stance.against,
                    };
                    tuples.push(opinions::Tuple {
                        holder: holder.clone(),
                        target: vec![(t.mention.start, t.mention.end)],
                        expression: vec![(q.content.start, q.content.end)],
                        positive,
                    });
                }
            }
            tuples
        })
        .collect()
}

/// The polarity the relations read ([`crate::scoring::Scorer`]'s stance toward an addressed
/// actor) on the data's own opinions: each sentence scored as one statement toward each gold
/// target at its gold span, right when P(favour) > P(against) matches a positive opinion. Counted
/// by holder (a named party, the author, no one named): relations are the named-party case.
pub fn gold_polarity(sentences: &[opinions::Sentence], scorer: &crate::scoring::Scorer) -> Result<serde_json::Value, HeadError> {
    use rayon::prelude::*;
    let per_sentence: Vec<Vec<(&'static str, bool)>> = sentences
        .par_iter()
        .filter(|s| !s.tuples.is_empty())
        .map(|s| {
            // each target's spans as byte ranges, its words joined as its name
            let targets: Vec<Vec<(usize, usize)>> = s
                .tuples
                .iter()
                .map(|t| crate::heads::labelled::byte_ranges(&s.text, &t.target))
                .collect::<Option<_>>()
                .ok_or_else(|| HeadError::Data(format!("{}: a target span does not fit the text", s.id)))?;
            let names: Vec<String> = targets.iter().map(|r| r.iter().map(|&(a, b)| &s.text[a..b]).collect::<Vec<_>>().join(" ")).collect();
            let request = crate::scoring::Request {
                tone_texts: vec![s.text.as_str()],
                stance_texts: vec![s.text.as_str()],
                langs: vec![s.lang.as_deref()],
                targets: &[],
                toward: targets.iter().zip(&names).map(|(r, name)| (0, name.as_str(), r.first().copied())).collect(),
                holders: Vec::new(),
            };
            let scores = scorer.score(&request)?;
            Ok(s.tuples
                .iter()
                .zip(&scores.toward)
                .map(|(t, p)| {
                    let holder = match t.holder {
                        opinions::Holder::Spans(_) => "named",
                        opinions::Holder::Author => "author",
                        opinions::Holder::Null => "unnamed",
                    };
                    (holder, (p[0] > p[1]) == t.positive)
                })
                .collect())
        })
        .collect::<Result<_, HeadError>>()?;
    let all: Vec<(&str, bool)> = per_sentence.into_iter().flatten().collect();
    let share = |keep: &dyn Fn(&str) -> bool| {
        let picked: Vec<bool> = all.iter().filter(|(h, _)| keep(h)).map(|(_, ok)| *ok).collect();
        let right = picked.iter().filter(|ok| **ok).count();
        serde_json::json!({"opinions": picked.len(), "accuracy": if picked.is_empty() { serde_json::Value::Null } else { serde_json::json!((right as f64 / picked.len() as f64 * 10_000.0).round() / 10_000.0) }})
    };
    Ok(serde_json::json!({
        "all": share(&|_| true),
        "holder_named": share(&|h| h == "named"),
        "holder_author": share(&|h| h == "author"),
        "holder_unnamed": share(&|h| h == "unnamed"),
    }))
}

pub fn by_id(lines: &[PredictionLine]) -> HashMap<String, Vec<Predicted>> {
    lines.iter().map(|l| (l.id.clone(), l.attributions.clone())).collect()
}
