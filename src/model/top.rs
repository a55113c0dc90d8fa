//! Fine-tuned top layers of a BERT-family encoder.
//!
//! An encoder loaded with [`super::Encoder::load_bottom`] stops after layer `first`; these layers
//! (rust-bert `BertLayer`s, initialised from the same weights and then trained) carry on from
//! there. Attached with [`super::Encoder::attach_top`], the pair runs through the batching layer like
//! any encoder. Stored as `top.safetensors` next to the head that was trained with them, in
//! f16 or, to fit more tuned layers in the same bytes, with every weight matrix as int8 rows
//! ([`Storage`]); loading reads either.

use std::collections::HashMap;
use std::path::Path;

use rust_bert::bert::{BertConfig, BertLayer};
use serde::{Deserialize, Serialize};
use tch::{nn, Device, Kind, Tensor};

use super::bert_inference::InferenceLayers;
use super::weights::{load_weights_where, Family};
use super::ModelError;

/// How [`TopLayers::save`] stores the weights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    /// Every tensor in f16 (about 3.5 MB a layer of e5-small).
    #[default]
    F16,
    /// Weight matrices as int8 with one f32 scale per output row (absolute maximum / 127),
    /// everything else in f16: about half the bytes.
    Int8Rows,
}

/// Suffix of the per-row scale stored beside an int8 matrix.
const SCALE: &str = ".row_scale";

/// The layer a variable belongs to (`encoder.layer.7.attention…` → 7).
fn layer_of(name: &str) -> Option<usize> {
    name.strip_prefix("encoder.layer.")?.split('.').next()?.parse().ok()
}

/// A matrix as int8 rows and their scales: `w ≈ q · scale[row]`.
fn int8_rows(w: &Tensor) -> (Tensor, Tensor) {
    let w = w.to_kind(Kind::Float);
    let scale = w.abs().amax([1].as_slice(), false).clamp_min(1e-12) / 127.0;
    let q = (&w / scale.unsqueeze(1)).round().clamp(-127.0, 127.0).to_kind(Kind::Int8);
    (q, scale)
}

/// A weight as `storage` keeps it: its stored values and, for int8 rows, their scales.
fn encode(w: &Tensor, storage: Storage) -> (Tensor, Option<Tensor>) {
    match storage {
        Storage::Int8Rows if w.dim() == 2 => {
            let (q, scale) = int8_rows(w);
            (q, Some(scale))
        }
        _ => (w.to_kind(Kind::Half), None),
    }
}

/// The f32 weight that stored values (and scales) stand for.
fn decode(value: &Tensor, scale: Option<&Tensor>) -> Tensor {
    match scale {
        Some(scale) => value.to_kind(Kind::Float) * scale.to_kind(Kind::Float).unsqueeze(1),
        None => value.to_kind(Kind::Float),
    }
}

pub struct TopLayers {
    pub(crate) vs: nn::VarStore,
    layers: Vec<BertLayer>,
    /// Index of the first layer these replace.
    pub first: usize,
    /// How many of `layers`, from the first, are the base model's own, run exactly as the bottom
    /// runs them (its arithmetic and attention mask): see [`TopLayers::load_above`].
    frozen: usize,
    heads: i64,
    /// For loaded (frozen) layers, the same layers for inference: the base ones and the trained
    /// ones ([`InferenceLayers`]). Layers being trained have none (their weights change).
    inference: Option<(InferenceLayers, InferenceLayers)>,
    /// The arithmetic the trained layers run in for inference: f32 as trained, or bf16
    /// ([`TopLayers::run_trained_in`]).
    trained_kind: Kind,
}

impl TopLayers {
    fn build(config_dir: &Path, first: usize) -> Result<Self, ModelError> {
        let config_path = config_dir.join("config.json");
        let bytes = std::fs::read(&config_path).map_err(|e| ModelError::io(&config_path, e))?;
        let config: BertConfig = serde_json::from_slice(&bytes).map_err(|source| ModelError::Json { path: config_path.clone(), source })?;
        let total = config.num_hidden_layers as usize;
        if first >= total {
            return Err(ModelError::Format(format!("cannot tune from layer {first}: the model has {total}")));
        }
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let layers = (first..total).map(|i| BertLayer::new(&root / "encoder" / "layer" / i as i64, &config)).collect();
        Ok(TopLayers { vs, layers, first, frozen: 0, heads: config.num_attention_heads, inference: None, trained_kind: Kind::Float })
    }

    /// Freezes the store and reads the layers for inference from it.
    fn freeze(&mut self) -> Result<(), ModelError> {
        self.vs.freeze();
        self.read_inference()
    }

    /// Runs the trained layers of loaded (frozen) layers in `kind` for inference: bf16 trades
    /// the last digits of their output for speed on CPUs with native bf16. Training is
    /// unaffected (layers being trained have no inference copy).
    pub fn run_trained_in(&mut self, kind: Kind) -> Result<(), ModelError> {
        if self.inference.is_none() || kind == self.trained_kind {
            return Ok(());
        }
        for i in self.first + self.frozen..self.first + self.layers.len() {
            (self.vs.root() / "encoder" / "layer" / i as i64).set_kind(kind);
        }
        self.trained_kind = kind;
        self.read_inference()
    }

