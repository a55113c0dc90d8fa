//! Reading the speaker phrase around a cue: word by word away from it, stopping at punctuation,
//! clause words and (after the verb) prepositions; a relative pronoun hands over to its
//! antecedent; a sentence's subject for coordinated and participle cues.

use super::{broken, gap, CLOSING_MARKS};
use crate::lexicon::Cues;
use crate::text::words::Word;
use crate::text::ByteSpan;

pub(super) const MAX_SPEAKER_WORDS: usize = 8;

/// An auxiliary or modal verb ("was", "has", "should"): the language's act auxiliaries less the
/// prepositions among them ("to").
pub(super) fn auxiliary(w: &Word, cues: &Cues) -> bool {
    cues.act_auxiliaries.contains(&w.lower) && !cues.prepositions.contains(&w.lower)
}

/// Where a phrase read backwards from a verb stops: a clause word, a complementizer or another
/// verb of saying (a capitalised one is part of a name: "The United States said").
pub(super) fn phrase_boundary(text: &str, w: &Word, cues: &Cues) -> bool {
    cues.clause_breaks.contains(&w.lower)
        || cues.complementizers.contains(&w.lower)
        || cues.speech.contains(&w.lower) && !w.is_capitalized(text)
}

/// Whether word `i` directly follows a coordinating conjunction ("… and said").
pub(super) fn coordinated(text: &str, words: &[Word], i: usize, cues: &Cues) -> bool {
    i > 0 && cues.coordinators.contains(&words[i - 1].lower) && !broken(text, words, i - 1, i)
}

/// Whether `word` ends with one of a language's `endings` ("ed", "ing").
pub(super) fn ends_with_any(word: &str, endings: &[String]) -> bool {
    endings.iter().any(|e| word.ends_with(e.as_str()))
}

/// An article, preposition, clause word, complementizer, skip word or connector: a word that
/// links others and is never itself a verb of saying.
pub(super) fn function_word(w: &Word, cues: &Cues) -> bool {
    cues.determiners.contains(&w.lower)
        || cues.prepositions.contains(&w.lower)
        || cues.clause_breaks.contains(&w.lower)
        || cues.complementizers.contains(&w.lower)
        || cues.skip_words.contains(&w.lower)
        || cues.connectors.contains(&w.lower)
}

/// Word range `[start, end)` of the speaker phrase read backwards from word `verb`.
pub(super) fn speaker_before(text: &str, words: &[Word], verb: usize, cues: &Cues) -> Option<(usize, usize)> {
    let mut end = verb;
    // Adverbs and auxiliaries between speaker and verb ("also", "has"), and ", however," asides.
    loop {
        if end == 0 {
            return None;
        }
        let w = &words[end - 1];
        if !broken(text, words, end - 1, end) && cues.skip_words.contains(&w.lower) {
            end -= 1;
            continue;
        }
        if broken(text, words, end - 1, end) && gap(text, words, end - 1, end).trim() == "," {
            // ", however," — a run of skip words between two commas
            let mut k = end;
            while k > 0 && cues.skip_words.contains(&words[k - 1].lower) && (k == end || !broken(text, words, k - 1, k)) {
                k -= 1;
            }
            if k < end && k > 0 && gap(text, words, k - 1, k).trim() == "," {
                // the aside's opening comma is expected; the speaker ends before it
                return phrase_backwards(text, words, k, cues, true);
            }
        }
        break;
    }
    // "Paul Ryan (R-WI) said", "Harry M. Reid (D-Nev.) said": the name before a parenthesis speaks
    if end > 0 && gap(text, words, end - 1, end).trim().ends_with(')') {
        let open = (end.saturating_sub(6).max(1)..end).rev().find(|&k| gap(text, words, k - 1, k).contains('('));
        let inside = |k: usize| &text[words[k].span.start..words[end - 1].span.end];
        if let Some(k) = open.filter(|&k| !inside(k).contains(['(', ',']) && !gap(text, words, k - 1, k).contains(',')) {
            return phrase_backwards(text, words, k, cues, true);
        }
    }
    phrase_backwards(text, words, end, cues, false)
}

