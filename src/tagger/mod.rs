//! The learned attribution tagger: the embedded encoder's token states (frozen), a small
//! bidirectional LSTM and a linear layer tag every token as part of an attribution's content,
//! source or cue ([`tags`]); the tags are read back into statements, each content's speaker
//! picked among the source spans near it by a small learned linker ([`link`]).
//!
//! It is the learned alternative to the rule-based cue reader in [`crate::quotes`] and costs a
//! transformer pass over the whole text (the rules read only text). `--attribution auto` (the
//! default) gives it the articles of the languages where its development figures beat the rules
//! ([`AutoChoice`], written by `scripts/attribution-choice --write`), `learned` every article,
//! `rules` none ([`Finder`]). Trained by `standpoint train --task attribution` on PolNeAR-format
//! documents ([`crate::train::tagger`]); the result is a directory with `tagger.safetensors` and
//! `tagger.json`.
//!
//! The backward LSTM runs on each row reversed within its own length, so padding never reaches a
//! real token: a window's tags do not depend on the batch it was run in.

pub mod link;
mod lstm;
pub mod tags;

use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, RNN};
use tch::{Device, Kind, Tensor};

use crate::heads::HeadError;
use crate::lexicon::Lexicons;
use crate::model::batching::{batches_by_length, padded_states, token_states};
use crate::model::{Encoder, Precision};
use crate::quotes::{marks, Finder, Statement};
use crate::text::sentences;
use tags::{Window, LAYERS, LAYER_TAGS, OUTPUTS};

/// The tagger file format this build reads and writes: 2 has one O/B/I tag per layer
/// ([`tags::LAYERS`]), 1 had one tag per token over content, source and cue.
pub const FORMAT: u32 = 2;

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
    /// Weigh every training language alike: a language's windows are repeated (up to 4 times)
    /// toward the token count of the largest, and the epoch is chosen on the mean of the
    /// languages' held-out figures rather than on the pooled ones.
    pub balance_languages: bool,
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
            balance_languages: false,
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
    /// When the kept weights are the mean of those after each epoch from this one to
    /// `epochs_trained` (chosen on the held-out slice like an epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub averaged_from: Option<usize>,
    /// Held-out (training documents) `content_f1_j50` and `speaker_f1` of the kept epoch.
    pub holdout: serde_json::Value,
    pub record: serde_json::Value,
    /// What `--attribution auto` gives this tagger, chosen by measured figures
    /// (`scripts/attribution-choice --write`); without it, the training languages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoChoice>,
    /// The learned speaker linker ([`link`]) when it beat the decoder's rules on the held-out
    /// slice; without it, the rules pick the speaker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linker: Option<link::Linker>,
}

impl TaggerMeta {
    /// The `tagger.json` in `dir`, refused when this build cannot decode with it: another tag
    /// format, or a speaker linker over other features.
    pub fn read(dir: &Path) -> Result<TaggerMeta, HeadError> {
        let path = dir.join("tagger.json");
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        let meta: TaggerMeta =
            serde_json::from_str(&text).map_err(|source| HeadError::Json { path: path.display().to_string(), line: 1, source })?;
        if meta.format != FORMAT || meta.tags != tags::output_names() {
            return Err(HeadError::Data(format!(
                "{}: a tagger of format {} with outputs {:?}; this build reads format {FORMAT} ({:?}): retrain it with `standpoint train --task attribution`",
                path.display(),
                meta.format,
                meta.tags,
                tags::output_names()
            )));
        }
        if meta.linker.as_ref().is_some_and(|l| !l.fits_this_build()) {
            return Err(HeadError::Data(format!(
                "{}: a speaker linker over other features than this build's {:?}: refit it with `standpoint train --task attribution-linker`",
                path.display(),
                link::FEATURES
            )));
        }
        Ok(meta)
    }

    /// Whether `finder` gives an article in `lang` to the tagger: `learned` always, `rules`
    /// never, `auto` as measured ([`AutoChoice`]; without it, the training languages).
    pub fn applies(&self, finder: Finder, lang: Option<&str>) -> bool {
        match finder {
            Finder::Rules => false,
            Finder::Learned => true,
            Finder::Auto => match &self.auto {
                Some(auto) => lang.and_then(|l| auto.languages.get(l)).unwrap_or(&auto.otherwise) == &Finder::Learned,
                None => lang.is_some_and(|l| self.languages.iter().any(|x| x == l)),
            },
        }
    }
}