    fn read_inference(&mut self) -> Result<(), ModelError> {
        let (base, all) = (self.first..self.first + self.frozen, self.first..self.first + self.layers.len());
        let tuned = base.end..all.end;
        self.inference = Some((InferenceLayers::above(&self.vs, base, self.heads)?, InferenceLayers::above(&self.vs, tuned, self.heads)?));
        Ok(())
    }

    /// Layers `first..` of the base model in `model_dir`, with its weights, ready to train.
    pub fn from_base(model_dir: &Path, first: usize) -> Result<Self, ModelError> {
        let mut top = Self::build(model_dir, first)?;
        load_weights_where(&mut top.vs, &model_dir.join("model.safetensors"), Family::Bert, |_| true)?;
        Ok(top)
    }

    /// The base model's own layers `from..` in `kind`, run exactly as a bottom cut at `from` runs
    /// them: over a shared bottom, the untuned encoder without a second copy of the embeddings.
    pub fn base_above(model_dir: &Path, from: usize, kind: Kind) -> Result<Self, ModelError> {
        let mut top = Self::build(model_dir, from)?;
        top.frozen = top.layers.len();
        load_weights_where(&mut top.vs, &model_dir.join("model.safetensors"), Family::Bert, |_| true)?;
        for i in from..from + top.layers.len() {
            (top.vs.root() / "encoder" / "layer" / i as i64).set_kind(kind);
        }
        top.freeze()?;
        Ok(top)
    }

    /// Trained layers saved with [`TopLayers::save`], in either [`Storage`].
    pub fn load(model_dir: &Path, dir: &Path, first: usize) -> Result<Self, ModelError> {
        Self::load_above(model_dir, dir, first, first, Kind::Float)
    }

    /// Layers `from..` for a bottom cut after layer `from` that computes in `kind`: the base
    /// model's own layers `from..first`, stored and run in `kind` exactly as a bottom cut at
    /// `first` would run them (same values, same operations), then the trained layers `first..`
    /// saved in `dir`. A head tuned above `from` so runs on a bottom shared with a head tuned from
    /// `from`, and scores as it does on a bottom of its own.
    pub fn load_above(model_dir: &Path, dir: &Path, first: usize, from: usize, kind: Kind) -> Result<Self, ModelError> {
        if from > first {
            return Err(ModelError::Format(format!("layers tuned from {first} cannot run above a bottom cut at {from}")));
        }
        let mut top = Self::build(model_dir, from)?;
        top.frozen = first - from;
        let trained = |name: &str| layer_of(name).is_none_or(|i| i >= first);
        if from < first {
            load_weights_where(&mut top.vs, &model_dir.join("model.safetensors"), Family::Bert, |name| !trained(name))?;
        }
        let path = dir.join("top.safetensors");
        let stored: HashMap<String, Tensor> = Tensor::read_safetensors(&path)?.into_iter().collect();
        let missing = |name: &str| ModelError::Format(format!("{}: no tensor {name}", path.display()));
        tch::no_grad(|| {
            for (name, mut var) in top.vs.variables().into_iter().filter(|(name, _)| trained(name)) {
                let value = stored.get(&name).ok_or_else(|| missing(&name))?;
                let value = decode(value, stored.get(&format!("{name}{SCALE}")));
                if value.size() != var.size() {
                    return Err(ModelError::Format(format!(
                        "{}: {name} has shape {:?}, not {:?}",
                        path.display(),
                        value.size(),
                        var.size()
                    )));
                }
                var.copy_(&value);
            }
            Ok(())
        })?;
        for i in from..first {
            (top.vs.root() / "encoder" / "layer" / i as i64).set_kind(kind);
        }
        top.freeze()?;
        Ok(top)
    }

    /// Rounds the weights in place as [`Self::save`] would store them, so that what is measured
    /// before saving is what loading gives back.
    pub fn round_to(&mut self, storage: Storage) {
        tch::no_grad(|| {
            for (_, mut var) in self.vs.variables() {
                let (value, scale) = encode(&var, storage);
                var.copy_(&decode(&value, scale.as_ref()));
            }
        });
        if self.inference.is_some() {
            self.read_inference().expect("the layers read before are still there");
        }
    }

