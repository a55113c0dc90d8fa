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
use crate::tagger::link::{self, Choice, Linker};
use crate::tagger::tags::{self, GoldPart, Role, Window, LAYERS, LAYER_TAGS, OUTPUTS};
use crate::tagger::{io_error, prepare, stacked, tag_probs, window_states, Net, Prepared, Tagger, TaggerConfig, TaggerMeta, FORMAT};
use crate::text::{ByteSpan, CharIndex};

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

/// [`measure`], and the content and speaker F1 of each language (`by_language`).
fn measure_by_language(docs: &[&GoldDocument], found: &[Vec<Statement>]) -> serde_json::Value {
    let mut metrics = measure(docs, found);
    let lang_of = |k: usize| docs[k].lang.clone().unwrap_or_default();
    let mut by_language = serde_json::Map::new();
    let langs: std::collections::BTreeSet<String> = (0..docs.len()).map(lang_of).collect();
    for lang in langs {
        let picked: Vec<usize> = (0..docs.len()).filter(|&k| lang_of(k) == lang).collect();
        let docs_of: Vec<&GoldDocument> = picked.iter().map(|&k| docs[k]).collect();
        let found_of: Vec<Vec<Statement>> = picked.iter().map(|&k| found[k].clone()).collect();
        let m = measure(&docs_of, &found_of);
        by_language
            .insert(lang, serde_json::json!({"documents": picked.len(), "content_f1_j50": m["content_f1_j50"], "speaker_f1": m["speaker_f1"]}));
    }
    metrics["by_language"] = serde_json::Value::Object(by_language);
    metrics
}

/// The held-out criterion: the mean over languages of (content F1 j50 + speaker F1) / 2 when the
/// languages are weighed alike (`balanced`), else the same of the pooled figures.
fn language_mean(metrics: &serde_json::Value, balanced: bool) -> f64 {
    let by_language = metrics["by_language"].as_object().cloned().unwrap_or_default();
    if balanced && !by_language.is_empty() {
        by_language.values().map(score_of).sum::<f64>() / by_language.len() as f64
    } else {
        score_of(metrics)
    }
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
                None,
            ));
        }
        Ok(measure_by_language(&hold_docs, &found))
    };
    let mut best: Option<(f64, usize, serde_json::Value, Vec<(String, Tensor)>)> = None;
    // The weights after each epoch of the later half, summed: their mean is one more candidate.
    let average_from = config.epochs / 2 + 1;
    let mut sum: Option<Vec<(String, Tensor)>> = None;
    let snapshot = |net: &Net| -> Vec<(String, Tensor)> { net.vs.variables().into_iter().map(|(k, v)| (k, v.detach().copy())).collect() };
    let language_mean = |metrics: &serde_json::Value| language_mean(metrics, config.balance_languages);
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
    let meta = TaggerMeta {
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
        linker: None,
    };
    let mut tagger = Tagger { encoder, net, meta };
    let (linker, linker_record) = fit_linker(&tagger, &docs, &prepared, &hold, lexicons)?;
    tagger.meta.linker = linker;
    // Dev, through the product's own path (`standpoint eval --attribution learned`); the held-out
    // figures above read the tagger's statements before the page-furniture filter.
    tagger.meta.record = serde_json::json!({
        "train": {"files": crate::heads::file_record(data)?, "documents": docs.len(), "held_out_documents": hold.len(),
                  "held_out_ids": hold.iter().map(|&d| docs[d].id.clone()).collect::<Vec<_>>()},
        "linker": linker_record,
        "dev": dev_record(&tagger, &dev_docs, dev, lexicons)?,
    });
    save_meta(&tagger.meta, out)?;
    Ok(tagger.meta)
}

/// Dev figures of `tagger` on the `dev` files, through the product's own path (`standpoint eval
/// --attribution learned`), with the files' record.
fn dev_record(tagger: &Tagger, dev_docs: &[GoldDocument], dev: &[PathBuf], lexicons: &Lexicons) -> Result<serde_json::Value, HeadError> {
    let dict = crate::actors::Dictionary::builtin().map_err(|e| HeadError::Data(e.to_string()))?;
    let lines = crate::eval::predict_attributions(dev_docs, lexicons, &dict, Some((tagger, Finder::Learned)))?;
    let m = attribution::metrics(dev_docs, &crate::eval::by_id(&lines));
    Ok(serde_json::json!({"files": crate::heads::file_record(dev)?, "documents": dev_docs.len(),
        "content_f1_j50": m["content_f1_j50"], "speaker_f1": m["speaker_f1"],
        "quoted": {"content_f1_j50": m["quoted"]["content_f1_j50"], "speaker_f1": m["quoted"]["speaker_f1"]}}))
}