/// The phrase ending at word `end` (exclusive), read backwards; `after_aside` means the gap
/// right before `end` is an aside's comma rather than a boundary.
pub(super) fn phrase_backwards(text: &str, words: &[Word], end: usize, cues: &Cues, after_aside: bool) -> Option<(usize, usize)> {
    let mut start = end;
    while start > 0 {
        let first_step = start == end;
        if !first_step && broken(text, words, start - 1, start) && !(after_aside && start == end) {
            break;
        }
        if first_step && !after_aside && broken(text, words, start - 1, start) {
            // "Stuart Stevens, a Republican operative, said": the name before the appositive speaks;
            // otherwise ("…", the ministry said) a punctuation gap right before the verb means no speaker here
            return appositive_head(text, words, end, cues);
        }
        let w = &words[start - 1];
        if first_step && start >= 2 && cues.relative_pronouns.contains(&w.lower) && gap(text, words, start - 2, start - 1).trim() == "," {
            // "Armenia, which denied": the relative pronoun is the mention (as "it" would be);
            // its antecedent before the comma is who speaks ([`relative_antecedent`])
            return antecedent(text, words, start - 1, cues).map(|_| (start - 1, start));
        }
        if phrase_boundary(text, w, cues) {
            break;
        }
        start -= 1;
        if end - start >= MAX_SPEAKER_WORDS {
            break;
        }
    }
    // a phrase of determiners and skip words alone names nobody
    let names_someone = (start..end).any(|k| !cues.determiners.contains(&words[k].lower) && !cues.skip_words.contains(&words[k].lower));
    (start < end && names_someone).then_some((start, end))
}

/// "NAME, APPOSITIVE, said": the sentence opens with a short name phrase, then a comma-enclosed
/// description (lower-case or a relative clause, no quotation marks, no speech verb).
pub(super) fn appositive_head(text: &str, words: &[Word], verb: usize, cues: &Cues) -> Option<(usize, usize)> {
    if verb == 0 || gap(text, words, verb - 1, verb).trim() != "," {
        return None;
    }
    // the name starts the sentence, or follows a quotation that ends with a comma ("…," NAME, …)
    let start = (1..verb)
        .rev()
        .find(|&k| {
            let g = gap(text, words, k - 1, k).trim();
            g.len() > 1 && g.starts_with(',') && g.ends_with(CLOSING_MARKS)
                || g.ends_with([',', '"', '”', '»', '“']) && g.chars().filter(|c| !c.is_whitespace()).count() >= 2
        })
        .map_or_else(|| subject_start(text, words, verb, cues), Some)?;
    let first_comma = (start + 1..verb).find(|&k| broken(text, words, k - 1, k))?;
    if gap(text, words, first_comma - 1, first_comma).trim() != "," || first_comma - start > 6 {
        return None;
    }
    let head_ok = words[start].is_capitalized(text) || cues.determiners.contains(&words[start].lower);
    let appositive = &words[first_comma..verb];
    let relative = appositive.first().is_some_and(|w| cues.relative_pronouns.contains(&w.lower));
    let described = relative
        || appositive.first().is_some_and(|w| !w.is_capitalized(text) || cues.determiners.contains(&w.lower))
        || appositive.len() >= 2 && appositive.iter().take(3).any(|w| cues.anaphor_heads.contains(&w.lower) || !w.is_capitalized(text));
    // (a relative clause may hold a statement of its own: "Barkley, who said …, said")
    let no_cue = relative || appositive.iter().all(|w| !cues.speech.contains(&w.lower));
    let sentence_start_clean = start > 0 || !text[..words[0].span.start].ends_with(['"', '“', '«', '„', '\'']);
    // "the water minister, Amal Rashed, told": a role, then the name as the appositive
    let named_role = appositive.len() <= 4
        && appositive.iter().all(|w| w.is_capitalized(text))
        && words[start..first_comma].iter().any(|w| cues.anaphor_heads.contains(&w.lower));
    if head_ok && named_role && no_cue && sentence_start_clean {
        return Some((start, verb));
    }
    (head_ok && described && no_cue && sentence_start_clean).then_some((start, first_comma))
}

/// Words a relative-pronoun mention's antecedent is looked for in, before the pronoun.
pub(super) const ANTECEDENT_WINDOW_CHARS: usize = 100;

