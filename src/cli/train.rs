//! `standpoint train`: a stance or tone head, or the attribution tagger, seeded and recorded.

use std::path::PathBuf;
use std::time::Instant;

use clap::builder::TypedValueParser;
use clap::{Args, ValueEnum};

use standpoint::heads::HeadConfig;

use super::args::{given_or_checkout, ModelArgs};
use super::Outcome;

#[derive(Clone, Copy, ValueEnum)]
enum TrainTask {
    Sentiment,
    TargetSentiment,
    Stance,
    /// The learned attribution tagger, on PolNeAR-format documents.
    Attribution,
    /// Refit the speaker linker of the attribution tagger in `--out` (updated in place) on the
    /// documents it was trained on (`--data`, the same files), kept only when it beats the
    /// decoder's rules on the tagger's held-out documents; dev is measured and recorded.
    AttributionLinker,
    /// P(a statement is about a target), on the stance head's vectors (`--stance-head`), from
    /// the data's targets against mismatched ones.
    Relevance,
    /// Relations: P(a holder expresses an attitude toward an actor) and its polarity, on the
    /// stance head's reading (`--stance-head`), from opinion tuples in RuOpinionNE's layout.
    Relation,
}

impl TrainTask {
    /// The classification task of a head; the attribution tagger is no head.
    fn head(self) -> Option<standpoint::heads::Task> {
        match self {
            TrainTask::Sentiment => Some(standpoint::heads::Task::Sentiment),
            TrainTask::TargetSentiment => Some(standpoint::heads::Task::TargetSentiment),
            TrainTask::Stance => Some(standpoint::heads::Task::Stance),
            TrainTask::Attribution | TrainTask::AttributionLinker | TrainTask::Relevance | TrainTask::Relation => None,
        }
    }
}

