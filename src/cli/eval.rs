//! `standpoint eval`: the real pipeline measured on labelled data; one JSON object of metrics.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::args::{given_or_checkout, FinderArgs, ModelArgs, TextArgs};
use super::Outcome;

#[derive(Clone, Copy, ValueEnum)]
enum EvalTask {
    /// Quote attribution on PolNeAR-format documents (the metrics of tools/attribution_metrics.py).
    Attribution,
    /// Tone of a text (negative / neutral / positive).
    Sentiment,
    /// Sentiment toward a target inside the text.
    TargetSentiment,
    /// Stance toward a target (favor / against / neutral).
    Stance,
    /// Opinion tuples (holder, target, expression, polarity) on RuOpinionNE-format sentences,
    /// with the dataset's own matching (weighted tuple precision, recall, F1), through the
    /// product's path, relations read by the relation model (`--head`, default the shipped one;
    /// `--no-relation`: by the stance alone).
    Opinions,
    /// The relation model's (holder, target) pair figures alone (AUC of P(attitude), pair F1 at
    /// its threshold, polarity accuracy): on RuOpinionNE-format sentences, or on target-sentiment
    /// rows (NewsMTSC) read as pairs with no holder, a polar label an attitude.
    Relation,
    /// P(about the target): the data's targets against mismatched ones (AUC; `--head` is the
    /// relevance model, `--stance-head` the head whose vectors it reads).
    Relevance,
}