/// The phrase a relative-pronoun speaker mention stands for: "Armenia" in "Armenia, which
/// denied …". `None` unless `mention` is one relative pronoun after a comma and a name.
pub fn relative_antecedent(text: &str, mention: ByteSpan, cues: &Cues) -> Option<ByteSpan> {
    // (asked of every speaker mention, twice: settle most of them before tokenising the window)
    if !cues.relative_pronouns.contains(&mention.slice(text).to_lowercase()) {
        return None;
    }
    let from = text[..mention.start].char_indices().rev().nth(ANTECEDENT_WINDOW_CHARS).map_or(0, |(i, _)| i);
    let words = crate::text::words::words(text, ByteSpan::new(from, mention.end));
    let rel = words.len().checked_sub(1)?;
    if rel < 1
        || words[rel].span != mention
        || !cues.relative_pronouns.contains(&words[rel].lower)
        || gap(text, &words, rel - 1, rel).trim() != ","
    {
        return None;
    }
    // a window that starts inside the text may cut its first word: never let the phrase reach it
    let whole = usize::from(from > 0);
    antecedent(text, &words[whole..], rel - whole, cues).map(|r| span_of(&words[whole..], r))
}

/// The noun phrase that ends right before word `rel` (a relative pronoun after a comma).
pub(super) fn antecedent(text: &str, words: &[Word], rel: usize, cues: &Cues) -> Option<(usize, usize)> {
    let end = rel;
    let mut start = end;
    while start > 0 && end - start < 4 {
        if start < end && broken(text, words, start - 1, start) {
            break;
        }
        let w = &words[start - 1];
        if phrase_boundary(text, w, cues) || cues.prepositions.contains(&w.lower) {
            break;
        }
        start -= 1;
    }
    // the phrase opens with a name or an article ("Armenia", "the ministry", "met Smith" → "Smith")
    while start < end
        && !(words[start].is_capitalized(text)
            || cues.determiners.contains(&words[start].lower)
            || cues.definite_articles.contains(&words[start].lower))
    {
        start += 1;
    }
    (start < end).then_some((start, end))
}

/// Word range of the speaker phrase read forwards after the cue ("said the State Department").
pub(super) fn speaker_after(text: &str, words: &[Word], last: usize, cues: &Cues, must_look_like_name: bool) -> Option<(usize, usize)> {
    let mut start = last + 1;
    if start < words.len() && broken(text, words, last, start) && !gap(text, words, last, start).trim().is_empty() {
        let g = gap(text, words, last, start).trim();
        if !(g == "," || g == "-") {
            return None;
        }
    }
    while start < words.len() && cues.skip_words.contains(&words[start].lower) && !broken(text, words, start - 1, start) {
        start += 1;
    }
    if start >= words.len() {
        return None;
    }
    let first = &words[start];
    if cues.prepositions.contains(&first.lower) || cues.complementizers.contains(&first.lower) || cues.clause_breaks.contains(&first.lower)
    {
        return None;
    }
    if must_look_like_name
        && !(first.is_capitalized(text)
            || cues.definite_articles.contains(&first.lower)
            || cues.anaphor_heads.contains(&first.lower)
            || cues.pronouns.contains_key(&first.lower))
    {
        return None;
    }
    let mut end = start + 1;
    while end < words.len() && end - start < MAX_SPEAKER_WORDS {
        if broken(text, words, end - 1, end) {
            break;
        }
        let w = &words[end];
        // German capitalises nouns: a lower-case word that is no article, link or adjective before
        // a noun ends the name ("des Roten Kreuzes warten …", but "des britischen Ministeriums").
        let adjective_before_noun = words.get(end + 1).is_some_and(|n| n.is_capitalized(text) && !broken(text, words, end, end + 1));
        if cues.nouns_capitalized
            && !w.is_capitalized(text)
            && !cues.determiners.contains(&w.lower)
            && !cues.connectors.contains(&w.lower)
            && !cues.definite_articles.contains(&w.lower)
            && !adjective_before_noun
        {
            break;
        }
        // "said the administration should …": a clause's subject, not the speaker
        if auxiliary(w, cues) && end > start {
            return None;
        }
        let joins = cues.connectors.contains(&w.lower);
        if !joins
            && (cues.skip_words.contains(&w.lower)
                || cues.prepositions.contains(&w.lower)
                || cues.clause_breaks.contains(&w.lower)
                || cues.complementizers.contains(&w.lower))
        {
            break;
        }
        end += 1;
    }
    // a trailing connector ("head of") is not part of the name
    while end > start + 1 && cues.connectors.contains(&words[end - 1].lower) {
        end -= 1;
    }
    Some((start, end))
}