#[derive(Args)]
pub struct TrainArgs {
    #[arg(long, value_enum)]
    task: TrainTask,
    /// Training files (shared datasets' JSONL schema).
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Dev files: reported on, never trained or tuned on.
    #[arg(long, required = true, num_args = 1..)]
    dev: Vec<PathBuf>,
    /// Output directory for head.safetensors and head.json.
    #[arg(long)]
    out: PathBuf,
    /// Hidden units of the head.
    #[arg(long, default_value_t = HeadConfig::default().hidden)]
    hidden: usize,
    #[arg(long, default_value_t = HeadConfig::default().seed)]
    seed: u64,
    #[arg(long, default_value_t = HeadConfig::default().max_epochs)]
    max_epochs: usize,
    /// Where sentence vectors are cached between runs.
    #[arg(long, default_value = ".cache/features")]
    feature_cache: PathBuf,
    /// Fine-tune the encoder from this layer up together with a linear classifier, instead of
    /// training a head on frozen vectors (e5-small has 12 layers). For the attribution tagger:
    /// read the token states after this many layers.
    #[arg(long)]
    tune_from_layer: Option<usize>,
    /// Attribution tagger: units of each LSTM direction.
    #[arg(long, default_value_t = standpoint::tagger::TaggerConfig::default().lstm_hidden)]
    lstm_hidden: usize,
    /// Attribution tagger: the longest window, in tokens (whole sentences of one paragraph; the
    /// encoder reads at most 512).
    #[arg(long, default_value_t = standpoint::tagger::TaggerConfig::default().max_tokens, value_parser = clap::value_parser!(u16).range(16..=510).map(usize::from))]
    max_tokens: usize,
    /// Epochs of fine-tuning (default 4), or of the attribution tagger's training (default 12).
    #[arg(long)]
    tune_epochs: Option<usize>,
    /// Fine-tuning: balance the labels within each language (`lang` of the rows) rather than over
    /// all the data. Attribution tagger: weigh every language alike (its windows repeated toward
    /// the largest language's token count, the epoch chosen on the languages' mean held-out figure).
    #[arg(long)]
    balance_per_language: bool,
    /// Fine-tuning with a target: do not read the target's mention in the text (`target_spans`).
    #[arg(long)]
    no_mention: bool,
    /// Fine-tuning with a target: share of training rows whose mention is hidden.
    #[arg(long, default_value_t = standpoint::heads::tuned::TuneConfig::default().mention_dropout)]
    mention_dropout: f64,
    /// Fine-tuning with a target: where a row has no `target_spans`, look for the target's words
    /// in the text, and do the same for the user's free-text targets when scoring (without it
    /// such rows and targets read no mention). Measured in models/README.md; off by default.
    #[arg(long)]
    locate_targets: bool,
    /// Fine-tuning: how the tuned layers are stored (int8 rows take about half the bytes of f16;
    /// the dev figures are measured on the stored weights either way).
    #[arg(long, value_enum, default_value = "f16")]
    top_storage: standpoint::model::top::Storage,
    /// Fine-tuning: weigh the loss of one language's rows, `LANG=WEIGHT` (repeatable; others
    /// weigh 1), e.g. `ru=2` to raise a language the other data outnumbers.
    #[arg(long, value_name = "LANG=WEIGHT", value_parser = language_weight)]
    language_weight: Vec<(String, f64)>,
    /// Fine-tuning: learning rates constant, or warmed up over the first 6% of the steps and then
    /// decayed linearly to near zero at the last step.
    #[arg(long, value_enum, default_value = "constant")]
    lr_schedule: standpoint::heads::tuned::Schedule,
    /// Fine-tuning: (peak) learning rate of the tuned encoder layers.
    #[arg(long, default_value_t = standpoint::heads::tuned::TuneConfig::default().lr_top, value_parser = learning_rate)]
    lr_top: f64,
    /// Fine-tuning: (peak) learning rate of the classifier on top of them.
    #[arg(long, default_value_t = standpoint::heads::tuned::TuneConfig::default().lr_head, value_parser = learning_rate)]
    lr_head: f64,
    /// Frozen heads: also read this tone head's P(negative, neutral, positive) of each text.
    #[arg(long)]
    with_tone_head: Option<PathBuf>,
    /// Target-reading heads: also pair this share of the training texts with another example's
    /// target (one the text does not mention), labelled neutral.
    #[arg(long, default_value_t = 0.0)]
    mismatched_targets: f64,
    /// Relevance: the stance head whose vectors it reads (default: models/heads/stance).
    #[arg(long)]
    stance_head: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

/// A positive, finite number: a loss weight, a learning rate.
fn positive_number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

/// `--language-weight LANG=WEIGHT`: a language code and a positive, finite weight.
fn language_weight(arg: &str) -> Result<(String, f64), String> {
    let (lang, weight) = arg.split_once('=').ok_or_else(|| format!("expected LANG=WEIGHT, got `{arg}`"))?;
    if lang.trim().is_empty() {
        return Err(format!("expected a language code and a positive weight, got `{arg}`"));
    }
    let weight = positive_number(weight.trim()).map_err(|e| format!("{e}: expected a language code and a positive weight, got `{arg}`"))?;
    Ok((lang.trim().to_string(), weight))
}

/// The `--language-weight` arguments as one weight per language; a language named twice is refused
/// rather than one of its weights silently kept.
fn language_weights(pairs: &[(String, f64)]) -> Result<std::collections::BTreeMap<String, f64>, String> {
    let mut weights = std::collections::BTreeMap::new();
    for (lang, weight) in pairs {
        if let Some(earlier) = weights.insert(lang.clone(), *weight) {
            return Err(format!("--language-weight names `{lang}` twice ({earlier} and {weight}); give each language once"));
        }
    }
    Ok(weights)
}

/// A learning rate: a positive finite number.
fn learning_rate(text: &str) -> Result<f64, String> {
    positive_number(text).map_err(|e| format!("{e}: a learning rate is a positive number such as 4e-5"))
}

pub fn run(args: TrainArgs) -> anyhow::Result<Outcome> {
    let Some(task) = args.task.head() else {
        return match args.task {
            TrainTask::Relevance => run_relevance(args),
            TrainTask::Relation => run_relation(args),
            TrainTask::AttributionLinker => run_linker(args),
            _ => run_tagger(args),
        };
    };
    if let Some(first_layer) = args.tune_from_layer {
        let config = standpoint::heads::tuned::TuneConfig {
            first_layer,
            epochs: args.tune_epochs.unwrap_or(standpoint::heads::tuned::TuneConfig::default().epochs),
            seed: args.seed,
            balance_per_language: args.balance_per_language,
            mention: !args.no_mention,
            mention_dropout: args.mention_dropout,
            locate_targets: args.locate_targets,
            storage: args.top_storage,
            language_weights: language_weights(&args.language_weight).map_err(anyhow::Error::msg)?,
            schedule: args.lr_schedule,
            lr_top: args.lr_top,
            lr_head: args.lr_head,
            ..Default::default()
        };
        let started = Instant::now();
        let tuned = standpoint::heads::tuned::train(
            &args.model.dir()?,
            task,
            &args.data,
            &args.dev,
            &config,
            &args.model.batch_config(),
            &args.out,
        )?;
        eprintln!("standpoint: fine-tuned in {:.0} s, wrote {}", started.elapsed().as_secs_f64(), args.out.display());
        println!("{}", serde_json::to_string_pretty(&tuned.meta.record["dev"]["metrics"])?);
        return Ok(Outcome::Success);
    }
    let encoder = args.model.load()?;
    let config = HeadConfig { hidden: args.hidden, seed: args.seed, max_epochs: args.max_epochs, ..HeadConfig::default() };
    let started = Instant::now();
    let model_dir = args.model.dir()?;
    let tone =
        args.with_tone_head.as_ref().map(|dir| standpoint::heads::Classifier::load(&model_dir, dir, args.model.precision())).transpose()?;
    let options = standpoint::heads::TrainOptions { tone: tone.as_ref(), mismatched: args.mismatched_targets };
    let head = standpoint::heads::train(
        &encoder,
        task,
        &args.data,
        &args.dev,
        &config,
        &args.model.batch_config(),
        Some(&args.feature_cache),
        &options,
    )?;
    head.save(&args.out)?;
    eprintln!("standpoint: trained in {:.0} s, wrote {}", started.elapsed().as_secs_f64(), args.out.display());
    println!("{}", serde_json::to_string_pretty(&head.meta.record["dev"]["metrics"])?);
    Ok(Outcome::Success)
}

fn run_relevance(args: TrainArgs) -> anyhow::Result<Outcome> {
    standpoint::runtime::kernel_threads(args.model.batch_config().threads);
    let stance_dir = given_or_checkout(args.stance_head.as_ref(), standpoint::scoring::STANCE_HEAD)?;
    let stance = standpoint::heads::Classifier::load(&args.model.dir()?, &stance_dir, args.model.precision())?;
    let started = Instant::now();
    let base = stance.encoder().base()?;
    let readers = standpoint::heads::relevance::Readers { stance: &stance, base: &base };
    let model = standpoint::heads::relevance::train(&readers, &stance_dir, &args.data, &args.dev, &args.model.batch_config(), args.seed)?;
    model.save(&args.out)?;
    eprintln!("standpoint: fitted relevance in {:.0} s, wrote {}", started.elapsed().as_secs_f64(), args.out.display());
    println!("{}", serde_json::to_string_pretty(&model.record)?);
    Ok(Outcome::Success)
}

fn run_relation(args: TrainArgs) -> anyhow::Result<Outcome> {
    standpoint::runtime::kernel_threads(args.model.batch_config().threads);
    let stance_dir = given_or_checkout(args.stance_head.as_ref(), standpoint::scoring::STANCE_HEAD)?;
    let stance = standpoint::heads::Classifier::load(&args.model.dir()?, &stance_dir, args.model.precision())?;
    let dict = standpoint::actors::Dictionary::builtin()?;
    let started = Instant::now();
    let model = standpoint::train::relation::train(&stance, &stance_dir, &dict, &args.data, &args.dev, &args.model.batch_config(), args.seed)?;
    model.save(&args.out)?;
    eprintln!("standpoint: fitted relations in {:.0} s, wrote {}", started.elapsed().as_secs_f64(), args.out.display());
    println!("{}", serde_json::to_string_pretty(&model.record)?);
    Ok(Outcome::Success)
}

fn run_linker(args: TrainArgs) -> anyhow::Result<Outcome> {
    let lexicons = standpoint::lexicon::Lexicons::builtin();
    // the tagger as `eval` runs it: each document by itself, one thread per pass
    standpoint::runtime::per_pass();
    standpoint::runtime::workers(args.model.batch_config().threads);
    let meta = standpoint::train::tagger::refit_linker(&args.model.dir()?, &args.out, &args.data, &args.dev, &lexicons)?;
    let kept = if meta.linker.is_some() { "kept" } else { "not kept: the rules pick speakers" };
    eprintln!(
        "standpoint: speaker linker {kept}; wrote {} (its `auto` choice was measured before: rerun `scripts/attribution-choice --tagger {} --write` to measure it again)",
        args.out.join("tagger.json").display(),
        args.out.display()
    );
    println!("{}", serde_json::to_string_pretty(&serde_json::json!({"linker": meta.record["linker"], "dev": meta.record["dev"]}))?);
    Ok(Outcome::Success)
}

fn run_tagger(args: TrainArgs) -> anyhow::Result<Outcome> {
    let config = standpoint::tagger::TaggerConfig {
        epochs: args.tune_epochs.unwrap_or(standpoint::tagger::TaggerConfig::default().epochs),
        seed: args.seed,
        layers: args.tune_from_layer.unwrap_or(standpoint::tagger::TaggerConfig::default().layers),
        lstm_hidden: args.lstm_hidden,
        max_tokens: args.max_tokens,
        balance_languages: args.balance_per_language,
        ..Default::default()
    };
    let lexicons = standpoint::lexicon::Lexicons::builtin();
    let started = Instant::now();
    let meta = standpoint::train::tagger::train(
        &args.model.dir()?,
        &args.data,
        &args.dev,
        &config,
        &lexicons,
        args.model.batch_config().threads,
        &args.out,
    )?;
    eprintln!("standpoint: trained the tagger in {:.0} s, wrote {}", started.elapsed().as_secs_f64(), args.out.display());
    println!("{}", serde_json::to_string_pretty(&meta.record["dev"])?);
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::{language_weight, language_weights, learning_rate};

    #[test]
    fn a_learning_rate_is_a_positive_finite_number() {
        assert_eq!(learning_rate("8e-5").unwrap(), 8e-5);
        assert_eq!(learning_rate("0.002").unwrap(), 0.002);
        for bad in ["", "0", "-1e-5", "inf", "NaN", "fast"] {
            assert!(learning_rate(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn a_language_weight_is_a_code_and_a_positive_number() {
        assert_eq!(language_weight("ru=2").unwrap(), ("ru".to_string(), 2.0));
        assert_eq!(language_weight(" de = 0.5").unwrap(), ("de".to_string(), 0.5));
        for bad in ["ru", "ru=", "ru=x", "ru=0", "ru=-1", "ru=inf", "=2"] {
            assert!(language_weight(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn a_language_weighed_twice_is_refused() {
        let twice = [("ru".to_string(), 2.0), ("de".to_string(), 0.5), ("ru".to_string(), 3.0)];
        let err = language_weights(&twice).unwrap_err();
        assert!(err.contains("`ru` twice"), "{err}");
        let once = language_weights(&twice[..2]).unwrap();
        assert_eq!(once.into_iter().collect::<Vec<_>>(), vec![("de".to_string(), 0.5), ("ru".to_string(), 2.0)]);
    }
}
