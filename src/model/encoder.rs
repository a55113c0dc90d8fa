//! Loading a local Hugging Face encoder directory onto libtorch through rust-bert.
//!
//! A directory holds `config.json`, `model.safetensors` and `tokenizer.json` (and optionally
//! `standpoint.json`, see [`super::profile`]). The family comes from `config.json`'s `model_type`:
//! `bert`, `xlm-roberta`/`roberta`, or `deberta-v2`. Weights may be saved bare (`embeddings.…`) or
//! under the task model's prefix (`bert.…`, `roberta.…`, `deberta.…`); both load.

use std::path::{Path, PathBuf};

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::deberta_v2::{DebertaV2Config, DebertaV2Model};
use rust_bert::roberta::RobertaEmbeddings;
use serde::Deserialize;
use tch::{nn, Device, Tensor};
use tokenizers::Tokenizer;

use super::bert_inference::InferenceLayers;
use super::precision::Precision;
use super::profile::Profile;
use super::weights::{load_weights, Family};
use super::ModelError;

enum Network {
    /// rust-bert's `BertModel` builds the store the weights load into; the forward pass is
    /// [`InferenceLayers`] over the same tensors.
    Bert(InferenceLayers),
    Roberta(BertModel<RobertaEmbeddings>),
    DebertaV2(DebertaV2Model),
}

/// A network whose variables are declared in the store: built (rust-bert runs it), or BERT,
/// whose [`InferenceLayers`] are read from the store once the weights are loaded.
enum Declared {
    Bert { heads: i64 },
    Built(Box<Network>),
}

#[derive(Deserialize)]
struct ConfigHead {
    model_type: String,
    #[serde(default)]
    max_position_embeddings: Option<i64>,
    #[serde(default)]
    pad_token_id: Option<i64>,
    hidden_size: i64,
}

/// The network with the variable store that owns its weights: shared by every encoder built on
/// the same bottom (see [`Encoder::sharing_bottom`]).
struct Weights {
    network: Network,
    _vs: nn::VarStore,
}

// SAFETY: the weights are frozen once loaded (`vs.freeze()`, converted before sharing) and only
// ever read — forward passes under `no_grad` — which libtorch allows from several threads.
unsafe impl Sync for Weights {}

/// A loaded encoder: network, tokenizer and the facts the batching layer needs.
pub struct Encoder {
    weights: std::sync::Arc<Weights>,
    /// For a bottom cut after some layers ([`Encoder::load_bottom`]), how many.
    pub bottom_layers: Option<usize>,
    pub(crate) tokenizer: Tokenizer,
    pub(crate) profile: Profile,
    pub family: Family,
    /// The arithmetic actually in use (never `Auto`).
    pub precision: Precision,
    pub hidden_size: usize,
    /// Longest input the network accepts, special tokens included.
    pub max_tokens: usize,
    pub pad_id: u32,
    /// Special tokens the tokenizer puts before and after one sequence (`<s>` … `</s>`).
    pub(crate) special_prefix: Vec<u32>,
    pub(crate) special_suffix: Vec<u32>,
    pub dir: PathBuf,
    top: Option<super::top::TopLayers>,
}

// SAFETY: as for `Weights`: top layers are attached once loaded and frozen (`TopLayers::load…`
// freeze their store), and a forward pass only reads them under `no_grad`, so batches may run on
// several threads at once (`batching`).
unsafe impl Sync for Encoder {}

impl Encoder {
    /// Runs `top` after this (bottom) encoder from now on; see [`super::top`]. Tuned layers are
    /// trained on raw mean-pooled states, so the pair's vectors are not L2-normalised.
    pub fn attach_top(&mut self, top: super::top::TopLayers) {
        self.top = Some(top);
        self.profile.normalize = false;
    }

