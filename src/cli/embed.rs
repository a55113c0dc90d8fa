//! `standpoint embed`: sentence vectors, JSONL in and out.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::args::ModelArgs;
use super::Outcome;

#[derive(Args)]
pub struct EmbedArgs {
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

pub fn run(args: EmbedArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let encoder = args.model.load()?;
    let loaded = Instant::now();
    let config = args.model.batch_config();
    standpoint::runtime::per_pass();
    standpoint::runtime::workers(config.threads);
    let input: Box<dyn std::io::BufRead> = if args.input == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
        Box::new(BufReader::new(file))
    };
    let output: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let summary = standpoint::embed::run(&encoder, &config, input, output)?;
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
