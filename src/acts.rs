//! Acts: statements in which the speaker reports carrying out what a target names ("Azerbaijan
//! said it set up the checkpoint …", "Wir haben einen Kontrollpunkt eingerichtet").
//!
//! Political claims analysis codes an actor's own measure as a claim in favour of it (Koopmans &
//! Statham's claims analysis; the DebateNet codebook behind MARDY). The stance head reads what a
//! statement says about its subject: a justification ("… following threats and provocations from
//! Armenia") sounds against, though the speaker is defending its own act. So an act found here is
//! read as favour, and the scorer blends it into the model's distribution (see
//! [`crate::pipeline`]); the record keeps the model's own distribution and the spans that made
//! the act.
//!
//! An act needs, inside the statement's content, in this order:
//! 1. an **agent** that is the speaker: a first-person pronoun; a third-person pronoun opening
//!    reported content ("it said it set up …"); a mention of the speaker's own actor
//!    ("the units of the Azerbaijani Border Service established …"); or, where the language drops
//!    subjects, nothing at all before an opening act verb ("заявил, что ввёл …");
//! 2. an **act verb** from the language's list, with only auxiliaries between it and the agent —
//!    or right after the target when only auxiliaries and determiners stand before it (verb-final
//!    clauses: "wir haben einen Kontrollpunkt eingerichtet");
//! 3. the **target**: every word of its head phrase (the target up to its first preposition,
//!    determiners dropped), matched by stem, within a few words of the verb.
//!
//! and no negation or denial anywhere from the cue to the target ("denied it had set up …").

use crate::actors::{self, Attribution, Dictionary};
use crate::lexicon::Cues;
use crate::quotes::{Kind, Statement};
use crate::text::words::{words, Word};
use crate::text::ByteSpan;

/// Words (determiners, adjectives, the rest of a compound) allowed between verb and target.
const VERB_TO_TARGET: usize = 3;
/// Words allowed between an actor mention and the verb ("Azerbaijani [Border Service] established").
const MENTION_TO_VERB: usize = 3;

/// The spans that make an act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Act {
    /// The words naming the speaker as agent; `None` when the language left the subject unsaid.
    pub agent: Option<ByteSpan>,
    pub verb: ByteSpan,
    /// The words naming the target.
    pub target: ByteSpan,
}

/// A target's head phrase as word stems, for one language.
#[derive(Debug, Clone)]
pub struct TargetTerms {
    stems: Vec<String>,
}

impl TargetTerms {
    /// "the checkpoint on the Lachin corridor" → `[checkpo]`; "the carbon border tax" → `[carbon,
    /// border, tax]`; "le poste de contrôle" → `[post]`.
    pub fn new(target: &str, cues: &Cues) -> Self {
        let mut stems = Vec::new();
        for w in words(target, ByteSpan::new(0, target.len())) {
            if cues.prepositions.contains(&w.lower) || cues.connectors.contains(&w.lower) {
                if stems.is_empty() {
                    continue;
                }
                break;
            }
            if cues.determiners.contains(&w.lower) || cues.definite_articles.contains(&w.lower) {
                continue;
            }
            stems.push(stem(&w.lower));
        }
        TargetTerms { stems }
    }

    /// The first place in `ws[from..]` where every stem occurs within a window of their count
    /// plus two words: (first word, last word) of the match, starting at a matching word.
    fn find(&self, ws: &[Word], from: usize) -> Option<(usize, usize)> {
        if self.stems.is_empty() {
            return None;
        }
        let window = self.stems.len() + 2;
        (from..ws.len()).find_map(|i| {
            if !self.stems.iter().any(|s| ws[i].lower.starts_with(s.as_str())) {
                return None;
            }
            let end = (i + window).min(ws.len());
            let mut last = i;
            for s in &self.stems {
                let at = (i..end).find(|&j| ws[j].lower.starts_with(s.as_str()))?;
                last = last.max(at);
            }
            Some((i, last))
        })
    }
}

/// A word's stem for matching inflected forms: all of a short word, else its first
/// max(4, n − 3) characters ("checkpoints" ~ "checkpoint", "пункта" ~ "пункт").
fn stem(word: &str) -> String {
    let n = word.chars().count();
    let keep = if n <= 4 { n } else { (n - 3).max(4) };
    word.chars().take(keep).collect()
}

