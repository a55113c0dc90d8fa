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
//! The stages in order, each in its own module ([`pipeline`] writes the order once):
//! 1. [`corpus`]: reading corpora — every JSONL line or file an article, or a reason it is not.
//! 2. [`text`]: language, paragraphs, sentences, words; spans (bytes inside, code points outside).
//! 3. [`quotes`]: statements — quotation marks, speech cues, speaker and content spans — from the
//!    per-language data in [`lexicon`], or from the learned [`tagger`].
//! 4. [`actors`]: speaker phrases → canonical actors (dictionary and coreference); [`acts`]: a
//!    speaker's own act on a target.
//! 5. [`scoring`]: tone, stance and what each statement is about (relevance) through the
//!    [`model`] batching layer and the trained [`heads`].
//! 6. [`report`]: per-actor aggregation and the sinks, with the output format in
//!    [`report::schema`]; [`score`] streams a corpus through all of it in chunks.
//!
//! Beside the runtime path: [`embed`] (sentence vectors), [`eval`] (measurement against labelled
//! data) and [`train`] (the tagger's training; the heads train in [`heads`]); [`runtime`] holds
//! the process-wide libtorch settings. The runtime never imports `eval` or `train`.

pub mod actors;
pub mod acts;
pub mod corpus;
pub mod digest;
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
pub mod train;
