//! `standpoint eval`: the product's real pipeline measured against labelled data.

pub mod attribution;

use std::collections::HashMap;

use crate::actors::Dictionary;
use crate::corpus::Article;
use crate::lexicon::Lexicons;
use crate::heads::HeadError;
use crate::quotes::{Finder, Statement};
use crate::tagger::Tagger;
use crate::text::CharIndex;
use attribution::{GoldDocument, Offsets, Predicted, PredictionLine};

/// Runs the product's text stages ([`crate::pipeline::analyse_with`]) on each gold document's
/// text, with the learned tagger's statements when one is given.
pub fn predict_attributions(
    docs: &[GoldDocument],
    lexicons: &Lexicons,
    dict: &Dictionary,
    learned: Option<(&Tagger, Finder)>,
) -> Result<Vec<PredictionLine>, HeadError> {
    use rayon::prelude::*;
    let articles: Vec<Article> = docs
        .iter()
        .map(|doc| Article { lang: doc.lang.clone(), ..Article::from_text(doc.id.clone(), doc.text.clone(), doc.id.clone()) })
        .collect();
    let mut tagged: Vec<Option<Vec<Statement>>> = vec![None; docs.len()];
    if let Some((tagger, finder)) = learned {
        let langs: Vec<Option<String>> = articles.par_iter().map(crate::pipeline::language).collect();
        let chosen: Vec<usize> = (0..docs.len()).filter(|&i| tagger.applies(finder, langs[i].as_deref())).collect();
        let texts: Vec<(&str, Option<&str>)> = chosen.iter().map(|&i| (articles[i].text.as_str(), langs[i].as_deref())).collect();
        for (i, statements) in chosen.into_iter().zip(tagger.statements(&texts, lexicons)?) {
            tagged[i] = Some(statements);
        }
    }
    Ok(docs
        .par_iter()
        .zip(articles.par_iter())
        .zip(tagged)
        .map(|((doc, article), tagged)| {
            let analysis = crate::pipeline::analyse_with(article, lexicons, dict, &[], tagged);
            let statements: Vec<Statement> = analysis.found.into_iter().map(|f| f.statement).collect();
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