fn save_meta(meta: &TaggerMeta, dir: &Path) -> Result<(), HeadError> {
    let path = dir.join("tagger.json");
    std::fs::write(&path, serde_json::to_string_pretty(meta).expect("serialises") + "\n").map_err(|e| io_error(&path, e))
}

/// Refits the speaker linker of the tagger in `dir` ([`fit_linker`]) on the documents of `data` it
/// was trained on, holding out the same documents, and records it and the dev figures in its
/// `tagger.json` (`standpoint train --task attribution-linker`).
pub fn refit_linker(model_dir: &Path, dir: &Path, data: &[PathBuf], dev: &[PathBuf], lexicons: &Lexicons) -> Result<TaggerMeta, HeadError> {
    let mut tagger = Tagger::load(model_dir, dir, Precision::Auto, &[])?;
    tagger.meta.linker = None;
    let docs = attribution::load_gold(data).map_err(|e| HeadError::Data(e.to_string()))?;
    let dev_docs = attribution::load_gold(dev).map_err(|e| HeadError::Data(e.to_string()))?;
    let held: Vec<&str> = tagger.meta.record["train"]["held_out_ids"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
    let hold: Vec<usize> = (0..docs.len()).filter(|&d| held.contains(&docs[d].id.as_str())).collect();
    if hold.len() != held.len() {
        return Err(HeadError::Data(format!(
            "{} of the tagger's {} held-out documents are in the data: give the files it was trained on",
            hold.len(),
            held.len()
        )));
    }
    let (tokenizer, max_tokens) = (&tagger.encoder.tokenizer, tagger.meta.config.max_tokens);
    let prepared: Vec<Prepared> =
        docs.iter().map(|d| prepare(&d.text, d.lang.as_deref(), tokenizer, lexicons, max_tokens)).collect::<Result<_, _>>()?;
    let (linker, record) = fit_linker(&tagger, &docs, &prepared, &hold, lexicons)?;
    tagger.meta.linker = linker;
    tagger.meta.record["linker"] = record;
    tagger.meta.record["dev"] = dev_record(&tagger, &dev_docs, dev, lexicons)?;
    save_meta(&tagger.meta, dir)?;
    Ok(tagger.meta)
}

/// The gold tags of `doc`'s windows as the tagger's output: probability 1 for each gold tag.
fn gold_probs(doc: &GoldDocument, p: &Prepared) -> Vec<Vec<Vec<f32>>> {
    let n = LAYER_TAGS.len();
    tags::gold_tags(&doc.text, &p.windows, &gold_parts(doc))
        .iter()
        .map(|w| w.iter().map(|t| (0..OUTPUTS).map(|i| if t[i / n] == (i % n) as i64 { 1.0 } else { 0.0 }).collect()).collect())
        .collect()
}

/// The speaker linker's choices in `doc`'s gold tags: for each content the decoder reads, its
/// candidate sources and the one that overlaps the gold source of the attribution the content
/// belongs to (the one whose content it overlaps most); none when that attribution has no
/// source, or none of the candidates is it.
fn link_choices(doc: &GoldDocument, p: &Prepared, weight: f64) -> Vec<Choice> {
    let parts = gold_parts(doc);
    let overlap = |a: ByteSpan, b: ByteSpan| a.end.min(b.end).saturating_sub(a.start.max(b.start));
    let mut out = Vec::new();
    for (window, probs) in p.windows.iter().zip(gold_probs(doc, p)) {
        let runs = tags::runs(&doc.text, window, &probs);
        for reading in tags::readings(&doc.text, &runs, &p.quotes) {
            let attribution = parts
                .iter()
                .filter(|g| g.role == Role::Content)
                .map(|g| (g.attribution, overlap(g.span, reading.content.span)))
                .filter(|&(_, o)| o > 0)
                .max_by_key(|&(_, o)| o)
                .map(|(a, _)| a);
            let Some(attribution) = attribution else { continue };
            let sources: Vec<ByteSpan> =
                parts.iter().filter(|g| g.role == Role::Source && g.attribution == attribution).map(|g| g.span).collect();
            let candidates = link::candidates(&doc.text, &reading, &runs, &p.quotes);
            let gold = candidates.iter().position(|(r, _)| sources.iter().any(|&s| overlap(s, r.span) > 0));
            if !candidates.is_empty() {
                out.push(Choice { candidates: candidates.into_iter().map(|(_, x)| x).collect(), gold, weight });
            }
        }
    }
    out
}

/// Fits the speaker linker on the gold tags of `docs` (in their `prepared` windows) outside
/// `hold` (each language weighing alike) and measures it against the decoder's rules on the `hold`
/// documents, through `tagger`'s tags. Returns the linker when it scores higher by the held-out criterion ([`language_mean`],
/// languages weighed alike), and the record of both.
fn fit_linker(
    tagger: &Tagger,
    docs: &[GoldDocument],
    prepared: &[Prepared],
    hold: &[usize],
    lexicons: &Lexicons,
) -> Result<(Option<Linker>, serde_json::Value), HeadError> {
    let fit_docs: Vec<usize> = (0..docs.len()).filter(|d| !hold.contains(d)).collect();
    let mut per_language: std::collections::BTreeMap<String, usize> = Default::default();
    let choices_of: Vec<Vec<Choice>> = fit_docs.iter().map(|&d| link_choices(&docs[d], &prepared[d], 1.0)).collect();
    for (&d, c) in fit_docs.iter().zip(&choices_of) {
        *per_language.entry(docs[d].lang.clone().unwrap_or_default()).or_default() += c.len();
    }
    let mut choices = Vec::new();
    for (&d, c) in fit_docs.iter().zip(choices_of) {
        let weight = 1.0 / per_language[&docs[d].lang.clone().unwrap_or_default()].max(1) as f64;
        choices.extend(c.into_iter().map(|c| Choice { weight, ..c }));
    }
    let linker = link::fit(&choices, LINKER_L2, LINKER_STEPS);

    let hold_docs: Vec<&GoldDocument> = hold.iter().map(|&d| &docs[d]).collect();
    let mut probs = Vec::new();
    for &d in hold {
        let states = window_states(&tagger.encoder, &prepared[d].windows.iter().collect::<Vec<_>>())?;
        probs.push(tag_probs(&tagger.net, &states)?);
    }
    let decoded = |linker: Option<&Linker>| -> Vec<Vec<Statement>> {
        hold.iter()
            .zip(&probs)
            .map(|(&d, probs)| {
                let p = &prepared[d];
                tags::statements(&docs[d].text, &p.windows, probs, &p.quotes, lexicons.cues(docs[d].lang.as_deref()), linker)
            })
            .collect()
    };
    let rules = measure_by_language(&hold_docs, &decoded(None));
    let learned = measure_by_language(&hold_docs, &decoded(Some(&linker)));
    let (rules_score, learned_score) = (language_mean(&rules, true), language_mean(&learned, true));
    eprintln!("standpoint: speaker linker: held-out score {learned_score:.4} against the rules' {rules_score:.4}");
    let record = serde_json::json!({
        "choices": choices.len(), "choices_by_language": per_language,
        "held_out": {"rules": {"score": rules_score, "by_language": rules["by_language"]},
                     "linker": {"score": learned_score, "by_language": learned["by_language"]}},
        "kept": learned_score > rules_score,
    });
    Ok(((learned_score > rules_score).then_some(linker), record))
}

/// The linker's fit: L2 strength and full-batch steps.
const LINKER_L2: f64 = 1e-3;
const LINKER_STEPS: usize = 400;

/// The scorer's lines for `docs` read back from their own gold tags (in the windows of a tagger
/// with `config`'s window length): what the tag scheme and the decoder allow when every tag is
/// right, the ceiling of `--attribution learned` (`standpoint eval --task attribution --gold-tags`).
pub fn decode_gold(
    model_dir: &Path,
    docs: &[GoldDocument],
    lexicons: &Lexicons,
    config: &TaggerConfig,
    linker: Option<&Linker>,
) -> Result<Vec<attribution::PredictionLine>, HeadError> {
    let tokenizer = crate::model::encoder::load_tokenizer(model_dir)?;
    docs.iter()
        .map(|doc| {
            let p = prepare(&doc.text, doc.lang.as_deref(), &tokenizer, lexicons, config.max_tokens)?;
            let probs = gold_probs(doc, &p);
            let found = tags::statements(&doc.text, &p.windows, &probs, &p.quotes, lexicons.cues(doc.lang.as_deref()), linker);
            Ok(crate::eval::prediction_line(&doc.id, &doc.text, &found))
        })
        .collect()
}
