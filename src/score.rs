//! The `standpoint score` job: a corpus in, a report out — streaming, resumable, shardable.
//!
//! Input is read as a stream and cut into chunks of [`ScoreConfig::chunk`] items at fixed
//! positions (items 0..c, c..2c, …), so memory stays bounded whatever the corpus size and a chunk
//! is the same set of texts in every run. A reader thread runs the text stages on the next chunk
//! while the transformer scores the current one. Each finished chunk is appended to
//! `articles.jsonl` and `quotes.jsonl`, then `checkpoint.json` records how far the run got and the
//! files' lengths at that point:
//!
//! - `--resume` after a crash or kill cuts both files back to the checkpoint, skips the items it
//!   covers, and carries on: the output is the one an uninterrupted run writes.
//! - `--shard K/N` scores only chunks k with k mod N = K (every shard still reads the whole input,
//!   so positions and duplicate ids are the same as in one run); [`merge`] interleaves the shards'
//!   records back into exactly one run's files.
//!
//! When the input ends, the report (`report.json`, `actors.csv`, `report.html`) is computed from
//! `articles.jsonl` and `quotes.jsonl` alone.

use std::io::{BufRead, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::actors::Dictionary;
use crate::corpus::{self, CorpusError, Item};
use crate::lexicon::Lexicons;
use crate::pipeline::{self, Analysed};
use crate::report::{self, schema::ArticleRecord, schema::QuoteRecord, schema::Status, ReportError, RunInfo};
use crate::scoring::Scorer;

pub const ARTICLES: &str = "articles.jsonl";
pub const QUOTES: &str = "quotes.jsonl";
pub const CHECKPOINT: &str = "checkpoint.json";
pub const RUN: &str = "run.json";

/// A deterministic share of the input: chunks k with k mod `count` = `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| format!("{s:?}: a shard is K/N, e.g. 0/4"))?;
        let (index, count) = (k.trim().parse::<u64>().map_err(|e| e.to_string())?, n.trim().parse::<u64>().map_err(|e| e.to_string())?);
        if count == 0 || index >= count {
            return Err(format!("{s:?}: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[derive(Debug, Clone)]
pub struct ScoreConfig {
    pub targets: Vec<String>,
    /// Input items per chunk (text stages and batching run over a chunk at a time).
    pub chunk: usize,
    pub max_article_bytes: usize,
    pub shard: Option<Shard>,
    /// Carry on from `checkpoint.json` in the output folder, if there is one.
    pub resume: bool,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig { targets: Vec::new(), chunk: 256, max_article_bytes: corpus::DEFAULT_MAX_ARTICLE_BYTES, shard: None, resume: false }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("cannot resume in {dir}: {why}")]
    Resume { dir: String, why: String },
    #[error("cannot merge: {0}")]
    Merge(String),
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub articles: u64,
    pub failed: u64,
    pub statements: u64,
}

/// Progress callbacks: items done so far.
pub trait Progress {
    fn advance(&mut self, done: u64, failed: u64);
    fn finish(&mut self);
}

/// No progress display.
pub struct Quiet;
impl Progress for Quiet {
    fn advance(&mut self, _: u64, _: u64) {}
    fn finish(&mut self) {}
}

/// How far a run got: written after every chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Input items consumed (scored, failed, or left to other shards).
    pub items: u64,
    pub chunks: u64,
    pub articles_bytes: u64,
    pub quotes_bytes: u64,
    pub shard: Option<Shard>,
    /// The input ended and the report was written.
    pub done: bool,
    pub summary_articles: u64,
    pub summary_failed: u64,
    pub summary_statements: u64,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ScoreError + '_ {
    move |source| ScoreError::Io { path: path.display().to_string(), source }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), ScoreError> {
    Ok(report::write_atomically(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
        writeln!(w)
    })?)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ScoreError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    serde_json::from_str(&text).map_err(|e| ScoreError::Io { path: path.display().to_string(), source: std::io::Error::other(e) })
}

/// Opens `path` for appending after cutting it to `len` bytes (creating it empty when `len` is 0).
fn append_from(path: &Path, len: u64) -> Result<BufWriter<std::fs::File>, ScoreError> {
    let mut file = std::fs::OpenOptions::new().create(true).write(true).truncate(len == 0).open(path).map_err(io_err(path))?;
    file.set_len(len).map_err(io_err(path))?;
    file.seek(std::io::SeekFrom::Start(len)).map_err(io_err(path))?;
    Ok(BufWriter::new(file))
}

/// Runs the pipeline over `inputs` and writes every output into `out`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    inputs: &[PathBuf],
    out: &Path,
    config: &ScoreConfig,
    lexicons: &Lexicons,
    dict: &Dictionary,
    scorer: &Scorer,
    mut run_info: RunInfo,
    progress: &mut dyn Progress,
) -> Result<Summary, ScoreError> {
    let started = Instant::now();
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let (articles_path, quotes_path, checkpoint_path, run_path) = (out.join(ARTICLES), out.join(QUOTES), out.join(CHECKPOINT), out.join(RUN));
    let resume_error = |why: String| ScoreError::Resume { dir: out.display().to_string(), why };

    let mut state = Checkpoint {
        items: 0,
        chunks: 0,
        articles_bytes: 0,
        quotes_bytes: 0,
        shard: config.shard,
        done: false,
        summary_articles: 0,
        summary_failed: 0,
        summary_statements: 0,
    };
    if config.resume && checkpoint_path.is_file() {
        let saved: Checkpoint = read_json(&checkpoint_path)?;
        let before: RunInfo = read_json(&run_path)?;
        if before != run_info.without_timings() {
            return Err(resume_error("the inputs, configuration or models differ from the interrupted run's (run.json)".into()));
        }
        if saved.shard != config.shard {
            return Err(resume_error(format!("the interrupted run was shard {:?}, this one {:?}", saved.shard, config.shard)));
        }
        state = saved;
    } else {
        let _ = std::fs::remove_file(&checkpoint_path);
        write_json(&run_path, &run_info.without_timings())?;
    }
    let summary_of = |s: &Checkpoint| Summary { articles: s.summary_articles, failed: s.summary_failed, statements: s.summary_statements };
    if !state.done {
        let mut articles_out = append_from(&articles_path, state.articles_bytes)?;
        let mut quotes_out = append_from(&quotes_path, state.quotes_bytes)?;
        let mut reader = corpus::Reader::new(corpus::sources(inputs)?, config.max_article_bytes);
        let (chunk_size, shard) = (config.chunk.max(1), config.shard);
        let mine = |chunk: u64| shard.is_none_or(|s| chunk % s.count == s.index);
        let skip = state.items;

        std::thread::scope(|scope| -> Result<(), ScoreError> {
            // The reader thread: input → chunks → text stages, one chunk ahead of the scorer.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(u64, u64, Option<Analysed>), ScoreError>>(1);
            scope.spawn(move || {
                for _ in 0..skip {
                    match reader.next() {
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            let _ = tx.send(Err(e.into()));
                            return;
                        }
                        None => break,
                    }
                }
                let mut seq = skip;
                loop {
                    let chunk_index = seq / chunk_size as u64;
                    let mut items: Vec<Item> = Vec::with_capacity(chunk_size);
                    for item in reader.by_ref().take(chunk_size) {
                        match item {
                            Ok(i) => items.push(i),
                            Err(e) => {
                                let _ = tx.send(Err(e.into()));
                                return;
                            }
                        }
                    }
                    if items.is_empty() {
                        return;
                    }
                    let n = items.len() as u64;
                    let analysed = mine(chunk_index).then(|| pipeline::analyse_chunk(items, lexicons, dict, &config.targets));
                    if tx.send(Ok((seq, n, analysed))).is_err() {
                        return;
                    }
                    seq += n;
                }
            });
            for message in rx {
                let (first_seq, n, analysed) = message?;
                if let Some(mut analysed) = analysed {
                    if let Some((tagger, finder)) = scorer.tagger() {
                        analysed = pipeline::relearn(analysed, tagger, finder, lexicons, dict, &config.targets);
                    }
                    for scored in pipeline::score_chunk(analysed, first_seq, scorer, &config.targets) {
                        state.summary_articles += 1;
                        state.summary_failed += u64::from(scored.article.status == Status::Failed);
                        state.summary_statements += scored.quotes.len() as u64;
                        for q in &scored.quotes {
                            writeln!(quotes_out, "{}", serde_json::to_string(q).expect("serialises")).map_err(io_err(&quotes_path))?;
                        }
                        writeln!(articles_out, "{}", serde_json::to_string(&scored.article).expect("serialises")).map_err(io_err(&articles_path))?;
                    }
                }
                articles_out.flush().map_err(io_err(&articles_path))?;
                quotes_out.flush().map_err(io_err(&quotes_path))?;
                state.items = first_seq + n;
                state.chunks += 1;
                state.articles_bytes = articles_out.get_ref().stream_position().map_err(io_err(&articles_path))?;
                state.quotes_bytes = quotes_out.get_ref().stream_position().map_err(io_err(&quotes_path))?;
                write_json(&checkpoint_path, &state)?;
                progress.advance(state.summary_articles, state.summary_failed);
            }
            Ok(())
        })?;
        progress.finish();
    }
    run_info.timings.insert("pipeline_s".into(), started.elapsed().as_secs_f64());
    report::write_all(out, &articles_path, &quotes_path, &config.targets, run_info, Instant::now())?;
    state.done = true;
    write_json(&checkpoint_path, &state)?;
    Ok(summary_of(&state))
}

