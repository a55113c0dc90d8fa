//! Paragraphs and sentences as byte spans.
//!
//! Paragraphs are the non-empty lines of the text. A sentence ends at `.`, `!`, `?`, `…` (or the
//! CJK stops) when closing quotes and brackets after it are followed by white space and a capital
//! letter, digit, opening quote or dash, or by the end of the paragraph; a period after a known
//! abbreviation or a single capital initial does not end one.

use std::collections::HashSet;

use super::ByteSpan;

pub fn paragraphs(text: &str) -> Vec<ByteSpan> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), '\n'))) {
        if c == '\n' {
            let span = ByteSpan::new(start, i).trim(text);
            if !span.is_empty() {
                out.push(span);
            }
            start = (i + 1).min(text.len());
        }
    }
    out
}

const CLOSERS: &[char] = &['"', '”', '»', '“', '’', '›', ')', ']', '」', '』', '\''];
const OPENERS: &[char] = &['"', '“', '«', '„', '‘', '‹', '(', '[', '—', '–', '-', '「', '»', '‚', '\''];

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

/// Sentences of one paragraph.
pub fn sentences(text: &str, paragraph: ByteSpan, abbreviations: &HashSet<String>) -> Vec<ByteSpan> {
    let p = paragraph.slice(text);
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && (is_terminal(chars[j].1) || CLOSERS.contains(&chars[j].1)) {
            j += 1;
        }
        let end = chars.get(j).map_or(p.len(), |&(b, _)| b);
        let cjk = matches!(c, '。' | '！' | '？');
        let boundary = if j >= chars.len() {
            true
        } else if cjk {
            true
        } else {
            let mut k = j;
            let mut saw_space = false;
            while k < chars.len() && chars[k].1.is_whitespace() {
                saw_space = true;
                k += 1;
            }
            saw_space
                && k < chars.len()
                && (chars[k].1.is_uppercase() || chars[k].1.is_numeric() || OPENERS.contains(&chars[k].1))
                && !(c == '.' && is_abbreviation(p, chars[i].0, abbreviations))
        };
        if boundary {
            push(&mut out, text, paragraph.start + start, paragraph.start + end);
            start = end;
        }
        i = j.max(i + 1);
    }
    push(&mut out, text, paragraph.start + start, paragraph.end);
    out
}

fn push(out: &mut Vec<ByteSpan>, text: &str, start: usize, end: usize) {
    let span = ByteSpan::new(start, end).trim(text);
    if !span.is_empty() {
        out.push(span);
    }
}

/// Whether the period at byte `dot` of `p` closes an abbreviation or an initial.
fn is_abbreviation(p: &str, dot: usize, abbreviations: &HashSet<String>) -> bool {
    let before = &p[..dot];
    let token_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || c == '(' || c == '"')
        .map_or(0, |(i, c)| i + c.len_utf8());
    let token = &p[token_start..dot + 1];
    let bare = token.trim_end_matches('.');
    if bare.chars().count() == 1 && bare.chars().all(char::is_uppercase) {
        return true;
    }
    abbreviations.contains(&token.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        let abbr: HashSet<String> = ["mr.", "u.s."].iter().map(|s| s.to_string()).collect();
        paragraphs(text)
            .into_iter()
            .flat_map(|p| sentences(text, p, &abbr))
            .map(|s| s.slice(text))
            .collect()
    }

    #[test]
    fn splits_sentences_and_keeps_closing_quotes() {
        assert_eq!(
            split("\"We will fight.\" He left. Mr. Smith met the U.S. envoy. J. Doe agreed!\n\nNext para"),
            ["\"We will fight.\"", "He left.", "Mr. Smith met the U.S. envoy.", "J. Doe agreed!", "Next para"]
        );
    }

    #[test]
    fn multibyte_space_before_an_abbreviation_is_not_a_panic() {
        assert_eq!(split("Mr.\u{a0}Mike Pence\u{a0}J. spoke. Then"), ["Mr.\u{a0}Mike Pence\u{a0}J. spoke.", "Then"]);
    }

    #[test]
    fn does_not_split_before_lowercase_or_inside_ellipsis_phrases() {
        assert_eq!(split("the infrastructure... at the point. Done."), ["the infrastructure... at the point.", "Done."]);
        assert_eq!(split("«Мы не уступим», — заявил он. Потом ушёл."), ["«Мы не уступим», — заявил он.", "Потом ушёл."]);
        assert_eq!(split("外交部表示不满。会议将开幕。"), ["外交部表示不满。", "会议将开幕。"]);
    }
}