    /// Another encoder on the same weights (not copied) without top layers: two heads tuned from
    /// the same layer share one bottom in memory.
    pub fn sharing_bottom(&self) -> Encoder {
        Encoder {
            weights: std::sync::Arc::clone(&self.weights),
            bottom_layers: self.bottom_layers,
            tokenizer: self.tokenizer.clone(),
            profile: self.profile.clone(),
            family: self.family,
            precision: self.precision,
            hidden_size: self.hidden_size,
            max_tokens: self.max_tokens,
            pad_id: self.pad_id,
            special_prefix: self.special_prefix.clone(),
            special_suffix: self.special_suffix.clone(),
            dir: self.dir.clone(),
            top: None,
        }
    }

    /// The untuned model over this encoder's bottom, sharing its weights: a bottom cut after
    /// layer k gets the base model's own layers k.. on top (in the bottom's arithmetic); an
    /// uncut encoder is itself the base model.
    pub fn base(&self) -> Result<Encoder, ModelError> {
        let mut base = self.sharing_bottom();
        if let Some(cut) = self.bottom_layers {
            let kind = if self.precision == Precision::Bf16 { tch::Kind::BFloat16 } else { tch::Kind::Float };
            base.attach_top(super::top::TopLayers::base_above(&self.dir, cut, kind)?);
        }
        Ok(base)
    }

    /// The attached top layers, giving up the encoder (to save layers trained in place).
    pub fn into_top(self) -> Option<super::top::TopLayers> {
        self.top
    }

    pub fn load(dir: &Path, precision: Precision) -> Result<Self, ModelError> {
        Self::load_layers(dir, precision, None)
    }

    /// The encoder cut after its first `layers` layers (BERT family): the frozen bottom under
    /// fine-tuned top layers. Its hidden states are the input of layer `layers`.
    pub fn load_bottom(dir: &Path, precision: Precision, layers: usize) -> Result<Self, ModelError> {
        Self::load_layers(dir, precision, Some(layers))
    }

    fn load_layers(dir: &Path, precision: Precision, layers: Option<usize>) -> Result<Self, ModelError> {
        let config_path = dir.join("config.json");
        let config_bytes = std::fs::read(&config_path).map_err(|e| ModelError::io(&config_path, e))?;
        let json = |source| ModelError::Json { path: config_path.clone(), source };
        let head: ConfigHead = serde_json::from_slice(&config_bytes).map_err(json)?;
        let family = match head.model_type.as_str() {
            "bert" => Family::Bert,
            other if layers.is_some() => {
                return Err(ModelError::Unsupported { dir: dir.to_owned(), model_type: format!("{other} (layer-wise tuning needs bert)") })
            }
            "xlm-roberta" | "roberta" => Family::Roberta,
            "deberta-v2" => Family::DebertaV2,
            other => return Err(ModelError::Unsupported { dir: dir.to_owned(), model_type: other.to_owned() }),
        };

        let mut vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        // BERT: rust-bert's model only declares the variables; `InferenceLayers` runs them once
        // the weights are loaded and in their final arithmetic.
        let declared = match family {
            Family::Bert => {
                let mut config: BertConfig = serde_json::from_slice(&config_bytes).map_err(json)?;
                if let Some(n) = layers {
                    config.num_hidden_layers = n as i64;
                }
                BertModel::<BertEmbeddings>::new_with_optional_pooler(&root, &config, false);
                Declared::Bert { heads: config.num_attention_heads }
            }
            Family::Roberta => {
                let config: BertConfig = serde_json::from_slice(&config_bytes).map_err(json)?;
                Declared::Built(Box::new(Network::Roberta(BertModel::new_with_optional_pooler(&root, &config, false))))
            }
            Family::DebertaV2 => {
                let config: DebertaV2Config = serde_json::from_slice(&config_bytes).map_err(json)?;
                Declared::Built(Box::new(Network::DebertaV2(DebertaV2Model::new(&root, &config))))
            }
        };
        load_weights(&mut vs, &dir.join("model.safetensors"), family)?;
        vs.freeze();
        let precision = precision.resolve();
        if precision == Precision::Bf16 {
            vs.bfloat16();
        }
        let network = match declared {
            Declared::Bert { heads } => Network::Bert(InferenceLayers::bert(&vs, heads)?),
            Declared::Built(network) => *network,
        };

        let tokenizer = load_tokenizer(dir)?;
        let (special_prefix, special_suffix) = special_tokens(&tokenizer)?;

        // RoBERTa positions start after the padding index, so two positions are not usable.
        let positions = head.max_position_embeddings.unwrap_or(512);
        let max_tokens = match family {
            Family::Roberta => positions - head.pad_token_id.unwrap_or(1) - 1,
            _ => positions,
        }
        .clamp(8, 4096) as usize;
        let pad_id = head
            .pad_token_id
            .map(|p| p as u32)
            .or_else(|| tokenizer.get_padding().map(|p| p.pad_id))
            .or_else(|| ["<pad>", "[PAD]"].iter().find_map(|t| tokenizer.token_to_id(t)))
            .unwrap_or(0);

        Ok(Encoder {
            weights: std::sync::Arc::new(Weights { network, _vs: vs }),
            bottom_layers: layers,
            profile: Profile::load_or_default(dir)?,
            tokenizer,
            family,
            precision,
            hidden_size: head.hidden_size as usize,
            max_tokens,
            pad_id,
            special_prefix,
            special_suffix,
            dir: dir.to_owned(),
            top: None,
        })
    }