/// The act in `statement` toward the target, if it reports the speaker carrying it out.
pub fn find(
    text: &str,
    statement: &Statement,
    speaker: Option<&Attribution>,
    target: &TargetTerms,
    cues: &Cues,
    dict: &Dictionary,
) -> Option<Act> {
    let speaker = speaker?;
    if statement.kind == Kind::Belief {
        return None;
    }
    if let Some(cue) = statement.cue {
        if words(text, cue).iter().any(|w| cues.negations.contains(&w.lower)) {
            return None;
        }
    }
    let ws = words(text, statement.content);
    let own = |a: &actors::Actor| {
        let s = &speaker.actor;
        a.id == s.id || a.parent.as_deref() == Some(s.id.as_str()) || s.parent.as_deref() == Some(a.id.as_str())
    };
    // Looked up only once a target and a verb are found: most statements never need it.
    let mentions = std::cell::OnceCell::new();
    let mentions = || -> &Vec<ByteSpan> {
        mentions.get_or_init(|| {
            actors::mentions(text, statement.content, dict, true).into_iter().filter(|(_, a)| own(a)).map(|(span, _)| span).collect()
        })
    };
    let mut from = 0;
    while let Some((first, last)) = target.find(&ws, from) {
        from = first + 1;
        let target_span = ByteSpan::new(ws[first].span.start, ws[last].span.end);
        let Some((verb, agent)) = verb_before(&ws, first, cues).or_else(|| verb_after(&ws, first, last, cues)) else {
            continue;
        };
        let Some(agent) = agent_at(text, &ws, agent, statement, &mentions, cues) else {
            continue;
        };
        let start = agent.map_or(verb.start, |a| a.start);
        if ws.iter().filter(|w| w.span.start >= start && w.span.end <= target_span.end).any(|w| cues.negations.contains(&w.lower)) {
            continue;
        }
        return Some(Act { agent, verb, target: target_span });
    }
    None
}

/// An act verb ending at most [`VERB_TO_TARGET`] words before the target: its span and the
/// index of the word before it (where the agent ends; `None` at the content's start).
fn verb_before(ws: &[Word], target: usize, cues: &Cues) -> Option<(ByteSpan, Option<usize>)> {
    let lowest = target.saturating_sub(VERB_TO_TARGET + 1);
    for end in (lowest..target).rev() {
        for start in (end.saturating_sub(2)..=end).rev() {
            let lower: Vec<&str> = ws[start..].iter().map(|w| w.lower.as_str()).collect();
            let hit =
                if start == end { cues.act_verbs.contains(lower[0]) } else { cues.act_verbs.phrase_len(&lower) == Some(end - start + 1) };
            if hit {
                return Some((ByteSpan::new(ws[start].span.start, ws[end].span.end), start.checked_sub(1)));
            }
        }
    }
    None
}

/// Verb-final clauses: an act verb right after the target, with only auxiliaries and
/// determiners between the agent and the target.
fn verb_after(ws: &[Word], first: usize, last: usize, cues: &Cues) -> Option<(ByteSpan, Option<usize>)> {
    let verb = (last + 1..(last + 3).min(ws.len())).find(|&j| cues.act_verbs.contains(&ws[j].lower))?;
    let mut agent = first.checked_sub(1);
    while let Some(a) = agent {
        let w = &ws[a].lower;
        if cues.act_auxiliaries.contains(w) || cues.determiners.contains(w) || cues.definite_articles.contains(w) {
            agent = a.checked_sub(1);
        } else {
            break;
        }
    }
    Some((ws[verb].span, agent))
}

