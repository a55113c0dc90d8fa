//! The content span around a cue: where it starts after the cue or complementizer, where a
//! quotation, an adjunct or a later clause ends it, and datelines left out.

use super::speaker::{auxiliary, ends_with_any};
use super::{broken, gap, in_quote, Sentence};
use crate::lexicon::Cues;
use crate::quotes::marks::Quoted;
use crate::text::words::Word;
use crate::text::ByteSpan;

/// The quote, if any, that closes right before byte `at` (only spaces and `,` `—` between).
pub(super) fn quote_closing_before<'q>(text: &str, at: usize, quotes: &'q [Quoted]) -> Option<&'q Quoted> {
    quotes
        .iter()
        .find(|q| q.outer.end <= at && text[q.outer.end..at].chars().all(|c| c.is_whitespace() || matches!(c, ',' | '—' | '–' | '-' | ':')))
}

/// The quote, if any, that opens right after byte `at` (only spaces and `:` `,` between).
pub(super) fn quote_opening_after<'q>(text: &str, at: usize, quotes: &'q [Quoted]) -> Option<&'q Quoted> {
    quotes
        .iter()
        .find(|q| q.outer.start >= at && text[at..q.outer.start].chars().all(|c| c.is_whitespace() || matches!(c, ',' | ':' | '—' | '–')))
}

pub(super) const TRIM: &[char] = &[',', ':', ';', '—', '–', '-'];

/// Content that starts with a dateline ("МОСКВА — ", "GENEVA — ") starts after it.
pub(super) fn skip_dateline(text: &str, content: ByteSpan) -> ByteSpan {
    let s = content.slice(text);
    for dash in [" — ", " – ", " - "] {
        if let Some(i) = s.find(dash) {
            let head = &s[..i];
            let letters: Vec<char> = head.chars().filter(|c| c.is_alphabetic()).collect();
            if !letters.is_empty() && letters.len() <= 40 && letters.iter().all(|c| c.is_uppercase()) {
                return ByteSpan::new(content.start + i + dash.len(), content.end).trim(text);
            }
        }
    }
    content
}

pub(super) fn content_span(text: &str, start: usize, end: usize) -> Option<ByteSpan> {
    let span = ByteSpan::new(start, end.max(start)).trim_matches(text, TRIM);
    let words = span.slice(text).split_whitespace().count();
    (words >= 2 || (span.len() >= 6 && !span.slice(text).contains(' '))).then_some(span)
}

/// Where reported content starts after word `idx`: past a complementizer ("that", "что") that
/// follows at once or after a short object or adverbial ("told CNN that", "said Tuesday that").
pub(super) fn after_complementizer(text: &str, words: &[Word], idx: usize, quotes: &[Quoted], cues: &Cues) -> usize {
    let mut k = idx;
    // (farther than five words only past a name: "told conservative radio host Hugh Hewitt on
    // Wednesday that", not "obtained 72 work-related emails that Carter sent")
    let named = |k: usize| words[idx..k].iter().any(|w| w.is_capitalized(text));
    while k < words.len().min(idx + 8) && (k < idx + 5 || named(k)) {
        if in_quote(words[k].span, quotes) || (k > idx && broken(text, words, k - 1, k)) {
            break;
        }
        // "said it was not that simple": past an auxiliary the clause has begun ("that" is no complementizer)
        if k > idx && auxiliary(&words[k], cues) {
            break;
        }
        // past the first word, a complementizer that is also a preposition ("di", "de") is not one
        if cues.complementizers.contains(&words[k].lower) && (k == idx || !cues.connectors.contains(&words[k].lower)) {
            return k + 1;
        }
        k += 1;
    }
    idx
}

