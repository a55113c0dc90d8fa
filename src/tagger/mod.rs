//! The learned attribution tagger: the embedded encoder's token states (frozen), a small
//! bidirectional LSTM and a linear layer tag every token as part of an attribution's content,
//! source or cue ([`tags`]); the tags are read back into statements.
//!
//! It is the learned alternative to the rule-based cue reader in [`crate::quotes`] and costs a
//! transformer pass over the whole text (the rules read only text). `--attribution auto` (the
//! default) gives it the articles in the languages it was trained on, `learned` every article,
//! `rules` none ([`Finder`]). Trained by `standpoint train --task attribution` on PolNeAR-format
//! documents; the result is a directory with `tagger.safetensors` and `tagger.json`.
//!
//! The backward LSTM runs on each row reversed within its own length, so padding never reaches a
//! real token: a window's tags do not depend on the batch it was run in.

pub mod tags;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, OptimizerConfig, RNN};
use tch::{Device, Kind, Tensor};

use crate::eval::attribution::{self, GoldDocument};
use crate::heads::fitting::Rng;
use crate::heads::HeadError;
use crate::lexicon::Lexicons;
use crate::model::batching::{batches_by_length, padded_states, token_states};
use crate::model::{Encoder, Precision};
use crate::quotes::{marks, Finder, Statement};
use crate::text::{sentences, CharIndex};
use tags::{GoldPart, Role, Window, TAGS};

/// Where the shipped tagger lives, relative to the checkout.
pub const TAGGER: &str = "models/tagger";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TaggerConfig {
    /// Token states are the encoder's output after this many layers (e5-small has 12).
    pub layers: usize,
    /// Units of each LSTM direction.
    pub lstm_hidden: usize,
    /// Window length in tokens.
    pub max_tokens: usize,
    pub epochs: usize,
    pub lr: f64,
    pub batch_size: usize,
    pub dropout: f64,
    /// Share of the training documents held out for early stopping.
    pub holdout: f64,
    pub seed: u64,
}

