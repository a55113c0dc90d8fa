//! `standpoint eval`: the product's real pipeline measured against labelled data.

pub mod attribution;

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

pub fn by_id(lines: &[PredictionLine]) -> HashMap<String, Vec<Predicted>> {
    lines.iter().map(|l| (l.id.clone(), l.attributions.clone())).collect()
}