/// "said, “A,” adding that B" / "wrote “A” and shared a link": content that opens with a
/// quotation ends with it when a new clause follows (a comma or dash and more words, or a clause
/// break: "and", "и", "und" …).
pub(super) fn quote_bounded(text: &str, content: ByteSpan, quotes: &[Quoted], cues: &Cues) -> ByteSpan {
    let Some(q) = quotes.iter().find(|q| q.outer.start >= content.start && text[content.start..q.outer.start].trim().is_empty()) else {
        return content;
    };
    if q.outer.end >= content.end {
        return content;
    }
    let rest = text[q.outer.end..content.end].trim_start();
    let new_clause = rest.starts_with([',', '—', '–', ';'])
        || rest.starts_with("--")
        || rest.split_whitespace().next().is_some_and(|w| cues.clause_breaks.contains(&w.to_lowercase()));
    if new_clause && rest.chars().any(char::is_alphanumeric) {
        ByteSpan::new(content.start, q.outer.end)
    } else {
        content
    }
}

/// "lamented in an interview with Oliver Darcy, ''We have …''", "said at a town hall on Monday,
/// “we would …”": content that opens with a prepositional phrase closed by a comma or colon and
/// then a quotation is the quotation; the phrase says where it was said.
pub(super) fn past_adjunct(text: &str, content: ByteSpan, words: &[Word], quotes: &[Quoted], cues: &Cues) -> ByteSpan {
    let Some(first) = words.iter().position(|w| w.span.start >= content.start) else { return content };
    if !cues.prepositions.contains(&words[first].lower) {
        return content;
    }
    let Some(q) = quotes.iter().find(|q| q.outer.start > content.start && q.outer.start < content.end) else { return content };
    let adjunct = &words[first..].iter().take_while(|w| w.span.end <= q.outer.start).collect::<Vec<_>>();
    let closed = text[content.start..q.outer.start].trim_end().ends_with([',', ':']);
    let clause_inside = adjunct
        .iter()
        .any(|w| cues.complementizers.contains(&w.lower) || cues.clause_breaks.contains(&w.lower) || cues.speech.contains(&w.lower));
    if closed && adjunct.len() <= 12 && !clause_inside {
        ByteSpan::new(q.outer.start, content.end)
    } else {
        content
    }
}

/// Where content starting at `start` ends: the sentence's end, or further when a quotation opened
/// in the sentence at or after `start` runs on past it ("According to the paper, “A. B. C.”").
pub(super) fn run_on(sentence: ByteSpan, quotes: &[Quoted], start: usize) -> usize {
    quotes
        .iter()
        .filter(|q| sentence.contains(&ByteSpan::new(q.outer.start, q.outer.start)) && q.outer.start >= start)
        .map(|q| q.outer.end)
        .fold(sentence.end, usize::max)
}

/// The rest of a sentence after an aside that ends with the speaker phrase (words `..end`) and an
/// optional description of it in commas: "…, according to X, an envoy, REST". `None` when nothing
/// follows or what follows is about the speaker (a relative clause, a participle) or a new clause.
/// `unmarked`: the aside has no commas.
pub(super) fn aside_tail(cx: &Sentence<'_>, end: usize, unmarked: bool) -> Option<ByteSpan> {
    let Sentence { text, span: sentence, words, quotes, cues } = *cx;
    if end >= words.len() || gap(text, words, end - 1, end).trim() != if unmarked { "" } else { "," } {
        return None;
    }
    let mut start = end;
    // a description of the speaker in commas ("another former envoy,")
    if let Some(close) = (end + 1..words.len().min(end + 10)).find(|&k| broken(text, words, k - 1, k)) {
        let described = !words[end].is_capitalized(text) || cues.determiners.contains(&words[end].lower);
        if described && gap(text, words, close - 1, close).trim() == "," {
            start = close;
        }
    }
    let first = &words[start];
    if cues.relative_pronouns.contains(&first.lower)
        || cues.clause_breaks.contains(&first.lower)
        || cues.participles.contains(&first.lower)
        || ends_with_any(&first.lower, &cues.participle_endings)
    {
        return None;
    }
    content_span(text, first.span.start, run_on(sentence, quotes, first.span.start))
}
