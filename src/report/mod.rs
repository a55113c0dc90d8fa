//! The report: `report.json`, `actors.csv` and `report.html`, computed from a run's
//! `articles.jsonl` and `quotes.jsonl` alone. [`schema`] is the format of every record;
//! [`aggregate`] the per-actor figures; [`html`] the page.

pub mod aggregate;
pub mod html;
pub mod schema;

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use aggregate::{Aggregates, Aggregator};
use schema::{ArticleRecord, QuoteRecord, Status, SCHEMA_VERSION};

pub const REPORT_JSON: &str = "report.json";
pub const ACTORS_CSV: &str = "actors.csv";
pub const REPORT_HTML: &str = "report.html";

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} line {line}: {source}")]
    Json { path: String, line: usize, source: serde_json::Error },
}

/// A model file the run used, with its content hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// `encoder`, `tone` or `stance`.
    pub role: String,
    /// The directory as given, or its name.
    pub id: String,
    /// SHA-256 of the directory's weight and configuration files, in name order.
    pub sha256: String,
}

/// What the run was: everything needed to repeat it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub generator: String,
    pub version: String,
    pub inputs: Vec<String>,
    /// What decides the results besides the inputs and the models: targets, limits, data
    /// files, long-text policy, batch size, attribution.
    pub config: Value,
    /// The arithmetic: precision, the CPU features that chose it, libtorch, kernel threads.
    pub numerics: crate::runtime::Numerics,
    pub models: Vec<ModelFile>,
    /// How the run was carried out (`chunk`: articles per chunk; `workers`: articles scored at
    /// once). It decides the speed, never a number, so like the timings it is left out with
    /// `--no-timings`; `run.json` keeps `chunk`, which a resumed run or a shard must share.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub execution: BTreeMap<String, Value>,
    /// Wall-clock seconds per stage; with `execution`, the only part of the outputs that
    /// differs between runs (leave both out with `--no-timings`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub timings: BTreeMap<String, f64>,
    #[serde(skip)]
    pub record_timings: bool,
}

impl RunInfo {
    /// The run's identity: everything but the wall-clock figures (what `run.json` keeps, and what
    /// a resumed run or a shard must share).
    pub fn without_timings(&self) -> RunInfo {
        let execution = self.execution.iter().filter(|(k, _)| *k == "chunk").map(|(k, v)| (k.clone(), v.clone())).collect();
        RunInfo { timings: BTreeMap::new(), execution, record_timings: false, ..self.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub articles: u64,
    pub scored: u64,
    pub failed: u64,
    pub statements: u64,
    pub attributed_statements: u64,
    pub actors: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedArticle {
    pub seq: u64,
    pub id: Option<String>,
    pub origin: String,
    pub reason: String,
}

/// `report.json`, all but its `articles` array, which [`write_all`] streams from
/// `articles.jsonl` after these fields (memory stays bounded however many articles there are).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub run: RunInfo,
    pub targets: Vec<String>,
    pub totals: Totals,
    #[serde(flatten)]
    pub aggregates: Aggregates,
    pub languages: Vec<aggregate::LanguageSummary>,
    pub failed: Vec<FailedArticle>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io { path: path.display().to_string(), source }
}

/// Calls `f` with every record of a JSONL file, in order.
pub fn for_each_record<T: serde::de::DeserializeOwned>(path: &Path, mut f: impl FnMut(T)) -> Result<(), ReportError> {
    for_each_line(path, |n, line| {
        f(serde_json::from_str(line).map_err(|source| ReportError::Json { path: path.display().to_string(), line: n, source })?);
        Ok(())
    })
}

/// Calls `f` with every non-blank line (and its 1-based number) of a file.
fn for_each_line(path: &Path, mut f: impl FnMut(usize, &str) -> Result<(), ReportError>) -> Result<(), ReportError> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io(path))?;
        if !line.trim().is_empty() {
            f(n + 1, &line)?;
        }
    }
    Ok(())
}

