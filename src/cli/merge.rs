//! `standpoint merge`: the output folders of `score --shard K/N` runs combined into one run's.

use std::path::PathBuf;

use clap::Args;

use super::Outcome;

#[derive(Args)]
pub struct MergeArgs {
    /// Output folders of `standpoint score --shard K/N` runs, all N of them.
    #[arg(required = true, num_args = 1..)]
    parts: Vec<PathBuf>,
    /// Output directory for the combined outputs.
    #[arg(short, long)]
    out: PathBuf,
    /// Leave wall-clock timings out of report.json.
    #[arg(long)]
    no_timings: bool,
}

pub fn run(args: MergeArgs) -> anyhow::Result<Outcome> {
    let summary = standpoint::score::merge(&args.parts, &args.out, !args.no_timings)?;
    eprintln!(
        "standpoint: merged {} parts: {} articles ({} failed), {} statements; report in {}",
        args.parts.len(),
        summary.articles,
        summary.failed,
        summary.statements,
        args.out.join(standpoint::report::REPORT_HTML).display()
    );
    Ok(if summary.failed > 0 { Outcome::PartialFailure } else { Outcome::Success })
}
