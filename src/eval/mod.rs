//! `standpoint eval`: the product's real pipeline measured against labelled data.

pub mod attribution;

use std::collections::HashMap;

use crate::actors::Dictionary;
use crate::corpus::Article;
use crate::lexicon::Lexicons;
use crate::text::CharIndex;
use attribution::{GoldDocument, Offsets, Predicted, PredictionLine};

/// Runs the product's text stages ([`crate::pipeline::analyse`]) on each gold document's text.
pub fn predict_attributions(docs: &[GoldDocument], lexicons: &Lexicons, dict: &Dictionary) -> Vec<PredictionLine> {
    use rayon::prelude::*;
    docs.par_iter()
        .map(|doc| {
            let article = Article { lang: doc.lang.clone(), ..Article::from_text(doc.id.clone(), doc.text.clone(), doc.id.clone()) };
            let analysis = crate::pipeline::analyse(&article, lexicons, dict, &[]);
            let index = CharIndex::new(&doc.text);
            let offsets = |span: crate::text::ByteSpan| {
                let c = index.char_span(span);
                Offsets { start: c.start, end: c.end }
            };
            // The parts of a split quotation are one attribution with several content spans.
            let mut attributions: Vec<(crate::text::ByteSpan, Predicted)> = Vec::new();
            for s in analysis.found.iter().map(|f| &f.statement) {
                match s.continues.and_then(|first| attributions.iter_mut().find(|(c, _)| *c == first)) {
                    Some((_, whole)) => whole.content.push(offsets(s.content)),
                    None => attributions.push((
                        s.content,
                        Predicted { content: vec![offsets(s.content)], speaker: s.speaker.map(offsets).into_iter().collect() },
                    )),
                }
            }
            PredictionLine { id: doc.id.clone(), attributions: attributions.into_iter().map(|(_, p)| p).collect() }
        })
        .collect()
}

pub fn by_id(lines: &[PredictionLine]) -> HashMap<String, Vec<Predicted>> {
    lines.iter().map(|l| (l.id.clone(), l.attributions.clone())).collect()
}
