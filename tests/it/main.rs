//! Integration tests: one binary, real model, real text.
//!
//! They need the converted encoder in `models/multilingual-e5-small`, which `scripts/setup`
//! builds (the README's test command runs it first).

mod actor_words;
mod attribution_eval;
mod common;
mod embed_cli;
mod faithfulness;
mod gold_quotes;
mod heads;
mod hf_families;
mod html_browser;
mod invariance;
mod offsets;
mod opinions_eval;
mod reference_article;
mod resume_shard;
mod robustness;
mod score_cli;
mod spark;
