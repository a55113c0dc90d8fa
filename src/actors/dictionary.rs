//! The actor dictionary: who can be named, and by which words.
//!
//! Built from `data/actors/countries.json` (generated from Debian's iso-codes: ISO 3166-1 names and
//! their translations), `data/actors/aliases.json` (the project's own: adjectives and demonyms,
//! capitals and seats of power, institutions as sub-actors, international bodies and groups) and,
//! optionally, a user file in the aliases format that adds actors or overrides them by id.
//!
//! Matching is word by word on lower case, with these allowances and limits:
//! - a form ending in `*` matches any ending;
//! - a Cyrillic form matches in its case forms: its stem (the form without a final vowel, `ь` or
//!   `й`) and one of the listed Russian and Ukrainian case endings ("Армения" → "Армении",
//!   "Вашингтон" → "Вашингтона", "Россия" → "Россией"), never the stem and arbitrary letters
//!   (so "Того" does not match "тогда");
//! - a Latin-script name or seat matches with a genitive `s` ("Deutschlands", "Irans"), and a
//!   possessive `'s` is ignored;
//! - a form word written with a capital only matches a capitalised word ("Nato" is not "nato",
//!   "born"; "Commission" is not "commission"; "Того" is not "того"), and an all-capitals form
//!   ("US", "WHO") only the same capitals, so "us" and "who" stay pronouns.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::ActorKind;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/actor_files.rs"));
}

#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error("{name}: {source}")]
    Parse { name: String, source: serde_json::Error },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("built-in actor data file {0} is missing")]
    Missing(&'static str),
}

#[derive(Deserialize)]
struct CountriesFile {
    countries: Vec<CountryEntry>,
}

#[derive(Deserialize)]
struct CountryEntry {
    id: String,
    name: String,
    names: BTreeMap<String, Vec<String>>,
}

/// The aliases format, also the format of a user's `--actors` file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasFile {
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub actors: Vec<AliasActor>,
    /// Words naming an institution inside a state ("foreign ministry"), per language.
    #[serde(default)]
    pub body_words: BTreeMap<String, Vec<String>>,
    /// Courtesy titles left out of a person's canonical name ("Mr.", "Frau"), per language.
    #[serde(default)]
    pub honorifics: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasActor {
    pub id: String,
    #[serde(default)]
    pub kind: Option<ActorKind>,
    #[serde(default)]
    pub name: Option<String>,
    /// Parent actor id (a ministry's state), for actors that belong to another.
    #[serde(default)]
    pub parent: Option<String>,
    /// Forms by role ("name", "adjective", "seat"), then by language.
    #[serde(default)]
    pub forms: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Institutions that stand for this actor, with the sub-actor they name.
    #[serde(default)]
    pub bodies: Vec<AliasBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasBody {
    pub sub: String,
    pub forms: BTreeMap<String, Vec<String>>,
}

/// How a form names its actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FormRole {
    Adjective,
    Seat,
    Name,
    Body,
}

#[derive(Debug, Clone)]
struct WordPattern {
    text: String,
    stem: bool,
    caps_only: bool,
    /// Written with a capital: matches only a capitalised word.
    proper: bool,
    cyrillic: bool,
    /// May take a genitive `s` (Latin-script names and seats).
    genitive_s: bool,
}

/// Russian and Ukrainian adjective endings ("Европейский" → "Европейского", "Європейський" →
/// "Європейського"); a form ending in one of the first four declines through all of them.
const ADJECTIVE_ENDINGS: [&str; 30] = [
    "ий", "ый", "ой", "ая", "ое", "ого", "его", "ому", "ему", "им", "ым", "ом", "ем", "ую", "юю", "ие", "ые", "их", "ых",
    "ими", "ыми", "ей", "ою", "а", "у", "ої", "ій", "і", "е", "я",
];

/// Russian and Ukrainian case endings a Cyrillic form's stem may take.
const CYRILLIC_ENDINGS: [&str; 36] = [
    "", "а", "я", "у", "ю", "е", "и", "ы", "і", "ї", "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях", "ами", "ями",
    "ою", "ею", "єю", "ов", "ев", "ів", "ові", "еві", "ию", "ией", "ии", "ия", "ію", "ією", "ії", "ія",
];

