//! Finding the cue words of a sentence: verbs of saying and believing, "according to", target
//! cues, participles — and telling a verb after a quotation from the quoted words.

use super::speaker::{absolute_subject, ends_with_any, function_word};
use super::{broken, gap, in_quote, Cue, CueKind, CLOSING_MARKS};
use crate::lexicon::Cues;
use crate::quotes::marks::Quoted;
use crate::text::words::Word;

pub(super) fn find_cues(text: &str, words: &[Word], quotes: &[Quoted], cues: &Cues) -> Vec<Cue> {
    let lower: Vec<&str> = words.iter().map(|w| w.lower.as_str()).collect();
    let mut found = Vec::new();
    // a quotation closes in this sentence or right before it: only then can a verb follow one
    let quote_closes_here = match (words.first(), words.last()) {
        (Some(first), Some(last)) => quotes.iter().any(|q| q.outer.end + 8 >= first.span.start && q.outer.end <= last.span.start),
        _ => false,
    };
    let mut i = 0;
    while i < words.len() {
        let after_determiner = i > 0 && cues.determiners.contains(&words[i - 1].lower) && !broken(text, words, i - 1, i);
        // "the United States on Monday …": a capitalised word inside a run of them is a name
        let in_name = i > 0 && words[i].is_capitalized(text) && words[i - 1].is_capitalized(text) && !broken(text, words, i - 1, i);
        if in_quote(words[i].span, quotes) || after_determiner || in_name {
            i += 1;
            continue;
        }
        let rest = &lower[i..];
        let phrase_fits = |p: &Vec<String>| p.len() <= rest.len() && p.iter().zip(rest).all(|(a, b)| a == b);
        // "McCain said, citing low growth": right after a verb of saying, a participle that can
        // also name a source ("citing officials") is the speaker's own next statement
        let participle_after_verb = || i > 0 && cues.participles.contains(rest[0]) && cues.speech.contains(lower[i - 1]);
        let according = cues.according_to.iter().filter(|p| phrase_fits(p)).max_by_key(|p| p.len()).filter(|_| !participle_after_verb());
        let cue = if let Some(p) = according {
            Some(Cue { kind: CueKind::According, first: i, last: i + p.len() - 1 })
        } else if let Some((verb, then)) = cues.target_cues.iter().filter(|(v, _)| phrase_fits(v)).max_by_key(|(v, _)| v.len()) {
            Some(Cue { kind: CueKind::Target { then: then.clone() }, first: i, last: i + verb.len() - 1 })
        } else if let Some(n) = cues.participles.phrase_len(rest) {
            Some(Cue { kind: CueKind::Participle, first: i, last: i + n - 1 })
        } else if cues.participles.contains(rest[0])
            && i > 0
            && (broken(text, words, i - 1, i)
                || cues.prepositions.contains(lower[i - 1])
                || absolute_subject(text, words, i, cues).is_some())
        {
            // "…, saying that", "… upon saying, “…”"
            Some(Cue { kind: CueKind::Participle, first: i, last: i })
        } else if cues.participles.contains(rest[0]) && i > 0 && cues.progressive_auxiliaries.contains(lower[i - 1]) {
            // "Trump is insisting that …": a progressive form is a finite verb of saying
            Some(Cue { kind: CueKind::Speech, first: i, last: i })
        } else if i == 0 && cues.speech.contains(rest[0]) {
            // a sentence does not open with its verb of saying: "Claims we checked", "Reports of …"
            None
        } else if let Some(n) = cues.speech.phrase_len(rest) {
            Some(Cue { kind: CueKind::Speech, first: i, last: i + n - 1 })
        } else if cues.speech.contains(rest[0]) {
            Some(Cue { kind: CueKind::Speech, first: i, last: i })
        } else if let Some(n) = cues.belief.phrase_len(rest) {
            Some(Cue { kind: CueKind::Belief, first: i, last: i + n - 1 })
        } else if cues.belief.contains(rest[0]) {
            Some(Cue { kind: CueKind::Belief, first: i, last: i })
        } else if quote_closes_here && verb_after_quote(text, words, i, cues) {
            Some(Cue { kind: CueKind::Speech, first: i, last: i })
        } else if verb_before_complementizer(text, words, i, cues) {
            Some(Cue { kind: CueKind::Belief, first: i, last: i })
        } else {
            None
        };
        match cue {
            Some(c) => {
                i = c.last + 1;
                found.push(c);
            }
            None => i += 1,
        }
    }
    found
}