/// The agent ending at word `end` (skipping auxiliaries back from it), if it is the speaker.
fn agent_at<'m>(
    text: &str,
    ws: &[Word],
    end: Option<usize>,
    statement: &Statement,
    mentions: impl FnOnce() -> &'m Vec<ByteSpan>,
    cues: &Cues,
) -> Option<Option<ByteSpan>> {
    let mut at = end;
    while let Some(i) = at {
        if cues.act_auxiliaries.contains(&ws[i].lower) || cues.skip_words.contains(&ws[i].lower) {
            at = i.checked_sub(1);
        } else {
            break;
        }
    }
    let Some(i) = at else {
        // Nothing before the verb but auxiliaries: an unsaid subject, where the language allows it.
        return (cues.pro_drop && statement.kind != Kind::Direct).then_some(None);
    };
    let w = &ws[i];
    if cues.first_person.contains(&w.lower) {
        return Some(Some(w.span));
    }
    if i == 0 && statement.kind != Kind::Direct && cues.pronouns.contains_key(&w.lower) {
        return Some(Some(w.span));
    }
    let near = ws[i.saturating_sub(MENTION_TO_VERB - 1)].span.start;
    mentions()
        .iter()
        .find(|m| m.end <= w.span.end && m.end >= near && !possessive(text, m.end))
        .map(|m| Some(ByteSpan::new(m.start, w.span.end)))
}

/// "Azerbaijan's forces set up …": the mention owns the agent rather than being it.
fn possessive(text: &str, at: usize) -> bool {
    text[at..].starts_with(['\'', '’'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicons;
    use crate::quotes;

    fn act_in(text: &str, lang: &str, target: &str) -> Option<String> {
        let lexicons = Lexicons::builtin();
        let dict = Dictionary::builtin().unwrap();
        let cues = lexicons.cues(Some(lang));
        let extraction = quotes::extract(text, Some(lang), &lexicons);
        let attributions = actors::attribute(text, &extraction.statements, &dict, &cues);
        let terms = TargetTerms::new(target, &cues);
        extraction.statements.iter().zip(&attributions).find_map(|(s, a)| {
            find(text, s, a.as_ref(), &terms, &cues, &dict).map(|act| {
                let agent = act.agent.map_or("-", |a| a.slice(text));
                format!("{agent} | {} | {}", act.verb.slice(text), act.target.slice(text))
            })
        })
    }

    #[test]
    fn the_speaker_carrying_out_the_target_is_an_act() {
        let t = "Azerbaijan said it set up the checkpoint on Sunday.";
        assert_eq!(act_in(t, "en", "the checkpoint on the Lachin corridor").as_deref(), Some("it | set up | checkpoint"));
        let t = "\"The units of the Azerbaijani Border Service established a border checkpoint there,\" the state border service of Azerbaijan said.";
        assert_eq!(act_in(t, "en", "the checkpoint").as_deref(), Some("Azerbaijani Border Service | established | checkpoint"));
        let t = "„Wir haben einen Kontrollpunkt eingerichtet“, sagte der Sprecher der Regierung Aserbaidschans.";
        assert_eq!(act_in(t, "de", "der Kontrollpunkt").as_deref(), Some("Wir | eingerichtet | Kontrollpunkt"));
        let t = "Баку заявил, что ввёл новый налог на выбросы.";
        assert_eq!(act_in(t, "ru", "налог на выбросы").as_deref(), Some("- | ввёл | налог"));
    }

    #[test]
    fn others_acts_negations_and_denials_are_not() {
        // Someone else is the agent.
        assert_eq!(act_in("Armenia said Azerbaijan set up the checkpoint.", "en", "the checkpoint"), None);
        assert_eq!(act_in("Armenia said Azerbaijan's forces set up the checkpoint.", "en", "the checkpoint"), None);
        // Negated or denied.
        assert_eq!(act_in("Azerbaijan said it had not set up the checkpoint.", "en", "the checkpoint"), None);
        assert_eq!(act_in("Azerbaijan denied it set up the checkpoint.", "en", "the checkpoint"), None);
        // Not the target.
        assert_eq!(act_in("Azerbaijan said it set up a camp.", "en", "the checkpoint"), None);
        // The target is the object of some other verb.
        assert_eq!(act_in("Armenia said it condemned the checkpoint.", "en", "the checkpoint"), None);
    }

    #[test]
    fn head_phrases_and_stems() {
        let lexicons = Lexicons::builtin();
        let cues = lexicons.cues(Some("en"));
        assert_eq!(TargetTerms::new("the checkpoint on the Lachin corridor", &cues).stems, ["checkpo"]);
        assert_eq!(TargetTerms::new("the carbon border tax", &cues).stems, ["carb", "bord", "tax"]);
        let fr = lexicons.cues(Some("fr"));
        assert_eq!(TargetTerms::new("le poste de contrôle", &fr).stems, ["post"]);
    }
}