impl WordPattern {
    /// A pattern for one word of a form; `role` is the form's (`None` for office words).
    fn new(raw: &str, role: Option<FormRole>) -> Self {
        let (text, stem) = match raw.strip_suffix('*') {
            Some(s) => (s, true),
            None => (raw, false),
        };
        let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
        let cyrillic = text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
        WordPattern {
            text: text.to_lowercase().replace('’', "'"),
            stem,
            caps_only: letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()),
            proper: letters.first().is_some_and(|c| c.is_uppercase()),
            cyrillic,
            genitive_s: !cyrillic && letters.len() >= 4 && matches!(role, Some(FormRole::Name | FormRole::Seat)),
        }
    }

    fn matches(&self, word_lower: &str, word_raw: &str) -> bool {
        // Romance elision: "L'ONU", "dell'Unione", "d'Italia" match "ONU", "Unione", "Italia".
        if let Some(i) = word_raw.find(['\'', '’']) {
            let head = &word_raw[..i];
            if (1..=4).contains(&head.chars().count()) && head.chars().all(char::is_alphabetic) && !self.text.contains('\'') {
                let rest_raw = &word_raw[i + word_raw[i..].chars().next().map_or(1, char::len_utf8)..];
                if !rest_raw.is_empty() && self.matches_word(&rest_raw.to_lowercase(), rest_raw) {
                    return true;
                }
            }
        }
        self.matches_word(word_lower, word_raw)
    }

    fn matches_word(&self, word_lower: &str, word_raw: &str) -> bool {
        let w = word_lower
            .strip_suffix("'s")
            .or_else(|| word_lower.strip_suffix("’s"))
            .unwrap_or(word_lower);
        if self.caps_only {
            let raw = word_raw.strip_suffix("'s").or_else(|| word_raw.strip_suffix("’s")).unwrap_or(word_raw);
            return raw.to_lowercase() == self.text && raw.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
        }
        if self.proper && !word_raw.chars().find(|c| c.is_alphabetic()).is_some_and(char::is_uppercase) {
            return false;
        }
        if self.stem {
            return w.starts_with(&self.text);
        }
        if w == self.text {
            return true;
        }
        if self.genitive_s && w.strip_suffix('s') == Some(self.text.as_str()) {
            return true;
        }
        if self.cyrillic && self.text.chars().count() >= 4 {
            // foreign names in -о, -е, -у and -ю do not decline ("Того", "Марокко", "Перу")
            let mut stem = self.text.clone();
            if let Some(adjective) = ADJECTIVE_ENDINGS[..4].iter().find_map(|e| stem.strip_suffix(e)) {
                return w.strip_prefix(adjective).is_some_and(|ending| ADJECTIVE_ENDINGS.contains(&ending));
            }
            if stem.ends_with(['о', 'е', 'у', 'ю']) {
                return false;
            }
            if stem.ends_with(['а', 'я', 'ы', 'и', 'й', 'ь', 'і', 'ї']) {
                stem.pop();
            }
            return w.strip_prefix(stem.as_str()).is_some_and(|ending| CYRILLIC_ENDINGS.contains(&ending));
        }
        false
    }
}

#[derive(Debug, Clone)]
struct Form {
    words: Vec<WordPattern>,
    actor: usize,
    role: FormRole,
    sub: Option<String>,
}

/// One canonical actor the dictionary knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    pub parent: Option<String>,
}

/// A dictionary hit inside a phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub actor: usize,
    pub role: FormRole,
    pub sub: Option<String>,
    /// Word range in the phrase.
    pub first: usize,
    pub end: usize,
}

pub struct Dictionary {
    pub actors: Vec<Known>,
    forms: Vec<Form>,
    /// Forms by the first three letters of their first word: a phrase checks only its candidates.
    by_prefix: HashMap<String, Vec<usize>>,
    body_words: Vec<Vec<WordPattern>>,
    honorifics: std::collections::HashSet<String>,
    pub source: String,
}

impl Dictionary {
    pub fn builtin() -> Result<Self, DictionaryError> {
        Self::load(None)
    }

