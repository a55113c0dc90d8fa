//! Statements no cue in their sentence claimed: quotations attributed from the sentence before
//! or after, or continuing the previous paragraph's speaker; dash bylines; transcript and headline
//! lines (`NAME: …`).

use super::broken;
use super::content::{content_span, TRIM};
use super::find::find_cues;
use super::speaker::{sentence_subject, span_of, speaker_after, speaker_before};
use crate::lexicon::Cues;
use crate::quotes::marks::Quoted;
use crate::quotes::{kind_for, Kind, Statement};
use crate::text::words::Word;
use crate::text::ByteSpan;

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
pub(super) fn is_title(quoted: &str) -> bool {
    let quoted = quoted.trim().trim_end_matches(['.', ',']);
    let words: Vec<&str> = quoted.split_whitespace().collect();
    words.len() >= 2
        && words.iter().all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || !c.is_alphabetic()) || w.chars().count() < 4)
        && !quoted.contains(['.', '?', ',', ';'])
}

/// A quotation that ends its paragraph, then a line "- Bernie Sanders." or "—President Obama,
/// tweeting after …": the line's name (up to five capitalised words, then a period or comma) is
/// the speaker and its dash the cue, as in quote lists and fact-checks.
pub(super) fn dash_byline(text: &str, paragraphs: &[ByteSpan], quote_end: usize) -> Option<(ByteSpan, ByteSpan)> {
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
pub(super) fn cued_speaker(text: &str, ws: &[Word], quotes: &[Quoted], cues: &Cues) -> Option<(ByteSpan, ByteSpan)> {
    find_cues(text, ws, quotes, cues).iter().find_map(|c| {
        speaker_before(text, ws, c.first, cues).map(|r| (span_of(ws, r), ByteSpan::new(ws[c.first].span.start, ws[c.last].span.end)))
    })
}

/// Words a "NAME: …" line may open with: a name of up to four capitalised words ("BOULDUAN:",
/// "Alex Seitz-Wald:", "Лавров:").
pub(super) const MAX_COLON_NAME_WORDS: usize = 4;

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
