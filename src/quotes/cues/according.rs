//! `according to SPEAKER, CONTENT` and `CONTENT, according to SPEAKER`.

use super::content::{aside_tail, content_span, run_on};
use super::speaker::{auxiliary, span_of, speaker_after};
use super::{Cue, Sentence};
use crate::quotes::{kind_for, Statement};
use crate::text::ByteSpan;

pub(super) fn according(cx: &Sentence<'_>, cue: &Cue, cue_span: ByteSpan) -> Vec<Statement> {
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
