//! The outlet's page furniture: donation appeals, "read more", newsletter blurbs.
//!
//! A short paragraph (under 12 words) holding a furniture phrase is set aside alone. A longer one
//! in the second half of the article starts a closing block: it and everything after it are set
//! aside (appeals run to the end of a scraped page).

use crate::lexicon::Cues;
use crate::text::ByteSpan;

/// Returns (paragraphs to read, paragraphs set aside).
pub fn split(text: &str, paragraphs: &[ByteSpan], cues: &Cues) -> (Vec<ByteSpan>, Vec<ByteSpan>) {
    let mut keep = Vec::new();
    let mut aside = Vec::new();
    let n = paragraphs.len();
    let mut closing = false;
    for (i, p) in paragraphs.iter().enumerate() {
        if closing {
            aside.push(*p);
            continue;
        }
        let lower = p.slice(text).to_lowercase();
        let hit = cues.boilerplate.iter().any(|phrase| contains_phrase(&lower, phrase));
        let short = lower.split_whitespace().count() < 12;
        if hit && short {
            aside.push(*p);
        } else if hit && i * 2 >= n {
            closing = true;
            aside.push(*p);
        } else {
            keep.push(*p);
        }
    }
    (keep, aside)
}

/// `phrase` occurs in `hay` on word boundaries.
fn contains_phrase(hay: &str, phrase: &str) -> bool {
    hay.match_indices(phrase).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
