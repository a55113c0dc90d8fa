//! Text primitives: spans with named units, words, paragraphs, sentences, language.

pub mod lang;
pub mod locate;
pub mod sentences;
pub mod span;
pub mod words;

pub use span::{ByteSpan, CharIndex, CharSpan};
