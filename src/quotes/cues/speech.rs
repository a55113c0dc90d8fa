//! Verbs of saying and believing, speaker first (`SPEAKER said [that] CONTENT`) or attribution
//! last (`CONTENT, SPEAKER said.`); participles (`…, saying that …`); survey leads (`In the new
//! poll, CONTENT`).

use super::content::{
    after_complementizer, content_span, past_adjunct, quote_bounded, quote_closing_before, quote_opening_after, run_on, skip_dateline, TRIM,
};
use super::speaker::{absolute_subject, coordinated, ends_with_any, sentence_subject, span_of, speaker_after, speaker_before};
use super::{broken, gap, Cue, Sentence};
use crate::quotes::{kind_for, Kind, Statement};
use crate::text::ByteSpan;

pub(super) fn speech(cx: &Sentence<'_>, cue: &Cue, cue_span: ByteSpan, belief: bool) -> Vec<Statement> {
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

/// "In the new Post-ABC poll, the mogul wins one in three voters": a sentence that opens with a
/// preposition and a poll, survey or study, then a comma, reports that source's finding.
pub(super) fn survey_lead(cx: &Sentence<'_>) -> Option<Statement> {
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

/// "X criticised Y, saying that CONTENT": the speaker of an absolute phrase ("with X calling …"),
/// else the sentence's subject (or this sentence's earlier speaker) speaks.
pub(super) fn participle(cx: &Sentence<'_>, cue: &Cue, cue_span: ByteSpan, earlier: &[Statement]) -> Option<Statement> {
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
