//! Spans into an article's text, with their unit in the type.
//!
//! Inside the pipeline text is sliced by bytes ([`ByteSpan`]); what leaves it counts Unicode code
//! points ([`CharSpan`], what Python and notebooks index by). [`CharIndex`] converts, built once
//! per article. The invariant everywhere: slicing the article's text with a span gives the span's
//! text back.

use serde::{Deserialize, Serialize};

/// Byte offsets into a `str`, end exclusive, always on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

/// Unicode code point offsets into the original text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CharSpan {
    pub start: usize,
    pub end: usize,
}

impl ByteSpan {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        ByteSpan { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
    pub fn contains(&self, other: &ByteSpan) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn overlaps(&self, other: &ByteSpan) -> bool {
        self.start < other.end && other.start < self.end
    }
    /// The span with leading and trailing white space and the given characters removed.
    pub fn trim_matches(&self, text: &str, extra: &[char]) -> ByteSpan {
        let s = self.slice(text);
        let is_trim = |c: char| c.is_whitespace() || extra.contains(&c);
        let trimmed_start = s.len() - s.trim_start_matches(is_trim).len();
        let trimmed_end = s.trim_end_matches(is_trim).len();
        if trimmed_start >= trimmed_end {
            return ByteSpan::new(self.start, self.start);
        }
        ByteSpan::new(self.start + trimmed_start, self.start + trimmed_end)
    }
    pub fn trim(&self, text: &str) -> ByteSpan {
        self.trim_matches(text, &[])
    }
}

/// Byte ↔ code point conversion for one text.
pub struct CharIndex {
    /// Byte offset of every char, plus the text length; empty for pure ASCII (identity).
    starts: Vec<usize>,
    len: usize,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let starts = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect()
        };
        CharIndex { starts, len: text.len() }
    }

    /// Code point offset of a byte offset that lies on a char boundary.
    pub fn to_char(&self, byte: usize) -> usize {
        if self.starts.is_empty() {
            return byte.min(self.len);
        }
        match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i, // not a boundary: the char that contains it ends there
        }
    }

    pub fn to_byte(&self, char: usize) -> usize {
        if self.starts.is_empty() {
            return char.min(self.len);
        }
        self.starts[char.min(self.starts.len() - 1)]
    }

    pub fn char_span(&self, span: ByteSpan) -> CharSpan {
        CharSpan { start: self.to_char(span.start), end: self.to_char(span.end) }
    }

    pub fn byte_span(&self, span: CharSpan) -> ByteSpan {
        ByteSpan::new(self.to_byte(span.start), self.to_byte(span.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_spans_slice_back_to_the_same_text() {
        let text = "«Это незаконно», — заявил он. 外交部 🙂 „Gut“";
        let index = CharIndex::new(text);
        let chars: Vec<char> = text.chars().collect();
        for (needle, _) in [("незаконно", 0), ("外交部", 0), ("🙂", 0), ("Gut", 0)] {
            let start = text.find(needle).unwrap();
            let span = ByteSpan::new(start, start + needle.len());
            let c = index.char_span(span);
            let sliced: String = chars[c.start..c.end].iter().collect();
            assert_eq!(sliced, needle);
            assert_eq!(index.byte_span(c), span);
        }
    }

    #[test]
    fn ascii_is_identity() {
        let index = CharIndex::new("plain text");
        assert_eq!(index.char_span(ByteSpan::new(2, 5)), CharSpan { start: 2, end: 5 });
    }

    #[test]
    fn trimming_keeps_boundaries() {
        let text = "  «quoted»  ";
        let span = ByteSpan::new(0, text.len()).trim_matches(text, &['«', '»']);
        assert_eq!(span.slice(text), "quoted");
        assert!(ByteSpan::new(0, 2).trim(text).is_empty());
    }
}
