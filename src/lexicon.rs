//! Per-language knowledge of how news reports speech: quotation marks, speech verbs, cue
//! phrases, pronouns, page furniture. It lives in `data/lang/<code>.json` (compiled in by
//! `build.rs`; a user directory can add or replace languages at run time), so a language is added
//! without touching Rust. The field-by-field format is [`Lexicon`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/lang_files.rs"));
}

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{name}: {source}")]
    Parse { name: String, source: serde_json::Error },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// A verb that names its target before the content: "X accused Y of …", "X called on Y to …".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetCue {
    /// The verb phrase, e.g. "accused" or "called on".
    pub verb: String,
    /// Word that opens the content after the target ("of", "to"); empty when the content follows at once.
    #[serde(default)]
    pub then: String,
    /// The verb asks something of its target ("called on", "urged", "призвал"): the target is
    /// addressed, not judged, so no relation is read from it.
    #[serde(default)]
    pub request: bool,
}

/// NLI hypothesis templates for one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StanceHypotheses {
    pub favor: String,
    pub against: String,
}

impl StanceHypotheses {
    /// The two hypotheses for a target.
    pub fn for_target(&self, target: &str) -> (String, String) {
        (self.favor.replace("{target}", target), self.against.replace("{target}", target))
    }
}

/// One language file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// ISO 639-1 code.
    pub code: String,
    /// Quotation mark pairs `[open, close]` used in this language.
    pub quote_pairs: Vec<[String; 2]>,
    /// Whether all nouns are written with a capital (German): a lower-case word then ends a name.
    #[serde(default)]
    pub nouns_capitalized: bool,
    /// Whether paragraphs opened by a dash are dialogue lines ("— Текст, — сказал он").
    #[serde(default)]
    pub dialogue_dash: bool,
    /// Word forms of verbs of saying ("said", "заявил"); a trailing `*` matches any ending.
    pub speech_verbs: Vec<String>,
    /// Verbs of belief, perception or finding ("believes", "polls show"): attributions of kind belief.
    #[serde(default)]
    pub belief_verbs: Vec<String>,
    /// Phrases that put the speaker after them: "according to X", "по словам X".
    #[serde(default)]
    pub according_to: Vec<String>,
    /// Participles that report speech for the sentence's subject ("…, saying that …").
    #[serde(default)]
    pub participle_cues: Vec<String>,
    /// Endings of an unlisted word read as a verb of saying right after a named speaker of a
    /// quotation closed by a comma ('"…," Toomey fumed'): "ed" in English.
    #[serde(default)]
    pub speech_verb_endings: Vec<String>,
    /// Auxiliaries that make a participle cue a finite verb of saying ("is insisting that").
    #[serde(default)]
    pub progressive_auxiliaries: Vec<String>,
    /// Endings of present participles ("-ing"): '"…," he said, popping a Coke' is no more quotation.
    #[serde(default)]
    pub participle_endings: Vec<String>,
    /// Words that open an absolute phrase whose noun phrase speaks through a participle cue
    /// ("with the union calling her …").
    #[serde(default)]
    pub absolute_markers: Vec<String>,
    /// Words that may open reported content after a verb ("that", "что", "dass").
    #[serde(default)]
    pub complementizers: Vec<String>,
    /// Verbs with a target before the content.
    #[serde(default)]
    pub target_cues: Vec<TargetCue>,
    /// Pronouns that can be speakers, mapped to what they refer to: person, thing, group.
    #[serde(default)]
    pub pronouns: BTreeMap<String, String>,
    /// Nouns that, with a definite article, refer back to an earlier speaker ("the ministry").
    #[serde(default)]
    pub anaphor_heads: Vec<String>,
    /// Words skipped between a speaker and its verb ("also", "however", auxiliaries).
    #[serde(default)]
    pub skip_words: Vec<String>,
    /// Words that end a speaker phrase when read backwards from the verb ("and", "which").
    #[serde(default)]
    pub clause_breaks: Vec<String>,
    /// Coordinating conjunctions: a verb of saying right after one shares the sentence's subject
    /// ("X called on Y to … and said …").
    #[serde(default)]
    pub coordinators: Vec<String>,
    /// Abbreviations whose period does not end a sentence, lower case ("mr.", "u.s.").
    #[serde(default)]
    pub abbreviations: Vec<String>,
    /// Phrases that mark the outlet's own page furniture (donation appeals, "read more").
    #[serde(default)]
    pub boilerplate: Vec<String>,
    /// Words that address the reader ("you", "your"): a long paragraph with a furniture phrase
    /// opens the page's closing furniture only if it speaks to the reader ("asking supporters to
    /// donate" in a news paragraph does not).
    #[serde(default)]
    pub reader_address: Vec<String>,
    /// Determiners that make a noun phrase definite ("the", "der", "la").
    #[serde(default)]
    pub definite_articles: Vec<String>,
    /// Determiners: a cue word right after one is a noun ("the claims"), not a verb.
    #[serde(default)]
    pub determiners: Vec<String>,
    /// Relative pronouns: "Armenia, which denied …" makes "Armenia" the speaker of "denied".
    #[serde(default)]
    pub relative_pronouns: Vec<String>,
    /// Prepositions: a speaker phrase after its verb ends at one ("said the ministry in a statement").
    #[serde(default)]
    pub prepositions: Vec<String>,
    /// Words that join a speaker phrase across a preposition-like link ("head of the mission", "du Quai").
    #[serde(default)]
    pub connectors: Vec<String>,
    /// Hypotheses for zero-shot stance with an NLI model (`--model`), `{target}` marking where
    /// the target goes: `{"favor": "This statement supports {target}.", "against": …}`.
    #[serde(default)]
    pub stance_hypotheses: Option<StanceHypotheses>,
    /// Polls, surveys, studies, reports: "In the new poll, CONTENT" makes the poll the source.
    #[serde(default)]
    pub survey_nouns: Vec<String>,
    /// People a country's adjective can qualify without their being its state: "Azerbaijani
    /// activists", "армянская оппозиция". Lower case; `stem*` entries allowed.
    #[serde(default)]
    pub civil_nouns: Vec<String>,
    /// Labels that open a line with a colon without naming a speaker ("Update:", "Photo:",
    /// "Читайте также:"), lower case.
    #[serde(default)]
    pub colon_labels: Vec<String>,
    /// Discourse markers ("however", "кроме того", "en particulier"), lower case: a content that
    /// is nothing but one is no statement.
    #[serde(default)]
    pub discourse_markers: Vec<String>,
    /// Prepositions that make the name after them a place ("in Nagorno-Karabakh", "в Карабахе"):
    /// a place named inside a statement is not its government, so no relation is read from it.
    #[serde(default)]
    pub locatives: Vec<String>,
    /// Verbs of physical action ("blocked", "shelled", "задержал*"): a learned statement cued by
    /// one reports an act, not something said.
    #[serde(default)]
    pub action_verbs: Vec<String>,
    /// Definite phrases that point back to an event already reported ("the development", "этот
    /// шаг"): a statement holding one is about what the statement before it was about.
    #[serde(default)]
    pub event_anaphors: Vec<String>,
    /// Cues that carry on what the speaker was saying ("added", "добавил", "fügte … hinzu"): the
    /// statement is about what the statement before it was about.
    #[serde(default)]
    pub continuation_cues: Vec<String>,
    /// How the speaker reports its own acts ("we set up the checkpoint"): see [`crate::acts`].
    #[serde(default)]
    pub acts: ActLexicon,
}