/// '"…," Toomey fumed on Tuesday' / '"…?" he surmised': word `i` follows a speaker (a pronoun, or
/// a run of capitalised words whose verb has one of the language's `speech_verb_endings`) that
/// follows a quotation closed by a comma, question or exclamation mark, and ends the clause.
/// Such a word is the quotation's verb of saying even when the lexicon does not list it.
pub(super) fn verb_after_quote(text: &str, words: &[Word], i: usize, cues: &Cues) -> bool {
    let w = &words[i];
    let plain = |w: &Word| !function_word(w, cues);
    if i == 0 || w.is_capitalized(text) || !plain(w) || !w.lower.chars().all(char::is_alphabetic) {
        return false;
    }
    let clause_ends = words.get(i + 1).map_or(true, |n| broken(text, words, i, i + 1) || !plain(n));
    if !clause_ends {
        return false;
    }
    // the speaker: a pronoun right before, or capitalised words with a verb-like ending
    let mut j = i;
    while j > 0 && cues.skip_words.contains(&words[j - 1].lower) && !broken(text, words, j - 1, j) {
        j -= 1;
    }
    let pronoun = j > 0 && cues.pronouns.contains_key(&words[j - 1].lower) && !broken(text, words, j - 1, j);
    if pronoun {
        j -= 1;
    } else {
        if !ends_with_any(&w.lower, &cues.speech_verb_endings) {
            return false;
        }
        let end = j;
        while j > 0 && end - j < 5 && words[j - 1].is_capitalized(text) && !broken(text, words, j - 1, j) {
            j -= 1;
        }
        if j == end {
            return false;
        }
        // "an angry Hollande retaliated": a determiner and up to two words before the name
        if let Some(k) = (j.saturating_sub(3)..j)
            .rev()
            .take_while(|&k| !broken(text, words, k, k + 1))
            .find(|&k| cues.determiners.contains(&words[k].lower))
        {
            j = k;
        }
    }
    // right before the speaker, on the same line: a quotation closed by , ? or !
    let before = if j > 0 { gap(text, words, j - 1, j) } else { &text[..words[0].span.start] };
    let trimmed = before.trim_end_matches([' ', '\t', '\u{a0}']);
    let Some(unquoted) = trimmed.strip_suffix(CLOSING_MARKS).map(|t| t.trim_end_matches(CLOSING_MARKS)) else { return false };
    let closes = if j > 0 { [',', '?', '!', '—', '–'].as_slice() } else { ['?', '!'].as_slice() };
    unquoted.ends_with(closes)
}

/// "He figures that …", "Clinton intimated that …": an unlisted word between a pronoun (or a name,
/// when the word has one of `speech_verb_endings`) and a complementizer reports what its subject
/// holds.
pub(super) fn verb_before_complementizer(text: &str, words: &[Word], i: usize, cues: &Cues) -> bool {
    let (Some(next), Some(prev)) = (words.get(i + 1), i.checked_sub(1).map(|p| &words[p])) else { return false };
    if !cues.complementizers.contains(&next.lower) || broken(text, words, i, i + 1) || broken(text, words, i - 1, i) {
        return false;
    }
    let w = &words[i];
    if w.is_capitalized(text) || !w.lower.chars().all(char::is_alphabetic) {
        return false;
    }
    let pronoun = cues.pronouns.contains_key(&prev.lower);
    let name = prev.is_capitalized(text) && ends_with_any(&w.lower, &cues.speech_verb_endings);
    (pronoun || name) && !function_word(w, cues) && !cues.act_auxiliaries.contains(&w.lower)
}