pub(super) fn span_of(words: &[Word], (start, end): (usize, usize)) -> ByteSpan {
    ByteSpan::new(words[start].span.start, words[end - 1].span.end)
}

/// Where a sentence's subject starts, before word `verb`: opening conjunctions and adverbs
/// ("But", "However,") are passed over, and so is a leading phrase closed by a comma: a
/// prepositional or time phrase ("In Columbia,", "And on Tuesday,", "Last week,", "Of Carson,").
pub(super) fn subject_start(text: &str, words: &[Word], verb: usize, cues: &Cues) -> Option<usize> {
    let mut start = 0;
    while start < verb && (cues.clause_breaks.contains(&words[start].lower) || cues.skip_words.contains(&words[start].lower)) {
        start += 1;
    }
    let time_phrase =
        start > 0 && start < verb && cues.skip_words.contains(&words[start - 1].lower) && !broken(text, words, start - 1, start);
    // ("Of Carson, …"; but German "Der Sprecher" opens with an article that also links genitives)
    let opens_phrase = words.get(start).is_some_and(|w| {
        cues.prepositions.contains(&w.lower) || cues.connectors.contains(&w.lower) && !cues.determiners.contains(&w.lower)
    });
    if time_phrase || opens_phrase {
        start = (start + 1..verb.min(start + 12)).find(|&k| gap(text, words, k - 1, k).trim() == ",")?;
    }
    Some(start)
}

/// The name a sentence opens with, before word `verb` ("Rep. Sander M. Levin (Mich.), a
/// superdelegate …, said"; "Obama positioned Clinton … and said"): a run of capitalised words, or
/// a determiner and up to two words; an opening conjunction or adverb ("But", "However") and a
/// leading phrase closed by a comma ("As part of his plea,") are passed over. `pronouns` lets a sentence-opening pronoun count.
pub(super) fn sentence_subject(text: &str, words: &[Word], verb: usize, cues: &Cues, pronouns: bool) -> Option<(usize, usize)> {
    let start = subject_start(text, words, verb, cues)?;
    let first = words.get(start).filter(|_| start < verb)?;
    let mut end = start + 1;
    if cues.determiners.contains(&first.lower) {
        // up to two words after the determiner, not running into a verb ("the mayor defended …")
        let verb_form = |w: &Word| !w.is_capitalized(text) && (cues.speech.contains(&w.lower) || cues.belief.contains(&w.lower));
        end = (start + 2..=(start + 3).min(verb))
            .take_while(|&k| !broken(text, words, k - 2, k - 1) && !verb_form(&words[k - 1]))
            .last()
            .unwrap_or(start + 1);
        // German: the first capitalised word after the article is the noun ("Die Regierung nannte")
        if cues.nouns_capitalized {
            end = (start + 1..end).find(|&k| words[k].is_capitalized(text)).map_or(end, |k| k + 1);
        }
    } else {
        while end < verb
            && end - start < MAX_SPEAKER_WORDS
            && !broken(text, words, end - 1, end)
            && (words[end].is_capitalized(text) || cues.connectors.contains(&words[end].lower))
        {
            end += 1;
        }
    }
    let pronoun = cues.pronouns.contains_key(&first.lower);
    let names = first.is_capitalized(text) && (pronouns || !pronoun) || cues.determiners.contains(&first.lower);
    (names && end <= verb).then_some((start, end))
}

/// "with the AFT calling her “the champion …”": the words between an absolute-phrase marker and
/// the participle at word `at`.
pub(super) fn absolute_subject(text: &str, words: &[Word], at: usize, cues: &Cues) -> Option<(usize, usize)> {
    if at < 2 || broken(text, words, at - 1, at) {
        return None;
    }
    (at.saturating_sub(MAX_SPEAKER_WORDS)..at - 1)
        .rev()
        .take_while(|&k| !broken(text, words, k, k + 1))
        .find(|&k| cues.absolute_markers.contains(&words[k].lower))
        .map(|k| (k + 1, at))
}