/// Words for finding a speaker's own acts in what it says.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActLexicon {
    /// Verbs of carrying out a measure: "set up", "established", "ввели" (`*` as in speech verbs).
    pub verbs: Vec<String>,
    /// Words allowed between the agent and the verb ("has", "will", "also").
    pub auxiliaries: Vec<String>,
    /// First-person pronouns: in a statement they are the speaker.
    pub first_person: Vec<String>,
    /// Words that negate or deny what follows ("not", "denied"); `*x` matches any word ending in x.
    pub negations: Vec<String>,
    /// Whether a subject may go unsaid ("заявил, что ввёл …"): content that opens with an act verb
    /// then has the speaker as its agent.
    #[serde(default)]
    pub pro_drop: bool,
}

/// Word-level lookups built from one or more lexicons.
#[derive(Debug, Default)]
pub struct Cues {
    pub speech: WordSet,
    pub belief: WordSet,
    pub participles: WordSet,
    pub speech_verb_endings: Vec<String>,
    pub progressive_auxiliaries: HashSet<String>,
    pub participle_endings: Vec<String>,
    pub absolute_markers: HashSet<String>,
    pub according_to: Vec<Vec<String>>,
    pub complementizers: HashSet<String>,
    pub target_cues: Vec<(Vec<String>, String)>,
    /// The request verbs among the target cues, with their linking words.
    pub requests: Vec<(Vec<String>, String)>,
    pub pronouns: HashMap<String, String>,
    pub anaphor_heads: HashSet<String>,
    pub skip_words: HashSet<String>,
    pub clause_breaks: HashSet<String>,
    pub coordinators: HashSet<String>,
    pub abbreviations: HashSet<String>,
    pub boilerplate: Vec<String>,
    pub reader_address: HashSet<String>,
    pub definite_articles: HashSet<String>,
    pub relative_pronouns: HashSet<String>,
    pub determiners: HashSet<String>,
    pub prepositions: HashSet<String>,
    pub connectors: HashSet<String>,
    pub discourse_markers: HashSet<String>,
    pub locatives: HashSet<String>,
    pub dialogue_dash: bool,
    pub nouns_capitalized: bool,
    pub colon_labels: HashSet<String>,
    pub survey_nouns: HashSet<String>,
    pub civil_nouns: WordSet,
    pub act_verbs: WordSet,
    pub action_verbs: WordSet,
    pub event_anaphors: WordSet,
    pub continuation_cues: WordSet,
    pub act_auxiliaries: HashSet<String>,
    pub first_person: HashSet<String>,
    pub negations: WordSet,
    pub pro_drop: bool,
}