/// The finder `--attribution auto` uses per language, with the development figures that chose it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoChoice {
    /// Measured languages and their finder.
    pub languages: std::collections::BTreeMap<String, Finder>,
    /// The finder for languages with no development data (and articles of unknown language).
    pub otherwise: Finder,
    /// Per language, per finder: content F1 (j50), speaker F1, documents, and the data's name.
    pub measured: serde_json::Value,
    /// How the choice was made.
    pub rule: String,
}

pub(crate) struct Net {
    pub(crate) vs: nn::VarStore,
    forward_lstm: nn::LSTM,
    backward_lstm: nn::LSTM,
    out: nn::Linear,
}

impl Net {
    pub(crate) fn new(input: usize, hidden: usize) -> Net {
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let forward_lstm = nn::lstm(&root / "forward", input as i64, hidden as i64, Default::default());
        let backward_lstm = nn::lstm(&root / "backward", input as i64, hidden as i64, Default::default());
        let out = nn::linear(&root / "out", (input + 2 * hidden) as i64, OUTPUTS as i64, Default::default());
        Net { vs, forward_lstm, backward_lstm, out }
    }

    /// Tag logits `[rows, width, OUTPUTS]` (every layer's tags in turn) for token states
    /// `[rows, width, hidden]` of rows `lens` long.
    /// Outside training the LSTMs run through [`lstm`], each row over its own tokens; training
    /// keeps libtorch's (autograd, dropout).
    pub(crate) fn forward(&self, x: &Tensor, lens: &[usize], dropout: f64, train: bool) -> Tensor {
        if !train {
            if let Some(logits) = self.inference(x, lens) {
                return logits;
            }
        }
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

impl Net {
    /// [`Net::forward`] for inference through [`lstm::run`]; `None` where it does not apply.
    fn inference(&self, x: &Tensor, lens: &[usize]) -> Option<Tensor> {
        let vars = self.vs.variables();
        let direction = |name: &str| -> Option<[Tensor; 4]> {
            let get = |v: &str| vars.get(&format!("{name}.{v}_l0")).map(Tensor::detach);
            Some([get("weight_ih")?, get("weight_hh")?, get("bias_ih")?, get("bias_hh")?])
        };
        let states = |name: &str, reverse: bool| -> Option<Tensor> {
            let [input, recurrent, input_bias, recurrent_bias] = direction(name)?;
            let weights = lstm::Weights { input: &input, recurrent: &recurrent, input_bias: &input_bias, recurrent_bias: &recurrent_bias };
            lstm::run(x, lens, &weights, reverse)
        };
        let (fwd, bwd) = (states("forward", false)?, states("backward", true)?);
        Some(self.out.forward(&Tensor::cat(&[x, &fwd.to_kind(x.kind()), &bwd.to_kind(x.kind())], 2)))
    }
}

/// A trained tagger with the encoder it reads.
pub struct Tagger {
    pub(crate) encoder: Encoder,
    pub(crate) net: Net,
    pub meta: TaggerMeta,
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> HeadError {
    HeadError::Io { path: path.display().to_string(), source }
}

/// Token states of each window (content tokens only, `[tokens, hidden]`, as computed).
pub(crate) fn window_states(encoder: &Encoder, windows: &[&Window]) -> Result<Vec<Tensor>, HeadError> {
    let (pre, post) = encoder.special_tokens();
    let ids: Vec<Vec<i64>> = windows.iter().map(|w| pre.iter().chain(&w.ids).chain(post).map(|&i| i as i64).collect()).collect();
    Ok(token_states(encoder, &ids, 32, |i| (pre.len(), windows[i].ids.len()))?)
}

/// Zero-padded `[rows, width, hidden]` (f32) of states of different lengths, and the lengths.
pub(crate) fn stacked(states: &[&Tensor]) -> (Tensor, Vec<usize>) {
    (padded_states(states).0, states.iter().map(|t| t.size()[0] as usize).collect())
}

/// Per window, per token, the probability of each tag of each layer (`OUTPUTS`, layer by layer).
pub(crate) fn tag_probs(net: &Net, states: &[Tensor]) -> Result<Vec<Vec<Vec<f32>>>, HeadError> {
    let lens: Vec<usize> = states.iter().map(|t| t.size()[0] as usize).collect();
    let mut out: Vec<Vec<Vec<f32>>> = vec![Vec::new(); states.len()];
    for batch in batches_by_length(&lens, 32) {
        let batch: Vec<usize> = batch.into_iter().filter(|&i| lens[i] > 0).collect();
        if batch.is_empty() {
            continue;
        }
        let rows: Vec<&Tensor> = batch.iter().map(|&i| &states[i]).collect();
        let (x, _) = stacked(&rows);
        let p = tch::no_grad(|| {
            let logits = net.forward(&x, &batch.iter().map(|&i| lens[i]).collect::<Vec<_>>(), 0.0, false);
            let (rows, width, _) = logits.size3().expect("three dimensions");
            logits.view([rows, width, LAYERS.len() as i64, LAYER_TAGS.len() as i64]).softmax(-1, Kind::Float)
        });
        let width = p.size()[1] as usize;
        let flat = Vec::<f32>::try_from(p.contiguous().view([-1]))?;
        for (row, &i) in batch.iter().enumerate() {
            let base = row * width * OUTPUTS;
            out[i] = (0..lens[i]).map(|t| flat[base + t * OUTPUTS..base + (t + 1) * OUTPUTS].to_vec()).collect();
        }
    }
    Ok(out)
}

/// One text's windows and the quotation marks the statements' kinds are read from.
pub(crate) struct Prepared {
    pub(crate) windows: Vec<Window>,
    pub(crate) quotes: Vec<marks::Quoted>,
    pub(crate) lang: Option<String>,
}

pub(crate) fn prepare(
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
        let meta = TaggerMeta::read(dir)?;
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

    /// Whether `finder` gives an article in `lang` to this tagger ([`TaggerMeta::applies`]).
    pub fn applies(&self, finder: Finder, lang: Option<&str>) -> bool {
        self.meta.applies(finder, lang)
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
        Ok(tags::statements(text, &p.windows, &probs, &p.quotes, lexicons.cues(p.lang.as_deref()), self.meta.linker.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(auto: Option<AutoChoice>) -> TaggerMeta {
        TaggerMeta {
            format: FORMAT,
            tags: tags::output_names(),
            config: TaggerConfig::default(),
            encoder: String::new(),
            languages: vec!["de".into(), "en".into()],
            epochs_trained: 1,
            averaged_from: None,
            holdout: serde_json::Value::Null,
            record: serde_json::Value::Null,
            auto,
            linker: None,
        }
    }

    #[test]
    fn auto_follows_the_measured_choice_and_else_the_training_languages() {
        let untouched = meta(None);
        assert!(untouched.applies(Finder::Auto, Some("en")));
        assert!(!untouched.applies(Finder::Auto, Some("ru")));
        assert!(!untouched.applies(Finder::Auto, None));

        let chosen = meta(Some(AutoChoice {
            languages: [("en".to_string(), Finder::Learned), ("ru".to_string(), Finder::Rules)].into_iter().collect(),
            otherwise: Finder::Learned,
            measured: serde_json::Value::Null,
            rule: String::new(),
        }));
        assert!(chosen.applies(Finder::Auto, Some("en")));
        assert!(!chosen.applies(Finder::Auto, Some("ru")));
        assert!(chosen.applies(Finder::Auto, Some("pt")), "unmeasured: otherwise");
        assert!(chosen.applies(Finder::Auto, None));
        assert!(!chosen.applies(Finder::Rules, Some("en")));
        assert!(chosen.applies(Finder::Learned, Some("ru")));
    }

    #[test]
    fn a_tagger_of_another_format_is_refused_with_the_way_out() {
        let dir = std::env::temp_dir().join(format!("standpoint-tagger-format-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let old = TaggerMeta { format: 1, tags: vec!["O".into(), "B-content".into()], ..meta(None) };
        std::fs::write(dir.join("tagger.json"), serde_json::to_string(&old).unwrap()).unwrap();
        let err = Tagger::load(Path::new("no-such-model"), &dir, Precision::F32, &[]).err().expect("refused");
        std::fs::remove_dir_all(&dir).ok();
        let message = err.to_string();
        assert!(message.contains("format 1") && message.contains("standpoint train --task attribution"), "{message}");
    }

    #[test]
    fn a_linker_over_other_features_is_refused_with_the_way_out() {
        let dir = std::env::temp_dir().join(format!("standpoint-tagger-linker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let linker = link::Linker { features: vec!["candidate".into(), "gone".into()], weights: vec![0.5, 1.0] };
        let stale = TaggerMeta { linker: Some(linker), ..meta(None) };
        std::fs::write(dir.join("tagger.json"), serde_json::to_string(&stale).unwrap()).unwrap();
        let err = Tagger::load(Path::new("no-such-model"), &dir, Precision::F32, &[]).err().expect("refused");
        std::fs::remove_dir_all(&dir).ok();
        let message = err.to_string();
        assert!(message.contains("linker") && message.contains("standpoint train --task attribution-linker"), "{message}");
    }
}

// SAFETY: a loaded tagger is frozen (`vs.freeze()`) and only read: `statements` runs forward
// passes under `no_grad` and mutates nothing, which libtorch allows from several threads at once.
unsafe impl Sync for Tagger {}
