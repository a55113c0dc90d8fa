//! `standpoint embed`: JSONL texts in, JSONL sentence vectors out.
//!
//! Input lines are `{"id": …, "text": "…"}` (`id` a string or number). Each output line is either
//! `{"id", "vector", "tokens", "windows", "truncated"}` or, for a line that could not be read,
//! `{"line", "id", "error"}`: every input line is accounted for, in input order. The input is
//! processed in chunks, so memory stays bounded whatever its length.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{self, BatchConfig, Encoder, ModelError};

/// Lines read, embedded and written together.
pub const CHUNK_LINES: usize = 4096;

#[derive(Deserialize)]
struct InputLine {
    id: Value,
    text: String,
}

#[derive(Serialize)]
struct VectorLine<'a> {
    id: &'a Value,
    vector: &'a [f32],
    tokens: usize,
    windows: usize,
    truncated: bool,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    line: usize,
    id: Option<&'a Value>,
    error: String,
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EmbedSummary {
    pub embedded: usize,
    pub failed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("reading input: {0}")]
    Read(std::io::Error),
    #[error("writing output: {0}")]
    Write(std::io::Error),
    #[error(transparent)]
    Model(#[from] ModelError),
}

enum Parsed {
    Ok(InputLine),
    Bad { id: Option<Value>, error: String },
}

fn parse_line(raw: &[u8]) -> Parsed {
    let text = match std::str::from_utf8(raw) {
        Ok(t) => t,
        Err(e) => return Parsed::Bad { id: None, error: format!("line is not valid UTF-8: {e}") },
    };
    match serde_json::from_str::<InputLine>(text) {
        Ok(line) if line.id.is_string() || line.id.is_number() => Parsed::Ok(line),
        Ok(line) => Parsed::Bad { id: Some(line.id), error: "\"id\" must be a string or a number".into() },
        Err(e) => {
            let id = serde_json::from_str::<Value>(text).ok().and_then(|v| v.get("id").cloned());
            Parsed::Bad { id, error: format!("not an {{\"id\", \"text\"}} JSON object: {e}") }
        }
    }
}

/// Embeds every line of `input` into `output`.
pub fn run(
    encoder: &Encoder,
    config: &BatchConfig,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<EmbedSummary, EmbedError> {
    let mut summary = EmbedSummary::default();
    let mut lines = input.split(b'\n').enumerate().filter_map(|(n, line)| match line {
        Ok(l) if l.iter().all(u8::is_ascii_whitespace) => None,
        other => Some((n + 1, other)),
    });
    loop {
        let mut chunk = Vec::with_capacity(CHUNK_LINES);
        for (n, line) in lines.by_ref().take(CHUNK_LINES) {
            chunk.push((n, parse_line(&line.map_err(EmbedError::Read)?)));
        }
        if chunk.is_empty() {
            break;
        }
        let texts: Vec<&str> = chunk
            .iter()
            .filter_map(|(_, p)| match p {
                Parsed::Ok(l) => Some(l.text.as_str()),
                Parsed::Bad { .. } => None,
            })
            .collect();
        let mut vectors = model::embed(encoder, &texts, config)?.into_iter();
        for (n, parsed) in &chunk {
            let json = match parsed {
                Parsed::Ok(l) => {
                    let e = vectors.next().expect("one embedding per readable line");
                    summary.embedded += 1;
                    serde_json::to_string(&VectorLine {
                        id: &l.id,
                        vector: &e.vector,
                        tokens: e.tokens,
                        windows: e.windows,
                        truncated: e.truncated,
                    })
                }
                Parsed::Bad { id, error } => {
                    summary.failed += 1;
                    serde_json::to_string(&ErrorLine { line: *n, id: id.as_ref(), error: error.clone() })
                }
            }
            .expect("output records always serialise");
            writeln!(output, "{json}").map_err(EmbedError::Write)?;
        }
    }
    output.flush().map_err(EmbedError::Write)?;
    Ok(summary)
}