/// Exact words, stems (`заяв*`), endings (`*n't`) and phrases, lower case.
#[derive(Debug, Default)]
pub struct WordSet {
    exact: HashSet<String>,
    stems: Vec<String>,
    endings: Vec<String>,
    phrases: Vec<Vec<String>>,
}

impl WordSet {
    fn add(&mut self, entry: &str) {
        let entry = entry.to_lowercase();
        if entry.contains(' ') {
            self.phrases.push(entry.split(' ').map(str::to_owned).collect());
        } else if let Some(stem) = entry.strip_suffix('*') {
            self.stems.push(stem.to_owned());
        } else if let Some(ending) = entry.strip_prefix('*') {
            self.endings.push(ending.to_owned());
        } else {
            self.exact.insert(entry);
        }
    }

    pub fn contains(&self, word_lower: &str) -> bool {
        self.exact.contains(word_lower)
            || self.stems.iter().any(|s| word_lower.starts_with(s.as_str()))
            || self.endings.iter().any(|e| word_lower.ends_with(e.as_str()))
    }

    /// Whether an entry, one word or several, stands anywhere in `words` (lower case).
    pub fn found_in(&self, words: &[&str]) -> bool {
        (0..words.len()).any(|k| self.contains(words[k]) || self.phrase_len(&words[k..]).is_some())
    }

    /// Multi-word entries ("told reporters"): how many words match starting at `words[0]`.
    pub fn phrase_len(&self, words: &[&str]) -> Option<usize> {
        self.phrases
            .iter()
            .filter(|p| p.len() <= words.len() && p.iter().zip(words).all(|(a, b)| a == b))
            .map(Vec::len)
            .max()
    }
}

