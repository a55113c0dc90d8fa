//! Flags several subcommands share: the model, the statement finder, the text data.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use standpoint::model::{BatchConfig, Encoder, LongText, Precision};

#[derive(Args)]
pub(crate) struct ModelArgs {
    /// Encoder directory (Hugging Face layout). Default: $STANDPOINT_MODEL, else
    /// models/multilingual-e5-small in the working directory or beside the executable's checkout.
    #[arg(long)]
    pub(crate) model: Option<PathBuf>,
    /// Windows per forward pass.
    #[arg(long, default_value_t = BatchConfig::default().batch_size)]
    pub(crate) batch_size: usize,
    /// Threads for model work (default: all cores). `score` runs this many articles at once and
    /// `embed` this many batches, each pass on one thread, so their outputs do not depend on it;
    /// `eval` and `train` split each pass over them.
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
enum FinderArg {
    Rules,
    Learned,
    Auto,
}

/// Which statements are reported: the rule-based cue reader's or the learned tagger's.
#[derive(Args)]
pub(crate) struct FinderArgs {
    /// rules: the cue reader (text only, fast); learned: the attribution tagger, a transformer
    /// pass over all the text (see the README for its accuracy and cost); auto: per language,
    /// the finder the tagger's development figures choose (`auto` in its tagger.json).
    #[arg(long, value_enum, default_value = "auto")]
    attribution: FinderArg,
    /// The attribution tagger's directory (default: models/tagger).
    #[arg(long)]
    tagger: Option<PathBuf>,
}

impl FinderArgs {
    pub(crate) fn finder(&self) -> standpoint::quotes::Finder {
        match self.attribution {
            FinderArg::Rules => standpoint::quotes::Finder::Rules,
            FinderArg::Learned => standpoint::quotes::Finder::Learned,
            FinderArg::Auto => standpoint::quotes::Finder::Auto,
        }
    }

    /// The tagger's `tagger.json` (its windows and speaker linker, no weights), when the finder
    /// needs a tagger.
    pub(crate) fn meta(&self) -> anyhow::Result<Option<standpoint::tagger::TaggerMeta>> {
        if self.finder() == standpoint::quotes::Finder::Rules {
            return Ok(None);
        }
        let dir = given_or_checkout(self.tagger.as_ref(), standpoint::tagger::TAGGER)?;
        let meta = standpoint::tagger::TaggerMeta::read(&dir).with_context(|| format!("reading the attribution tagger in {}", dir.display()))?;
        Ok(Some(meta))
    }

    /// The tagger and its directory, when the finder needs one, on the encoder `model_dir`
    /// names (asked only then: the rules need no model), sharing the bottom layers of `shared`
    /// where they fit.
    pub(crate) fn load(
        &self,
        model_dir: impl FnOnce() -> anyhow::Result<PathBuf>,
        precision: standpoint::model::Precision,
        shared: &[&standpoint::model::Encoder],
    ) -> anyhow::Result<Option<(standpoint::tagger::Tagger, PathBuf)>> {
        if self.finder() == standpoint::quotes::Finder::Rules {
            return Ok(None);
        }
        let model_dir = model_dir()?;
        let dir = given_or_checkout(self.tagger.as_ref(), standpoint::tagger::TAGGER)?;
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
    pub(crate) actors: Option<PathBuf>,
    /// A directory of language files (format of data/lang/*.json) that add or replace languages.
    #[arg(long)]
    pub(crate) lang_data: Option<PathBuf>,
}

impl TextArgs {
    pub(crate) fn load(&self) -> anyhow::Result<(standpoint::lexicon::Lexicons, standpoint::actors::Dictionary)> {
        let lexicons = standpoint::lexicon::Lexicons::load(self.lang_data.as_deref())?;
        let dict = standpoint::actors::Dictionary::load(self.actors.as_deref())?;
        Ok((lexicons, dict))
    }
}

impl ModelArgs {
    pub(crate) fn batch_config(&self) -> BatchConfig {
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
    pub(crate) fn precision(&self) -> Precision {
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
    pub(crate) fn dir(&self) -> anyhow::Result<PathBuf> {
        match &self.model {
            Some(dir) => Ok(dir.clone()),
            None => default_model_dir(),
        }
    }

    pub(crate) fn load(&self) -> anyhow::Result<Encoder> {
        let dir = self.dir()?;
        Encoder::load(&dir, self.precision()).with_context(|| format!("loading the model in {}", dir.display()))
    }
}

const DEFAULT_MODEL: &str = "models/multilingual-e5-small";

pub(crate) fn default_model_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("STANDPOINT_MODEL") {
        return Ok(PathBuf::from(dir));
    }
    checkout_path(DEFAULT_MODEL)
}

/// The directory a flag `given`, else the one shipped with the checkout at `relative`.
pub(crate) fn given_or_checkout(given: Option<&PathBuf>, relative: &str) -> anyhow::Result<PathBuf> {
    match given {
        Some(dir) => Ok(dir.clone()),
        None => checkout_path(relative),
    }
}

/// An optional model's directory: the one given; else none when `off`; else the checkout's
/// `relative`.
pub(crate) fn optional_model(given: Option<&PathBuf>, off: bool, relative: &str) -> anyhow::Result<Option<PathBuf>> {
    match (given, off) {
        (Some(dir), _) => Ok(Some(dir.clone())),
        (None, true) => Ok(None),
        (None, false) => checkout_path(relative).map(Some),
    }
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
