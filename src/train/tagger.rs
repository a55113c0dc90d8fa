//! Training the attribution tagger on PolNeAR-format documents (`standpoint train --task
//! attribution`): the encoder's token states are computed once, the LSTM and output layer are
//! fitted on them, the epoch (or the mean of the later half's weights) is chosen on a held-out
//! slice of the training documents, and dev is measured once, through the product's own path
//! ([`crate::eval::predict_attributions`]).

use std::path::{Path, PathBuf};

use tch::nn::{self, OptimizerConfig};
use tch::Tensor;

use crate::eval::attribution::{self, GoldDocument};
use crate::heads::fitting::Rng;
use crate::heads::HeadError;
use crate::lexicon::Lexicons;
use crate::model::{Encoder, Precision};
use crate::quotes::{Finder, Statement};
use crate::tagger::tags::{self, GoldPart, Role, Window, LAYERS, LAYER_TAGS, OUTPUTS};
use crate::tagger::{io_error, prepare, stacked, tag_probs, window_states, Net, Prepared, Tagger, TaggerConfig, TaggerMeta, FORMAT};
use crate::text::CharIndex;

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

/// `fit` with each language's windows repeated toward the token count of the largest language
/// (a whole number of times, at most 4), in the order given.
fn balanced(fit: &[usize], lang: impl Fn(usize) -> String, tokens: impl Fn(usize) -> usize) -> Vec<usize> {
    let mut per_language: std::collections::BTreeMap<String, usize> = Default::default();
    for &w in fit {
        *per_language.entry(lang(w)).or_default() += tokens(w);
    }
    let largest = per_language.values().copied().max().unwrap_or(1).max(1);
    let times = |l: &str| ((largest as f64 / per_language[l].max(1) as f64).round() as usize).clamp(1, 4);
    for (l, t) in &per_language {
        eprintln!("standpoint: {l}: {t} training tokens, repeated {} times", times(l));
    }
    fit.iter().flat_map(|&w| std::iter::repeat(w).take(times(&lang(w)))).collect()
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
    let mut gold: Vec<Vec<[i64; LAYERS.len()]>> = Vec::new();
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
    let lang_of = |d: usize| docs[d].lang.clone().unwrap_or_default();
    if config.balance_languages {
        fit = balanced(&fit, |w| lang_of(doc_of[w]), |w| windows[w].ids.len());
    }

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
        let mut metrics = measure(&hold_docs, &found);
        let mut by_language = serde_json::Map::new();
        let langs: std::collections::BTreeSet<String> = hold.iter().map(|&d| lang_of(d)).collect();
        for lang in langs {
            let picked: Vec<usize> = (0..hold.len()).filter(|&k| lang_of(hold[k]) == lang).collect();
            let docs_of: Vec<&GoldDocument> = picked.iter().map(|&k| hold_docs[k]).collect();
            let found_of: Vec<Vec<Statement>> = picked.iter().map(|&k| found[k].clone()).collect();
            let m = measure(&docs_of, &found_of);
            by_language.insert(
                lang,
                serde_json::json!({"documents": picked.len(), "content_f1_j50": m["content_f1_j50"], "speaker_f1": m["speaker_f1"]}),
            );
        }
        metrics["by_language"] = serde_json::Value::Object(by_language);
        Ok(metrics)
    };
    let mut best: Option<(f64, usize, serde_json::Value, Vec<(String, Tensor)>)> = None;
    // The weights after each epoch of the later half, summed: their mean is one more candidate.
    let average_from = config.epochs / 2 + 1;
    let mut sum: Option<Vec<(String, Tensor)>> = None;
    let snapshot = |net: &Net| -> Vec<(String, Tensor)> { net.vs.variables().into_iter().map(|(k, v)| (k, v.detach().copy())).collect() };
    let language_mean = |metrics: &serde_json::Value| -> f64 {
        let by_language = metrics["by_language"].as_object().cloned().unwrap_or_default();
        if config.balance_languages && !by_language.is_empty() {
            by_language.values().map(score_of).sum::<f64>() / by_language.len() as f64
        } else {
            score_of(metrics)
        }
    };
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
            let target: Vec<i64> = b
                .iter()
                .flat_map(|&w| gold[w].iter().copied().chain(std::iter::repeat([-100; LAYERS.len()])).take(width).flatten())
                .collect();
            let target = Tensor::from_slice(&target);
            // every layer's tags are one softmax: the loss is their mean cross-entropy
            let logits = net.forward(&x, &lens, config.dropout, true).view([-1, LAYER_TAGS.len() as i64]);
            let loss = logits.cross_entropy_loss::<&Tensor>(&target, None, tch::Reduction::Mean, -100, 0.0);
            opt.zero_grad();
            loss.backward();
            opt.clip_grad_norm(5.0);
            opt.step();
            total += loss.double_value(&[]);
        }
        let metrics = held_out(&net)?;
        let by_language = metrics["by_language"].as_object().cloned().unwrap_or_default();
        let score = language_mean(&metrics);
        let per_language: Vec<String> = by_language
            .iter()
            .map(|(l, m)| format!("{l} {:.4}/{:.4}", m["content_f1_j50"].as_f64().unwrap_or(0.0), m["speaker_f1"].as_f64().unwrap_or(0.0)))
            .collect();
        eprintln!(
            "standpoint: epoch {epoch}: loss {:.4}, held-out content F1 j50 {:.4}, speaker F1 {:.4} ({})",
            total / batches.len().max(1) as f64,
            metrics["content_f1_j50"].as_f64().unwrap_or(0.0),
            metrics["speaker_f1"].as_f64().unwrap_or(0.0),
            per_language.join(", ")
        );
        if best.as_ref().map_or(true, |b| score > b.0) {
            best = Some((score, epoch, metrics, snapshot(&net)));
        }
        if epoch >= average_from {
            match &mut sum {
                None => sum = Some(snapshot(&net)),
                Some(sum) => {
                    let current = net.vs.variables();
                    for (k, acc) in sum.iter_mut() {
                        let _ = acc.g_add_(&current[k].detach());
                    }
                }
            }
        }
    }
    let load = |net: &Net, vars: &[(String, Tensor)]| {
        tch::no_grad(|| {
            let mut current = net.vs.variables();
            for (k, v) in vars {
                if let Some(var) = current.get_mut(k) {
                    var.copy_(v);
                }
            }
        })
    };
    let mut averaged = None;
    if let Some(sum) = sum.filter(|_| config.epochs > average_from) {
        let n = (config.epochs + 1 - average_from) as f64;
        let mean: Vec<(String, Tensor)> = sum.into_iter().map(|(k, v)| (k, v / n)).collect();
        load(&net, &mean);
        let metrics = held_out(&net)?;
        let score = language_mean(&metrics);
        eprintln!("standpoint: mean of epochs {average_from}–{}: held-out score {score:.4}", config.epochs);
        if best.as_ref().map_or(true, |b| score > b.0) {
            averaged = Some(average_from);
            best = Some((score, config.epochs, metrics, mean));
        }
    }
    let (_, epochs_trained, holdout, vars) = best.ok_or_else(|| HeadError::Data("no training epochs".into()))?;
    load(&net, &vars);
    drop(states);
    std::fs::create_dir_all(out).map_err(|e| io_error(out, e))?;
    // Stored in f16 (half the size; the tags do not change), run in f32 like the loaded tagger.
    net.vs.half();
    net.vs.save(out.join("tagger.safetensors"))?;
    net.vs.float();
    net.vs.freeze();
    let mut meta = TaggerMeta {
        format: FORMAT,
        tags: tags::output_names(),
        config: config.clone(),
        encoder: encoder.profile.source.clone().unwrap_or_default(),
        languages: {
            let mut l: Vec<String> = docs.iter().filter_map(|d| d.lang.clone()).collect();
            l.sort();
            l.dedup();
            l
        },
        epochs_trained,
        averaged_from: averaged,
        holdout,
        record: serde_json::Value::Null,
        auto: None,
    };
    // Dev, through the product's own path (`standpoint eval --attribution learned`); the held-out
    // figures above read the tagger's statements before the page-furniture filter.
    let tagger = Tagger { encoder, net, meta: meta.clone() };
    let dict = crate::actors::Dictionary::builtin().map_err(|e| HeadError::Data(e.to_string()))?;
    let lines = crate::eval::predict_attributions(&dev_docs, lexicons, &dict, Some((&tagger, Finder::Learned)))?;
    let dev_metrics = attribution::metrics(&dev_docs, &crate::eval::by_id(&lines));
    meta.record = serde_json::json!({
        "train": {"files": crate::heads::file_record(data)?, "documents": docs.len(), "held_out_documents": hold.len(),
                  "held_out_ids": hold.iter().map(|&d| docs[d].id.clone()).collect::<Vec<_>>()},
        "dev": {"files": crate::heads::file_record(dev)?, "documents": dev_docs.len(),
                "content_f1_j50": dev_metrics["content_f1_j50"], "speaker_f1": dev_metrics["speaker_f1"],
                "quoted": {"content_f1_j50": dev_metrics["quoted"]["content_f1_j50"], "speaker_f1": dev_metrics["quoted"]["speaker_f1"]}},
    });
    let path = out.join("tagger.json");
    std::fs::write(&path, serde_json::to_string_pretty(&meta).expect("serialises") + "\n").map_err(|e| io_error(&path, e))?;
    Ok(meta)
}