    pub fn save(&mut self, dir: &Path, storage: Storage) -> Result<(), ModelError> {
        let mut tensors: Vec<(String, Tensor)> = Vec::new();
        for (name, var) in self.vs.variables() {
            let (value, scale) = encode(&var.detach(), storage);
            if let Some(scale) = scale {
                tensors.push((format!("{name}{SCALE}"), scale));
            }
            tensors.push((name, value));
        }
        tensors.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Tensor::write_safetensors(&tensors, dir.join("top.safetensors"))?)
    }

    /// Runs the layers on hidden states `[batch, tokens, hidden]` with a 0/1 mask `[batch, tokens]`.
    /// Loaded layers run for inference ([`InferenceLayers`]) unless `train`.
    pub fn forward(&self, hidden: &Tensor, mask: &Tensor, train: bool) -> Tensor {
        if let (false, Some((base, tuned))) = (train, &self.inference) {
            let h = base.forward(hidden, &InferenceLayers::additive_mask(mask, hidden.kind()));
            let kind = self.trained_kind;
            return tuned.forward(&h.to_kind(kind), &InferenceLayers::additive_mask(mask, kind)).to_kind(Kind::Float);
        }
        let (base, tuned) = self.layers.split_at(self.frozen);
        let mut h = hidden.shallow_clone();
        if !base.is_empty() {
            // the base layers in the bottom's arithmetic, masked as rust-bert masks them
            let additive = InferenceLayers::additive_mask(mask, h.kind());
            for layer in base {
                h = layer.forward_t(&h, Some(&additive), None, None, false).hidden_state;
            }
        }
        let additive = InferenceLayers::additive_mask(mask, Kind::Float);
        let mut h = h.to_kind(Kind::Float);
        for layer in tuned {
            h = layer.forward_t(&h, Some(&additive), None, None, train).hidden_state;
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory with the tiny two-layer BERT config the tests build layers from.
    fn tiny_model_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("standpoint-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = serde_json::json!({
            "model_type": "bert", "hidden_act": "gelu", "hidden_size": 32, "num_hidden_layers": 2,
            "num_attention_heads": 2, "intermediate_size": 64, "vocab_size": 50,
            "max_position_embeddings": 64, "type_vocab_size": 1, "initializer_range": 0.02,
            "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1, "layer_norm_eps": 1e-7
        });
        std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
        dir
    }

    /// Tiny random layers, saved in `storage` and loaded back, equal what [`TopLayers::round_to`]
    /// gave before saving: the weights measured are the weights stored.
    #[test]
    fn what_is_saved_is_what_was_measured() {
        let dir = tiny_model_dir("top");
        for storage in [Storage::F16, Storage::Int8Rows] {
            let mut top = TopLayers::build(&dir, 0).unwrap();
            top.round_to(storage);
            top.save(&dir, storage).unwrap();
            let loaded = TopLayers::load(&dir, &dir, 0).unwrap();
            let (before, after) = (top.vs.variables(), loaded.vs.variables());
            assert_eq!(before.len(), after.len());
            for (name, value) in &before {
                assert!(value.equal(&after[name]), "{storage:?}: {name} changed");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Layers trained from 1, loaded above a bottom cut at 0: layer 0 is the base model's, layer 1
    /// the stored one.
    #[test]
    fn layers_loaded_above_a_lower_cut_take_the_base_layers_between() {
        let dir = tiny_model_dir("top-above");
        let base = TopLayers::build(&dir, 0).unwrap();
        let base_vars: Vec<(String, Tensor)> = base.vs.variables().into_iter().collect();
        Tensor::write_safetensors(&base_vars, dir.join("model.safetensors")).unwrap();
        let mut trained = TopLayers::build(&dir, 1).unwrap();
        trained.round_to(Storage::F16);
        trained.save(&dir, Storage::F16).unwrap();

        let above = TopLayers::load_above(&dir, &dir, 1, 0, Kind::Float).unwrap();
        let (base, trained, loaded) = (base.vs.variables(), trained.vs.variables(), above.vs.variables());
        assert_eq!(loaded.len(), base.len());
        for (name, value) in &loaded {
            let want = if layer_of(name) == Some(0) { &base[name] } else { &trained[name] };
            assert!(value.equal(want), "{name} is not the expected layer's");
            // (random matrices differ between the two; layer norms start equal)
            assert!(value.dim() < 2 || layer_of(name) == Some(0) || !value.equal(&base[name]), "{name} kept the base weights");
        }
        assert!(TopLayers::load_above(&dir, &dir, 0, 1, Kind::Float).is_err(), "a bottom cut above the tuned layers was accepted");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn int8_rows_round_trip_within_half_a_step() {
        let w =
            Tensor::randn([64, 48], (Kind::Float, Device::Cpu)) * Tensor::linspace(0.01, 3.0, 64, (Kind::Float, Device::Cpu)).unsqueeze(1);
        let (q, scale) = int8_rows(&w);
        assert_eq!(q.kind(), Kind::Int8);
        let back = decode(&q, Some(&scale));
        let step_error = ((&back - &w).abs() / scale.unsqueeze(1)).max().double_value(&[]);
        assert!(step_error <= 0.5 + 1e-4, "{step_error}");
        // each row keeps its own range: the smallest row is as exact as the largest, relative to it
        let row_max = w.abs().amax([1].as_slice(), false);
        let worst = ((&back - &w).abs().amax([1].as_slice(), false) / row_max).max().double_value(&[]);
        assert!(worst < 0.005, "{worst}");
    }
}