#[derive(Args)]
pub struct EvalArgs {
    #[arg(long, value_enum)]
    task: EvalTask,
    /// Labelled data files.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Also write the predictions (attribution: the reference scorer's format; classification:
    /// one `{"id", "label", "probs"}` line per item).
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// The trained head to measure (classification tasks; for relevance and relation the
    /// model's directory, by default the shipped one).
    #[arg(long)]
    head: Option<PathBuf>,
    /// Attribution: decode the data's own gold tags instead of finding statements, giving the
    /// figures the tagger's tag scheme, decoder and speaker linker allow when every tag is right
    /// (the ceiling of `--attribution learned`; with `--attribution rules`, the decoder's own
    /// speaker rules and no tagger).
    #[arg(long)]
    gold_tags: bool,
    /// Opinions: without the relation model (every addressed actor, by its stance).
    #[arg(long)]
    no_relation: bool,
    /// Relevance: the stance head whose vectors the model reads (default: models/heads/stance).
    #[arg(long)]
    stance_head: Option<PathBuf>,
    /// The tone head, for stance heads that read its output (default: models/heads/tone).
    #[arg(long)]
    tone_head: Option<PathBuf>,
    #[command(flatten)]
    finder: FinderArgs,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: EvalArgs) -> anyhow::Result<Outcome> {
    use standpoint::eval;
    let precision = args.model.precision(); // first: it may settle the kernels' code path
    match args.task {
        EvalTask::Attribution => {
            // the tagger as `score` runs it: each document by itself, one thread per pass
            standpoint::runtime::per_pass();
            standpoint::runtime::workers(args.model.batch_config().threads);
            let docs = eval::attribution::load_gold(&args.data)?;
            let (lexicons, dict) = args.text.load()?;
            let predictions = if args.gold_tags {
                // decoded as the tagger decodes (its windows and speaker linker); with `rules`, as an untrained one
                let meta = args.finder.meta()?;
                let config = meta.as_ref().map_or_else(standpoint::tagger::TaggerConfig::default, |m| m.config.clone());
                let linker = meta.as_ref().and_then(|m| m.linker.as_ref());
                standpoint::train::tagger::decode_gold(&args.model.dir()?, &docs, &lexicons, &config, linker)?
            } else {
                let tagger = args.finder.load(|| args.model.dir(), precision, &[])?;
                let learned = tagger.as_ref().map(|(t, _)| (t, args.finder.finder()));
                eval::predict_attributions(&docs, &lexicons, &dict, learned)?
            };
            if let Some(path) = &args.predictions {
                let mut out = BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?);
                for line in &predictions {
                    writeln!(out, "{}", serde_json::to_string(line)?)?;
                }
                out.flush()?;
            }
            let metrics = eval::attribution::metrics(&docs, &eval::by_id(&predictions));
            println!("{}", serde_json::to_string_pretty(&metrics)?);
        }
        EvalTask::Opinions => {
            standpoint::runtime::per_pass();
            standpoint::runtime::workers(args.model.batch_config().threads);
            let (lexicons, dict) = args.text.load()?;
            let model_dir = args.model.dir()?;
            let stance_dir = given_or_checkout(args.stance_head.as_ref(), standpoint::scoring::STANCE_HEAD)?;
            let tone_dir = given_or_checkout(args.tone_head.as_ref(), standpoint::scoring::TONE_HEAD)?;
            let mut scorer =
                standpoint::scoring::Scorer::load(&model_dir, &tone_dir, &stance_dir, precision, args.model.batch_config(), None, &lexicons)?;
            if let Some((tagger, _)) = args.finder.load(|| Ok(model_dir.clone()), precision, &scorer.bottoms())? {
                scorer = scorer.with_tagger(tagger, args.finder.finder());
            }
            if !args.no_relation {
                let dir = given_or_checkout(args.head.as_ref(), standpoint::scoring::RELATION_MODEL)?;
                scorer = scorer.with_relation(standpoint::heads::relation::Relation::load(&dir)?)?;
            }
            let sentences = eval::opinions::read(&args.data)?;
            let predicted = eval::predict_opinions(&sentences, &lexicons, &dict, &scorer);
            if let Some(path) = &args.predictions {
                let mut out = BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?);
                for (s, p) in sentences.iter().zip(&predicted) {
                    writeln!(out, "{}", serde_json::to_string(&eval::opinions::submission_line(s, serde_json::json!(s.id), p))?)?;
                }
                out.flush()?;
            }
            let mut metrics = eval::opinions::metrics(&sentences, &predicted);
            metrics["polarity_on_gold_opinions"] = eval::gold_polarity(&sentences, &scorer)?;
            println!("{}", serde_json::to_string_pretty(&metrics)?);
        }
        EvalTask::Relation => {
            standpoint::runtime::kernel_threads(args.model.batch_config().threads);
            let stance_dir = given_or_checkout(args.stance_head.as_ref(), standpoint::scoring::STANCE_HEAD)?;
            let model_dir = given_or_checkout(args.head.as_ref(), standpoint::scoring::RELATION_MODEL)?;
            let relation = standpoint::heads::relation::Relation::load(&model_dir)?;
            if relation.stance_head != standpoint::heads::relevance::stance_head_hash(&stance_dir)? {
                anyhow::bail!("{} was fitted on another stance head than {}", model_dir.display(), stance_dir.display());
            }
            let stance = standpoint::heads::Classifier::load(&args.model.dir()?, &stance_dir, precision)?;
            let (_, dict) = args.text.load()?;
            // opinion tuples (RuOpinionNE) or target-sentiment rows (NewsMTSC), by the first line
            let first_line = |p: &PathBuf| -> Option<String> {
                use std::io::BufRead;
                std::io::BufReader::new(std::fs::File::open(p).ok()?).lines().next()?.ok()
            };
            let opinions = args.data.iter().all(|p| first_line(p).is_some_and(|l| l.contains("\"opinions\"")));
            let figures = if opinions {
                standpoint::train::relation::measure(&stance, &relation, &dict, &args.data, &args.model.batch_config())?
            } else {
                standpoint::train::relation::measure_targets(&stance, &relation, &dict, &args.data, &args.model.batch_config())?
            };
            println!("{}", serde_json::to_string_pretty(&figures)?);
        }
        EvalTask::Relevance => {
            standpoint::runtime::kernel_threads(args.model.batch_config().threads);
            let stance_dir = given_or_checkout(args.stance_head.as_ref(), standpoint::scoring::STANCE_HEAD)?;
            let model_dir = given_or_checkout(args.head.as_ref(), standpoint::scoring::RELEVANCE_MODEL)?;
            let relevance = standpoint::heads::relevance::Relevance::load(&model_dir)?;
            let stance = standpoint::heads::Classifier::load(&args.model.dir()?, &stance_dir, precision)?;
            if relevance.stance_head != standpoint::heads::relevance::stance_head_hash(&stance_dir)? {
                anyhow::bail!("{} was fitted on another stance head's vectors than {}'s", model_dir.display(), stance_dir.display());
            }
            let base = stance.encoder().base()?;
            let readers = standpoint::heads::relevance::Readers { stance: &stance, base: &base };
            let figures = standpoint::heads::relevance::measure(&readers, &relevance, &args.data, &args.model.batch_config(), 14)?;
            println!("{}", serde_json::to_string_pretty(&figures)?);
        }
        EvalTask::Sentiment | EvalTask::TargetSentiment | EvalTask::Stance => {
            let task = match args.task {
                EvalTask::Sentiment => standpoint::heads::Task::Sentiment,
                EvalTask::TargetSentiment => standpoint::heads::Task::TargetSentiment,
                _ => standpoint::heads::Task::Stance,
            };
            standpoint::runtime::kernel_threads(args.model.batch_config().threads);
            let head_dir = args.head.as_ref().context("--head DIR is needed for this task")?;
            let classifier = standpoint::heads::Classifier::load(&args.model.dir()?, head_dir, precision)
                .with_context(|| format!("loading the head in {}", head_dir.display()))?;
            let (examples, skipped) = standpoint::heads::labelled::read(&args.data, task)?;
            let tone = match classifier.reads_tone() {
                true => {
                    let dir = given_or_checkout(args.tone_head.as_ref(), standpoint::scoring::TONE_HEAD)?;
                    Some(standpoint::heads::Classifier::load(&args.model.dir()?, &dir, precision)?)
                }
                false => None,
            };
            let (mut metrics, probs) =
                classifier.evaluate(task, &examples, &args.model.batch_config(), Some(Path::new(".cache/features")), tone.as_ref())?;
            metrics["skipped"] = serde_json::json!(skipped);
            if let Some(path) = &args.predictions {
                let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
                standpoint::heads::Classifier::write_predictions(task, file, &examples, &probs)?;
            }
            println!("{}", serde_json::to_string_pretty(&metrics)?);
        }
    }
    Ok(Outcome::Success)
}
