//! From speaker phrases to canonical actors.
//!
//! A speaker phrase resolves, in this order:
//! 1. **Named**: the [`dictionary`] finds a state, body or group in it — by name ("Azerbaijan"),
//!    adjective ("the Armenian foreign ministry"), seat of power ("Baku", "the Kremlin") or
//!    institution ("the State Department"); an office word in the phrase becomes the sub-actor.
//!    A country's people who are not its state ("Azerbaijani activists": the language's
//!    `civil_nouns`) are a group of their own, the country its parent.
//! 2. **A person**: capitalised words after a role ("Foreign Minister Lena Havel") name a person,
//!    with the role and, if the phrase names one, the state they belong to.
//! 3. **Coreference**: a pronoun inside a sentence goes to what the sentence named before it
//!    ("Russia …, which it sees as …"); otherwise to the last speaker of a fitting kind; a
//!    definite description ("the ministry", "the state border service") to the nearest earlier
//!    mention of its head word that names an actor, else to the last speaker.
//! 4. **Anyone else named or described** stays an actor in their own right (`other:<phrase>`).
//!    A lone lower-case word ("officials", a verb the reader took for a speaker) names nobody:
//!    the statement stays, with its speaker mention, unattributed.

pub mod dictionary;

use serde::{Deserialize, Serialize};

use crate::lexicon::Cues;
use crate::quotes::Statement;
use crate::text::words::{words, Word};
use crate::text::ByteSpan;
pub use dictionary::Dictionary;
use dictionary::FormRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    State,
    Body,
    Group,
    Person,
    Other,
}

/// A canonical actor as reported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// ISO 3166-1 alpha-2 for states ("AZ"), the alias id for bodies and groups ("EU"),
    /// `person:<name>` or `other:<phrase>` otherwise.
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    /// The actor this one belongs to (a person's state), when known.
    pub parent: Option<String>,
    /// The institution inside the actor that spoke ("foreign ministry", "State Department").
    pub sub: Option<String>,
    /// A person's role as the text gives it ("Foreign Minister").
    pub role: Option<String>,
}

/// How a speaker phrase reached its actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Name,
    Adjective,
    Metonym,
    Institution,
    Person,
    Pronoun,
    /// A relative pronoun ("Armenia, which denied"), resolved through its antecedent.
    Relative,
    Anaphor,
    Unresolved,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub actor: Actor,
    pub via: Via,
    pub confidence: f32,
}

struct Phrase<'t> {
    words: Vec<Word>,
    lower: Vec<&'t str>,
    raw: Vec<&'t str>,
}

fn phrase<'t>(text: &'t str, span: ByteSpan, owned: &'t mut Vec<Word>) -> Phrase<'t> {
    *owned = words(text, span);
    let lower = owned.iter().map(|w| w.lower.as_str()).collect();
    let raw = owned.iter().map(|w| w.span.slice(text)).collect();
    Phrase { words: owned.clone(), lower, raw }
}

