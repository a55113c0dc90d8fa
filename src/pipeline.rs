//! The pipeline's order, written once: article → language → statements → actors → scores →
//! records. The text stages run per article in parallel (rayon); the transformer scores a whole
//! chunk of articles' statements in batches. Per chunk: [`analyse_chunk`] (text only, on the
//! reader thread), [`relearn`] (when the learned tagger finds the statements of some articles:
//! their text stages again with its statements), [`score_chunk`].

use rayon::prelude::*;

use crate::actors::{self, Attribution, Dictionary};
use crate::acts::{self, Act, TargetTerms};
use crate::corpus::{Article, Item};
use crate::lexicon::{Cues, Lexicons};
use crate::quotes::{self, Finder, Statement};
use crate::report::schema::{
    round4, ActRecord, ActorRef, ArticleRecord, QuoteRecord, Span, Speaker, Stance, Status, TargetStance, Tone, Toward, TowardVia, SCHEMA_VERSION, Attitude};
use crate::heads::HeadError;
use crate::scoring::{Request, Scorer, Scores, StanceProbs};
use crate::tagger::Tagger;
use crate::text::{lang, ByteSpan, CharIndex};

/// Everything the text stages found in one article.
pub struct Analysis {
    pub lang: Option<String>,
    pub lang_given: bool,
    /// Who found the statements: the rules or the learned tagger.
    pub finder: Finder,
    pub found: Vec<Found>,
}

pub struct Found {
    pub statement: Statement,
    pub actor: Option<Attribution>,
    /// The statement with its cue and speaker: what the stance model reads.
    pub context: ByteSpan,
    pub toward: Vec<(ByteSpan, actors::Actor, TowardVia)>,
    /// One per target: the speaker's own act on it, if the statement reports one.
    pub acts: Vec<Option<Act>>,
    /// The statement carries on from the one before it ([`quotes::refers_back`]).
    pub refers_back: bool,
}

/// How much an act counts against the model's distribution: the act is read as favour with this
/// weight (acts are found by rule, so the model keeps a say).
pub const ACT_WEIGHT: f32 = 0.8;

/// The text stages for one article: no model involved.
pub fn analyse(article: &Article, lexicons: &Lexicons, dict: &Dictionary, targets: &[String]) -> Analysis {
    analyse_with(article, lexicons, dict, targets, None)
}

/// The article's language: the one given, or detected.
pub fn language(article: &Article) -> Option<String> {
    article.lang.clone().or_else(|| lang::detect(&article.text))
}

/// As [`analyse`], with the statements the learned tagger found in place of the rules' when
/// `learned` is given ([`quotes::from_learned`]).
pub fn analyse_with(
    article: &Article,
    lexicons: &Lexicons,
    dict: &Dictionary,
    targets: &[String],
    learned: Option<Vec<Statement>>,
) -> Analysis {
    let text = article.text.as_str();
    let lang_given = article.lang.is_some();
    let lang = language(article);
    let (finder, extraction) = match learned {
        Some(statements) => (Finder::Learned, quotes::from_learned(text, lang.as_deref(), lexicons, statements)),
        None => (Finder::Rules, quotes::extract(text, lang.as_deref(), lexicons)),
    };
    let cues = lexicons.cues(lang.as_deref());
    let attributions = actors::attribute(text, &extraction.statements, dict, &cues);
    let terms: Vec<TargetTerms> = targets.iter().map(|t| TargetTerms::new(t, &cues)).collect();
    let found = extraction
        .statements
        .into_iter()
        .zip(attributions)
        .map(|(statement, actor)| {
            let mut context = statement.content;
            // (a relative-pronoun speaker brings its antecedent: "Armenia, which denied the claims")
            let antecedent = statement.speaker.and_then(|sp| quotes::cues::relative_antecedent(text, sp, &cues));
            for part in [statement.cue, statement.speaker, statement.target, antecedent].into_iter().flatten() {
                context = ByteSpan::new(context.start.min(part.start), context.end.max(part.end));
            }
            let own = |a: &actors::Actor| {
                actor.as_ref().is_some_and(|s| s.actor.id == a.id || s.actor.parent.as_deref() == Some(a.id.as_str()))
            };
            let mut toward: Vec<(ByteSpan, actors::Actor, TowardVia)> = Vec::new();
            // whom a request asks something of is addressed, not judged
            let asked: Vec<String> = quotes::cues::addressed(text, &statement, &cues)
                .map(|r| actors::mentions(text, r, dict, false).into_iter().map(|(_, a)| a.id).collect())
                .unwrap_or_default();
            let own = |a: &actors::Actor| own(a) || asked.contains(&a.id);
            if let Some(target) = statement.target {
                if let Some((a, _)) = actors::resolve_phrase(text, target, dict, &cues) {
                    if !own(&a) {
                        toward.push((target, a, TowardVia::Cue));
                    }
                }
            }
            for (span, a) in actors::mentions(text, statement.content, dict, false) {
                if !own(&a) && !toward.iter().any(|(_, t, _)| t.id == a.id) && !a_place(text, span, &cues) {
                    toward.push((span, a, TowardVia::Mention));
                }
            }
            let acts = terms.iter().map(|t| acts::find(text, &statement, actor.as_ref(), t, &cues, dict)).collect();
            let refers_back = quotes::refers_back(text, &statement, &cues);
            Found { statement, actor, context, toward, acts, refers_back }
        })
        .collect();
    Analysis { lang, lang_given, finder, found }
}