/// Combines the outputs of `--shard K/N` runs (one folder per shard, all N present, same run)
/// into `out`: the records interleaved back into input order, then the report — exactly what
/// one run over the whole input writes.
pub fn merge(parts: &[PathBuf], out: &Path, record_timings: bool) -> Result<Summary, ScoreError> {
    let started = Instant::now();
    let mut shards = Vec::new();
    for p in parts {
        let checkpoint: Checkpoint = read_json(&p.join(CHECKPOINT))?;
        let run: RunInfo = read_json(&p.join(RUN))?;
        if !checkpoint.done {
            return Err(ScoreError::Merge(format!("{} is not finished (resume it first)", p.display())));
        }
        let shard = checkpoint.shard.ok_or_else(|| ScoreError::Merge(format!("{} is not a shard (no --shard)", p.display())))?;
        shards.push((shard, run, p.clone()));
    }
    shards.sort_by_key(|s| s.0.index);
    let Some((first, run, _)) = shards.first().cloned() else { return Err(ScoreError::Merge("no parts given".into())) };
    let count = first.count;
    if shards.len() as u64 != count || shards.iter().enumerate().any(|(i, s)| s.0.index != i as u64 || s.0.count != count) {
        let got: Vec<String> = shards.iter().map(|s| s.0.to_string()).collect();
        return Err(ScoreError::Merge(format!("need every shard 0/{count} … {}/{count} once; got {}", count - 1, got.join(", "))));
    }
    if let Some((s, _, p)) = shards.iter().find(|(_, r, _)| *r != run) {
        return Err(ScoreError::Merge(format!("{} (shard {s}) was run with other inputs, configuration or models", p.display())));
    }
    let targets: Vec<String> = serde_json::from_value(run.config["targets"].clone()).unwrap_or_default();

    // Each shard's files are in input order: repeatedly take the article with the smallest seq
    // and its statements, streaming (memory does not grow with the corpus).
    type Lines = std::io::Lines<std::io::BufReader<std::fs::File>>;
    let open = |path: PathBuf| -> Result<Lines, ScoreError> {
        Ok(std::io::BufReader::new(std::fs::File::open(&path).map_err(io_err(&path))?).lines())
    };
    let next_article = |lines: &mut Lines, k: usize| -> Result<Option<ArticleRecord>, ScoreError> {
        for line in lines.by_ref() {
            let line = line.map_err(|e| ScoreError::Merge(format!("shard {k}: articles.jsonl: {e}")))?;
            if !line.trim().is_empty() {
                return serde_json::from_str(&line).map(Some).map_err(|e| ScoreError::Merge(format!("shard {k}: articles.jsonl: {e}")));
            }
        }
        Ok(None)
    };
    let mut articles_in: Vec<Lines> = Vec::new();
    let mut quotes_in: Vec<Lines> = Vec::new();
    let mut heads: Vec<Option<ArticleRecord>> = Vec::new();
    for (k, (_, _, p)) in shards.iter().enumerate() {
        let mut lines = open(p.join(ARTICLES))?;
        heads.push(next_article(&mut lines, k)?);
        articles_in.push(lines);
        quotes_in.push(open(p.join(QUOTES))?);
    }
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let (articles_path, quotes_path) = (out.join(ARTICLES), out.join(QUOTES));
    let mut articles_out = BufWriter::new(std::fs::File::create(&articles_path).map_err(io_err(&articles_path))?);
    let mut quotes_out = BufWriter::new(std::fs::File::create(&quotes_path).map_err(io_err(&quotes_path))?);
    let mut summary = Summary::default();
    while let Some(i) = heads.iter().enumerate().filter_map(|(i, h)| Some((h.as_ref()?.seq, i))).min().map(|(_, i)| i) {
        let article = heads[i].take().expect("chosen");
        heads[i] = next_article(&mut articles_in[i], i)?;
        writeln!(articles_out, "{}", serde_json::to_string(&article).expect("serialises")).map_err(io_err(&articles_path))?;
        summary.articles += 1;
        summary.failed += u64::from(article.status == Status::Failed);
        for _ in 0..article.statements {
            let line = quotes_in[i]
                .next()
                .ok_or_else(|| ScoreError::Merge(format!("shard {i}: quotes.jsonl ends before article {:?}'s statements", article.id)))?
                .map_err(|e| ScoreError::Merge(format!("shard {i}: quotes.jsonl: {e}")))?;
            let q: QuoteRecord = serde_json::from_str(&line).map_err(|e| ScoreError::Merge(format!("shard {i}: quotes.jsonl: {e}")))?;
            if Some(&q.article_id) != article.id.as_ref() {
                return Err(ScoreError::Merge(format!("shard {i}: statements out of step at article {:?}", article.id)));
            }
            writeln!(quotes_out, "{line}").map_err(io_err(&quotes_path))?;
            summary.statements += 1;
        }
    }
    articles_out.flush().map_err(io_err(&articles_path))?;
    quotes_out.flush().map_err(io_err(&quotes_path))?;
    write_json(&out.join(RUN), &run)?;
    let mut run = run;
    run.record_timings = record_timings;
    run.timings.insert("merge_s".into(), started.elapsed().as_secs_f64());
    report::write_all(out, &articles_path, &quotes_path, &targets, run, Instant::now())?;
    let state = Checkpoint {
        items: summary.articles,
        chunks: 0,
        articles_bytes: std::fs::metadata(&articles_path).map_err(io_err(&articles_path))?.len(),
        quotes_bytes: std::fs::metadata(&quotes_path).map_err(io_err(&quotes_path))?.len(),
        shard: None,
        done: true,
        summary_articles: summary.articles,
        summary_failed: summary.failed,
        summary_statements: summary.statements,
    };
    write_json(&out.join(CHECKPOINT), &state)?;
    Ok(summary)
}