fn known_actor(dict: &Dictionary, idx: usize) -> Actor {
    let k = &dict.actors[idx];
    Actor { id: k.id.clone(), name: k.name.clone(), kind: k.kind, parent: k.parent.clone(), sub: None, role: None }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Resolves a phrase by the dictionary and the person pattern only (no coreference).
pub fn resolve_phrase(text: &str, span: ByteSpan, dict: &Dictionary, cues: &Cues) -> Option<(Actor, Via)> {
    let mut owned = Vec::new();
    let p = phrase(text, span, &mut owned);
    if p.words.is_empty() {
        return None;
    }
    let hits = dict.hits(&p.lower, &p.raw);
    let bodies = dict.body_phrases(&p.lower, &p.raw);
    let joined = |s: usize, e: usize| text[p.words[s].span.start..p.words[e - 1].span.end].to_owned();

    // A personal name: the trailing run of capitalised words that are neither dictionary forms,
    // office words nor the phrase's first word alone.
    let covered = |k: usize| hits.iter().any(|h| h.first <= k && k < h.end) || bodies.iter().any(|&(s, e)| s <= k && k < e);
    let mut name_start = p.words.len();
    while name_start > 0 && p.words[name_start - 1].is_capitalized(text) && !covered(name_start - 1) {
        name_start -= 1;
    }
    let name_len = p.words.len() - name_start;
    let role = bodies.iter().filter(|&&(_, e)| e <= name_start).last().map(|&(s, e)| joined(s, e));
    // "ministro de Agricultura": a capitalised word after a connector is a portfolio, not a name
    let after_connector = name_start > 0 && cues.connectors.contains(p.lower[name_start - 1]);
    // Where every noun is capitalised (German), only a role in front marks a personal name.
    let name_needs_role = cues.nouns_capitalized && role.is_none();
    if !name_needs_role && (name_len >= 2 || (name_len == 1 && role.is_some() && !after_connector)) {
        // "Mr. Verdery" is Verdery: courtesy titles are not part of the canonical name
        let mut first = name_start;
        while first + 1 < p.words.len() && dict.is_honorific(p.lower[first]) {
            first += 1;
        }
        let name = joined(first, p.words.len());
        let parent = hits.first().map(|h| dict.actors[h.actor].id.clone());
        let actor = Actor {
            id: format!("person:{}", slug(&name)),
            name,
            kind: ActorKind::Person,
            parent,
            sub: None,
            role,
        };
        return Some((actor, Via::Person));
    }

    let via_of = |role: FormRole| match role {
        FormRole::Body => Via::Institution,
        FormRole::Seat => Via::Metonym,
        FormRole::Adjective => Via::Adjective,
        FormRole::Name => Via::Name,
    };
    // "Azerbaijani activists", "les militants arméniens": people of a country, not its state —
    // a group of their own, the country their parent
    if let Some(hit) = hits.first().filter(|_| bodies.is_empty() && hits.iter().all(|h| h.role != FormRole::Body)) {
        let outside = |k: &usize| !(hit.first <= *k && *k < hit.end);
        if (0..p.words.len()).filter(outside).any(|k| cues.civil_nouns.contains(p.lower[k])) {
            let first = (0..p.words.len())
                .find(|&k| !cues.determiners.contains(p.lower[k]) && !cues.definite_articles.contains(p.lower[k]))
                .unwrap_or(0);
            let name = joined(first, p.words.len());
            let parent = Some(dict.actors[hit.actor].id.clone());
            let actor = Actor { id: format!("group:{}", slug(&name)), name, kind: ActorKind::Group, parent, sub: None, role: None };
            return Some((actor, via_of(hit.role)));
        }
    }
    if let Some(hit) = hits.iter().max_by_key(|h| (h.role == FormRole::Body, h.role == FormRole::Name, std::cmp::Reverse(h.first))) {
        let mut actor = known_actor(dict, hit.actor);
        let via = via_of(hit.role);
        actor.sub = hit.sub.clone().or_else(|| bodies.first().map(|&(s, e)| joined(s, e).to_lowercase()));
        return Some((actor, via));
    }
    None
}

/// Every actor the dictionary names inside `span` (states, bodies, groups), with the words that
/// name it, in text order; one entry per actor (its first mention). Adjectives count only when
/// `adjectives` is set: "the Armenian side" names Armenia, "Armenian-majority region" hardly does.
pub fn mentions(text: &str, span: ByteSpan, dict: &Dictionary, adjectives: bool) -> Vec<(ByteSpan, Actor)> {
    let mut owned = Vec::new();
    let p = phrase(text, span, &mut owned);
    let mut out: Vec<(ByteSpan, Actor)> = Vec::new();
    for hit in dict.hits(&p.lower, &p.raw) {
        if hit.role == FormRole::Adjective && !adjectives {
            continue;
        }
        let actor = known_actor(dict, hit.actor);
        if out.iter().any(|(_, a)| a.id == actor.id) {
            continue;
        }
        out.push((ByteSpan::new(p.words[hit.first].span.start, p.words[hit.end - 1].span.end), actor));
    }
    out
}

fn is_pronoun(p: &[&str], cues: &Cues) -> Option<String> {
    (p.len() == 1).then(|| cues.pronouns.get(p[0]).cloned()).flatten()
}

/// Actors for every statement of one article, in statement order.
pub fn attribute(text: &str, statements: &[Statement], dict: &Dictionary, cues: &Cues) -> Vec<Option<Attribution>> {
    let mut out: Vec<Option<Attribution>> = Vec::with_capacity(statements.len());
    // the article's sentences, split once if a pronoun needs them
    let sentence_spans = std::cell::OnceCell::new();
    for (i, st) in statements.iter().enumerate() {
        let Some(mention) = st.speaker else {
            out.push(None);
            continue;
        };
        // "Armenia, which denied …": the relative pronoun's antecedent is resolved in its place
        let antecedent = crate::quotes::cues::relative_antecedent(text, mention, cues);
        let span = antecedent.unwrap_or(mention);
        let resolved = resolve_phrase(text, span, dict, cues)
            .or_else(|| placed(text, span, dict, cues))
            .map(|(actor, via)| Attribution { actor, via, confidence: st.confidence })
            .or_else(|| {
                let earlier = &statements[..i];
                let cx = Context { text, content: st.content, earlier, resolved: &out, dict, cues, sentence_spans: &sentence_spans };
                corefer(&cx, span)
            })
            .map(|a| if antecedent.is_some() { Attribution { via: Via::Relative, ..a } } else { a });
        let lower = span.slice(text).to_lowercase();
        if resolved.is_none() && (cues.pronouns.contains_key(lower.trim()) || !names_someone(text, span, cues)) {
            // a pronoun with no antecedent, or words with no name among them ("поддержал",
            // "officials"), name nobody: the statement stays, unattributed, its mention kept
            out.push(None);
            continue;
        }
        let attribution = resolved.unwrap_or_else(|| {
                let mention = span.slice(text);
                let mut owned = Vec::new();
                let p = phrase(text, span, &mut owned);
                let content_words: Vec<&str> =
                    p.raw.iter().zip(&p.lower).filter(|(_, l)| !cues.determiners.contains(**l)).map(|(r, _)| *r).collect();
                let name = if content_words.is_empty() { mention.to_owned() } else { content_words.join(" ") };
                Attribution {
                    actor: Actor { id: format!("other:{}", slug(&name)), name, kind: ActorKind::Other, parent: None, sub: None, role: None },
                    via: Via::Unresolved,
                    confidence: st.confidence * 0.8,
                }
            });
        out.push(Some(attribution));
    }
    out
}

/// Whether an unresolved speaker phrase names someone: it holds a word written with a capital,
/// as a name does ("Peskov", "l'Économie"), or describes a party in more than one word ("the
/// regional farmers' union", "местных властей"). A lone lower-case word ("officials",
/// "поддержал", "l'entreprise") names nobody. Where every noun is capitalised (German) or a
/// common noun opens its sentence, a lone common noun still passes.
fn names_someone(text: &str, span: ByteSpan, cues: &Cues) -> bool {
    let words = words(text, span);
    let capitalised = |w: &Word| {
        let after_elision = w.span.slice(text).split_once(['\'', '’']).map(|(_, rest)| rest);
        w.is_capitalized(text) || after_elision.is_some_and(|rest| rest.chars().next().is_some_and(char::is_uppercase))
    };
    let content = words.iter().filter(|w| !cues.determiners.contains(&w.lower) && !cues.definite_articles.contains(&w.lower));
    words.iter().any(capitalised) || content.count() >= 2
}

/// "das Außenministerium in Berlin", "the ministry in Baku": an office the phrase names without
/// its state, placed by the words right after it (a preposition and a state or its capital).
fn placed(text: &str, span: ByteSpan, dict: &Dictionary, cues: &Cues) -> Option<(Actor, Via)> {
    let mut owned = Vec::new();
    let p = phrase(text, span, &mut owned);
    let office = dict.body_phrases(&p.lower, &p.raw).first().copied().or_else(|| {
        let k = p.lower.iter().rposition(|w| cues.anaphor_heads.contains(*w))?;
        Some((k, k + 1))
    })?;
    let after = crate::text::words::words(text, ByteSpan::new(span.end, text[span.end..].char_indices().nth(60).map_or(text.len(), |(i, _)| span.end + i)));
    let preposition = after.first().filter(|w| cues.prepositions.contains(&w.lower) && w.span.start - span.end <= 1)?;
    // the place follows at once, in the same clause
    let place = after.iter().skip(1).take(3).take_while(|w| w.is_capitalized(text)).last()?;
    if text[preposition.span.end..place.span.end].contains([',', '.', ';', ':']) {
        return None;
    }
    let (mut actor, _) = resolve_phrase(text, ByteSpan::new(after[1].span.start, place.span.end), dict, cues)?;
    if !matches!(actor.kind, ActorKind::State | ActorKind::Body | ActorKind::Group) {
        return None;
    }
    actor.sub = Some(text[p.words[office.0].span.start..p.words[office.1 - 1].span.end].to_lowercase());
    Some((actor, Via::Institution))
}

/// A pronoun inside a sentence names what that sentence named before it ("Russia has been losing
/// influence in the region, which it sees as …" is Russia): the nearest earlier speaker of the
/// sentence, or the nearest actor it names outside any statement's content (`content`: the
/// pronoun's own statement). `None` for a pronoun that opens its sentence.
fn named_before_in_sentence(cx: &Context, span: ByteSpan, wants_person: bool) -> Option<Actor> {
    use crate::text::sentences::{paragraphs, sentences};
    let Context { text, content, earlier, resolved, dict, cues, sentence_spans } = *cx;
    let all = sentence_spans.get_or_init(|| paragraphs(text).into_iter().flat_map(|p| sentences(text, p, &cues.abbreviations)).collect());
    let sentence = all.iter().find(|s| s.start <= span.start && span.start < s.end)?;
    let before = ByteSpan::new(sentence.start, span.start);
    let speakers = earlier.iter().zip(resolved).filter_map(|(st, a)| {
        let speaker = st.speaker?;
        Some((speaker.start, a.as_ref()?.actor.clone())).filter(|_| before.contains(&speaker))
    });
    let quoted = |s: &ByteSpan| content.contains(s) || earlier.iter().any(|st| st.content.contains(s));
    let named = mentions(text, before, dict, false).into_iter().filter(|(s, _)| !quoted(s)).map(|(s, a)| (s.start, a));
    speakers.chain(named).filter(|(_, a)| (a.kind == ActorKind::Person) == wants_person).max_by_key(|(start, _)| *start).map(|(_, a)| a)
}

/// What coreference reads besides the speaker phrase: the statement it speaks (`content`) and
/// the statements before it with their actors.
#[derive(Clone, Copy)]
struct Context<'a> {
    text: &'a str,
    content: ByteSpan,
    earlier: &'a [Statement],
    resolved: &'a [Option<Attribution>],
    dict: &'a Dictionary,
    cues: &'a Cues,
    /// The article's sentences, split on first use.
    sentence_spans: &'a std::cell::OnceCell<Vec<ByteSpan>>,
}

