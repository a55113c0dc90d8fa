//! The transformer's part of the pipeline: each statement's tone, its stance toward every target,
//! and its stance toward the actors it addresses.
//!
//! Two kinds of model do it:
//! - **the shipped heads** (`models/heads/tone`, `models/heads/stance`) on the embedded encoder,
//!   through the batching layer. Cost: the tone head encodes each statement once; the stance head
//!   encodes each statement once and each distinct target (free-text targets and actor names)
//!   once, pools an addressed actor's mention from the statement's own pass, then classifies the
//!   pairs with a linear layer. Encoder work grows with statements + distinct targets, never with
//!   statements × targets. With a relevance model ([`crate::heads::relevance`]) each (statement,
//!   target) pair also gets P(about the target), from the stance pass's vectors and — for a model
//!   that reads them — one pass of the untuned upper layers per statement and per target. With a
//!   relation model ([`crate::heads::relation`]) each addressed actor also gets P(the speaker
//!   expresses an attitude toward it) and its polarity, from the same pass (the speaker's mention
//!   pooled beside the actor's).
//! - **a model you bring** (`--model DIR`, see [`crate::model::sequence`]): an NLI model gives
//!   zero-shot stance from two hypotheses per target in the statement's language ("This
//!   statement supports {target}." / "… opposes {target}."), so its cost is 2 × statements ×
//!   targets cross-encoder passes — a cross-encoder cannot encode the two sides apart; a
//!   sentiment model gives tone from its own labels.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::heads::relation::{Inputs as RelationInputs, Relation};
use crate::heads::relevance::{self, Relevance};
use crate::heads::{label_order, reorder3, tuned, Classifier, HeadError, Pair, Task};
use crate::lexicon::{Lexicons, StanceHypotheses};
use crate::model::batching::Mention;
use crate::model::sequence::{Role, SequenceClassifier};
use crate::model::{BatchConfig, Precision};
use crate::quotes::Finder;
use crate::tagger::Tagger;

/// Where the shipped heads live, relative to the checkout.
pub const TONE_HEAD: &str = "models/heads/tone";
pub const STANCE_HEAD: &str = "models/heads/stance";
pub const RELEVANCE_MODEL: &str = "models/heads/relevance";
pub const RELATION_MODEL: &str = "models/heads/relation";

/// P(negative, neutral, positive).
pub type ToneProbs = [f32; 3];
/// P(favor, against, neutral).
pub type StanceProbs = [f32; 3];

enum ToneModel {
    Head(Classifier),
    Sentiment(SequenceClassifier),
}

enum StanceModel {
    Head(Classifier),
    Nli { model: SequenceClassifier, hypotheses: HashMap<String, StanceHypotheses>, fallback: StanceHypotheses },
}

pub struct Scorer {
    tone: ToneModel,
    stance: StanceModel,
    batch: BatchConfig,
    /// The directories loaded, for the run record.
    pub tone_dir: PathBuf,
    pub stance_dir: PathBuf,
    /// The learned attribution tagger and how its statements combine with the rules'.
    tagger: Option<(Tagger, Finder)>,
    /// P(about the target), and the untuned encoder when the model reads its vectors.
    relevance: Option<(Relevance, Option<crate::model::Encoder>)>,
    /// Whether a statement's speaker expresses an attitude toward an actor it names.
    relation: Option<Relation>,
}

// SAFETY: every model a scorer holds is frozen once loaded and only read: scoring runs forward
// passes under `no_grad` and mutates nothing, which libtorch allows from several threads at once
// (`pipeline::score_chunk` scores a chunk's articles in parallel).
unsafe impl Sync for Scorer {}

/// What to score for one article's statements.
pub struct Request<'a> {
    /// What the tone model reads (the statement's content).
    pub tone_texts: Vec<&'a str>,
    /// What the stance model reads (the statement with its cue and speaker).
    pub stance_texts: Vec<&'a str>,
    /// Each statement's language (NLI hypotheses are written in it).
    pub langs: Vec<Option<&'a str>>,
    /// The user's targets: every statement is scored toward each.
    pub targets: &'a [String],
    /// (statement, actor name, where the stance text mentions the actor) triples: stance toward
    /// actors a statement addresses. The mention is a byte range of the statement's stance text.
    pub toward: Vec<(usize, &'a str, Option<(usize, usize)>)>,
    /// Where each statement's stance text names its speaker (a byte range of it; `None`: no
    /// speaker named there). May be empty: no speaker anywhere.
    pub holders: Vec<Option<(usize, usize)>>,
}