/// Whether the name at `span` is a place where something happens ("ethnic cleansing in
/// Nagorno-Karabakh"), not the government that acts or is judged: a locative preposition stands
/// right before it.
fn a_place(text: &str, span: ByteSpan, cues: &Cues) -> bool {
    // the word right before, separated by white space only
    let window = text[..span.start].char_indices().rev().nth(40).map_or(0, |(b, _)| b);
    let before = crate::text::words::words(text, ByteSpan::new(window, span.start));
    before.last().is_some_and(|w| {
        let gap = &text[w.span.end..span.start];
        !gap.is_empty() && gap.trim().is_empty() && cues.locatives.contains(&w.lower)
    })
}

/// An input item after the whole pipeline.
pub struct Scored {
    pub article: ArticleRecord,
    pub quotes: Vec<QuoteRecord>,
}

fn stance_of(p: StanceProbs) -> Stance {
    Stance { favor: round4(p[0]), against: round4(p[1]), neutral: round4(p[2]), score: round4(p[0] - p[1]) }
}

/// A statement's stance toward one target: the model's, or with an act, the act's favour blended
/// in with weight [`ACT_WEIGHT`]. `about`: P(about the target) and the threshold at which it counts; a statement whose
/// content names the target ([`crate::text::locate::names_target`]) or reports an act on it
/// counts whatever its P.
fn target_stance(text: &str, index: &CharIndex, target: &str, model: StanceProbs, about: Option<(f32, f32)>, content: ByteSpan, act: Option<&Act>) -> TargetStance {
    let relevance = about.map(|(p, _)| round4(p));
    let counted = act.is_some()
        || about.map_or(true, |(p, threshold)| p >= threshold)
        || crate::text::locate::names_target(content.slice(text), target);
    let Some(act) = act else {
        return TargetStance { target: target.to_owned(), stance: stance_of(model), relevance, counted, act: None };
    };
    let keep = 1.0 - ACT_WEIGHT;
    let blended = [ACT_WEIGHT + keep * model[0], keep * model[1], keep * model[2]];
    TargetStance {
        target: target.to_owned(),
        stance: stance_of(blended),
        relevance,
        counted,
        act: Some(ActRecord {
            agent: act.agent.map(|a| span(text, index, a)),
            verb: span(text, index, act.verb),
            target: span(text, index, act.target),
            model: stance_of(model),
        }),
    }
}

fn span(text: &str, index: &CharIndex, s: ByteSpan) -> Span {
    let c = index.char_span(s);
    Span { start: c.start, end: c.end, text: s.slice(text).to_owned() }
}

fn actor_ref(a: &actors::Actor) -> ActorRef {
    ActorRef { id: a.id.clone(), name: a.name.clone(), kind: a.kind, parent: a.parent.clone() }
}

fn failed(seq: u64, id: Option<String>, origin: String, reason: String, article: Option<&Article>) -> ArticleRecord {
    ArticleRecord {
        schema_version: SCHEMA_VERSION.into(),
        seq,
        id,
        origin,
        status: Status::Failed,
        reason: Some(reason),
        lang: article.and_then(|a| a.lang.clone()),
        lang_given: article.is_some_and(|a| a.lang.is_some()),
        title: article.and_then(|a| a.title.clone()),
        date: article.and_then(|a| a.date.clone()),
        source: article.and_then(|a| a.source.clone()),
        chars: article.map_or(0, |a| a.text.chars().count()),
        statements: 0,
        attribution: None,
        actors: Vec::new(),
    }
}

/// What the transformer scores for one article: its statements, their stance texts and the
/// actors they address.
fn request<'a>(article: &'a Article, analysis: &'a Analysis, targets: &'a [String]) -> Request<'a> {
    let mut request =
        Request { tone_texts: Vec::new(), stance_texts: Vec::new(), langs: Vec::new(), targets, toward: Vec::new(), holders: Vec::new() };
    for (i, f) in analysis.found.iter().enumerate() {
        request.tone_texts.push(f.statement.content.slice(&article.text));
        request.stance_texts.push(f.context.slice(&article.text));
        request.langs.push(analysis.lang.as_deref());
        // the mention as a range of the stance text (the context holds the statement's content)
        let within =
            |at: &ByteSpan| (f.context.start <= at.start && at.end <= f.context.end).then(|| (at.start - f.context.start, at.end - f.context.start));
        request.toward.extend(f.toward.iter().map(|(at, a, _)| (i, a.name.as_str(), within(at))));
        request.holders.push(f.statement.speaker.as_ref().and_then(within));
    }
    request
}

