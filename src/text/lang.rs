//! Language identification (whatlang's trigram models, 69 languages), as ISO 639-1 codes.

/// Languages with cue data get a second, narrower vote when the open detection is unsure
/// (short Spanish text, for one, scores close to Portuguese and Catalan).
const FIRST_CLASS: &[whatlang::Lang] = &[
    whatlang::Lang::Eng, whatlang::Lang::Rus, whatlang::Lang::Ukr, whatlang::Lang::Deu,
    whatlang::Lang::Fra, whatlang::Lang::Spa, whatlang::Lang::Ita,
];

/// Trigram statistics settle long before this; longer articles are judged by their start.
const SAMPLE_BYTES: usize = 4096;

/// The language of `text` as an ISO 639-1 code, or `None` when no guess is confident enough.
pub fn detect(text: &str) -> Option<String> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let info = whatlang::detect(text)?;
    if info.is_reliable() || info.confidence() >= 0.5 {
        return Some(iso639_1(info.lang()).to_owned());
    }
    let narrow = whatlang::Detector::with_allowlist(FIRST_CLASS.to_vec()).detect(text)?;
    (narrow.lang() == info.lang() || narrow.confidence() >= 0.5).then(|| iso639_1(narrow.lang()).to_owned())
}

/// ISO 639-1 where one exists; otherwise whatlang's ISO 639-3 code.
fn iso639_1(lang: whatlang::Lang) -> &'static str {
    const TABLE: &[(&str, &str)] = &[
        ("eng", "en"), ("rus", "ru"), ("ukr", "uk"), ("deu", "de"), ("fra", "fr"), ("spa", "es"), ("ita", "it"),
        ("por", "pt"), ("pol", "pl"), ("nld", "nl"), ("tur", "tr"), ("ara", "ar"), ("cmn", "zh"), ("jpn", "ja"),
        ("kor", "ko"), ("hin", "hi"), ("ell", "el"), ("ces", "cs"), ("slk", "sk"), ("hun", "hu"), ("ron", "ro"),
        ("bul", "bg"), ("srp", "sr"), ("hrv", "hr"), ("slv", "sl"), ("swe", "sv"), ("dan", "da"), ("nob", "no"),
        ("fin", "fi"), ("est", "et"), ("lav", "lv"), ("lit", "lt"), ("heb", "he"), ("pes", "fa"), ("urd", "ur"),
        ("ben", "bn"), ("tha", "th"), ("vie", "vi"), ("ind", "id"), ("bel", "be"), ("kat", "ka"), ("hye", "hy"),
        ("aze", "az"), ("cat", "ca"), ("mkd", "mk"), ("epo", "eo"), ("lat", "la"),
    ];
    let code = lang.code();
    TABLE.iter().find(|(three, _)| *three == code).map_or(code, |(_, two)| two)
}

#[cfg(test)]
mod tests {
    #[test]
    fn detects_the_first_class_languages() {
        for (code, text) in [
            ("en", "The foreign ministry said the checkpoint violates the ceasefire agreement."),
            ("ru", "Министерство иностранных дел заявило, что пункт пропуска нарушает соглашение."),
            ("uk", "Міністерство закордонних справ заявило, що пункт пропуску порушує угоду."),
            ("de", "Das Außenministerium erklärte, der Kontrollpunkt verstoße gegen die Waffenruhe."),
            ("fr", "Le ministère des Affaires étrangères a déclaré que le poste de contrôle viole l'accord."),
            ("es", "El Ministerio de Exteriores afirmó que el puesto de control viola el acuerdo."),
            ("it", "Il ministero degli Esteri ha dichiarato che il posto di blocco viola l'accordo."),
        ] {
            assert_eq!(super::detect(text).as_deref(), Some(code), "{text}");
        }
    }
}
