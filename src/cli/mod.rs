//! Command-line surface: raw flags → ready objects → a job → an exit code.
//!
//! One file per subcommand, each with its flags and its run; [`args`] holds the flags several
//! share (model, statement finder, text data).

mod args;
mod embed;
mod eval;
mod merge;
mod models;
mod progress;
mod quotes;
mod score;
mod train;

use clap::{Parser, Subcommand};

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
    Merge(merge::MergeArgs),
    /// Sentence vectors from the encoder: JSONL {"id","text"} in, JSONL {"id","vector",…} out.
    #[command(after_help = "Examples:\n  standpoint embed texts.jsonl -o vectors.jsonl\n  \
        echo '{\"id\":1,\"text\":\"Baku said the checkpoint is legal.\"}' | standpoint embed -")]
    Embed(embed::EmbedArgs),
    /// Who said what: statements with speaker, cue and content spans (text stages only, no model).
    #[command(after_help = "Examples:\n  standpoint quotes article.txt\n  standpoint quotes --lang de bericht.txt")]
    Quotes(quotes::QuotesArgs),
    /// Measure the real pipeline on labelled data; prints one JSON object of metrics.
    #[command(after_help = "Examples:\n  standpoint eval --task attribution --data ../shared/datasets/polnear/dev.jsonl\n  \
        standpoint eval --task attribution --data dev.jsonl --predictions preds.jsonl")]
    Eval(eval::EvalArgs),
    /// Train a stance or tone head on the encoder, reproducibly (seeded; data and settings recorded).
    #[command(
        after_help = "Example:\n  standpoint train --task sentiment --data xlm-t/train.jsonl --dev xlm-t/val.jsonl --out models/heads/tone"
    )]
    Train(train::TrainArgs),
    /// Build or inspect the models Standpoint runs.
    #[command(subcommand)]
    Models(models::ModelsCommand),
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Score(args) => score::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Embed(args) => embed::run(args),
        Command::Quotes(args) => quotes::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Train(args) => train::run(args),
        Command::Models(command) => models::run(command),
    }
}