pub struct Scores {
    pub tone: Vec<ToneProbs>,
    /// `[statement][target]`.
    pub stance: Vec<Vec<StanceProbs>>,
    /// P(the statement is about the target), `[statement][target]`; empty rows without a
    /// relevance model.
    pub relevance: Vec<Vec<f32>>,
    /// One per `Request::toward` pair.
    pub toward: Vec<StanceProbs>,
    /// With a relation model, one per `Request::toward` pair: P(the speaker expresses an
    /// attitude toward the actor), P(positive | attitude). Empty without one.
    pub relation: Vec<[f32; 2]>,
}

/// What the stance pass reads: each pair's stance; P(about) of the user's-target pairs with a
/// relevance model; the relation readings of the actor pairs with a relation model.
struct Readings {
    stance: Vec<StanceProbs>,
    relevance: Vec<f32>,
    relation: Vec<[f32; 2]>,
}

/// `[statement][target]` rows of a flat `[statement × target]` list; empty rows when it is empty.
fn per_statement<T: Clone>(flat: &[T], n: usize, k: usize) -> Vec<Vec<T>> {
    if k == 0 || flat.is_empty() {
        return vec![Vec::new(); n];
    }
    flat.chunks(k).map(<[T]>::to_vec).collect()
}

impl Scorer {
    /// Loads the shipped heads on the encoder in `model_dir`; `byo` replaces the head of its role.
    pub fn load(
        model_dir: &Path,
        tone_dir: &Path,
        stance_dir: &Path,
        precision: Precision,
        batch: BatchConfig,
        byo: Option<SequenceClassifier>,
        lexicons: &Lexicons,
    ) -> Result<Self, HeadError> {
        let head = |dir: &Path, want: Task, beside: Option<&Classifier>| -> Result<Classifier, HeadError> {
            let c = Classifier::load_beside(model_dir, dir, precision, beside)?;
            if c.task() != want {
                return Err(HeadError::Data(format!("{} is a {:?} head, not {:?}", dir.display(), c.task(), want)));
            }
            Ok(c)
        };
        let (mut tone, mut stance) = (None, None);
        let (mut tone_dir, mut stance_dir) = (tone_dir.to_owned(), stance_dir.to_owned());
        match byo {
            Some(model) if model.role == Role::Sentiment => {
                tone_dir = model.dir().to_owned();
                tone = Some(ToneModel::Sentiment(model));
            }
            Some(model) => {
                stance_dir = model.dir().to_owned();
                let hypotheses = lexicons.codes_with(|l| l.stance_hypotheses.clone());
                let fallback = lexicons.hypotheses(Some("en")).cloned().unwrap_or(StanceHypotheses {
                    favor: "This statement supports {target}.".into(),
                    against: "This statement opposes {target}.".into(),
                });
                stance = Some(StanceModel::Nli { model, hypotheses, fallback });
            }
            None => {}
        }
        // Two tuned heads share one bottom (one copy of the embeddings and the frozen layers in
        // memory): the head tuned from the lower layer loads first, the other runs on its bottom.
        let cuts = (tuned::Tuned::first_layer(&stance_dir), tuned::Tuned::first_layer(&tone_dir));
        let stance_first = tone.is_none() && stance.is_none() && matches!(cuts, (Some(s), Some(t)) if s < t);
        let (tone, stance) = if stance_first {
            let stance = head(&stance_dir, Task::Stance, None)?;
            let tone = head(&tone_dir, Task::Sentiment, Some(&stance))?;
            (ToneModel::Head(tone), StanceModel::Head(stance))
        } else {
            let tone = match tone {
                Some(t) => t,
                None => ToneModel::Head(head(&tone_dir, Task::Sentiment, None)?),
            };
            let beside = match &tone {
                ToneModel::Head(c) => Some(c),
                ToneModel::Sentiment(_) => None,
            };
            let stance = match stance {
                Some(s) => s,
                None => StanceModel::Head(head(&stance_dir, Task::Stance, beside)?),
            };
            (tone, stance)
        };
        if let (StanceModel::Head(s), ToneModel::Sentiment(_)) = (&stance, &tone) {
            if s.reads_tone() {
                return Err(HeadError::Data("this stance head reads the shipped tone head's output; it cannot run with another tone model".into()));
            }
        }
        Ok(Scorer { tone, stance, batch, tone_dir, stance_dir, tagger: None, relevance: None, relation: None })
    }

    /// Finds statements with `tagger` too, combined with the rules' as `finder` says.
    pub fn with_tagger(mut self, tagger: Tagger, finder: Finder) -> Self {
        self.tagger = Some((tagger, finder));
        self
    }

