//! BERT layers for inference, with fewer and larger kernels than rust-bert's training-ready
//! modules: the query, key and value projections as one matrix product, attention through
//! this crate's kernel for short sequences ([`super::attention`]; libtorch's fused
//! `scaled_dot_product_attention` where it does not apply), GELU as one kernel instead of five
//! element-wise passes, each output projection accumulated in place onto its residual, and no
//! dropout. The same weights, read from the variable store
//! rust-bert's modules loaded; the same function (up to rounding) as `BertModel::forward_t`
//! with `train = false`. Training keeps rust-bert's modules (autograd, dropout).

use std::collections::HashMap;

use tch::{nn, Kind, Tensor};

use super::attention::{self, OpenKeys};
use super::ModelError;

/// rust-bert builds every BERT layer norm with this epsilon, whatever the config says.
const EPS: f64 = 1e-12;

/// Additive attention mask value for padding: rust-bert's, so that both paths mask alike.
const MASKED: f64 = -10000.0;

struct Linear {
    weight: Tensor,
    bias: Tensor,
}

impl Linear {
    fn apply(&self, x: &Tensor) -> Tensor {
        x.linear(&self.weight, Some(&self.bias))
    }

    /// `residual + x·Wᵀ + b`, the matrix product accumulated in place onto `residual + b`: one
    /// pass fewer over the output than the linear layer's own bias copy and a separate add.
    fn onto(&self, x: &Tensor, residual: &Tensor) -> Tensor {
        let shape = residual.size();
        let (width_in, width_out) = (*x.size().last().unwrap_or(&0), *shape.last().unwrap_or(&0));
        let mut out = (residual + &self.bias).reshape([-1, width_out]);
        let _ = out.addmm_(&x.reshape([-1, width_in]), &self.weight.tr());
        out.view(shape.as_slice())
    }
}

struct Norm {
    weight: Tensor,
    bias: Tensor,
}

impl Norm {
    fn apply(&self, x: &Tensor) -> Tensor {
        let width = *x.size().last().expect("hidden states have a last dimension");
        x.layer_norm([width], Some(&self.weight), Some(&self.bias), EPS, true)
    }
}

struct Layer {
    /// Query, key and value stacked: `[3·hidden, hidden]`.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    up: Linear,
    down: Linear,
    norm: Norm,
}

struct Embeddings {
    words: Tensor,
    positions: Tensor,
    types: Tensor,
    norm: Norm,
}

/// A BERT encoder's embeddings and layers ([`InferenceLayers::bert`]), or a range of its layers
/// alone ([`InferenceLayers::above`]).
pub(crate) struct InferenceLayers {
    embeddings: Option<Embeddings>,
    layers: Vec<Layer>,
    heads: i64,
}

/// The variables of a store by name, shallow copies (no weights are copied).
fn variables(vs: &nn::VarStore) -> HashMap<String, Tensor> {
    vs.variables().into_iter().map(|(name, t)| (name, t.detach())).collect()
}

fn take(vars: &HashMap<String, Tensor>, name: &str) -> Result<Tensor, ModelError> {
    vars.get(name).map(Tensor::shallow_clone).ok_or_else(|| ModelError::Format(format!("the model has no variable {name}")))
}

fn linear(vars: &HashMap<String, Tensor>, prefix: &str) -> Result<Linear, ModelError> {
    Ok(Linear { weight: take(vars, &format!("{prefix}.weight"))?, bias: take(vars, &format!("{prefix}.bias"))? })
}

fn norm(vars: &HashMap<String, Tensor>, prefix: &str) -> Result<Norm, ModelError> {
    Ok(Norm { weight: take(vars, &format!("{prefix}.weight"))?, bias: take(vars, &format!("{prefix}.bias"))? })
}

impl Layer {
    fn read(vars: &HashMap<String, Tensor>, index: usize) -> Result<Self, ModelError> {
        let p = format!("encoder.layer.{index}");
        let (q, k, v) = (
            linear(vars, &format!("{p}.attention.self.query"))?,
            linear(vars, &format!("{p}.attention.self.key"))?,
            linear(vars, &format!("{p}.attention.self.value"))?,
        );
        let qkv = Linear { weight: Tensor::cat(&[&q.weight, &k.weight, &v.weight], 0), bias: Tensor::cat(&[&q.bias, &k.bias, &v.bias], 0) };
        Ok(Layer {
            qkv,
            attention_out: linear(vars, &format!("{p}.attention.output.dense"))?,
            attention_norm: norm(vars, &format!("{p}.attention.output.LayerNorm"))?,
            up: linear(vars, &format!("{p}.intermediate.dense"))?,
            down: linear(vars, &format!("{p}.output.dense"))?,
            norm: norm(vars, &format!("{p}.output.LayerNorm"))?,
        })
    }

    /// One layer on `[batch, tokens, hidden]` with an additive mask `[batch, 1, 1, tokens]`.
    fn forward(&self, x: &Tensor, mask: &Tensor, open: Option<&OpenKeys>, heads: i64) -> Tensor {
        let (batch, tokens, hidden) = x.size3().expect("hidden states are [batch, tokens, hidden]");
        let qkv = self.qkv.apply(x);
        let context = open.and_then(|open| attention::self_attention(&qkv, open, heads)).unwrap_or_else(|| {
            let qkv = qkv.view([batch, tokens, 3, heads, hidden / heads]).permute([2, 0, 3, 1, 4]);
            let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
            let context = Tensor::scaled_dot_product_attention(&q, &k, &v, Some(mask), 0.0, false, None::<f64>);
            context.transpose(1, 2).reshape([batch, tokens, hidden])
        });
        let attended = self.attention_norm.apply(&self.attention_out.onto(&context, x));
        let inner = self.up.apply(&attended).gelu("none");
        self.norm.apply(&self.down.onto(&inner, &attended))
    }
}

