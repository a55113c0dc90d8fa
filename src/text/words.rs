//! Words with their byte spans: runs of letters and digits, keeping inner apostrophes and hyphens
//! ("Nagorno-Karabakh", "d'Orsay", "п'ятницю").

use super::ByteSpan;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub span: ByteSpan,
    pub lower: String,
}

impl Word {
    pub fn is_capitalized(&self, text: &str) -> bool {
        self.span.slice(text).chars().next().is_some_and(char::is_uppercase)
    }
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐' | '.' | 'ʼ')
}

/// Words of `text[span]`, in order.
pub fn words(text: &str, span: ByteSpan) -> Vec<Word> {
    let s = span.slice(text);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_alnum = chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        match start {
            None if c.is_alphanumeric() => start = Some(i),
            Some(_) if c.is_alphanumeric() || (is_joiner(c) && next_is_alnum && c != '.') => {}
            // "U.S." and "a.m.": a period between single letters stays inside the word.
            Some(st) if c == '.' && next_is_alnum && s[st..i].chars().count() == 1 => {}
            // "Rev. Kyev Tatum", "Jill A. Martin": inside a sentence, a period followed by a capital
            // closes an abbreviation or initial (the sentence splitter already ruled out an end).
            Some(st) if c == '.' && {
                let after = s[i + 1..].trim_start();
                s[i + 1..].starts_with(char::is_whitespace) && after.starts_with(char::is_uppercase)
                    // "Cambridge, Mass., said": a period right before a comma closes an abbreviation
                    || s[i + 1..].starts_with(',')
            } && s[st..i].chars().count() <= 4 && s[st..i].starts_with(char::is_uppercase) => {
                push(&mut out, text, span.start + st, span.start + i + 1);
                start = None;
            }
            Some(st) if c == '.' && s[st..i].contains('.') => {
                let end = i + 1;
                push(&mut out, text, span.start + st, span.start + end);
                start = None;
            }
            Some(st) => {
                push(&mut out, text, span.start + st, span.start + i);
                start = if c.is_alphanumeric() { Some(i) } else { None };
            }
            None => {}
        }
    }
    if let Some(st) = start {
        push(&mut out, text, span.start + st, span.end);
    }
    out
}

fn push(out: &mut Vec<Word>, text: &str, start: usize, end: usize) {
    let span = ByteSpan::new(start, end);
    out.push(Word { span, lower: span.slice(text).to_lowercase().replace('’', "'") });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Vec<String> {
        words(text, ByteSpan::new(0, text.len())).into_iter().map(|w| w.span.slice(text).to_owned()).collect()
    }

    #[test]
    fn keeps_inner_joiners_and_initialisms() {
        assert_eq!(w("Nagorno-Karabakh's Quai d'Orsay"), ["Nagorno-Karabakh's", "Quai", "d'Orsay"]);
        assert_eq!(w("the U.S. said"), ["the", "U.S.", "said"]);
        assert_eq!(w("«Это», — заявил"), ["Это", "заявил"]);
        assert_eq!(w("end. Next"), ["end", "Next"]);
        assert_eq!(w("Cambridge, Mass., said"), ["Cambridge", "Mass.", "said"]);
        assert_eq!(w("said Rev. Kyev Tatum"), ["said", "Rev.", "Kyev", "Tatum"]);
    }
}