    /// The bottom layers under the tuned heads, which a tagger cut at the same layer can share.
    pub fn bottoms(&self) -> Vec<&crate::model::Encoder> {
        let tone = match &self.tone {
            ToneModel::Head(c) => Some(c.encoder()),
            ToneModel::Sentiment(_) => None,
        };
        let stance = match &self.stance {
            StanceModel::Head(c) => Some(c.encoder()),
            StanceModel::Nli { .. } => None,
        };
        tone.into_iter().chain(stance).collect()
    }

    /// Scores P(about the target) with `relevance`, which must have been fitted on this scorer's
    /// stance head (the one loaded from `stance_dir`).
    pub fn with_relevance(mut self, relevance: Relevance) -> Result<Self, HeadError> {
        if self.takes_no_relevance() {
            return Err(HeadError::Data("relevance reads the shipped kind of stance head's vectors; a model brought with --model has none".into()));
        }
        if relevance.stance_head != relevance::stance_head_hash(&self.stance_dir)? {
            return Err(HeadError::Data(format!("the relevance model was fitted on another stance head than {}", self.stance_dir.display())));
        }
        let base = match (relevance.vectors, &self.stance) {
            (v, StanceModel::Head(c)) if v.reads_base() => Some(c.encoder().base()?),
            _ => None,
        };
        self.relevance = Some((relevance, base));
        Ok(self)
    }

    /// Whether this scorer's stance model has no vectors a relevance model could read (an NLI
    /// model brought with `--model`).
    pub fn takes_no_relevance(&self) -> bool {
        !matches!(self.stance, StanceModel::Head(_))
    }

    /// Reads relations with `relation`, which must have been fitted on this scorer's stance head.
    pub fn with_relation(mut self, relation: Relation) -> Result<Self, HeadError> {
        match &self.stance {
            StanceModel::Head(c) if c.reads_mentions() && relation.reads_width(c.encoder().hidden_size) => {}
            _ => {
                return Err(HeadError::Data(
                    "relations read the shipped kind of stance head (tuned, reading mentions, as wide as the model was fitted on); this one is not".into(),
                ))
            }
        }
        if relation.stance_head != relevance::stance_head_hash(&self.stance_dir)? {
            return Err(HeadError::Data(format!("the relation model was fitted on another stance head than {}", self.stance_dir.display())));
        }
        self.relation = Some(relation);
        Ok(self)
    }

    pub fn relation(&self) -> Option<&Relation> {
        self.relation.as_ref()
    }

    pub fn relevance(&self) -> Option<&Relevance> {
        self.relevance.as_ref().map(|(r, _)| r)
    }

    pub fn tagger(&self) -> Option<(&Tagger, Finder)> {
        self.tagger.as_ref().map(|(t, f)| (t, *f))
    }

    /// The arithmetic the encoders run in (auto resolved).
    pub fn precision(&self) -> Precision {
        match &self.stance {
            StanceModel::Head(c) => c.encoder().precision,
            StanceModel::Nli { model, .. } => model.precision(),
        }
    }

    fn tone(&self, texts: &[&str]) -> Result<Vec<ToneProbs>, HeadError> {
        match &self.tone {
            ToneModel::Head(c) => c.tone_of(texts, &self.batch, None),
            ToneModel::Sentiment(m) => {
                let order = label_order(&m.labels, &["negative", "neutral", "positive"], &["neutral"])?;
                let inputs: Vec<(&str, Option<&str>)> = texts.iter().map(|t| (*t, None)).collect();
                Ok(m.classify(&inputs, self.batch.batch_size)?.iter().map(|p| reorder3(p, &order)).collect())
            }
        }
    }