    /// Special tokens the tokenizer puts before and after one sequence.
    pub fn special_tokens(&self) -> (&[u32], &[u32]) {
        (&self.special_prefix, &self.special_suffix)
    }

    /// Last hidden states `[batch, tokens, hidden]` for padded ids and their 0/1 mask.
    pub fn hidden_states(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor, ModelError> {
        self.hidden_states_typed(ids, mask, None)
    }

    /// As [`Self::hidden_states`], with token type ids (sentence pairs in BERT).
    pub fn hidden_states_typed(&self, ids: &Tensor, mask: &Tensor, types: Option<&Tensor>) -> Result<Tensor, ModelError> {
        let hidden = match &self.weights.network {
            Network::Bert(layers) => layers.encode(ids, mask, types)?,
            Network::Roberta(m) => m.forward_t(Some(ids), Some(mask), types, None, None, None, None, false)?.hidden_state,
            Network::DebertaV2(m) => m.forward_t(Some(ids), Some(mask), types, None, None, false)?.hidden_state,
        };
        Ok(match &self.top {
            Some(top) => top.forward(&hidden, mask, false),
            None => hidden,
        })
    }
}

/// Finds the special tokens the post-processor wraps one sequence in, by encoding a probe.
fn special_tokens(tokenizer: &Tokenizer) -> Result<(Vec<u32>, Vec<u32>), ModelError> {
    let err = |e: tokenizers::Error| ModelError::Tokenizer(e.to_string());
    let bare = tokenizer.encode("probe", false).map_err(err)?;
    let full = tokenizer.encode("probe", true).map_err(err)?;
    let (bare, full) = (bare.get_ids(), full.get_ids());
    let start = full
        .windows(bare.len().max(1))
        .position(|w| w == bare)
        .ok_or_else(|| ModelError::Tokenizer("cannot locate content among special tokens".into()))?;
    Ok((full[..start].to_vec(), full[start + bare.len()..].to_vec()))
}

/// The tokenizer of the model directory `dir` (`tokenizer.json`), without padding or truncation:
/// the encoder's windows are cut by Standpoint.
pub fn load_tokenizer(dir: &Path) -> Result<Tokenizer, ModelError> {
    let path = dir.join("tokenizer.json");
    let mut tokenizer = Tokenizer::from_file(&path).map_err(|e| ModelError::Tokenizer(format!("{}: {e}", path.display())))?;
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|e| ModelError::Tokenizer(e.to_string()))?;
    Ok(tokenizer)
}