/// All known languages, with each language's [`Cues`] built once.
pub struct Lexicons {
    by_code: BTreeMap<String, Lexicon>,
    cues_by_code: HashMap<String, Cues>,
    /// Every language's cues merged: for text of unknown language.
    cues_all: Cues,
}

impl Lexicons {
    /// The built-in files, plus (optionally) a user directory whose files add or replace languages.
    pub fn load(user_dir: Option<&Path>) -> Result<Self, LexiconError> {
        let mut by_code = BTreeMap::new();
        for (name, text) in embedded::FILES {
            let lex: Lexicon =
                serde_json::from_str(text).map_err(|source| LexiconError::Parse { name: name.to_string(), source })?;
            by_code.insert(lex.code.clone(), lex);
        }
        if let Some(dir) = user_dir {
            let io = |source| LexiconError::Io { path: dir.display().to_string(), source };
            for entry in std::fs::read_dir(dir).map_err(io)? {
                let path = entry.map_err(io)?.path();
                if path.extension().is_some_and(|e| e == "json") {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|source| LexiconError::Io { path: path.display().to_string(), source })?;
                    let lex: Lexicon = serde_json::from_str(&text)
                        .map_err(|source| LexiconError::Parse { name: path.display().to_string(), source })?;
                    by_code.insert(lex.code.clone(), lex);
                }
            }
        }
        let cues_by_code = by_code.iter().map(|(code, lex)| (code.clone(), Cues::from_lexicons(&[lex], true))).collect();
        let cues_all = Cues::from_lexicons(&by_code.values().collect::<Vec<_>>(), false);
        Ok(Lexicons { by_code, cues_by_code, cues_all })
    }

    pub fn builtin() -> Self {
        Self::load(None).expect("the built-in language files are valid (a unit test holds this)")
    }

    pub fn get(&self, code: &str) -> Option<&Lexicon> {
        self.by_code.get(code)
    }

    /// Quote pairs of every language: an article's quotation marks need not follow its language.
    /// One value per language that has it, by code.
    pub fn codes_with<T>(&self, f: impl Fn(&Lexicon) -> Option<T>) -> std::collections::HashMap<String, T> {
        self.by_code.iter().filter_map(|(code, l)| Some((code.clone(), f(l)?))).collect()
    }

    /// The NLI hypotheses for a language; English when it has none.
    pub fn hypotheses(&self, code: Option<&str>) -> Option<&StanceHypotheses> {
        code.and_then(|c| self.get(c)).and_then(|l| l.stance_hypotheses.as_ref()).or_else(|| self.get("en")?.stance_hypotheses.as_ref())
    }

    pub fn all_quote_pairs(&self) -> Vec<(char, char)> {
        let mut pairs: Vec<(char, char)> = self
            .by_code
            .values()
            .flat_map(|l| l.quote_pairs.iter())
            .filter_map(|[o, c]| Some((o.chars().next()?, c.chars().next()?)))
            .collect();
        pairs.sort();
        pairs.dedup();
        pairs
    }

    /// Cues for one language; `None` or a language without a file merges every language's cues.
    pub fn cues(&self, code: Option<&str>) -> &Cues {
        code.and_then(|c| self.cues_by_code.get(c)).unwrap_or(&self.cues_all)
    }
}

