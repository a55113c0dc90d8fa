//! The text stages never panic: random mixtures of quotation marks, dashes, multi-byte spaces,
//! scripts and line breaks go through extraction and actor resolution, and every span stays on
//! char boundaries inside the text.

use standpoint::actors::{self, Dictionary};
use standpoint::heads::fitting::Rng;
use standpoint::lexicon::Lexicons;
use standpoint::quotes;

const PIECES: &[&str] = &[
    "\"", "“", "”", "„", "«", "»", "‘", "’", "'", "‹", "›", "「", "」", "—", "–", "-", ",", ".", "...", "…", ":", ";",
    "!", "?", "(", ")", "\n", "\n\n", " ", "\u{a0}", "\u{2009}", "\u{3000}", "said", "told", "according to", "It",
    "he", "The ministry", "Baku", "Yerevan", "the State Department", "accused", "of", "that", "заявил", "Кремль",
    "сказала", "sagte", "„Nein“", "a déclaré", "Quai d'Orsay", "L'ONU", "dijo", "según", "ha detto", "外交部", "表示",
    "U.S.", "Mr.", "Gov.", "A", "🙂", "é", "\u{301}", "\u{200d}", "\u{feff}", "\0", "which", "who", "also", ",", "however",
];

#[test]
fn random_text_never_panics_and_spans_stay_valid() {
    let lexicons = Lexicons::builtin();
    let dict = Dictionary::builtin().unwrap();
    let mut rng = Rng::new(0x5eed_1234_abcd_ef01);
    for case in 0..3000 {
        let len = (rng.next() % 60) as usize;
        let text: String = (0..len)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(if rng.next() % 3 == 0 { "" } else { " " });
        let lang = ["en", "ru", "de", "fr", "es", "uk", "it"][case % 7];
        let lang = if case % 11 == 0 { None } else { Some(lang) };
        let found = quotes::extract(&text, lang, &lexicons);
        let cues = lexicons.cues(lang);
        let resolved = actors::attribute(&text, &found.statements, &dict, &cues);
        assert_eq!(resolved.len(), found.statements.len());
        for s in &found.statements {
            for span in [Some(s.content), s.cue, s.speaker, s.target].into_iter().flatten() {
                assert!(span.start <= span.end && span.end <= text.len(), "case {case}: {span:?} in {text:?}");
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "case {case}: {text:?}");
            }
        }
    }
}
