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

use super::marks::Quoted;
use super::{kind_for, Kind, Statement};
use crate::lexicon::Cues;
use crate::text::words::Word;
use crate::text::ByteSpan;

const MAX_SPEAKER_WORDS: usize = 8;

enum CueKind {
    Speech,
    Belief,
    Participle,
    According,
    Target { then: String },
}

/// One sentence and what every cue reader needs with it.
#[derive(Clone, Copy)]
struct Sentence<'a> {
    text: &'a str,
    span: ByteSpan,
    words: &'a [Word],
    quotes: &'a [Quoted],
    cues: &'a Cues,
}

impl Sentence<'_> {
    /// A statement (not a belief, not a continuation) found by one cue.
    fn reported(&self, content: ByteSpan, cue: ByteSpan, speaker: ByteSpan, target: Option<ByteSpan>, confidence: f32) -> Statement {
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

struct Cue {
    kind: CueKind,
    /// Word indices `[first, last]` of the cue phrase.
    first: usize,
    last: usize,
}

fn gap<'t>(text: &'t str, words: &[Word], left: usize, right: usize) -> &'t str {
    &text[words[left].span.end..words[right].span.start]
}

/// Punctuation (not just spaces) between two adjacent words; a plural possessive's apostrophe
/// ("the farmers' union") does not count.
fn broken(text: &str, words: &[Word], left: usize, right: usize) -> bool {
    let g = gap(text, words, left, right);
    let g = g.strip_prefix(['\'', '’']).filter(|rest| rest.starts_with(char::is_whitespace)).unwrap_or(g);
    g.chars().any(|c| !c.is_whitespace())
}

fn in_quote(span: ByteSpan, quotes: &[Quoted]) -> bool {
    quotes.iter().any(|q| q.inner.contains(&span))
}

