//! Where a text mentions a target given as free text: the words of the text that share a stem
//! with one of the target's content words ("the checkpoint on the Lachin corridor" is mentioned
//! by "checkpoint", "Lachin" and "corridor" in "… a checkpoint on the Lachin corridor …", "Catalan
//! independence" by "independència"). A cheap stand-in for the target spans that annotated data
//! gives, so that a head which reads the mention gets one for the user's targets too.
//!
//! The rule, per target word: words of four or more letters match a text word of four or more
//! letters when both start with the same `max(4, ⌈0.6 × its length⌉)` letters (case ignored), which
//! lets inflected forms through ("Лачинский" / "Лачинского", "corridor" / "corridors");
//! acronyms (two or more capitals) match only themselves, case kept ("EU", "США"). Shorter words
//! ("on", "the", "der", "на") never match.

use super::words::{words, Word};
use super::ByteSpan;

enum Key {
    Stem(Vec<char>),
    Acronym(String),
}

fn keys(target: &str) -> Vec<Key> {
    words(target, ByteSpan::new(0, target.len()))
        .into_iter()
        .filter_map(|w| {
            let raw = w.span.slice(target);
            let letters = raw.chars().filter(|c| c.is_alphabetic()).count();
            if letters >= 2 && raw.chars().all(|c| !c.is_lowercase()) && raw.chars().any(char::is_uppercase) {
                Some(Key::Acronym(raw.to_owned()))
            } else if letters >= 4 {
                let chars: Vec<char> = w.lower.chars().collect();
                let n = (chars.len() * 3).div_ceil(5).max(4);
                Some(Key::Stem(chars[..n.min(chars.len())].to_vec()))
            } else {
                None
            }
        })
        .collect()
}

fn matches(key: &Key, word: &Word, text: &str) -> bool {
    match key {
        Key::Acronym(a) => word.span.slice(text) == a,
        Key::Stem(stem) => word.lower.chars().count() >= 4 && word.lower.chars().take(stem.len()).eq(stem.iter().copied()),
    }
}

/// Byte ranges of the words of `text` that mention `target`, in order; empty when none does.
pub fn target_mentions(text: &str, target: &str) -> Vec<(usize, usize)> {
    let keys = keys(target);
    if keys.is_empty() {
        return Vec::new();
    }
    words(text, ByteSpan::new(0, text.len()))
        .into_iter()
        .filter(|w| keys.iter().any(|k| matches(k, w, text)))
        .map(|w| (w.span.start, w.span.end))
        .collect()
}

/// Whether `text` names `target`: at least half of the target's content words (acronyms and
/// words of four or more letters) are mentioned in it, as [`target_mentions`] matches them —
/// "the checkpoint on the Lachin corridor" by "… movement on the Lachin corridor …", not by
/// "… used the corridor …".
pub fn names_target(text: &str, target: &str) -> bool {
    let keys = keys(target);
    if keys.is_empty() {
        return false;
    }
    let words = words(text, ByteSpan::new(0, text.len()));
    let named = keys.iter().filter(|k| words.iter().any(|w| matches(k, w, text))).count();
    2 * named >= keys.len()
}

#[cfg(test)]
mod tests {
    use super::{names_target, target_mentions};

    #[test]
    fn a_text_names_a_target_with_half_its_content_words() {
        let target = "the checkpoint on the Lachin corridor";
        assert!(names_target("free and open movement on the Lachin corridor", target));
        // one word of three is not half: the relevance model decides those
        assert!(!names_target("using the corridor for the rotation of army staff", target));
        assert!(names_target("Ереван осудил создание КПП на Лачинском коридоре.", "Лачинский коридор"));
        assert!(!names_target("on the", "on the"));
    }

    fn found<'t>(text: &'t str, target: &str) -> Vec<&'t str> {
        target_mentions(text, target).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn finds_the_content_words_of_a_free_text_target() {
        let text = "Washington said it was deeply concerned that Azerbaijan's establishment of a checkpoint on the Lachin corridor undermines efforts.";
        assert_eq!(found(text, "the checkpoint on the Lachin corridor"), ["checkpoint", "Lachin", "corridor"]);
        // inflected forms, other scripts, case
        assert_eq!(found("Ереван осудил создание КПП на Лачинском коридоре.", "Лачинский коридор"), ["Лачинском", "коридоре"]);
        assert_eq!(found("Visca la independència de Catalunya!", "Catalan independence"), ["independència", "Catalunya"]);
        // acronyms match only themselves; short words never match
        assert_eq!(found("The EU and the euro.", "EU"), ["EU"]);
        assert_eq!(found("Sanctions on the country were lifted.", "on the"), Vec::<&str>::new());
        // a word that shares only a short beginning does not match
        assert_eq!(found("The government announced deportations.", "deposit insurance"), Vec::<&str>::new());
    }

    #[test]
    fn spans_slice_back_to_the_text() {
        let text = "«Лачинский коридор» — единственная дорога; коридор закрыт.";
        for (s, e) in target_mentions(text, "Лачинский коридор") {
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        }
        assert_eq!(found(text, "Лачинский коридор"), ["Лачинский", "коридор", "коридор"]);
    }
}