impl Default for TaggerConfig {
    fn default() -> Self {
        TaggerConfig {
            layers: 6,
            lstm_hidden: 128,
            max_tokens: 192,
            epochs: 12,
            lr: 2e-3,
            batch_size: 16,
            dropout: 0.2,
            holdout: 0.1,
            seed: 13,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaggerMeta {
    pub format: u32,
    pub tags: Vec<String>,
    pub config: TaggerConfig,
    pub encoder: String,
    /// Languages of the training documents (`lang`): where `Finder::Auto` uses the tagger.
    pub languages: Vec<String>,
    pub epochs_trained: usize,
    /// Held-out (training documents) `content_f1_j50` and `speaker_f1` of the kept epoch.
    pub holdout: serde_json::Value,
    pub record: serde_json::Value,
}

struct Net {
    vs: nn::VarStore,
    forward_lstm: nn::LSTM,
    backward_lstm: nn::LSTM,
    out: nn::Linear,
}

impl Net {
    fn new(input: usize, hidden: usize) -> Net {
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let forward_lstm = nn::lstm(&root / "forward", input as i64, hidden as i64, Default::default());
        let backward_lstm = nn::lstm(&root / "backward", input as i64, hidden as i64, Default::default());
        let out = nn::linear(&root / "out", (input + 2 * hidden) as i64, TAGS.len() as i64, Default::default());
        Net { vs, forward_lstm, backward_lstm, out }
    }

    /// Tag logits `[rows, width, tags]` for token states `[rows, width, hidden]` of rows `lens` long.
    fn forward(&self, x: &Tensor, lens: &[usize], dropout: f64, train: bool) -> Tensor {
        let (rows, width, hidden) = x.size3().expect("three dimensions");
        let reverse: Vec<i64> =
            lens.iter().flat_map(|&len| (0..width).map(move |t| if (t as usize) < len { len as i64 - 1 - t } else { t })).collect();
        let reverse = Tensor::from_slice(&reverse).view([rows, width, 1]);
        let x = x.dropout(dropout, train);
        let (fwd, _) = self.forward_lstm.seq(&x);
        let (bwd, _) = self.backward_lstm.seq(&x.gather(1, &reverse.expand([rows, width, hidden], false), false));
        let bwd = bwd.gather(1, &reverse.expand([rows, width, bwd.size()[2]], false), false);
        self.out.forward(&Tensor::cat(&[x, fwd, bwd], 2).dropout(dropout, train))
    }
}

/// A trained tagger with the encoder it reads.
pub struct Tagger {
    encoder: Encoder,
    net: Net,
    pub meta: TaggerMeta,
}

fn io_error(path: &Path, source: std::io::Error) -> HeadError {
    HeadError::Io { path: path.display().to_string(), source }
}

/// Token states of each window (content tokens only, `[tokens, hidden]`, as computed).
fn window_states(encoder: &Encoder, windows: &[&Window]) -> Result<Vec<Tensor>, HeadError> {
    let (pre, post) = encoder.special_tokens();
    let ids: Vec<Vec<i64>> = windows.iter().map(|w| pre.iter().chain(&w.ids).chain(post).map(|&i| i as i64).collect()).collect();
    Ok(token_states(encoder, &ids, 32, |i| (pre.len(), windows[i].ids.len()))?)
}

/// Zero-padded `[rows, width, hidden]` (f32) of states of different lengths, and the lengths.
fn stacked(states: &[&Tensor]) -> (Tensor, Vec<usize>) {
    (padded_states(states).0, states.iter().map(|t| t.size()[0] as usize).collect())
}

/// Per window, per token, the probability of each tag.
fn tag_probs(net: &Net, states: &[Tensor]) -> Result<Vec<Vec<Vec<f32>>>, HeadError> {
    let lens: Vec<usize> = states.iter().map(|t| t.size()[0] as usize).collect();
    let mut out: Vec<Vec<Vec<f32>>> = vec![Vec::new(); states.len()];
    for batch in batches_by_length(&lens, 32) {
        let batch: Vec<usize> = batch.into_iter().filter(|&i| lens[i] > 0).collect();
        if batch.is_empty() {
            continue;
        }
        let rows: Vec<&Tensor> = batch.iter().map(|&i| &states[i]).collect();
        let (x, _) = stacked(&rows);
        let p = tch::no_grad(|| net.forward(&x, &batch.iter().map(|&i| lens[i]).collect::<Vec<_>>(), 0.0, false).softmax(-1, Kind::Float));
        let width = p.size()[1] as usize;
        let flat = Vec::<f32>::try_from(p.contiguous().view([-1]))?;
        for (row, &i) in batch.iter().enumerate() {
            let base = row * width * TAGS.len();
            out[i] = (0..lens[i]).map(|t| flat[base + t * TAGS.len()..base + (t + 1) * TAGS.len()].to_vec()).collect();
        }
    }
    Ok(out)
}

/// One text's windows and the quotation marks the statements' kinds are read from.
struct Prepared {
    windows: Vec<Window>,
    quotes: Vec<marks::Quoted>,
    lang: Option<String>,
}

fn prepare(
    text: &str,
    lang: Option<&str>,
    tokenizer: &tokenizers::Tokenizer,
    lexicons: &Lexicons,
    max_tokens: usize,
) -> Result<Prepared, HeadError> {
    let cues = lexicons.cues(lang);
    let windows = tags::windows(text, tokenizer, &cues.abbreviations, max_tokens)?;
    let quotes = marks::find_quotes(text, &sentences::paragraphs(text), &lexicons.all_quote_pairs());
    Ok(Prepared { windows, quotes, lang: lang.map(str::to_owned) })
}

impl Tagger {
    /// The tagger in `dir` on the encoder in `model_dir`. When one of `shared` (other models' bottoms)
    /// is cut at the same layer of the same model in the same arithmetic, the tagger reads its
    /// states from it instead of loading a second copy.
    pub fn load(model_dir: &Path, dir: &Path, precision: Precision, shared: &[&Encoder]) -> Result<Tagger, HeadError> {
        let path = dir.join("tagger.json");
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        let meta: TaggerMeta =
            serde_json::from_str(&text).map_err(|source| HeadError::Json { path: path.display().to_string(), line: 1, source })?;
        let same_cut =
            |s: &&&Encoder| s.bottom_layers == Some(meta.config.layers) && s.dir == model_dir && s.precision == precision.resolve();
        let encoder = match shared.iter().find(same_cut) {
            Some(s) => s.sharing_bottom(),
            None => Encoder::load_bottom(model_dir, precision, meta.config.layers)?,
        };
        let mut net = Net::new(encoder.hidden_size, meta.config.lstm_hidden);
        net.vs.half();
        net.vs.load(dir.join("tagger.safetensors"))?;
        net.vs.float();
        net.vs.freeze();
        Ok(Tagger { encoder, net, meta })
    }

    /// Whether `finder` gives an article in `lang` to this tagger.
    pub fn applies(&self, finder: Finder, lang: Option<&str>) -> bool {
        match finder {
            Finder::Rules => false,
            Finder::Learned => true,
            Finder::Auto => lang.is_some_and(|l| self.meta.languages.iter().any(|x| x == l)),
        }
    }

    /// Statements of each `(text, language)`, in text order. Each text's windows are batched by
    /// themselves and the texts run in parallel, so a text's tags do not depend on the others.
    pub fn statements(&self, texts: &[(&str, Option<&str>)], lexicons: &Lexicons) -> Result<Vec<Vec<Statement>>, HeadError> {
        texts.par_iter().map(|&(text, lang)| self.statements_of(text, lang, lexicons)).collect()
    }

    fn statements_of(&self, text: &str, lang: Option<&str>, lexicons: &Lexicons) -> Result<Vec<Statement>, HeadError> {
        let p = prepare(text, lang, &self.encoder.tokenizer, lexicons, self.meta.config.max_tokens)?;
        let states = window_states(&self.encoder, &p.windows.iter().collect::<Vec<_>>())?;
        let probs = tag_probs(&self.net, &states)?;
        Ok(tags::statements(text, &p.windows, &probs, &p.quotes, lexicons.cues(p.lang.as_deref())))
    }
}

// SAFETY: a loaded tagger is frozen (`vs.freeze()`) and only read: `statements` runs forward
// passes under `no_grad` and mutates nothing, which libtorch allows from several threads at once.
unsafe impl Sync for Tagger {}

/// Gold parts of one document, in byte spans.
fn gold_parts(doc: &GoldDocument) -> Vec<GoldPart> {
    let index = CharIndex::new(&doc.text);
    let mut parts = Vec::new();
    for (a, g) in doc.attributions.iter().enumerate() {
        for (role, spans) in [(Role::Content, &g.content), (Role::Source, &g.source), (Role::Cue, &g.cue)] {
            for o in spans.iter().filter(|o| o.end > o.start) {
                parts.push(GoldPart { role, attribution: a, span: index.byte_span(crate::text::CharSpan { start: o.start, end: o.end }) });
            }
        }
    }
    parts
}

/// Attribution metrics of statements found for `docs` (the reference scorer's, see [`attribution`]).
fn measure(docs: &[&GoldDocument], found: &[Vec<Statement>]) -> serde_json::Value {
    let lines: Vec<_> = docs.iter().zip(found).map(|(d, s)| crate::eval::prediction_line(&d.id, &d.text, s)).collect();
    let owned: Vec<GoldDocument> = docs.iter().map(|d| (*d).clone()).collect();
    attribution::metrics(&owned, &crate::eval::by_id(&lines))
}

fn score_of(metrics: &serde_json::Value) -> f64 {
    (metrics["content_f1_j50"].as_f64().unwrap_or(0.0) + metrics["speaker_f1"].as_f64().unwrap_or(0.0)) / 2.0
}

/// Trains a tagger on PolNeAR-format `data`, reports on `dev`, saves to `out`.
pub fn train(
    model_dir: &Path,
    data: &[PathBuf],
    dev: &[PathBuf],
    config: &TaggerConfig,
    lexicons: &Lexicons,
    threads: usize,
    out: &Path,
) -> Result<TaggerMeta, HeadError> {
    let eval_error = |e: attribution::EvalError| HeadError::Data(e.to_string());
    let docs = attribution::load_gold(data).map_err(eval_error)?;
    let dev_docs = attribution::load_gold(dev).map_err(eval_error)?;
    tch::manual_seed(config.seed as i64);
    tch::set_num_threads(threads.max(1) as i32);
    let encoder = Encoder::load_bottom(model_dir, Precision::Auto, config.layers)?;

    let mut rng = Rng::new(config.seed);
    let mut order: Vec<usize> = (0..docs.len()).collect();
    rng.shuffle(&mut order);
    let n_hold = ((docs.len() as f64 * config.holdout) as usize).clamp(1, docs.len().saturating_sub(1).max(1));
    let hold: Vec<usize> = order[..n_hold].to_vec();

    // Every window of every document, with its gold tags and its document.
    let mut windows: Vec<Window> = Vec::new();
    let mut gold: Vec<Vec<i64>> = Vec::new();
    let mut doc_of: Vec<usize> = Vec::new();
    let mut prepared: Vec<Prepared> = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let p = prepare(&doc.text, doc.lang.as_deref(), &encoder.tokenizer, lexicons, config.max_tokens)?;
        gold.extend(tags::gold_tags(&doc.text, &p.windows, &gold_parts(doc)));
        windows.extend(p.windows.iter().cloned());
        doc_of.extend(std::iter::repeat(d).take(p.windows.len()));
        prepared.push(p);
    }
    eprintln!("standpoint: {} documents, {} windows, {} tokens", docs.len(), windows.len(), gold.iter().map(Vec::len).sum::<usize>());
    let states = window_states(&encoder, &windows.iter().collect::<Vec<_>>())?;
    let is_hold = |w: usize| hold.contains(&doc_of[w]);
    let mut fit: Vec<usize> = (0..windows.len()).filter(|&w| !is_hold(w) && !windows[w].ids.is_empty()).collect();

    let mut net = Net::new(encoder.hidden_size, config.lstm_hidden);
    let mut opt = nn::Adam::default().build(&net.vs, config.lr)?;
    let hold_docs: Vec<&GoldDocument> = hold.iter().map(|&d| &docs[d]).collect();
    let held_out = |net: &Net| -> Result<serde_json::Value, HeadError> {
        let mut found = Vec::new();
        for &d in &hold {
            let ws: Vec<Tensor> = (0..windows.len()).filter(|&w| doc_of[w] == d).map(|w| states[w].shallow_clone()).collect();
            let probs = tag_probs(net, &ws)?;
            found.push(tags::statements(
                &docs[d].text,
                &prepared[d].windows,
                &probs,
                &prepared[d].quotes,
                lexicons.cues(docs[d].lang.as_deref()),
            ));
        }
        Ok(measure(&hold_docs, &found))
    };
    let mut best: Option<(f64, usize, serde_json::Value, Vec<(String, Tensor)>)> = None;
    for epoch in 1..=config.epochs {
        rng.shuffle(&mut fit);
        for bucket in fit.chunks_mut(config.batch_size * 20) {
            bucket.sort_by_key(|&w| windows[w].ids.len());
        }
        let mut batches: Vec<&[usize]> = fit.chunks(config.batch_size).collect();
        rng.shuffle(&mut batches);
        let mut total = 0.0;
        for b in &batches {
            let rows: Vec<&Tensor> = b.iter().map(|&w| &states[w]).collect();
            let (x, lens) = stacked(&rows);
            let width = x.size()[1] as usize;
            let target: Vec<i64> = b.iter().flat_map(|&w| gold[w].iter().copied().chain(std::iter::repeat(-100)).take(width)).collect();
            let target = Tensor::from_slice(&target);
            let logits = net.forward(&x, &lens, config.dropout, true).view([-1, TAGS.len() as i64]);
            let loss = logits.cross_entropy_loss::<&Tensor>(&target, None, tch::Reduction::Mean, -100, 0.0);
            opt.zero_grad();
            loss.backward();
            opt.clip_grad_norm(5.0);
            opt.step();
            total += loss.double_value(&[]);
        }
        let metrics = held_out(&net)?;
        let score = score_of(&metrics);
        eprintln!(
            "standpoint: epoch {epoch}: loss {:.4}, held-out content F1 j50 {:.4}, speaker F1 {:.4}",
            total / batches.len().max(1) as f64,
            metrics["content_f1_j50"].as_f64().unwrap_or(0.0),
            metrics["speaker_f1"].as_f64().unwrap_or(0.0)
        );
        if best.as_ref().map_or(true, |b| score > b.0) {
            let vars = net.vs.variables().into_iter().map(|(k, v)| (k, v.detach().copy())).collect();
            best = Some((score, epoch, metrics, vars));
        }
    }
    let (_, epochs_trained, holdout, vars) = best.ok_or_else(|| HeadError::Data("no training epochs".into()))?;
    tch::no_grad(|| {
        let mut current = net.vs.variables();
        for (k, v) in &vars {
            if let Some(var) = current.get_mut(k) {
                var.copy_(v);
            }
        }
    });
    drop(states);
    std::fs::create_dir_all(out).map_err(|e| io_error(out, e))?;
    // Stored in f16 (half the size; the tags do not change), run in f32 like the loaded tagger.
    net.vs.half();
    net.vs.save(out.join("tagger.safetensors"))?;
    net.vs.float();
    net.vs.freeze();
    let mut meta = TaggerMeta {
        format: 1,
        tags: TAGS.iter().map(|s| s.to_string()).collect(),
        config: config.clone(),
        encoder: encoder.profile.source.clone().unwrap_or_default(),
        languages: {
            let mut l: Vec<String> = docs.iter().filter_map(|d| d.lang.clone()).collect();
            l.sort();
            l.dedup();
            l
        },
        epochs_trained,
        holdout,
        record: serde_json::Value::Null,
    };
    // Dev, through the product's own path (`standpoint eval --attribution learned`); the held-out
    // figures above read the tagger's statements before the page-furniture filter.
    let tagger = Tagger { encoder, net, meta: meta.clone() };
    let dict = crate::actors::Dictionary::builtin().map_err(|e| HeadError::Data(e.to_string()))?;
    let lines = crate::eval::predict_attributions(&dev_docs, lexicons, &dict, Some((&tagger, Finder::Learned)))?;
    let dev_metrics = attribution::metrics(&dev_docs, &crate::eval::by_id(&lines));
    meta.record = serde_json::json!({
        "train": {"files": crate::heads::file_record(data)?, "documents": docs.len(), "held_out_documents": hold.len()},
        "dev": {"files": crate::heads::file_record(dev)?, "documents": dev_docs.len(),
                "content_f1_j50": dev_metrics["content_f1_j50"], "speaker_f1": dev_metrics["speaker_f1"],
                "quoted": {"content_f1_j50": dev_metrics["quoted"]["content_f1_j50"], "speaker_f1": dev_metrics["quoted"]["speaker_f1"]}},
    });
    let path = out.join("tagger.json");
    std::fs::write(&path, serde_json::to_string_pretty(&meta).expect("serialises") + "\n").map_err(|e| io_error(&path, e))?;
    Ok(meta)
}