    /// The built-in data plus, optionally, the user's file (same format as aliases.json).
    pub fn load(user: Option<&Path>) -> Result<Self, DictionaryError> {
        let file = |name: &'static str| {
            embedded::FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).ok_or(DictionaryError::Missing(name))
        };
        let countries: CountriesFile = serde_json::from_str(file("countries")?)
            .map_err(|source| DictionaryError::Parse { name: "countries.json".into(), source })?;
        let aliases: AliasFile = serde_json::from_str(file("aliases")?)
            .map_err(|source| DictionaryError::Parse { name: "aliases.json".into(), source })?;
        let mut dict = Dictionary {
            actors: Vec::new(),
            forms: Vec::new(),
            by_prefix: HashMap::new(),
            body_words: Vec::new(),
            honorifics: Default::default(),
            source: String::new(),
        };
        for c in &countries.countries {
            let idx = dict.actor(&c.id, Some(&c.name), Some(ActorKind::State), None);
            for names in c.names.values() {
                for n in names {
                    dict.add_form(n, idx, FormRole::Name, None);
                }
            }
        }
        dict.add_aliases(&aliases);
        dict.source = "built-in: iso-codes countries + data/actors/aliases.json".into();
        if let Some(path) = user {
            let text = std::fs::read_to_string(path)
                .map_err(|source| DictionaryError::Io { path: path.display().to_string(), source })?;
            let user: AliasFile = serde_json::from_str(&text)
                .map_err(|source| DictionaryError::Parse { name: path.display().to_string(), source })?;
            dict.add_aliases(&user);
            dict.source.push_str(&format!(" + {}", path.display()));
        }
        Ok(dict)
    }

    fn actor(&mut self, id: &str, name: Option<&str>, kind: Option<ActorKind>, parent: Option<&str>) -> usize {
        if let Some(i) = self.actors.iter().position(|a| a.id == id) {
            let a = &mut self.actors[i];
            if let Some(n) = name {
                a.name = n.to_owned();
            }
            if let Some(k) = kind {
                a.kind = k;
            }
            if let Some(p) = parent {
                a.parent = Some(p.to_owned());
            }
            return i;
        }
        self.actors.push(Known {
            id: id.to_owned(),
            name: name.unwrap_or(id).to_owned(),
            kind: kind.unwrap_or(ActorKind::Other),
            parent: parent.map(str::to_owned),
        });
        self.actors.len() - 1
    }

    fn add_form(&mut self, raw: &str, actor: usize, role: FormRole, sub: Option<&str>) {
        let words: Vec<WordPattern> =
            raw.split_whitespace().map(|w| WordPattern::new(w, Some(role))).filter(|w| !w.text.is_empty()).collect();
        if !words.is_empty() {
            self.by_prefix.entry(prefix_key(&words[0].text)).or_default().push(self.forms.len());
            self.forms.push(Form { words, actor, role, sub: sub.map(str::to_owned) });
        }
    }

    fn add_aliases(&mut self, file: &AliasFile) {
        for a in &file.actors {
            let idx = self.actor(&a.id, a.name.as_deref(), a.kind, a.parent.as_deref());
            for (role, by_lang) in &a.forms {
                let role = match role.as_str() {
                    "adjective" => FormRole::Adjective,
                    "seat" => FormRole::Seat,
                    _ => FormRole::Name,
                };
                for forms in by_lang.values() {
                    for f in forms {
                        self.add_form(f, idx, role, None);
                    }
                }
            }
            for b in &a.bodies {
                for forms in b.forms.values() {
                    for f in forms {
                        self.add_form(f, idx, FormRole::Body, Some(&b.sub));
                    }
                }
            }
        }
        self.honorifics.extend(file.honorifics.values().flatten().map(|h| h.to_lowercase()));
        for words in file.body_words.values() {
            for w in words {
                self.body_words.push(w.split_whitespace().map(|w| WordPattern::new(w, None)).collect());
            }
        }
    }

    /// Every dictionary hit in a phrase (`lower` and `raw` word lists of equal length), longest
    /// first and without overlaps.
    pub fn hits(&self, lower: &[&str], raw: &[&str]) -> Vec<Hit> {
        let mut all = Vec::new();
        for start in 0..lower.len() {
            let elided = lower[start].split_once(['\'', '’']).map(|(_, rest)| prefix_key(rest));
            let keys = std::iter::once(prefix_key(lower[start])).chain(elided);
            let mut candidates: Vec<usize> = keys.filter_map(|k| self.by_prefix.get(&k)).flatten().copied().collect();
            candidates.dedup();
            for fi in candidates {
                let form = &self.forms[fi];
                let n = form.words.len();
                if start + n <= lower.len()
                    && form.words.iter().enumerate().all(|(k, p)| p.matches(lower[start + k], raw[start + k]))
                {
                    all.push((fi, start, start + n));
                }
            }
        }
        all.sort_by_key(|&(fi, s, e)| (std::cmp::Reverse(e - s), std::cmp::Reverse(self.forms[fi].role), s));
        let mut taken = vec![false; lower.len()];
        let mut out = Vec::new();
        for (fi, s, e) in all {
            if taken[s..e].iter().any(|&t| t) {
                continue;
            }
            taken[s..e].iter_mut().for_each(|t| *t = true);
            let f = &self.forms[fi];
            out.push(Hit { actor: f.actor, role: f.role, sub: f.sub.clone(), first: s, end: e });
        }
        out.sort_by_key(|h| h.first);
        out
    }

    pub fn is_honorific(&self, word_lower: &str) -> bool {
        self.honorifics.contains(word_lower)
    }

    /// Word ranges in the phrase that name an institution or office ("foreign ministry", "president").
    pub fn body_phrases(&self, lower: &[&str], raw: &[&str]) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for pattern in &self.body_words {
            let n = pattern.len();
            for start in 0..lower.len().saturating_sub(n - 1) {
                if pattern.iter().enumerate().all(|(k, p)| p.matches(lower[start + k], raw[start + k])) {
                    found.push((start, start + n));
                }
            }
        }
        found.sort_by_key(|&(s, e)| (std::cmp::Reverse(e - s), s));
        let mut out: Vec<(usize, usize)> = Vec::new();
        for (s, e) in found {
            if !out.iter().any(|&(os, oe)| s < oe && os < e) {
                out.push((s, e));
            }
        }
        out.sort();
        out
    }
}

