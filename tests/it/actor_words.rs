//! Actors are names, not words: the 3,000 most frequent lowercase words of each first-class
//! language's real text go through actor resolution (as a phrase and as words inside one) and
//! through speaker reading (as a statement's speaker mention). A country's adjective names its
//! country ("российский", "deutschen", "européenne": the dictionary's adjective forms, which may
//! be written in lower case); any other hit must be listed with its reason in
//! `tests/fixtures/actor-word-exceptions.json`. A pronoun, function word, verb or common noun may
//! not become an actor.
//!
//! The words come from `../shared/datasets/` (news, tweets and sentences in en, ru, de, fr, es,
//! it). No Ukrainian text is there, so Ukrainian reads the team's own texts (the demo corpus and
//! the gold cases), a smaller list.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use standpoint::actors::{self, Dictionary, Via};
use standpoint::lexicon::Lexicons;
use standpoint::quotes::{Kind, Statement};
use standpoint::text::ByteSpan;

use crate::common::{read_jsonl, root, shared_file};

const WORDS_PER_LANGUAGE: usize = 3000;

/// The shared files whose `text` fields are read, by language.
const SHARED: [&str; 8] = [
    "datasets/polnear/train.jsonl",
    "datasets/newsmtsc/train.jsonl",
    "datasets/rusentrel/documents_train.jsonl",
    "datasets/rusentne2023/train.jsonl",
    "datasets/spkatt2023-news/train.jsonl",
    "datasets/mardy-debatenet-taz2015/train.jsonl",
    "datasets/xlm-t-umsab/train.jsonl",
    "datasets/catalonia-independence/train.jsonl",
];

/// Words as the product splits them, lower case only (a word written in capitals anywhere in a
/// sentence may be a name; these never are), without digits.
fn count_lowercase_words(text: &str, counts: &mut HashMap<String, usize>) {
    for w in standpoint::text::words::words(text, ByteSpan::new(0, text.len())) {
        let raw = w.span.slice(text);
        if raw.chars().any(|c| c.is_uppercase() || c.is_numeric()) || !raw.chars().any(char::is_alphabetic) {
            continue;
        }
        *counts.entry(raw.to_owned()).or_default() += 1;
    }
}

fn most_frequent(counts: HashMap<String, usize>) -> Vec<String> {
    let mut all: Vec<(String, usize)> = counts.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.into_iter().take(WORDS_PER_LANGUAGE).map(|(w, _)| w).collect()
}

fn texts_by_language(files: &[&Path]) -> BTreeMap<String, HashMap<String, usize>> {
    let mut by_lang: BTreeMap<String, HashMap<String, usize>> = BTreeMap::new();
    for file in files {
        for row in read_jsonl(file) {
            let (Some(lang), Some(text)) = (row["lang"].as_str(), row["text"].as_str()) else { continue };
            count_lowercase_words(text, by_lang.entry(lang.to_owned()).or_default());
        }
    }
    by_lang
}

/// What actor resolution makes of `word`, alone and as a speaker: the actor ids it reaches other
/// than through an adjective form.
fn hits_of(word: &str, lang: &str, dict: &Dictionary, lexicons: &Lexicons) -> BTreeSet<String> {
    let cues = lexicons.cues(Some(lang));
    let mut hits = BTreeSet::new();
    let whole = ByteSpan::new(0, word.len());
    if let Some((actor, via)) = actors::resolve_phrase(word, whole, dict, cues) {
        if via != Via::Adjective {
            hits.insert(actor.id);
        }
    }
    hits.extend(actors::mentions(word, whole, dict, false).into_iter().map(|(_, a)| a.id));
    // as the speaker of a statement: "<word> — «…»"
    let text = format!("{word} — «Это так».");
    let content = ByteSpan::new(text.find('«').unwrap() + '«'.len_utf8(), text.find('»').unwrap());
    let statement =
        Statement { kind: Kind::Direct, content, cue: None, speaker: Some(whole), target: None, confidence: 1.0, continues: None };
    if let Some(Some(a)) = actors::attribute(&text, &[statement], dict, cues).into_iter().next() {
        if a.via != Via::Adjective {
            hits.insert(a.actor.id);
        }
    }
    hits
}

#[test]
fn frequent_words_of_every_first_class_language_are_not_actors() {
    let files: Vec<_> = SHARED.iter().filter_map(|f| shared_file(f)).collect();
    if files.len() < SHARED.len() {
        return;
    }
    let file_refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let mut by_lang = texts_by_language(&file_refs);
    let team = [root().join("datasets/demo/articles.jsonl"), root().join("datasets/gold/quotes/uk.jsonl")];
    let mut uk = HashMap::new();
    for file in &team {
        for row in read_jsonl(file).into_iter().filter(|r| r["lang"] == "uk") {
            count_lowercase_words(row["text"].as_str().unwrap(), &mut uk);
        }
    }
    by_lang.insert("uk".into(), uk);

    let exceptions: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/actor-word-exceptions.json")).unwrap()).unwrap();
    let dict = Dictionary::builtin().unwrap();
    let lexicons = Lexicons::builtin();
    let mut unlisted = Vec::new();
    for lang in ["en", "ru", "uk", "de", "fr", "es", "it"] {
        let words = most_frequent(by_lang.remove(lang).unwrap_or_default());
        assert!(words.len() >= if lang == "uk" { 150 } else { WORDS_PER_LANGUAGE }, "{lang}: only {} words", words.len());
        let listed = exceptions.get(lang).cloned().unwrap_or_default();
        for word in &words {
            let hits = hits_of(word, lang, &dict, &lexicons);
            if !hits.is_empty() && !listed.contains_key(word) {
                unlisted.push(format!("{lang} {word:?} → {hits:?}"));
            }
        }
    }
    assert!(unlisted.is_empty(), "{} frequent lowercase words resolve to actors:\n{}", unlisted.len(), unlisted.join("\n"));
}
