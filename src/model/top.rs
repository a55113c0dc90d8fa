//! Fine-tuned top layers of a BERT-family encoder.
//!
//! An encoder loaded with [`Encoder::load_bottom`] stops after layer `first`; these layers
//! (rust-bert `BertLayer`s, initialised from the same weights and then trained) carry on from
//! there. Attached with [`Encoder::attach_top`], the pair runs through the batching layer like
//! any encoder. Stored as `top.safetensors` (f16) next to the head that was trained with them.

use std::path::Path;

use rust_bert::bert::{BertConfig, BertLayer};
use tch::{nn, Device, Kind, Tensor};

use super::encoder::{load_weights_where, Family};
use super::ModelError;

pub struct TopLayers {
    pub(crate) vs: nn::VarStore,
    layers: Vec<BertLayer>,
    /// Index of the first layer these replace.
    pub first: usize,
}

impl TopLayers {
    fn build(config_dir: &Path, first: usize) -> Result<Self, ModelError> {
        let config_path = config_dir.join("config.json");
        let bytes = std::fs::read(&config_path).map_err(|e| ModelError::io(&config_path, e))?;
        let config: BertConfig =
            serde_json::from_slice(&bytes).map_err(|source| ModelError::Json { path: config_path.clone(), source })?;
        let total = config.num_hidden_layers as usize;
        if first >= total {
            return Err(ModelError::Format(format!("cannot tune from layer {first}: the model has {total}")));
        }
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let layers = (first..total).map(|i| BertLayer::new(&root / "encoder" / "layer" / i as i64, &config)).collect();
        Ok(TopLayers { vs, layers, first })
    }

    /// Layers `first..` of the base model in `model_dir`, with its weights, ready to train.
    pub fn from_base(model_dir: &Path, first: usize) -> Result<Self, ModelError> {
        let mut top = Self::build(model_dir, first)?;
        load_weights_where(&mut top.vs, &model_dir.join("model.safetensors"), Family::Bert, |_| true)?;
        Ok(top)
    }

    /// Trained layers saved with [`TopLayers::save`].
    pub fn load(model_dir: &Path, dir: &Path, first: usize) -> Result<Self, ModelError> {
        let mut top = Self::build(model_dir, first)?;
        top.vs.half();
        top.vs.load(dir.join("top.safetensors"))?;
        top.vs.float();
        top.vs.freeze();
        Ok(top)
    }

    pub fn save(&mut self, dir: &Path) -> Result<(), ModelError> {
        self.vs.half();
        let saved = self.vs.save(dir.join("top.safetensors"));
        self.vs.float();
        Ok(saved?)
    }

    /// Runs the layers on hidden states `[batch, tokens, hidden]` with a 0/1 mask `[batch, tokens]`.
    pub fn forward(&self, hidden: &Tensor, mask: &Tensor, train: bool) -> Tensor {
        let additive = ((mask.to_kind(Kind::Float) - 1.0) * 10000.0).unsqueeze(1).unsqueeze(1);
        let mut h = hidden.to_kind(Kind::Float);
        for layer in &self.layers {
            h = layer.forward_t(&h, Some(&additive), None, None, train).hidden_state;
        }
        h
    }
}