/// Builds the report from the run's records, both streamed.
pub fn build(articles: &Path, quotes: &Path, targets: &[String], run: RunInfo) -> Result<Report, ReportError> {
    let mut aggregator = Aggregator::new(targets);
    let mut statements = 0u64;
    let mut by_lang: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for_each_record(quotes, |q: QuoteRecord| {
        statements += 1;
        by_lang.entry(q.lang.clone().unwrap_or_else(|| "und".into())).or_default().1 += 1;
        aggregator.add(&q);
    })?;
    let (mut total, mut failed) = (0u64, Vec::new());
    for_each_record(articles, |a: ArticleRecord| {
        total += 1;
        match a.status {
            Status::Ok => by_lang.entry(a.lang.clone().unwrap_or_else(|| "und".into())).or_default().0 += 1,
            Status::Failed => failed.push(FailedArticle { seq: a.seq, id: a.id, origin: a.origin, reason: a.reason.unwrap_or_default() }),
        }
    })?;
    let aggregates = aggregator.finish();
    let totals = Totals {
        articles: total,
        scored: total - failed.len() as u64,
        failed: failed.len() as u64,
        statements,
        attributed_statements: statements - aggregates.unattributed_statements,
        actors: aggregates.actors.len() as u64,
    };
    Ok(Report {
        schema_version: SCHEMA_VERSION.into(),
        run,
        targets: targets.to_vec(),
        totals,
        languages: by_lang
            .into_iter()
            .map(|(lang, (articles, statements))| aggregate::LanguageSummary { lang, articles, statements })
            .collect(),
        aggregates,
        failed,
    })
}

/// Writes `report.json` (the report, then every line of `articles.jsonl` as its `articles`
/// array), `actors.csv` and `report.html` into `out`.
pub fn write_all(out: &Path, articles: &Path, quotes: &Path, targets: &[String], mut run: RunInfo, started: Instant) -> Result<Report, ReportError> {
    let record_timings = run.record_timings;
    let mut report = build(articles, quotes, targets, run.clone())?;
    if record_timings {
        run.timings.insert("report_s".into(), started.elapsed().as_secs_f64());
        report.run.timings = run.timings.iter().map(|(k, v)| (k.clone(), (v * 1000.0).round() / 1000.0)).collect();
    } else {
        report.run.timings.clear();
        report.run.execution.clear();
    }
    let head = serde_json::to_string_pretty(&report).expect("serialises");
    let head = head.strip_suffix('}').expect("an object").trim_end();
    write_atomically(&out.join(REPORT_JSON), |w| {
        write!(w, "{head},\n  \"articles\": [")?;
        let mut first = true;
        for_each_line(articles, |_, line| {
            write!(w, "{}\n    {line}", if first { "" } else { "," }).map_err(io(articles))?;
            first = false;
            Ok(())
        })
        .map_err(|e| std::io::Error::other(e.to_string()))?;
        writeln!(w, "{}]\n}}", if first { "" } else { "\n  " })
    })?;
    write_atomically(&out.join(ACTORS_CSV), |w| write_csv(w, &report))?;
    write_atomically(&out.join(REPORT_HTML), |w| html::write(w, &report))?;
    Ok(report)
}

/// Writes through a temporary file renamed into place: readers never see half a file.
pub fn write_atomically(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), ReportError> {
    let tmp = path.with_extension("partial");
    let file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w).map_err(io(&tmp))?;
    w.flush().map_err(io(&tmp))?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(io(path))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `actors.csv`: one row per actor × target (one row per actor, target empty, when no target
/// was given), actors in report order.
fn write_csv(w: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    writeln!(
        w,
        "schema_version,actor_id,actor_name,actor_type,parent,target,statements,articles,\
         stance_mean,stance_ci_low,stance_ci_high,tone_mean,tone_ci_low,tone_ci_high"
    )?;
    for a in &report.aggregates.actors {
        let kind = serde_json::to_value(a.actor.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let head = [SCHEMA_VERSION, &a.actor.id, &a.actor.name, &kind, a.actor.parent.as_deref().unwrap_or("")]
            .iter()
            .map(|s| csv_field(s))
            .collect::<Vec<_>>()
            .join(",");
        let tone = format!("{},{},{}", a.tone.mean, a.tone.ci95[0], a.tone.ci95[1]);
        if a.stance.is_empty() {
            writeln!(w, "{head},,{},{},,,,{tone}", a.statements, a.articles)?;
        }
        for s in &a.stance {
            writeln!(
                w,
                "{head},{},{},{},{},{},{},{tone}",
                csv_field(&s.target),
                a.statements,
                a.articles,
                s.estimate.mean,
                s.estimate.ci95[0],
                s.estimate.ci95[1]
            )?;
        }
    }
    Ok(())
}