/// A chunk of input items after the text stages.
pub struct Analysed {
    pub items: Vec<Item>,
    /// One per item; `None` for rejected items.
    pub analyses: Vec<Option<Analysis>>,
    /// Why the chunk's articles could not be analysed (the tagger failed): they fail with it.
    pub failure: Option<String>,
}

/// The text stages over a chunk of input items, in parallel (rayon).
pub fn analyse_chunk(items: Vec<Item>, lexicons: &Lexicons, dict: &Dictionary, targets: &[String]) -> Analysed {
    let analyses = items
        .par_iter()
        .map(|item| match item {
            Item::Article(a) => Some(analyse(a, lexicons, dict, targets)),
            Item::Rejected(_) => None,
        })
        .collect();
    Analysed { items, analyses, failure: None }
}

/// A chunk's analyses again, with the learned tagger's statements for the articles `finder`
/// gives to the tagger. Runs where the tagger lives (the scoring thread); the text stages run
/// in parallel.
pub fn relearn(chunk: Analysed, tagger: &Tagger, finder: Finder, lexicons: &Lexicons, dict: &Dictionary, targets: &[String]) -> Analysed {
    let Analysed { items, mut analyses, failure } = chunk;
    let chosen: Vec<usize> = (0..items.len())
        .filter(|&i| matches!((&items[i], &analyses[i]), (Item::Article(_), Some(an)) if tagger.applies(finder, an.lang.as_deref())))
        .collect();
    let article = |i: usize| match &items[i] {
        Item::Article(a) => a,
        Item::Rejected(_) => unreachable!("only articles are chosen"),
    };
    let texts: Vec<(&str, Option<&str>)> =
        chosen.iter().map(|&i| (article(i).text.as_str(), analyses[i].as_ref().and_then(|an| an.lang.as_deref()))).collect();
    let learned = match tagger.statements(&texts, lexicons) {
        Ok(l) => l,
        Err(e) => return Analysed { items, analyses, failure: failure.or(Some(format!("the attribution tagger failed: {e}"))) },
    };
    let redone: Vec<Analysis> =
        chosen.par_iter().zip(learned).map(|(&i, l)| analyse_with(article(i), lexicons, dict, targets, Some(l))).collect();
    for (i, analysis) in chosen.into_iter().zip(redone) {
        analyses[i] = Some(analysis);
    }
    Analysed { items, analyses, failure }
}

