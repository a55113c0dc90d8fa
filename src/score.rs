//! The `standpoint score` job: a corpus in, a report out.
//!
//! Input is read as a stream and processed in chunks of [`ScoreConfig::chunk`] items, so memory
//! stays bounded whatever the corpus size. Each finished chunk is appended to `articles.jsonl`
//! and `quotes.jsonl`; when the input ends, the report (`report.json`, `actors.csv`,
//! `report.html`) is computed from those two files alone.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::actors::Dictionary;
use crate::corpus::{self, CorpusError};
use crate::lexicon::Lexicons;
use crate::pipeline;
use crate::report::{self, schema::ArticleRecord, schema::Status, ReportError, RunInfo};
use crate::scoring::Scorer;

pub const ARTICLES: &str = "articles.jsonl";
pub const QUOTES: &str = "quotes.jsonl";

#[derive(Debug, Clone)]
pub struct ScoreConfig {
    pub targets: Vec<String>,
    /// Input items per chunk (text stages and batching run over a chunk at a time).
    pub chunk: usize,
    pub max_article_bytes: usize,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig { targets: Vec::new(), chunk: 256, max_article_bytes: corpus::DEFAULT_MAX_ARTICLE_BYTES }
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

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ScoreError + '_ {
    move |source| ScoreError::Io { path: path.display().to_string(), source }
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
    let sources = corpus::sources(inputs)?;
    let mut reader = corpus::Reader::new(sources, config.max_article_bytes);
    let articles_path = out.join(ARTICLES);
    let quotes_path = out.join(QUOTES);
    let mut articles_out = BufWriter::new(std::fs::File::create(&articles_path).map_err(io_err(&articles_path))?);
    let mut quotes_out = BufWriter::new(std::fs::File::create(&quotes_path).map_err(io_err(&quotes_path))?);
    let mut summary = Summary::default();
    let mut seq = 0u64;
    loop {
        let mut chunk = Vec::with_capacity(config.chunk);
        for item in reader.by_ref().take(config.chunk) {
            chunk.push(item?);
        }
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len() as u64;
        for scored in pipeline::run_chunk(chunk, seq, lexicons, dict, scorer, &config.targets) {
            summary.articles += 1;
            summary.failed += u64::from(scored.article.status == Status::Failed);
            summary.statements += scored.quotes.len() as u64;
            for q in &scored.quotes {
                writeln!(quotes_out, "{}", serde_json::to_string(q).expect("serialises")).map_err(io_err(&quotes_path))?;
            }
            writeln!(articles_out, "{}", serde_json::to_string(&scored.article).expect("serialises")).map_err(io_err(&articles_path))?;
        }
        seq += n;
        progress.advance(summary.articles, summary.failed);
    }
    articles_out.flush().map_err(io_err(&articles_path))?;
    quotes_out.flush().map_err(io_err(&quotes_path))?;
    progress.finish();
    run_info.timings.insert("pipeline_s".into(), started.elapsed().as_secs_f64());
    let reported = Instant::now();
    let mut articles = Vec::new();
    report::for_each_record(&articles_path, |a: ArticleRecord| articles.push(a))?;
    report::write_all(out, articles, &quotes_path, &config.targets, run_info, reported)?;
    Ok(summary)
}

