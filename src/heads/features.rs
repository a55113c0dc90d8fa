//! Inputs to the heads: sentence vectors from the batching layer, cached on disk.
//!
//! A text-only task reads the statement's vector `u`. A task with a target reads
//! `[u, v, u·v, |u − v|]` with `v` the target's vector: each statement and each distinct target
//! is encoded once, so the cost grows with statements plus targets, not their product.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::labelled::Task;
use super::HeadError;
use crate::model::{self, BatchConfig, Encoder};

/// Sentence vectors for `texts`, from `cache_dir` when this encoder has seen them before.
pub fn vectors(encoder: &Encoder, texts: &[&str], batch: &BatchConfig, cache_dir: Option<&Path>) -> Result<Vec<Vec<f32>>, HeadError> {
    let dim = encoder.hidden_size;
    let key = {
        let mut h = Sha256::new();
        h.update(encoder.profile.source.as_deref().unwrap_or("").as_bytes());
        h.update(encoder.dir.display().to_string().as_bytes());
        h.update(format!("{:?}{:?}", encoder.precision, batch.long_text).as_bytes());
        for t in texts {
            h.update(t.as_bytes());
            h.update([0]);
        }
        crate::digest::hex(&h.finalize())
    };
    let cached = cache_dir.map(|d| d.join(format!("{key}.f32")));
    if let Some(path) = &cached {
        if let Ok(bytes) = std::fs::read(path) {
            if bytes.len() == texts.len() * dim * 4 {
                let flat: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
                return Ok(flat.chunks(dim).map(<[f32]>::to_vec).collect());
            }
        }
    }
    let embedded = model::embed(encoder, texts, batch)?;
    let out: Vec<Vec<f32>> = embedded.into_iter().map(|e| e.vector).collect();
    if let Some(path) = &cached {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| HeadError::Io { path: dir.display().to_string(), source })?;
        }
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|source| HeadError::Io { path: path.display().to_string(), source })?,
        );
        for v in &out {
            for x in v {
                file.write_all(&x.to_le_bytes()).map_err(|source| HeadError::Io { path: path.display().to_string(), source })?;
            }
        }
    }
    Ok(out)
}

/// Width of a head's input for this encoder and task; `mention`: the head also reads the target's
/// mention in the text (tuned heads, see [`super::tuned`]).
pub fn input_dim(hidden: usize, task: Task, mention: bool) -> usize {
    match (task.uses_target(), mention) {
        (true, true) => hidden * 5,
        (true, false) => hidden * 4,
        (false, _) => hidden,
    }
}

/// Head inputs, row-major `[texts.len(), input_dim]`.
pub fn inputs(
    encoder: &Encoder,
    task: Task,
    texts: &[&str],
    targets: &[Option<&str>],
    batch: &BatchConfig,
    cache_dir: Option<&Path>,
) -> Result<Vec<f32>, HeadError> {
    let u = vectors(encoder, texts, batch, cache_dir)?;
    if !task.uses_target() {
        return Ok(u.into_iter().flatten().collect());
    }
    let mut distinct: Vec<&str> = targets.iter().map(|t| t.unwrap_or("")).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let v = vectors(encoder, &distinct, batch, cache_dir)?;
    let index: HashMap<&str, usize> = distinct.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    let mut out = Vec::with_capacity(texts.len() * encoder.hidden_size * 4);
    for (ui, t) in u.iter().zip(targets) {
        push_pair(&mut out, ui, &v[index[t.unwrap_or("")]]);
    }
    Ok(out)
}

/// Appends one head input row `[u, v, u·v, |u − v|]` (the layout every target-reading head uses).
pub fn push_pair(out: &mut Vec<f32>, u: &[f32], v: &[f32]) {
    out.extend_from_slice(u);
    out.extend_from_slice(v);
    out.extend(u.iter().zip(v).map(|(a, b)| a * b));
    out.extend(u.iter().zip(v).map(|(a, b)| (a - b).abs()));
}
