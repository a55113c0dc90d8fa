//! The outlet's page furniture: donation appeals, "read more", newsletter blurbs.
//!
//! A short paragraph (under 12 words) holding a furniture phrase is set aside alone. A longer one
//! in the second half of the article that speaks to the reader ("your support", "you") starts a
//! closing block: it and everything after it are set aside (appeals run to the end of a scraped
//! page). A short one up to [`OPENER_REACH`]
//! paragraphs before a closing block opens it ("… we have a small favor to ask." and the appeal's
//! first paragraphs, which name no furniture phrase themselves).

use crate::lexicon::Cues;
use crate::text::ByteSpan;

/// Returns (paragraphs to read, paragraphs set aside).
/// How many paragraphs before a closing block a short furniture paragraph may open it.
pub const OPENER_REACH: usize = 3;

pub fn split(text: &str, paragraphs: &[ByteSpan], cues: &Cues) -> (Vec<ByteSpan>, Vec<ByteSpan>) {
    let n = paragraphs.len();
    let mut aside = vec![false; n];
    let mut last_short_hit: Option<usize> = None;
    for (i, p) in paragraphs.iter().enumerate() {
        let lower = p.slice(text).to_lowercase();
        let hit = cues.boilerplate.iter().any(|phrase| contains_phrase(&lower, phrase));
        let short = lower.split_whitespace().count() < 12;
        if hit && short {
            aside[i] = true;
            last_short_hit = Some(i);
        } else if hit && i * 2 >= n && addresses_reader(&lower, cues) {
            let from = match last_short_hit {
                Some(j) if j * 2 >= n && i - j <= OPENER_REACH + 1 => j,
                _ => i,
            };
            aside[from..].iter_mut().for_each(|a| *a = true);
            break;
        }
    }
    let (keep, set_aside): (Vec<_>, Vec<_>) = paragraphs.iter().zip(aside).partition(|(_, a)| !a);
    (keep.into_iter().map(|(p, _)| *p).collect(), set_aside.into_iter().map(|(p, _)| *p).collect())
}

/// Whether a (lower-case) paragraph speaks to the reader; always, for a language without the list.
fn addresses_reader(lower: &str, cues: &Cues) -> bool {
    cues.reader_address.is_empty() || lower.split(|c: char| !c.is_alphanumeric()).any(|w| cues.reader_address.contains(w))
}

/// `phrase` occurs in `hay` on word boundaries.
fn contains_phrase(hay: &str, phrase: &str) -> bool {
    hay.match_indices(phrase).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;
    use crate::text::sentences::paragraphs;

    fn aside(text: &str) -> Vec<String> {
        let lexicons = Lexicons::builtin();
        let (_, aside) = split(text, &paragraphs(text), lexicons.cues(Some("en")));
        aside.iter().map(|p| p.slice(text).to_owned()).collect()
    }

    #[test]
    fn a_news_paragraph_about_donations_is_not_furniture() {
        let text = "The senator spoke in Iowa.\n\nShe attacked her rival.\n\nHer campaign sent an email asking supporters to donate before the deadline on Friday night.\n\nThe rival said the attack was unfair.";
        assert!(aside(text).is_empty(), "{:?}", aside(text));
    }

    #[test]
    fn an_appeal_is_set_aside_from_its_opener() {
        let text = "The talks resumed.\n\nThe ministers met.\n\nThe road was closed.\n\nBaku said the road was open.\n\nYerevan denied it.\n\n… we have a small favor to ask.\n\nAs you may have heard, we have been branded a foreign agent.\n\nYour support, no matter how small, makes a world of difference to us.\n\nRead more";
        let got = aside(text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].starts_with("… we have"));
    }
}
