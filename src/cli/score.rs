//! `standpoint score`: flags → a run of the whole pipeline → an exit code.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use sha2::{Digest, Sha256};

use standpoint::model::sequence::SequenceClassifier;
use standpoint::report::{ModelFile, RunInfo};
use standpoint::score::{self, ScoreConfig};
use standpoint::heads::relation::Relation;
use standpoint::heads::relevance::Relevance;
use standpoint::scoring::{Scorer, RELATION_MODEL, RELEVANCE_MODEL, STANCE_HEAD, TONE_HEAD};

use super::args::{default_model_dir, given_or_checkout, optional_model, FinderArgs, ModelArgs, TextArgs};
use super::progress::{stderr_is_terminal, Bar};
use super::Outcome;

#[derive(Args)]
pub struct ScoreArgs {
    /// Articles: JSONL corpora (`id`, `text`, optional `lang`, `title`, `date`, `source`), `.txt`
    /// files, folders of them, or `-` for standard input.
    #[arg(default_value = "-", num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Output directory: report.json, quotes.jsonl, articles.jsonl, actors.csv, report.html.
    #[arg(short, long)]
    out: PathBuf,
    /// A stance target as free text in any language; repeat for several.
    #[arg(short, long = "target")]
    targets: Vec<String>,
    /// Tone head directory (default: models/heads/tone).
    #[arg(long)]
    tone_head: Option<PathBuf>,
    /// Stance head directory (default: models/heads/stance).
    #[arg(long)]
    stance_head: Option<PathBuf>,
    /// Relevance model directory (default: models/heads/relevance): a statement counts toward a
    /// target's aggregates only when P(about the target) reaches the model's threshold.
    #[arg(long, conflicts_with = "no_relevance")]
    relevance: Option<PathBuf>,
    /// Count every statement toward every target (no relevance model). Without a stance head of
    /// the shipped kind (`--model` NLI), this is what happens.
    #[arg(long)]
    no_relevance: bool,
    /// Relation model directory (default: models/heads/relation): a statement counts toward its
    /// speaker's relation to an actor it names only when the speaker expresses an attitude toward
    /// that actor (P(attitude) at the model's threshold), with the model's polarity.
    #[arg(long, conflicts_with = "no_relation")]
    relation: Option<PathBuf>,
    /// Count every statement that names an actor toward the speaker's relation to it, by its
    /// stance (no relation model).
    #[arg(long)]
    no_relation: bool,
    /// Articles per chunk: the text stages and the transformer work a chunk at a time.
    #[arg(long, default_value_t = ScoreConfig::default().chunk)]
    chunk: usize,
    /// Articles larger than this many bytes are reported as failed, not scored.
    #[arg(long, default_value_t = ScoreConfig::default().max_article_bytes)]
    max_article_bytes: usize,
    /// Leave wall-clock timings out of report.json, so that every output is byte-identical
    /// between runs of the same input and configuration.
    #[arg(long)]
    no_timings: bool,
    /// Score only a deterministic share of the input: chunks k with k mod N = K. Combine the
    /// shards' output folders with `standpoint merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<score::Shard>,
    /// Carry on from where an interrupted run into the same --out stopped (same inputs and
    /// configuration); the output is the one an uninterrupted run writes.
    #[arg(long)]
    resume: bool,
    /// Never show the progress line (it is shown only on a terminal anyway).
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    finder: FinderArgs,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    model: ModelArgs,
}

/// SHA-256 over a directory's files (name and content, in name order; subfolders not included).
fn dir_hash(dir: &Path) -> anyhow::Result<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
        let mut file = std::fs::File::open(&f).with_context(|| format!("reading {}", f.display()))?;
        std::io::copy(&mut file, &mut h)?;
    }
    Ok(standpoint::digest::hex(&h.finalize()))
}

/// Items in the inputs, for the ETA (files only; standard input is not counted).
fn count_items(inputs: &[PathBuf]) -> Option<u64> {
    use std::io::BufRead;
    let sources = standpoint::corpus::sources(inputs).ok()?;
    let mut n = 0u64;
    for s in sources {
        match s {
            standpoint::corpus::Source::Stdin => return None,
            standpoint::corpus::Source::Text(_) => n += 1,
            standpoint::corpus::Source::Jsonl(p) => {
                let f = std::io::BufReader::new(std::fs::File::open(p).ok()?);
                n += f.split(b'\n').filter(|l| l.as_ref().is_ok_and(|l| !l.trim_ascii().is_empty())).count() as u64;
            }
        }
    }
    Some(n)
}