/// The scorer's lines for `docs` read back from their own gold tags (in the windows of a tagger
/// with `config`'s window length): what the tag scheme and the decoder allow when every tag is
/// right, the ceiling of `--attribution learned` (`standpoint eval --task attribution --gold-tags`).
pub fn decode_gold(
    model_dir: &Path,
    docs: &[GoldDocument],
    lexicons: &Lexicons,
    config: &TaggerConfig,
) -> Result<Vec<attribution::PredictionLine>, HeadError> {
    let tokenizer = crate::model::encoder::load_tokenizer(model_dir)?;
    let n = LAYER_TAGS.len();
    docs.iter()
        .map(|doc| {
            let p = prepare(&doc.text, doc.lang.as_deref(), &tokenizer, lexicons, config.max_tokens)?;
            let probs: Vec<Vec<Vec<f32>>> = tags::gold_tags(&doc.text, &p.windows, &gold_parts(doc))
                .iter()
                .map(|w| w.iter().map(|t| (0..OUTPUTS).map(|i| if t[i / n] == (i % n) as i64 { 1.0 } else { 0.0 }).collect()).collect())
                .collect();
            let found = tags::statements(&doc.text, &p.windows, &probs, &p.quotes, lexicons.cues(doc.lang.as_deref()));
            Ok(crate::eval::prediction_line(&doc.id, &doc.text, &found))
        })
        .collect()
}