/// Pronouns and definite descriptions, resolved against what came before.
fn corefer(cx: &Context, span: ByteSpan) -> Option<Attribution> {
    let Context { text, earlier, resolved, dict, cues, .. } = *cx;
    let mut owned = Vec::new();
    let p = phrase(text, span, &mut owned);
    let previous = || earlier.iter().zip(resolved).rev().filter_map(|(s, a)| Some((s, a.as_ref()?)));

    if let Some(reference) = is_pronoun(&p.lower, cues) {
        let wants_person = reference == "person";
        if let Some(actor) = named_before_in_sentence(cx, span, wants_person) {
            return Some(Attribution { actor, via: Via::Pronoun, confidence: 0.75 });
        }
        let (_, a) = previous()
            .find(|(_, a)| (a.actor.kind == ActorKind::Person) == wants_person)
            .or_else(|| previous().next())?;
        return Some(Attribution { actor: a.actor.clone(), via: Via::Pronoun, confidence: a.confidence * 0.9 });
    }

    let definite = p.lower.first().is_some_and(|w| cues.definite_articles.contains(*w) || cues.determiners.contains(*w));
    let head = p.lower.iter().rev().find(|w| cues.anaphor_heads.contains(**w)).copied();
    let head = head?;
    if !definite && p.lower.len() > 1 {
        return None;
    }
    // The nearest earlier mention of the head word that names an actor ("Azerbaijani Border Service").
    let before = &text[..span.start];
    let lower_before = before.to_lowercase();
    let mut search_end = lower_before.len();
    while let Some(pos) = lower_before[..search_end].rfind(head) {
        search_end = pos;
        if before.len() != lower_before.len() {
            break; // lower-casing changed byte lengths: offsets would not line up
        }
        let window_start = before[..pos].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
        let window = ByteSpan::new(window_start, (pos + head.len()).min(before.len()));
        if !before.is_char_boundary(window.end) {
            continue;
        }
        let mut w_owned = Vec::new();
        let wp = phrase(text, window, &mut w_owned);
        let tail = wp.lower.len().saturating_sub(5);
        if let Some(hit) = dict.hits(&wp.lower[tail..], &wp.raw[tail..]).last() {
            let mut actor = known_actor(dict, hit.actor);
            let bodies = dict.body_phrases(&p.lower, &p.raw);
            actor.sub = bodies.first().map(|&(s, e)| text[p.words[s].span.start..p.words[e - 1].span.end].to_lowercase());
            return Some(Attribution { actor, via: Via::Anaphor, confidence: 0.75 });
        }
    }
    // Otherwise the last institutional speaker — for a bare description only ("the ministry");
    // one with modifiers of its own ("the downstream republic's ministry") is someone new.
    if p.lower.len() > 2 {
        return None;
    }
    let (_, a) = previous().find(|(_, a)| a.actor.kind != ActorKind::Person)?;
    let mut actor = a.actor.clone();
    let bodies = dict.body_phrases(&p.lower, &p.raw);
    if let Some(&(s, e)) = bodies.first() {
        actor.sub = Some(text[p.words[s].span.start..p.words[e - 1].span.end].to_lowercase());
    }
    Some(Attribution { actor, via: Via::Anaphor, confidence: a.confidence * 0.7 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;

    fn resolve(text: &str, lang: &str) -> (Actor, Via) {
        let (dict, lexicons) = (Dictionary::builtin().unwrap(), Lexicons::builtin());
        resolve_phrase(text, ByteSpan::new(0, text.len()), &dict, lexicons.cues(Some(lang))).unwrap()
    }

    #[test]
    fn a_countrys_people_are_a_group_of_their_own_not_its_state() {
        let (a, via) = resolve("Azerbaijani activists", "en");
        assert_eq!(
            (a.id.as_str(), a.name.as_str(), a.kind, a.parent.as_deref(), via),
            ("group:azerbaijani-activists", "Azerbaijani activists", ActorKind::Group, Some("AZ"), Via::Adjective)
        );
        let (a, _) = resolve("les manifestants arméniens", "fr");
        assert_eq!((a.kind, a.parent.as_deref(), a.name.as_str()), (ActorKind::Group, Some("AM"), "manifestants arméniens"));
        let (a, _) = resolve("азербайджанские активисты", "ru");
        assert_eq!((a.kind, a.parent.as_deref()), (ActorKind::Group, Some("AZ")));
        // the state's own people stay the state
        let stay = [("Azerbaijani officials", "en"), ("the Armenian foreign ministry", "en"), ("Baku", "en"), ("азербайджанская сторона", "ru")];
        for (phrase, lang) in stay {
            let (a, _) = resolve(phrase, lang);
            assert!(matches!(a.id.as_str(), "AZ" | "AM") && a.kind == ActorKind::State, "{phrase}: {a:?}");
        }
    }

    #[test]
    fn a_capitalised_portfolio_after_a_connector_is_no_personal_name() {
        let (dict, lexicons) = (Dictionary::builtin().unwrap(), Lexicons::builtin());
        for (phrase, lang) in [("il ministro delle Imprese", "it"), ("il ministro dello Sviluppo", "it"), ("el ministro de Agricultura", "es")] {
            let found = resolve_phrase(phrase, ByteSpan::new(0, phrase.len()), &dict, lexicons.cues(Some(lang)));
            assert!(found.as_ref().is_none_or(|(a, _)| a.kind != ActorKind::Person), "{phrase}: {found:?}");
        }
        assert_eq!(resolve("il ministro Adolfo Urso", "it").0.id, "person:adolfo-urso");
    }

    /// A statement whose parts are the first occurrences of the given pieces of `text`.
    fn statement(text: &str, speaker: &str, cue: &str, content: &str) -> Statement {
        let span = |s: &str| {
            let at = text.find(s).unwrap();
            ByteSpan::new(at, at + s.len())
        };
        Statement {
            kind: crate::quotes::Kind::Indirect,
            content: span(content),
            cue: Some(span(cue)),
            speaker: Some(span(speaker)),
            target: None,
            confidence: 1.0,
            continues: None,
        }
    }

    #[test]
    fn a_pronoun_inside_its_sentence_names_what_the_sentence_named_before_it() {
        let (dict, lexicons) = (Dictionary::builtin().unwrap(), Lexicons::builtin());
        let cues = lexicons.cues(Some("en"));
        let text = "Armenia said the road was closed. Russia has lost influence in the region, which it sees as its own. \
                    It said the talks would go on. Baku said Yerevan was to blame, and it added nothing.";
        let mut statements = vec![
            statement(text, "Armenia", "said", "the road was closed"),
            statement(text, "it", "sees", "as its own"),
            statement(text, "It", "said the talks", "the talks would go on"),
            statement(text, "Baku", "said Yerevan", "Yerevan was to blame"),
            statement(text, "it added", "added", "nothing"),
        ];
        // the last statement's speaker is the "it" of "it added"
        let at = text.find("it added").unwrap();
        statements[4].speaker = Some(ByteSpan::new(at, at + 2));
        let ids: Vec<String> = attribute(text, &statements, &dict, cues).into_iter().map(|a| a.unwrap().actor.id).collect();
        // Russia, named before "it" in its sentence; the sentence-initial "It" is the last speaker;
        // "it added" is Baku, this sentence's speaker, not Yerevan, named inside Baku's statement
        assert_eq!(ids, ["AM", "RU", "RU", "AZ", "AZ"]);
    }
}