    /// Stance of each (statement, target) pair, P(about the target) of the first `about` pairs
    /// when there is a relevance model, and the relation readings of the rest (the actor pairs)
    /// when there is a relation model.
    fn stance(&self, request: &Request, pairs: &[Pair], about: usize, tone: &[ToneProbs]) -> Result<Readings, HeadError> {
        match &self.stance {
            StanceModel::Head(c) => {
                let order = label_order(c.labels(), &["favor", "against", "neutral"], &[])?;
                let tones = c.reads_tone().then_some(tone);
                // the speakers' mentions, pooled from the same passes when relations are read
                let holders: Vec<Vec<(usize, usize)>> = match &self.relation {
                    Some(_) => (0..request.stance_texts.len()).map(|t| request.holders.get(t).copied().flatten().into_iter().collect()).collect(),
                    None => Vec::new(),
                };
                let extra: Vec<Mention> = holders.iter().enumerate().map(|(text, spans)| Mention { text, spans }).collect();
                let vectors = c.pair_vectors(&request.stance_texts, pairs, &extra, &self.batch, None)?;
                let probs: Vec<StanceProbs> = c.classify_pairs(&vectors, pairs, tones)?.iter().map(|p| reorder3(p, &order)).collect();
                let relation = match &self.relation {
                    None => Vec::new(),
                    Some(r) => (about..pairs.len())
                        .map(|k| {
                            let p = &pairs[k];
                            let x = RelationInputs {
                                statement: &vectors.texts[p.text],
                                target: vectors.mentions[k].as_deref(),
                                holder: vectors.extra.get(p.text).and_then(Option::as_deref),
                                stance: probs[k],
                            };
                            [r.attitude(&x), r.positive(&x)]
                        })
                        .collect(),
                };
                let relevance = match &self.relevance {
                    None => Vec::new(),
                    Some(_) if about == 0 => Vec::new(),
                    Some((r, base)) => {
                        // the untuned encoder's vectors of the statements and the user's targets
                        let base = match base {
                            Some(base) => {
                                let embed = |texts: &[&str]| -> Result<Vec<Vec<f32>>, HeadError> {
                                    Ok(crate::model::embed(base, texts, &self.batch)?.into_iter().map(|e| e.vector).collect())
                                };
                                Some((embed(&request.stance_texts)?, embed(&request.targets.iter().map(String::as_str).collect::<Vec<_>>())?))
                            }
                            None => None,
                        };
                        let k = request.targets.len();
                        pairs[..about]
                            .iter()
                            .enumerate()
                            .map(|(i, p)| {
                                let stance = (vectors.texts[p.text].as_slice(), vectors.target(p.target));
                                r.probability(stance, base.as_ref().map(|(u, v)| (u[p.text].as_slice(), v[i % k].as_slice())))
                            })
                            .collect()
                    }
                };
                Ok(Readings { stance: probs, relevance, relation })
            }
            StanceModel::Nli { model, hypotheses, fallback } => {
                let hyps: Vec<(String, String)> = pairs
                    .iter()
                    .map(|p| request.langs[p.text].and_then(|l| hypotheses.get(l)).unwrap_or(fallback).for_target(p.target))
                    .collect();
                let mut inputs: Vec<(&str, Option<&str>)> = Vec::with_capacity(2 * pairs.len());
                for (p, (favor, against)) in pairs.iter().zip(&hyps) {
                    inputs.push((request.stance_texts[p.text], Some(favor.as_str())));
                    inputs.push((request.stance_texts[p.text], Some(against.as_str())));
                }
                let probs = model.classify(&inputs, self.batch.batch_size)?;
                let entail = model.labels.iter().position(|l| l == "entailment").expect("an NLI model has it");
                let stance = probs
                    .chunks(2)
                    .map(|p| {
                        let (f, a) = (p[0][entail], p[1][entail]);
                        let (favor, against) = (f * (1.0 - a), a * (1.0 - f));
                        [favor, against, (1.0 - favor - against).max(0.0)]
                    })
                    .collect();
                Ok(Readings { stance, relevance: Vec::new(), relation: Vec::new() })
            }
        }
    }

    pub fn score(&self, request: &Request) -> Result<Scores, HeadError> {
        let n = request.tone_texts.len();
        if n == 0 {
            return Ok(Scores { tone: Vec::new(), stance: Vec::new(), relevance: Vec::new(), toward: Vec::new(), relation: Vec::new() });
        }
        let tone = self.tone(&request.tone_texts)?;
        let k = request.targets.len();
        // The user's targets are free text: where a statement mentions one is left to the head
        // (one that locates targets looks for their words, see `heads::mention_spans`).
        let mut pairs: Vec<Pair> = Vec::with_capacity(n * k + request.toward.len());
        for i in 0..n {
            pairs.extend(request.targets.iter().map(|t| Pair { text: i, target: t.as_str(), mentions: &[] }));
        }
        pairs.extend(request.toward.iter().map(|(i, name, at)| Pair { text: *i, target: name, mentions: at.as_slice() }));
        let Readings { stance, relevance, relation } = self.stance(request, &pairs, n * k, &tone)?;
        let (per_target, toward) = stance.split_at(n * k);
        Ok(Scores { tone, stance: per_statement(per_target, n, k), relevance: per_statement(&relevance, n, k), toward: toward.to_vec(), relation })
    }
}