pub fn run(args: ScoreArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    anyhow::ensure!(args.chunk > 0, "--chunk must be at least 1");
    // before any model work: the kernels' code path, one thread per pass, `--threads` articles
    // at a time (see `runtime`)
    let precision = args.model.precision();
    standpoint::runtime::per_pass();
    standpoint::runtime::workers(args.model.batch_config().threads);
    let targets: Vec<String> = args.targets.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    let (lexicons, dict) = args.text.load()?;
    // --model: a classification model (NLI or sentiment) takes over its role; a bare encoder
    // replaces the embedded one under the shipped heads.
    let byo = match &args.model.model {
        Some(dir) => SequenceClassifier::load(dir, precision).with_context(|| format!("loading the model in {}", dir.display()))?,
        None => None,
    };
    let model_dir = if byo.is_some() { default_model_dir()? } else { args.model.dir()? };
    let tone_dir = given_or_checkout(args.tone_head.as_ref(), TONE_HEAD)?;
    let stance_dir = given_or_checkout(args.stance_head.as_ref(), STANCE_HEAD)?;
    let mut scorer = Scorer::load(&model_dir, &tone_dir, &stance_dir, precision, args.model.batch_config(), byo, &lexicons)
        .context("loading the models")?;
    let relevance_dir = optional_model(args.relevance.as_ref(), args.no_relevance || scorer.takes_no_relevance(), RELEVANCE_MODEL)?;
    if let Some(dir) = &relevance_dir {
        let model = Relevance::load(dir).with_context(|| format!("loading the relevance model in {}", dir.display()))?;
        scorer = scorer.with_relevance(model).with_context(|| {
            format!("{}: give --relevance with a model fitted on this stance head (standpoint train --task relevance), or --no-relevance", dir.display())
        })?;
    }
    let relation_dir = optional_model(args.relation.as_ref(), args.no_relation || scorer.takes_no_relevance(), RELATION_MODEL)?;
    if let Some(dir) = &relation_dir {
        let model = Relation::load(dir).with_context(|| format!("loading the relation model in {}", dir.display()))?;
        scorer = scorer.with_relation(model).with_context(|| {
            format!("{}: give --relation with a model fitted on this stance head (standpoint train --task relation), or --no-relation", dir.display())
        })?;
    }
    let tagger_dir = match args.finder.load(|| Ok(model_dir.clone()), precision, &scorer.bottoms())? {
        Some((tagger, dir)) => {
            scorer = scorer.with_tagger(tagger, args.finder.finder());
            Some(dir)
        }
        None => None,
    };
    let loaded = started.elapsed().as_secs_f64();
    let config =
        ScoreConfig { targets, chunk: args.chunk, max_article_bytes: args.max_article_bytes, shard: args.shard, resume: args.resume };
    let name = |p: &Path| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut run_info = RunInfo {
        generator: "standpoint".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        inputs: args.inputs.iter().map(|p| p.display().to_string()).collect(),
        config: serde_json::json!({
            "targets": config.targets,
            "max_article_bytes": config.max_article_bytes,
            "actors_file": args.text.actors.as_ref().map(|p| p.display().to_string()),
            "lang_data": args.text.lang_data.as_ref().map(|p| p.display().to_string()),
            "long_text": format!("{:?}", args.model.batch_config().long_text).to_lowercase(),
            "batch_size": args.model.batch_size,
            "attribution": args.finder.finder(),
            "relevance": scorer.relevance().map(|r| serde_json::json!({"threshold": r.threshold, "vectors": r.vectors, "features": r.features})),
            "relation": scorer.relation().map(|r| serde_json::json!({"threshold": r.threshold, "features": r.features, "polarity": r.polarity})),
        }),
        numerics: standpoint::runtime::numerics(precision, scorer.precision()),
        execution: [
            ("chunk".to_owned(), serde_json::json!(config.chunk)),
            ("workers".to_owned(), serde_json::json!(rayon::current_num_threads())),
        ]
        .into_iter()
        .collect(),
        models: vec![
            ModelFile { role: "encoder".into(), id: name(&model_dir), sha256: dir_hash(&model_dir)? },
            ModelFile { role: "tone".into(), id: name(&scorer.tone_dir), sha256: dir_hash(&scorer.tone_dir)? },
            ModelFile { role: "stance".into(), id: name(&scorer.stance_dir), sha256: dir_hash(&scorer.stance_dir)? },
        ],
        timings: Default::default(),
        record_timings: !args.no_timings,
    };
    if let Some(dir) = &relevance_dir {
        run_info.models.push(ModelFile { role: "relevance".into(), id: name(dir), sha256: dir_hash(dir)? });
    }
    if let Some(dir) = &relation_dir {
        run_info.models.push(ModelFile { role: "relation".into(), id: name(dir), sha256: dir_hash(dir)? });
    }
    if let Some(dir) = &tagger_dir {
        run_info.models.push(ModelFile { role: "tagger".into(), id: name(dir), sha256: dir_hash(dir)? });
    }
    run_info.timings.insert("load_s".into(), loaded);
    let show = !args.quiet && stderr_is_terminal();
    let summary = if show {
        let mut bar = Bar::new(count_items(&args.inputs));
        score::run(&args.inputs, &args.out, &config, &lexicons, &dict, &scorer, run_info, &mut bar)?
    } else {
        score::run(&args.inputs, &args.out, &config, &lexicons, &dict, &scorer, run_info, &mut score::Quiet)?
    };
    eprintln!(
        "standpoint: {} articles ({} failed), {} statements; report in {}",
        summary.articles,
        summary.failed,
        summary.statements,
        args.out.join(standpoint::report::REPORT_HTML).display()
    );
    Ok(if summary.failed > 0 { Outcome::PartialFailure } else { Outcome::Success })
}