/// The transformer and the records for an analysed chunk (`first_seq` is the first item's
/// position in the run). Rejected items pass through as failed records; a scoring failure fails
/// the chunk's articles with its reason rather than the run.
pub fn score_chunk(chunk: Analysed, first_seq: u64, scorer: &Scorer, targets: &[String]) -> Vec<Scored> {
    let Analysed { items, analyses, failure } = chunk;
    // Each article is scored by itself, the articles in parallel: its batches hold only its own
    // statements, so its numbers do not depend on the chunk or shard it came in (`runtime`).
    let scored: Vec<Option<Result<Scores, HeadError>>> = items
        .par_iter()
        .zip(&analyses)
        .map(|(item, analysis)| match (item, analysis) {
            (Item::Article(article), Some(analysis)) if failure.is_none() && analysis.lang.is_some() => {
                Some(scorer.score(&request(article, analysis, targets)))
            }
            _ => None,
        })
        .collect();

    let mut out = Vec::with_capacity(items.len());
    for (k, ((item, analysis), scores)) in items.iter().zip(analyses).zip(scored).enumerate() {
        let seq = first_seq + k as u64;
        let (article, analysis) = match (item, analysis) {
            (Item::Rejected(r), _) => {
                out.push(Scored { article: failed(seq, r.id.clone(), r.origin.clone(), r.reason.clone(), None), quotes: Vec::new() });
                continue;
            }
            (Item::Article(a), Some(an)) => (a, an),
            (Item::Article(_), None) => unreachable!("every article is analysed"),
        };
        if analysis.lang.is_none() {
            let reason = "the language could not be detected (too little text in any language; give lang)".to_owned();
            out.push(Scored { article: failed(seq, Some(article.id.clone()), article.origin.clone(), reason, Some(article)), quotes: Vec::new() });
            continue;
        }
        let scores = match (&failure, &scores) {
            (None, Some(Ok(s))) => s,
            (Some(why), _) => {
                out.push(Scored { article: failed(seq, Some(article.id.clone()), article.origin.clone(), why.clone(), Some(article)), quotes: Vec::new() });
                continue;
            }
            (None, None) => unreachable!("every article with a language is scored"),
            (None, Some(Err(e))) => {
                let reason = format!("scoring failed: {e}");
                out.push(Scored { article: failed(seq, Some(article.id.clone()), article.origin.clone(), reason, Some(article)), quotes: Vec::new() });
                continue;
            }
        };
        let text = article.text.as_str();
        let index = CharIndex::new(text);
        let mut quotes: Vec<QuoteRecord> = Vec::with_capacity(analysis.found.len());
        let mut next_toward = 0;
        for (n, f) in analysis.found.iter().enumerate() {
            let tone = scores.tone[n];
            let toward = f
                .toward
                .iter()
                .map(|(mention, a, via)| {
                    let p = scores.toward[next_toward];
                    let attitude = scorer.relation().zip(scores.relation.get(next_toward)).map(|(r, &[probability, positive])| Attitude {
                        probability: round4(probability),
                        positive: round4(positive),
                        counted: f64::from(probability) >= r.threshold,
                    });
                    next_toward += 1;
                    Toward { actor: actor_ref(a), mention: span(text, &index, *mention), via: *via, stance: stance_of(p), attitude }
                })
                .collect();
            let s = &f.statement;
            let mut stance: Vec<TargetStance> = targets
                .iter()
                .enumerate()
                .zip(&scores.stance[n])
                .zip(&f.acts)
                .map(|(((k, t), p), act)| {
                    let about = scorer.relevance().zip(scores.relevance[n].get(k)).map(|(r, p)| (*p, r.threshold as f32));
                    target_stance(text, &index, t, *p, about, s.content, act.as_ref())
                })
                .collect();
            // "deplores the development", "It added …": about what the statement before it was about
            if let (true, Some(before)) = (f.refers_back, quotes.last()) {
                for (now, then) in stance.iter_mut().zip(&before.stance) {
                    now.counted |= then.counted;
                }
            }
            quotes.push(QuoteRecord {
                schema_version: SCHEMA_VERSION.into(),
                article_id: article.id.clone(),
                date: article.date.clone(),
                index: n,
                lang: analysis.lang.clone(),
                kind: s.kind,
                content: span(text, &index, s.content),
                cue: s.cue.map(|c| span(text, &index, c)),
                speaker_mention: s.speaker.map(|c| span(text, &index, c)),
                actor: f.actor.as_ref().map(|a| Speaker {
                    actor: actor_ref(&a.actor),
                    sub: a.actor.sub.clone(),
                    role: a.actor.role.clone(),
                    via: a.via,
                    confidence: round4(a.confidence),
                }),
                confidence: round4(s.confidence),
                context: span(text, &index, f.context),
                tone: Tone { negative: round4(tone[0]), neutral: round4(tone[1]), positive: round4(tone[2]), score: round4(tone[2] - tone[0]) },
                stance,
                toward,
            });
        }
        let mut actor_ids: Vec<String> = quotes.iter().filter_map(|q| q.actor.as_ref().map(|a| a.actor.id.clone())).collect();
        actor_ids.sort();
        actor_ids.dedup();
        out.push(Scored {
            article: ArticleRecord {
                schema_version: SCHEMA_VERSION.into(),
                seq,
                id: Some(article.id.clone()),
                origin: article.origin.clone(),
                status: Status::Ok,
                reason: None,
                lang: analysis.lang.clone(),
                lang_given: analysis.lang_given,
                title: article.title.clone(),
                date: article.date.clone(),
                source: article.source.clone(),
                chars: text.chars().count(),
                statements: quotes.len(),
                attribution: Some(analysis.finder),
                actors: actor_ids,
            },
            quotes,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::a_place;
    use crate::lexicon::Lexicons;
    use crate::text::ByteSpan;

    #[test]
    fn a_name_after_a_locative_preposition_is_a_place() {
        let lexicons = Lexicons::builtin();
        let at = |text: &str, name: &str| ByteSpan::new(text.find(name).unwrap(), text.find(name).unwrap() + name.len());
        let text = "part of Baku's policy of ethnic cleansing in Nagorno-Karabakh";
        let en = lexicons.cues(Some("en"));
        assert!(a_place(text, at(text, "Nagorno-Karabakh"), en));
        assert!(!a_place(text, at(text, "Baku"), en));
        let text = "Москва обвинила Киев в обстрелах в Донецке";
        let ru = lexicons.cues(Some("ru"));
        assert!(a_place(text, at(text, "Донецке"), ru));
        assert!(!a_place(text, at(text, "Киев"), ru));
    }
}
