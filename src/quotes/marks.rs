//! Pairing quotation marks into quoted spans.
//!
//! Marks come from every language file (an article's quotes need not follow its language). A mark
//! that can close an open quote closes it (the innermost one it fits); otherwise a mark that can
//! open does, unless it is glued to the word before it. A `’` or `‘`
//! between letters is an apostrophe. A quote left open at the end of a paragraph continues when
//! the next paragraph opens with the same mark (the English convention for multi-paragraph
//! quotes); otherwise it is dropped. Only outermost quotes are returned; nested ones are part of
//! their content.

use crate::text::ByteSpan;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    /// From the opening mark to the closing mark, both included.
    pub outer: ByteSpan,
    /// The text between the marks.
    pub inner: ByteSpan,
    /// Paragraph breaks the quote runs across.
    pub paragraphs: usize,
}

struct Open {
    mark: char,
    at: usize,
    len: usize,
    closers: Vec<char>,
}

pub fn find_quotes(text: &str, paragraphs: &[ByteSpan], pairs: &[(char, char)]) -> Vec<Quoted> {
    let closers_of = |open: char| -> Vec<char> { pairs.iter().filter(|p| p.0 == open).map(|p| p.1).collect() };
    let is_opener = |c: char| pairs.iter().any(|p| p.0 == c);
    let is_closer = |c: char| pairs.iter().any(|p| p.1 == c);

    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut crossed = 0usize;
    for (pi, para) in paragraphs.iter().enumerate() {
        let s = para.slice(text);
        // NYT style writes quotation marks as two apostrophes: ''like this''. They act as one `"`.
        let mut chars: Vec<(usize, char)> = Vec::with_capacity(s.len());
        let mut lens: Vec<usize> = Vec::with_capacity(s.len());
        let mut it = s.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c == '\'' && it.peek().is_some_and(|&(_, n)| n == '\'') {
                it.next();
                chars.push((i, '"'));
                lens.push(2);
            } else {
                chars.push((i, c));
                lens.push(c.len_utf8());
            }
        }
        let mut skip_first_opener = false;
        if !stack.is_empty() {
            // An open quote continues only if this paragraph re-opens it with the same mark.
            let first = s.chars().next().map(|c| if c == '\'' && s.starts_with("''") { '"' } else { c });
            if first == Some(stack[0].mark) && stack.len() == 1 {
                skip_first_opener = true;
                crossed += 1;
            } else {
                stack.clear();
                crossed = 0;
            }
        }
        for (ci, &(bi, c)) in chars.iter().enumerate() {
            if !is_opener(c) && !is_closer(c) {
                continue;
            }
            if ci == 0 && skip_first_opener {
                continue;
            }
            let prev = ci.checked_sub(1).map(|k| chars[k].1);
            let next = chars.get(ci + 1).map(|&(_, n)| n);
            let at = para.start + bi;
            let mark_len = lens[ci];
            if matches!(c, '’' | '‘' | '\'') && prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric) {
                continue; // apostrophe
            }
            if let Some(pos) = stack.iter().rposition(|o| o.closers.contains(&c)) {
                if matches!(c, '’' | '\'') && next.is_some_and(char::is_alphanumeric) {
                    continue;
                }
                if pos == 0 {
                    let open = &stack[0];
                    let inner = ByteSpan::new(open.at + open.len, at);
                    out.push(Quoted { outer: ByteSpan::new(open.at, at + mark_len), inner, paragraphs: crossed });
                    crossed = 0;
                }
                stack.truncate(pos);
                continue;
            }
            if !is_opener(c) {
                continue;
            }
            // Nothing open takes it as a closer, so it opens — unless glued to a preceding word
            // (a stray closing mark) or last in the paragraph.
            if next.is_some() && !(is_closer(c) && prev.is_some_and(char::is_alphanumeric)) {
                stack.push(Open { mark: c, at, len: mark_len, closers: closers_of(c) });
            }
        }
        let continues = paragraphs.get(pi + 1).is_some_and(|next| {
            let next = next.slice(text);
            stack.len() == 1 && (next.starts_with(stack[0].mark) || (stack[0].mark == '"' && next.starts_with("''")))
        });
        if !continues {
            stack.clear();
            crossed = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::sentences::paragraphs;

    const PAIRS: &[(char, char)] =
        &[('"', '"'), ('“', '”'), ('„', '“'), ('„', '”'), ('«', '»'), ('»', '«'), ('‘', '’'), ('‚', '‘'), ('‹', '›'), ('「', '」')];

    fn quotes(text: &str) -> Vec<&str> {
        find_quotes(text, &paragraphs(text), PAIRS).into_iter().map(|q| q.inner.slice(text)).collect()
    }

    #[test]
    fn pairs_the_common_conventions() {
        assert_eq!(quotes("He said “yes” and \"no\"."), ["yes", "no"]);
        assert_eq!(quotes("„Das ist falsch“, sagte sie."), ["Das ist falsch"]);
        assert_eq!(quotes("»Das ist falsch«, sagte sie."), ["Das ist falsch"]);
        assert_eq!(quotes("« Nous condamnons », a-t-il dit."), [" Nous condamnons "]);
        assert_eq!(quotes("«Это „грубое“ нарушение», — заявил он."), ["Это „грубое“ нарушение"]);
        assert_eq!(quotes("他说「我们反对」。"), ["我们反对"]);
    }

    #[test]
    fn nyt_double_apostrophes_are_quotation_marks() {
        assert_eq!(quotes("''We will win,'' Mr. Biden said. Don't."), ["We will win,"]);
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert_eq!(quotes("Baku’s claim ‘is false’, it said. Don’t."), ["is false"]);
    }

    #[test]
    fn multi_paragraph_quotes_continue_only_when_reopened() {
        let text = "“First part.\n\n“Second part,” he said.\n\n“Unclosed\n\nNot a quote.";
        assert_eq!(quotes(text), ["First part.\n\n“Second part,"]);
        assert_eq!(find_quotes(text, &paragraphs(text), PAIRS)[0].paragraphs, 1);
    }
}