impl Cues {
    /// The cues of `selected` merged; `one_language` when they are a known language's own (only
    /// then does its noun capitalisation apply).
    fn from_lexicons(selected: &[&Lexicon], one_language: bool) -> Cues {
        let mut cues = Cues::default();
        let lower = |s: &String| s.to_lowercase();
        for lex in selected {
            lex.speech_verbs.iter().for_each(|v| cues.speech.add(v));
            lex.belief_verbs.iter().for_each(|v| cues.belief.add(v));
            lex.participle_cues.iter().for_each(|v| cues.participles.add(v));
            cues.speech_verb_endings.extend(lex.speech_verb_endings.iter().map(lower));
            cues.progressive_auxiliaries.extend(lex.progressive_auxiliaries.iter().map(lower));
            cues.participle_endings.extend(lex.participle_endings.iter().map(lower));
            cues.absolute_markers.extend(lex.absolute_markers.iter().map(lower));
            cues.according_to.extend(lex.according_to.iter().map(|p| p.to_lowercase().split(' ').map(str::to_owned).collect()));
            cues.complementizers.extend(lex.complementizers.iter().map(lower));
            let phrase = |t: &TargetCue| (t.verb.to_lowercase().split(' ').map(str::to_owned).collect::<Vec<_>>(), t.then.to_lowercase());
            cues.target_cues.extend(lex.target_cues.iter().map(phrase));
            cues.requests.extend(lex.target_cues.iter().filter(|t| t.request).map(phrase));
            cues.pronouns.extend(lex.pronouns.iter().map(|(k, v)| (k.to_lowercase(), v.clone())));
            cues.anaphor_heads.extend(lex.anaphor_heads.iter().map(lower));
            cues.skip_words.extend(lex.skip_words.iter().map(lower));
            cues.clause_breaks.extend(lex.clause_breaks.iter().map(lower));
            cues.coordinators.extend(lex.coordinators.iter().map(lower));
            cues.abbreviations.extend(lex.abbreviations.iter().map(lower));
            cues.boilerplate.extend(lex.boilerplate.iter().map(lower));
            cues.reader_address.extend(lex.reader_address.iter().map(lower));
            cues.definite_articles.extend(lex.definite_articles.iter().map(lower));
            cues.relative_pronouns.extend(lex.relative_pronouns.iter().map(lower));
            cues.determiners.extend(lex.determiners.iter().map(lower));
            cues.prepositions.extend(lex.prepositions.iter().map(lower));
            cues.connectors.extend(lex.connectors.iter().map(lower));
            cues.colon_labels.extend(lex.colon_labels.iter().map(lower));
            cues.discourse_markers.extend(lex.discourse_markers.iter().map(lower));
            cues.locatives.extend(lex.locatives.iter().map(lower));
            cues.survey_nouns.extend(lex.survey_nouns.iter().map(lower));
            lex.civil_nouns.iter().for_each(|v| cues.civil_nouns.add(v));
            lex.acts.verbs.iter().for_each(|v| cues.act_verbs.add(v));
            lex.action_verbs.iter().for_each(|v| cues.action_verbs.add(v));
            lex.event_anaphors.iter().for_each(|v| cues.event_anaphors.add(v));
            lex.continuation_cues.iter().for_each(|v| cues.continuation_cues.add(v));
            lex.acts.negations.iter().for_each(|v| cues.negations.add(v));
            cues.act_auxiliaries.extend(lex.acts.auxiliaries.iter().map(lower));
            cues.first_person.extend(lex.acts.first_person.iter().map(lower));
            cues.pro_drop = lex.acts.pro_drop && one_language;
            cues.dialogue_dash |= lex.dialogue_dash;
            cues.nouns_capitalized = lex.nouns_capitalized && one_language;
        }
        cues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse_and_cover_the_first_class_languages() {
        let lex = Lexicons::load(None).unwrap();
        for code in ["en", "ru", "de", "fr", "es", "uk", "it"] {
            let l = lex.get(code).unwrap_or_else(|| panic!("no data/lang/{code}.json"));
            assert!(!l.speech_verbs.is_empty() && !l.quote_pairs.is_empty(), "{code}");
        }
    }

    #[test]
    fn stems_and_phrases_match() {
        let mut set = WordSet::default();
        set.add("заяв*");
        set.add("told reporters");
        assert!(set.contains("заявила"));
        assert!(!set.contains("сказал"));
        assert_eq!(set.phrase_len(&["told", "reporters", "on"]), Some(2));
        set.add("*n't");
        assert!(set.contains("didn't") && !set.contains("did"));
    }
}