impl InferenceLayers {
    /// The whole encoder (embeddings and every layer the store holds) from a store loaded for
    /// rust-bert's `BertModel`.
    pub(crate) fn bert(vs: &nn::VarStore, heads: i64) -> Result<Self, ModelError> {
        let vars = variables(vs);
        let embeddings = Embeddings {
            words: take(&vars, "embeddings.word_embeddings.weight")?,
            positions: take(&vars, "embeddings.position_embeddings.weight")?,
            types: take(&vars, "embeddings.token_type_embeddings.weight")?,
            norm: norm(&vars, "embeddings.LayerNorm")?,
        };
        let layers = (0..).map_while(|i| vars.contains_key(&format!("encoder.layer.{i}.output.dense.weight")).then_some(i));
        let layers = layers.map(|i| Layer::read(&vars, i)).collect::<Result<_, _>>()?;
        Ok(InferenceLayers { embeddings: Some(embeddings), layers, heads })
    }

    /// Layers `range` of a store loaded for rust-bert's `BertLayer`s (no embeddings): to run
    /// over hidden states.
    pub(crate) fn above(vs: &nn::VarStore, range: std::ops::Range<usize>, heads: i64) -> Result<Self, ModelError> {
        let vars = variables(vs);
        let layers = range.map(|i| Layer::read(&vars, i)).collect::<Result<_, _>>()?;
        Ok(InferenceLayers { embeddings: None, layers, heads })
    }

    /// The additive mask the layers take, from a 0/1 mask `[batch, tokens]`, in `kind`.
    pub(crate) fn additive_mask(mask: &Tensor, kind: Kind) -> Tensor {
        let open: Tensor = 1.0 - mask.to_kind(Kind::Float);
        (open * MASKED).to_kind(kind).unsqueeze(1).unsqueeze(1)
    }

    /// Last hidden states `[batch, tokens, hidden]` for ids, their 0/1 mask and optional token
    /// types (an encoder with embeddings).
    pub(crate) fn encode(&self, ids: &Tensor, mask: &Tensor, types: Option<&Tensor>) -> Result<Tensor, ModelError> {
        let e = self.embeddings.as_ref().ok_or_else(|| ModelError::Format("these layers have no embeddings".into()))?;
        let tokens = ids.size().last().copied().unwrap_or(0);
        let max = e.positions.size()[0];
        if tokens > max {
            return Err(ModelError::Format(format!("{tokens} tokens; the model takes at most {max}")));
        }
        let words = Tensor::embedding(&e.words, ids, -1, false, false);
        let positions = e.positions.narrow(0, 0, tokens);
        let types = match types {
            Some(t) => Tensor::embedding(&e.types, t, -1, false, false),
            None => e.types.get(0).view([1, 1, -1]),
        };
        let x = e.norm.apply(&(words + positions + types));
        Ok(self.forward(&x, &Self::additive_mask(mask, x.kind())))
    }

    /// The layers over hidden states, with an additive mask from [`Self::additive_mask`].
    pub(crate) fn forward(&self, hidden: &Tensor, additive_mask: &Tensor) -> Tensor {
        let open = OpenKeys::from_additive(additive_mask);
        self.layers.iter().fold(hidden.shallow_clone(), |h, layer| layer.forward(&h, additive_mask, open.as_ref(), self.heads))
    }
}

#[cfg(test)]
mod tests {
    use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
    use tch::{nn, Device, Kind, Tensor};

    use super::InferenceLayers;

    /// On a tiny random BERT in f32, with padding, these layers give rust-bert's own forward
    /// pass to rounding: the same function, fewer kernels. Its 16-wide heads go through this
    /// crate's attention kernel.
    #[test]
    fn the_same_function_as_rust_berts_model() {
        tch::manual_seed(7);
        let config: BertConfig = serde_json::from_value(serde_json::json!({
            "model_type": "bert", "hidden_act": "gelu", "hidden_size": 32, "num_hidden_layers": 3,
            "num_attention_heads": 2, "intermediate_size": 64, "vocab_size": 50,
            "max_position_embeddings": 64, "type_vocab_size": 2, "initializer_range": 0.2,
            "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1
        }))
        .unwrap();
        let vs = nn::VarStore::new(Device::Cpu);
        let model = BertModel::<BertEmbeddings>::new_with_optional_pooler(vs.root(), &config, false);
        let ids = Tensor::from_slice(&[2i64, 7, 9, 11, 4, 3, 5, 8, 1, 1]).view([2, 5]);
        let mask = Tensor::from_slice(&[1i64, 1, 1, 1, 1, 1, 1, 1, 0, 0]).view([2, 5]);
        let types = Tensor::from_slice(&[0i64, 0, 1, 1, 1, 0, 0, 1, 0, 0]).view([2, 5]);
        let fast = InferenceLayers::bert(&vs, config.num_attention_heads).unwrap();
        tch::no_grad(|| {
            for types in [None, Some(&types)] {
                let want = model.forward_t(Some(&ids), Some(&mask), types, None, None, None, None, false).unwrap().hidden_state;
                let got = fast.encode(&ids, &mask, types).unwrap();
                // padded positions carry no meaning in either; compare the real ones
                let real = mask.to_kind(Kind::Float).unsqueeze(-1);
                let diff = ((&want - &got).abs() * real).max().double_value(&[]);
                assert!(diff < 1e-4, "largest difference {diff}");
            }
        });
    }
}