fn prefix_key(lower: &str) -> String {
    lower.chars().take(3).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit_ids(dict: &Dictionary, phrase: &str) -> Vec<String> {
        let raw: Vec<&str> = phrase.split_whitespace().collect();
        let lower_owned: Vec<String> = raw.iter().map(|w| w.to_lowercase()).collect();
        let lower: Vec<&str> = lower_owned.iter().map(String::as_str).collect();
        dict.hits(&lower, &raw).into_iter().map(|h| dict.actors[h.actor].id.clone()).collect()
    }

    #[test]
    fn names_adjectives_seats_and_bodies_in_several_languages() {
        let d = Dictionary::builtin().unwrap();
        assert_eq!(hit_ids(&d, "Baku"), ["AZ"]);
        assert_eq!(hit_ids(&d, "the Azerbaijani Border Service"), ["AZ"]);
        assert_eq!(hit_ids(&d, "Washington"), ["US"]);
        assert_eq!(hit_ids(&d, "the State Department"), ["US"]);
        assert_eq!(hit_ids(&d, "Армении"), ["AM"]);
        assert_eq!(hit_ids(&d, "азербайджанская сторона"), ["AZ"]);
        assert_eq!(hit_ids(&d, "Das österreichische Innenministerium"), ["AT"]);
        assert_eq!(hit_ids(&d, "le porte-parole du Quai d'Orsay"), ["FR"]);
        assert_eq!(hit_ids(&d, "Separatist authorities of Nagorno-Karabakh"), ["NK-AUTH"]);
        assert_eq!(hit_ids(&d, "Baku's"), ["AZ"]);
    }

    #[test]
    fn names_match_in_their_inflected_forms_and_not_inside_other_words() {
        let d = Dictionary::builtin().unwrap();
        assert_eq!(hit_ids(&d, "Вашингтона"), ["US"]);
        assert_eq!(hit_ids(&d, "Россией"), ["RU"]);
        assert_eq!(hit_ids(&d, "Україною"), ["UA"]);
        assert_eq!(hit_ids(&d, "Deutschlands"), ["DE"]);
        assert_eq!(hit_ids(&d, "Того"), ["TG"]);
        for word in ["того", "тогда", "Тогда", "мало", "Мало", "даними", "nato", "usa", "gana", "commission", "island"] {
            assert!(hit_ids(&d, word).is_empty(), "{word} → {:?}", hit_ids(&d, word));
        }
        assert_eq!(hit_ids(&d, "la Nato"), ["NATO"]);
    }

    #[test]
    fn capitals_only_forms_do_not_match_ordinary_words() {
        let d = Dictionary::builtin().unwrap();
        assert_eq!(hit_ids(&d, "the US said"), ["US"]);
        assert!(hit_ids(&d, "told us who").is_empty());
        assert_eq!(hit_ids(&d, "the WHO"), ["WHO"]);
    }
}
