//! Target cues: `SPEAKER accused TARGET of CONTENT`, `SPEAKER called on TARGET to CONTENT`.

use super::content::{content_span, quote_closing_before, quote_opening_after, run_on};
use super::speaker::{span_of, speaker_before, MAX_SPEAKER_WORDS};
use super::speech::speech;
use super::{broken, Cue, Sentence};
use crate::lexicon::Cues;
use crate::quotes::Statement;
use crate::text::words::words;
use crate::text::ByteSpan;

/// "X accused Y of CONTENT", "X called on Y to CONTENT". Without its linking word ("\"Why?\" he
/// asked reporters") the verb is read as a plain verb of saying.
pub(super) fn target(cx: &Sentence<'_>, cue: &Cue, then: &str, cue_span: ByteSpan) -> Vec<Statement> {
    let Sentence { text, span: sentence, words, quotes, cues } = *cx;
    let mut object = cue.last + 1;
    while object < words.len() && cues.skip_words.contains(&words[object].lower) {
        object += 1;
    }
    let link =
        (!then.is_empty()).then(|| (object..words.len().min(object + MAX_SPEAKER_WORDS)).find(|&k| words[k].lower == then)).flatten();
    // without its linking word a target cue that is also a verb of saying is one, with its
    // speaker before it or, after a quotation, after it ('…," warned Clinton')
    let as_speech = !then.is_empty() && link.is_none() && cues.speech.contains(&words[cue.first].lower);
    let Some(speaker) = speaker_before(text, words, cue.first, cues) else {
        let after_quote = quote_closing_before(text, cue_span.start, quotes).is_some();
        return if as_speech && after_quote { speech(cx, cue, cue_span, false) } else { Vec::new() };
    };
    if as_speech {
        return speech(cx, cue, cue_span, false);
    }
    let target = link.filter(|&k| k > object).map(|k| ByteSpan::new(words[object].span.start, words[k - 1].span.end)).or_else(|| {
        // no linking word: the object is the capitalised run right after the verb
        let mut k = object;
        while k < words.len() && words[k].is_capitalized(text) && (k == object || !broken(text, words, k - 1, k)) {
            k += 1;
        }
        (k > object).then(|| ByteSpan::new(words[object].span.start, words[k - 1].span.end))
    });
    let Some(start) = words.get(cue.last + 1).map(|w| w.span.start) else { return Vec::new() };
    let start = quote_opening_after(text, cue_span.end, quotes).map_or(start, |q| q.outer.start.min(start));
    content_span(text, start, run_on(sentence, quotes, start))
        .map(|content| cx.reported(content, cue_span, span_of(words, speaker), target, 0.85))
        .into_iter()
        .collect()
}

/// How many words after a request verb without a linking word name whom it asks.
const REQUEST_OBJECT_WORDS: usize = 3;

/// Where a request cue names whom it asks ("called on **the Russian Federation** to …",
/// "призвал **Москву** начать …"): from the cue's end to its linking word, or — without one — up to
/// the next few words. The one addressed is asked something, not judged: no relation is read
/// from it. `None` when the statement's cue is no request verb of `cues`.
pub fn addressed(text: &str, statement: &Statement, cues: &Cues) -> Option<ByteSpan> {
    let cue = statement.cue?;
    let cue_words: Vec<String> = words(text, cue).into_iter().map(|w| w.lower).collect();
    let (_, then) = cues.requests.iter().find(|(verb, _)| cue_words.ends_with(verb) || cue_words.starts_with(verb))?;
    let sentence_end = text[cue.end..].find(['.', '!', '?', '\n']).map_or(text.len(), |k| cue.end + k);
    let after = words(text, ByteSpan::new(cue.end, sentence_end));
    let link = after.iter().take(MAX_SPEAKER_WORDS).position(|w| !then.is_empty() && w.lower == *then);
    let end = match (link, statement.target) {
        (Some(k), _) if k > 0 => after[k - 1].span.end,
        (_, Some(target)) => target.end,
        // no linking word: the object is the verb's next words ("призвал Москву")
        (None, None) if then.is_empty() => after.get(after.len().min(REQUEST_OBJECT_WORDS).checked_sub(1)?)?.span.end,
        _ => return None,
    };
    Some(ByteSpan::new(cue.end, end.max(cue.end)))
}