fn find_cues(text: &str, words: &[Word], quotes: &[Quoted], cues: &Cues) -> Vec<Cue> {
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

/// Closing quotation marks, for reading what a quotation ends with.
const CLOSING_MARKS: &[char] = &['"', '”', '»', '\'', '’', '“'];

/// '"…," Toomey fumed on Tuesday' / '"…?" he surmised': word `i` follows a speaker (a pronoun, or
/// a run of capitalised words whose verb has one of the language's `speech_verb_endings`) that
/// follows a quotation closed by a comma, question or exclamation mark, and ends the clause.
/// Such a word is the quotation's verb of saying even when the lexicon does not list it.
fn verb_after_quote(text: &str, words: &[Word], i: usize, cues: &Cues) -> bool {
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
fn verb_before_complementizer(text: &str, words: &[Word], i: usize, cues: &Cues) -> bool {
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

/// An auxiliary or modal verb ("was", "has", "should"): the language's act auxiliaries less the
/// prepositions among them ("to").
fn auxiliary(w: &Word, cues: &Cues) -> bool {
    cues.act_auxiliaries.contains(&w.lower) && !cues.prepositions.contains(&w.lower)
}

/// Where a phrase read backwards from a verb stops: a clause word, a complementizer or another
/// verb of saying (a capitalised one is part of a name: "The United States said").
fn phrase_boundary(text: &str, w: &Word, cues: &Cues) -> bool {
    cues.clause_breaks.contains(&w.lower)
        || cues.complementizers.contains(&w.lower)
        || cues.speech.contains(&w.lower) && !w.is_capitalized(text)
}

/// Whether word `i` directly follows a coordinating conjunction ("… and said").
fn coordinated(text: &str, words: &[Word], i: usize, cues: &Cues) -> bool {
    i > 0 && cues.coordinators.contains(&words[i - 1].lower) && !broken(text, words, i - 1, i)
}

/// Whether `word` ends with one of a language's `endings` ("ed", "ing").
fn ends_with_any(word: &str, endings: &[String]) -> bool {
    endings.iter().any(|e| word.ends_with(e.as_str()))
}

/// An article, preposition, clause word, complementizer, skip word or connector: a word that
/// links others and is never itself a verb of saying.
fn function_word(w: &Word, cues: &Cues) -> bool {
    cues.determiners.contains(&w.lower)
        || cues.prepositions.contains(&w.lower)
        || cues.clause_breaks.contains(&w.lower)
        || cues.complementizers.contains(&w.lower)
        || cues.skip_words.contains(&w.lower)
        || cues.connectors.contains(&w.lower)
}

/// Word range `[start, end)` of the speaker phrase read backwards from word `verb`.
fn speaker_before(text: &str, words: &[Word], verb: usize, cues: &Cues) -> Option<(usize, usize)> {
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
fn phrase_backwards(text: &str, words: &[Word], end: usize, cues: &Cues, after_aside: bool) -> Option<(usize, usize)> {
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
fn appositive_head(text: &str, words: &[Word], verb: usize, cues: &Cues) -> Option<(usize, usize)> {
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
const ANTECEDENT_WINDOW_CHARS: usize = 100;

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
fn antecedent(text: &str, words: &[Word], rel: usize, cues: &Cues) -> Option<(usize, usize)> {
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
fn speaker_after(text: &str, words: &[Word], last: usize, cues: &Cues, must_look_like_name: bool) -> Option<(usize, usize)> {
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

fn span_of(words: &[Word], (start, end): (usize, usize)) -> ByteSpan {
    ByteSpan::new(words[start].span.start, words[end - 1].span.end)
}

/// The quote, if any, that closes right before byte `at` (only spaces and `,` `—` between).
fn quote_closing_before<'q>(text: &str, at: usize, quotes: &'q [Quoted]) -> Option<&'q Quoted> {
    quotes
        .iter()
        .find(|q| q.outer.end <= at && text[q.outer.end..at].chars().all(|c| c.is_whitespace() || matches!(c, ',' | '—' | '–' | '-' | ':')))
}

/// The quote, if any, that opens right after byte `at` (only spaces and `:` `,` between).
fn quote_opening_after<'q>(text: &str, at: usize, quotes: &'q [Quoted]) -> Option<&'q Quoted> {
    quotes
        .iter()
        .find(|q| q.outer.start >= at && text[at..q.outer.start].chars().all(|c| c.is_whitespace() || matches!(c, ',' | ':' | '—' | '–')))
}

const TRIM: &[char] = &[',', ':', ';', '—', '–', '-'];

/// Content that starts with a dateline ("МОСКВА — ", "GENEVA — ") starts after it.
fn skip_dateline(text: &str, content: ByteSpan) -> ByteSpan {
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

fn content_span(text: &str, start: usize, end: usize) -> Option<ByteSpan> {
    let span = ByteSpan::new(start, end.max(start)).trim_matches(text, TRIM);
    let words = span.slice(text).split_whitespace().count();
    (words >= 2 || (span.len() >= 6 && !span.slice(text).contains(' '))).then_some(span)
}

/// Where reported content starts after word `idx`: past a complementizer ("that", "что") that
/// follows at once or after a short object or adverbial ("told CNN that", "said Tuesday that").
fn after_complementizer(text: &str, words: &[Word], idx: usize, quotes: &[Quoted], cues: &Cues) -> usize {
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

fn speech(cx: &Sentence<'_>, cue: &Cue, cue_span: ByteSpan, belief: bool) -> Vec<Statement> {
    let Sentence { text, span: sentence, words, quotes, cues } = *cx;
    // "Fallon called on the senator to retract and said he had reached a new low": a verb
    // coordinated with an earlier one shares the sentence's subject
    let shares_subject = || {
        let with_clause = coordinated(text, words, cue.first, cues) && words.len() - cue.last > 3;
        with_clause.then(|| sentence_subject(text, words, cue.first - 1, cues, true)).flatten()
    };
    let before = speaker_before(text, words, cue.first, cues).or_else(shares_subject);
    // "Russia …, which it sees as its sphere of influence": a view described inside a relative
    // clause is the writer's description of its antecedent, not something anyone reported
    let described = before.is_some_and(|(s, e)| {
        e == s + 1 && s > 0 && cues.pronouns.contains_key(&words[s].lower) && cues.relative_pronouns.contains(&words[s - 1].lower)
    });
    if belief && described {
        return Vec::new();
    }
    // "Die Regierung, die den Bericht zurückwies, erklärte …": a relative clause whose verb comes
    // last; its relative pronoun is the speaker mention, the words before the verb the content
    if let Some((s, e)) = before.filter(|&(s, e)| e > s + 1 && s > 0 && cues.relative_pronouns.contains(&words[s].lower)) {
        if gap(text, words, s - 1, s).trim() == "," {
            let content = ByteSpan::new(words[s + 1].span.start, words[e - 1].span.end);
            return vec![Statement {
                kind: kind_for(content, quotes, text, belief),
                ..cx.reported(content, cue_span, span_of(words, (s, s + 1)), None, 0.7)
            }];
        }
    }
    let after_idx = after_complementizer(text, words, cue.last + 1, quotes, cues);
    let tail_words = words.len().saturating_sub(cue.last + 1);
    let tail_is_short_or_adverbial = tail_words == 0
        || tail_words <= 6 && {
            let first = &words[cue.last + 1].lower;
            cues.prepositions.contains(first)
                || cues.skip_words.contains(first)
                || (cues.clause_breaks.contains(first) && !cues.complementizers.contains(first))
                || first.chars().next().is_some_and(|c| c.is_uppercase())
        };

    // Where the attribution clause starts: the speaker before the verb, else the verb itself.
    let clause_start = before.map_or(cue_span.start, |b| words[b.0].span.start);
    let lead = &text[sentence.start..clause_start];
    let lead_ends_with_break = lead.trim_end().ends_with([',', '—', '–', '"', '”', '»', '“', '«', '’', '\'', ':']);
    // A quotation closing right before the clause is its content, however long the tail.
    // A quotation ending in ? or ! closes its own sentence: '"You think I'm going to change?" Trump
    // asked reporters' starts a new sentence with the attribution clause, the quotation its content.
    let question_before = lead
        .trim()
        .is_empty()
        .then(|| quote_closing_before(text, sentence.start, quotes))
        .flatten()
        .filter(|q| !text[q.outer.end..sentence.start].contains('\n') && q.inner.slice(text).trim_end().ends_with(['?', '!']));
    let quote_before = quote_closing_before(text, clause_start, quotes).filter(|_| lead_ends_with_break).or(question_before);
    let lead_ends_with_break = lead_ends_with_break || question_before.is_some();
    let speaker_after_verb = || speaker_after(text, words, cue.last, cues, true);
    // "…, said the ministry": the speaker phrase right after the verb, read once for every use below
    let inverted = speaker_after(text, words, cue.last, cues, false);

    // "CONTENT, he said, MORE CONTENT": the clause sits between commas inside the content.
    let clause_end = before.map_or_else(|| inverted.map(|r| r.1 - 1), |_| Some(cue.last)).unwrap_or(cue.last);
    // ("…," he said, explaining why …: a participle after the clause is a statement of its own, and
    // "…," he said, popping a Coca-Cola: a scene, not more of the quotation)
    let parenthetical = lead_ends_with_break
        && before.is_some()
        && clause_end + 1 < words.len()
        && gap(text, words, clause_end, clause_end + 1).trim() == ","
        && words.len() - (clause_end + 1) >= 3
        && !cues.participles.contains(&words[clause_end + 1].lower)
        && !ends_with_any(&words[clause_end + 1].lower, &cues.participle_endings);

    // "Barkley, who said he votes Democratic, said one candidate …": no speaker on either side of
    // a verb with a long tail: the sentence's subject speaks, and the content follows the verb.
    let subject_speaks = before.is_none() && !tail_is_short_or_adverbial && quote_before.is_none() && inverted.is_none();

    // Attribution last: "CONTENT, SPEAKER said." / "«…», — заявил SPEAKER."
    if lead_ends_with_break
        && !subject_speaks
        && (tail_is_short_or_adverbial || before.is_none() || parenthetical || quote_before.is_some())
    {
        let speaker = before.or(inverted).map(|r| span_of(words, r));
        if speaker.is_none() && !belief {
            return Vec::new();
        }
        let content = match quote_before {
            Some(q) => Some(q.inner.trim_matches(text, TRIM)),
            None => content_span(text, sentence.start, clause_start).map(|c| skip_dateline(text, c)),
        };
        let tail = || {
            let start = quote_opening_after(text, words[clause_end].span.end, quotes)
                .map_or(words[clause_end + 1].span.start, |q| q.outer.start.min(words[clause_end + 1].span.start));
            content_span(text, start, sentence.end)
                .map(|c| quotes.iter().find(|q| q.outer.trim(text) == c).map_or(c, |q| q.inner.trim_matches(text, TRIM)))
        };
        // "Still, he said, officials …": a lead too short to be content leaves only the tail.
        let content = match (content, parenthetical) {
            (Some(c), _) => c,
            (None, true) => match tail() {
                Some(c) => {
                    return vec![Statement {
                        kind: kind_for(c, quotes, text, belief),
                        content: c,
                        cue: Some(cue_span),
                        speaker,
                        target: None,
                        confidence: 0.85,
                        continues: None,
                    }]
                }
                None => return Vec::new(),
            },
            (None, false) => return Vec::new(),
        };
        let first = Statement {
            kind: kind_for(content, quotes, text, belief),
            content,
            cue: Some(cue_span),
            speaker,
            target: None,
            confidence: if speaker.is_some() { 0.9 } else { 0.4 },
            continues: None,
        };
        let rest = parenthetical.then(tail).flatten().map(|c| Statement {
            kind: kind_for(c, quotes, text, belief),
            content: c,
            continues: Some(content),
            ..first.clone()
        });
        return std::iter::once(first).chain(rest).collect();
    }

    // Speaker first: "SPEAKER said [that] CONTENT" / "SPEAKER said: «…»".
    // "Rep. Sander M. Levin (Mich.), a superdelegate supporting Clinton, said …": the sentence's
    // subject, set off from the verb by an appositive or a parenthesis.
    let subject = || {
        let (s, e) = sentence_subject(text, words, cue.first, cues, true)?;
        let opens = gap(text, words, e - 1, e).trim_start().starts_with([',', '(']);
        let closes = cue.first > e && gap(text, words, cue.first - 1, cue.first).trim_end().ends_with([',', ')']);
        (opens && closes && !cues.clause_breaks.contains(&words[s].lower)).then_some((s, e))
    };
    let after_verb = if before.is_some() { None } else { speaker_after_verb() };
    let Some(speaker) = before.or(after_verb).or_else(subject) else { return Vec::new() };
    let content_start = match after_verb {
        // inverted ("Заявил министр, что …"): content after the speaker
        Some(_) => {
            let idx = after_complementizer(text, words, speaker.1, quotes, cues);
            words.get(idx).map_or(sentence.end, |w| w.span.start)
        }
        None => words.get(after_idx).map_or(sentence.end, |w| w.span.start),
    };
    let content_start = quote_opening_after(text, cue_span.end, quotes)
        .filter(|q| q.outer.start <= content_start || after_verb.is_none())
        .map_or(content_start, |q| q.outer.start.min(content_start));
    let Some(content) = content_span(text, content_start, run_on(sentence, quotes, content_start)) else { return Vec::new() };
    let content = quote_bounded(text, past_adjunct(text, content, words, quotes, cues), quotes, cues);
    let content = match quotes.iter().find(|q| q.outer == content || q.outer.trim(text) == content) {
        Some(q) => q.inner.trim(text),
        None => content,
    };
    vec![Statement {
        kind: kind_for(content, quotes, text, belief),
        content,
        cue: Some(cue_span),
        speaker: Some(span_of(words, speaker)),
        target: None,
        confidence: if belief { 0.6 } else { 0.9 },
        continues: None,
    }]
}

/// Where a sentence's subject starts, before word `verb`: opening conjunctions and adverbs
/// ("But", "However,") are passed over, and so is a leading phrase closed by a comma: a
/// prepositional or time phrase ("In Columbia,", "And on Tuesday,", "Last week,", "Of Carson,").
fn subject_start(text: &str, words: &[Word], verb: usize, cues: &Cues) -> Option<usize> {
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
fn sentence_subject(text: &str, words: &[Word], verb: usize, cues: &Cues, pronouns: bool) -> Option<(usize, usize)> {
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

/// "said, “A,” adding that B" / "wrote “A” and shared a link": content that opens with a
/// quotation ends with it when a new clause follows (a comma or dash and more words, or a clause
/// break: "and", "и", "und" …).
fn quote_bounded(text: &str, content: ByteSpan, quotes: &[Quoted], cues: &Cues) -> ByteSpan {
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
fn past_adjunct(text: &str, content: ByteSpan, words: &[Word], quotes: &[Quoted], cues: &Cues) -> ByteSpan {
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

/// "In the new Post-ABC poll, the mogul wins one in three voters": a sentence that opens with a
/// preposition and a poll, survey or study, then a comma, reports that source's finding.
fn survey_lead(cx: &Sentence<'_>) -> Option<Statement> {
    let Sentence { text, span: sentence, words, cues, .. } = *cx;
    let first = words.first().filter(|w| cues.prepositions.contains(&w.lower))?;
    let comma = (2..words.len().min(10)).find(|&k| broken(text, words, k - 1, k))?;
    if gap(text, words, comma - 1, comma).trim() != "," || !words[1..comma].iter().any(|w| cues.survey_nouns.contains(&w.lower)) {
        return None;
    }
    let content = content_span(text, words[comma].span.start, sentence.end)?;
    let source = ByteSpan::new(words[1].span.start, words[comma - 1].span.end);
    let mut statement = cx.reported(content, first.span, source, None, 0.6);
    statement.kind = Kind::Belief;
    Some(statement)
}

/// Where content starting at `start` ends: the sentence's end, or further when a quotation opened
/// in the sentence at or after `start` runs on past it ("According to the paper, “A. B. C.”").
fn run_on(sentence: ByteSpan, quotes: &[Quoted], start: usize) -> usize {
    quotes
        .iter()
        .filter(|q| sentence.contains(&ByteSpan::new(q.outer.start, q.outer.start)) && q.outer.start >= start)
        .map(|q| q.outer.end)
        .fold(sentence.end, usize::max)
}

/// "with the AFT calling her “the champion …”": the words between an absolute-phrase marker and
/// the participle at word `at`.
fn absolute_subject(text: &str, words: &[Word], at: usize, cues: &Cues) -> Option<(usize, usize)> {
    if at < 2 || broken(text, words, at - 1, at) {
        return None;
    }
    (at.saturating_sub(MAX_SPEAKER_WORDS)..at - 1)
        .rev()
        .take_while(|&k| !broken(text, words, k, k + 1))
        .find(|&k| cues.absolute_markers.contains(&words[k].lower))
        .map(|k| (k + 1, at))
}

/// "X criticised Y, saying that CONTENT": the speaker of an absolute phrase ("with X calling …"),
/// else the sentence's subject (or this sentence's earlier speaker) speaks.
fn participle(cx: &Sentence<'_>, cue: &Cue, cue_span: ByteSpan, earlier: &[Statement]) -> Option<Statement> {
    let Sentence { text, span: sentence, words, quotes, cues } = *cx;
    let speaker = absolute_subject(text, words, cue.first, cues)
        .map(|r| span_of(words, r))
        .or_else(|| earlier.iter().rev().find_map(|s| s.speaker))
        .or_else(|| sentence_subject(text, words, cue.first, cues, false).map(|r| span_of(words, r)))?;
    let start = words.get(after_complementizer(text, words, cue.last + 1, quotes, cues))?.span.start;
    let start = quote_opening_after(text, cue_span.end, quotes).map_or(start, |q| q.outer.start.min(start));
    let content = content_span(text, start, run_on(sentence, quotes, start))?;
    Some(cx.reported(content, cue_span, speaker, None, 0.7))
}

fn according(cx: &Sentence<'_>, cue: &Cue, cue_span: ByteSpan) -> Vec<Statement> {
    let Sentence { text, span: sentence, words, quotes, cues } = *cx;
    // "как заявили в Ереване": a locative speaker keeps its preposition
    let Some((s, e)) = speaker_after(text, words, cue.last, cues, false).or_else(|| {
        let next = words.get(cue.last + 1)?;
        if !cues.prepositions.contains(&next.lower) {
            return None;
        }
        speaker_after(text, words, cue.last + 1, cues, false).map(|(_, e)| (cue.last + 1, e))
    }) else {
        return Vec::new();
    };
    let speaker = span_of(words, (s, e));
    let lead = &text[sentence.start..cue_span.start];
    // "According to X[, who …], CONTENT", also after a clause closed by a colon ("…: According to
    // recent polls, CONTENT"): the content follows the phrase's comma
    if lead.trim().is_empty() || lead.trim_end().ends_with([':', ';']) {
        let after = text[speaker.end..sentence.end].find(',').map_or(speaker.end, |i| speaker.end + i + 1);
        return content_span(text, after, run_on(sentence, quotes, after))
            .map(|c| cx.reported(c, cue_span, speaker, None, 0.85))
            .into_iter()
            .collect();
    }
    // "CONTENT, according to X", or an aside inside it: "At the heart of the trouble, according to
    // X[, an envoy], was a decision …" — the content is the lead and the rest of the sentence
    let first = content_span(text, sentence.start, cue_span.start);
    // (without commas when the lead stops at an auxiliary: "Die Straße ist nach Angaben des
    // Ministeriums seit Montag offen")
    let before_cue = cue.first.checked_sub(1).map(|k| &words[k]);
    let mid_clause = before_cue.is_some_and(|w| auxiliary(w, cues));
    let rest = (lead.trim_end().ends_with(',') || mid_clause).then(|| aside_tail(cx, e, mid_clause)).flatten();
    match (first, rest) {
        (Some(c), Some(r)) => {
            let first = cx.reported(c, cue_span, speaker, None, 0.85);
            let rest = Statement { kind: kind_for(r, quotes, text, false), content: r, continues: Some(c), ..first.clone() };
            vec![first, rest]
        }
        (c, r) => c.or(r).map(|c| cx.reported(c, cue_span, speaker, None, 0.85)).into_iter().collect(),
    }
}

/// The rest of a sentence after an aside that ends with the speaker phrase (words `..end`) and an
/// optional description of it in commas: "…, according to X, an envoy, REST". `None` when nothing
/// follows or what follows is about the speaker (a relative clause, a participle) or a new clause.
/// `unmarked`: the aside has no commas.
fn aside_tail(cx: &Sentence<'_>, end: usize, unmarked: bool) -> Option<ByteSpan> {
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

/// "X accused Y of CONTENT", "X called on Y to CONTENT". Without its linking word ("\"Why?\" he
/// asked reporters") the verb is read as a plain verb of saying.
fn target(cx: &Sentence<'_>, cue: &Cue, then: &str, cue_span: ByteSpan) -> Vec<Statement> {
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

/// Quotes no cue claimed: "X said:" before them, "He added." after them, or the previous
/// paragraph's speaker continuing. Short unclaimed quotes are scare quotes and stay unattributed.
pub fn attribute_leftover_quotes(
    text: &str,
    sentences: &[ByteSpan],
    paragraphs: &[ByteSpan],
    quotes: &[Quoted],
    cues: &Cues,
    statements: &mut Vec<Statement>,
) {
    let mut added = Vec::new();
    let titles: Vec<bool> = quotes.iter().map(|q| is_title(q.inner.slice(text))).collect();
    // titles and one-word quotations do not interrupt a speaker's run of quotations
    let minor: Vec<bool> =
        quotes.iter().zip(&titles).map(|(q, &title)| title || q.inner.slice(text).split_whitespace().count() < 2).collect();
    for (q, _) in quotes.iter().zip(&titles).filter(|(_, &title)| !title) {
        if statements.iter().any(|s| s.content.overlaps(&q.inner)) {
            continue;
        }
        let inner = q.inner.trim_matches(text, TRIM);
        let n_words = inner.slice(text).split_whitespace().count();
        if n_words < 2 {
            continue;
        }
        // the sentence before ends with ':' and names a speaker
        let prev = sentences.iter().rev().find(|s| s.end <= q.outer.start);
        let colon_speaker =
            prev.filter(|s| text[s.end..q.outer.start].trim().is_empty() || s.slice(text).trim_end().ends_with(':')).and_then(|s| {
                if !s.slice(text).trim_end().ends_with(':') {
                    return None;
                }
                cued_speaker(text, &crate::text::words::words(text, *s), quotes, cues)
            });
        // "Sanders delivered a snappy retort: “…”": a quotation opened after a colon inside its
        // sentence belongs to the sentence's speaker, or else its subject, with the colon as cue
        let colon_speaker = colon_speaker.or_else(|| {
            let s = sentences.iter().find(|s| s.start < q.outer.start && q.outer.start < s.end)?;
            let lead = text[s.start..q.outer.start].trim_end();
            let colon = lead.strip_suffix(':').map(|l| ByteSpan::new(s.start + l.len(), s.start + lead.len()))?;
            let ws = crate::text::words::words(text, ByteSpan::new(s.start, colon.start));
            if ws.is_empty() || ws.len() > 15 {
                return None;
            }
            cued_speaker(text, &ws, quotes, cues)
                .or_else(|| sentence_subject(text, &ws, ws.len(), cues, true).map(|r| (span_of(&ws, r), colon)))
        });
        // the next sentence is a bare "He added." / "she said."
        let next = sentences.iter().find(|s| s.start >= q.outer.end);
        let next_speaker = next.and_then(|s| {
            let ws = crate::text::words::words(text, *s);
            if ws.len() > 4 {
                return None;
            }
            let found = find_cues(text, &ws, quotes, cues);
            found.iter().find_map(|c| {
                speaker_before(text, &ws, c.first, cues)
                    .or_else(|| speaker_after(text, &ws, c.last, cues, true))
                    .map(|r| (span_of(&ws, r), ByteSpan::new(ws[c.first].span.start, ws[c.last].span.end)))
            })
        });
        // "A," he said. "B." — B continues the statement just before it in the paragraph.
        let para_of = |at: usize| paragraphs.iter().position(|p| p.start <= at && at <= p.end);
        let split_part = statements
            .iter()
            .filter(|s| s.speaker.is_some() && s.content.end <= q.outer.start && para_of(s.content.start) == para_of(q.outer.start))
            .filter(|s| {
                q.outer.start - s.content.end < 250
                    && !quotes
                        .iter()
                        .zip(&minor)
                        .any(|(o, &minor)| !minor && o.outer.start >= s.content.end && o.outer.end <= q.outer.start)
            })
            .max_by_key(|s| s.content.end)
            .map(|s| (s.speaker, s.cue, s.continues.unwrap_or(s.content)));
        if n_words < 4 && split_part.is_none() {
            continue; // short and unattributed: a scare quote
        }
        let next_speaker = next_speaker.or_else(|| dash_byline(text, paragraphs, q.outer.end));
        let (speaker, cue, confidence, continues) = match (colon_speaker, next_speaker, split_part) {
            (Some((sp, cue)), _, _) | (None, Some((sp, cue)), _) => (Some(sp), Some(cue), 0.8, None),
            (None, None, Some((sp, cue, first))) => (sp, cue, 0.8, Some(first)),
            (None, None, None) => {
                // a paragraph that is all quote continues the previous paragraph's speaker
                let para = paragraphs.iter().position(|p| p.contains(&ByteSpan::new(q.outer.start, q.outer.start)));
                let starts_para = para.is_some_and(|i| paragraphs[i].start == q.outer.start);
                let prev_speaker = para
                    .filter(|&i| i > 0 && starts_para)
                    .and_then(|i| statements.iter().rev().find(|s| paragraphs[i - 1].contains(&s.content) && s.speaker.is_some()))
                    .map(|s| (s.speaker, s.cue));
                match prev_speaker {
                    Some((sp, cue)) => (sp, cue, 0.5, None),
                    None if n_words >= 6 => (None, None, 0.3, None),
                    None => continue,
                }
            }
        };
        added.push(Statement { kind: Kind::Direct, content: inner, cue, speaker, target: None, confidence, continues });
    }
    statements.extend(added);
}

/// A quoted title ("The Late Show With Stephen Colbert", "Trumped! The Inside Story of the Real
/// Donald Trump"): every word of four letters or more capitalised, and no sentence inside.
fn is_title(quoted: &str) -> bool {
    let quoted = quoted.trim().trim_end_matches(['.', ',']);
    let words: Vec<&str> = quoted.split_whitespace().collect();
    words.len() >= 2
        && words.iter().all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || !c.is_alphabetic()) || w.chars().count() < 4)
        && !quoted.contains(['.', '?', ',', ';'])
}

/// A quotation that ends its paragraph, then a line "- Bernie Sanders." or "—President Obama,
/// tweeting after …": the line's name (up to five capitalised words, then a period or comma) is
/// the speaker and its dash the cue, as in quote lists and fact-checks.
fn dash_byline(text: &str, paragraphs: &[ByteSpan], quote_end: usize) -> Option<(ByteSpan, ByteSpan)> {
    let p = paragraphs.iter().position(|p| p.start < quote_end && quote_end <= p.end)?;
    if !text[quote_end..paragraphs[p].end].trim().is_empty() {
        return None;
    }
    let line = paragraphs.get(p + 1)?;
    let dash = line.slice(text).chars().next().filter(|c| matches!(c, '-' | '–' | '—'))?;
    let ws = crate::text::words::words(text, *line);
    let n = ws.iter().enumerate().take_while(|&(k, w)| k < 5 && w.is_capitalized(text) && (k == 0 || !broken(text, &ws, k - 1, k))).count();
    if n == 0 {
        return None;
    }
    let name = span_of(&ws, (0, n));
    let ends = text[name.end..line.end].trim_start().starts_with(['.', ',']) || name.end == line.end;
    ends.then(|| (name, ByteSpan::new(line.start, line.start + dash.len_utf8())))
}

/// The first speech cue in `ws` with a speaker before it: (speaker, cue).
fn cued_speaker(text: &str, ws: &[Word], quotes: &[Quoted], cues: &Cues) -> Option<(ByteSpan, ByteSpan)> {
    find_cues(text, ws, quotes, cues).iter().find_map(|c| {
        speaker_before(text, ws, c.first, cues).map(|r| (span_of(ws, r), ByteSpan::new(ws[c.first].span.start, ws[c.last].span.end)))
    })
}

/// Words a "NAME: …" line may open with: a name of up to four capitalised words ("BOULDUAN:",
/// "Alex Seitz-Wald:", "Лавров:").
const MAX_COLON_NAME_WORDS: usize = 4;

/// Transcript lines and headline quotes: a paragraph that opens with a short capitalised name and
/// a colon ("BOULDUAN: You guys …", "Elizabeth Warren: Donald Trump is a 'proven failure'",
/// "Лавров: …") is that name's statement, the colon its cue, the rest of the paragraph its content.
pub fn attribute_colon_lines(text: &str, paragraphs: &[ByteSpan], quotes: &[Quoted], cues: &Cues, statements: &mut Vec<Statement>) {
    let mut added = Vec::new();
    for para in paragraphs {
        let line = para.slice(text);
        let Some(colon) = line.find(':') else { continue };
        let name = ByteSpan::new(para.start, para.start + colon);
        let ws = crate::text::words::words(text, name);
        let plain = (1..ws.len()).all(|k| !broken(text, &ws, k - 1, k)) && name.slice(text).trim_end() == name.slice(text);
        if ws.is_empty()
            || ws.len() > MAX_COLON_NAME_WORDS
            || !plain
            || !ws.iter().all(|w| w.is_capitalized(text) || cues.connectors.contains(&w.lower))
        {
            continue;
        }
        if ws.len() == 1 && ws[0].span.start != para.start || cues.colon_labels.contains(&name.slice(text).to_lowercase().replace('’', "'"))
        {
            continue;
        }
        let Some(content) = content_span(text, para.start + colon + 1, para.end) else { continue };
        if content.slice(text).split_whitespace().count() < 3 || statements.iter().any(|s| s.content.overlaps(&content)) {
            continue;
        }
        let speaker = ByteSpan::new(ws[0].span.start, ws[ws.len() - 1].span.end);
        let cue = ByteSpan::new(para.start + colon, para.start + colon + 1);
        added.push(Statement {
            kind: kind_for(content, quotes, text, false),
            content,
            cue: Some(cue),
            speaker: Some(speaker),
            target: None,
            confidence: 0.6,
            continues: None,
        });
    }
    statements.extend(added);
}
