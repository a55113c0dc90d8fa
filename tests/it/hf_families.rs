//! Any local Hugging Face encoder directory runs through the same batching layer: tiny
//! random-weight BERT, XLM-RoBERTa and DeBERTa-v2 directories, written the way Hugging Face
//! saves task models (weights under `bert.` / `roberta.` / `deberta.`), with the real XLM-R
//! tokenizer.

use std::path::Path;

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::deberta_v2::{DebertaV2Config, DebertaV2Model};
use rust_bert::roberta::RobertaEmbeddings;
use serde_json::json;
use standpoint::model::{self, encoder::Family, BatchConfig, Encoder, Precision};
use tch::{nn, Device};

use crate::common::{cosine, model_dir};

const TEXTS: [&str; 5] = [
    "Baku said the checkpoint was legal.",
    "«Это грубое нарушение», — заявили в Ереване.",
    "Die Regierung kündigte weitere Gespräche an, sagte ein Sprecher am Dienstag in Berlin.",
    "",
    "外交部发言人表示，中方对此表示强烈不满。",
];

fn write_dir(dir: &Path, config: serde_json::Value, build: impl FnOnce(&nn::Path)) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("config.json"), serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    std::fs::copy(model_dir().join("tokenizer.json"), dir.join("tokenizer.json")).unwrap();
    tch::manual_seed(7);
    let vs = nn::VarStore::new(Device::Cpu);
    build(&vs.root());
    vs.save(dir.join("model.safetensors")).unwrap();
}

fn tiny(model_type: &str, vocab: i64, positions: i64) -> serde_json::Value {
    json!({
        "model_type": model_type, "hidden_act": "gelu", "hidden_size": 32, "num_hidden_layers": 2,
        "num_attention_heads": 2, "intermediate_size": 64, "vocab_size": vocab,
        "max_position_embeddings": positions, "type_vocab_size": 1, "initializer_range": 0.02,
        "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1, "layer_norm_eps": 1e-7,
        "pad_token_id": 1
    })
}

fn check(dir: &Path, family: Family) {
    let encoder = Encoder::load(dir, Precision::F32).unwrap_or_else(|e| panic!("{family:?}: {e}"));
    assert_eq!(encoder.family, family);
    assert_eq!(encoder.hidden_size, 32);
    let all = model::embed(&encoder, &TEXTS, &BatchConfig::default()).unwrap();
    for (text, e) in TEXTS.iter().zip(&all) {
        assert_eq!(e.vector.len(), 32);
        assert!(e.vector.iter().all(|v| v.is_finite()), "{family:?}: non-finite vector for {text:?}");
    }
    // Padding must not leak into results: each text alone equals the same text in a mixed batch.
    for (text, batched) in TEXTS.iter().zip(&all) {
        let alone = &model::embed(&encoder, &[*text], &BatchConfig::default()).unwrap()[0];
        let cos = cosine(&alone.vector, &batched.vector);
        assert!(cos > 0.9999, "{family:?}: {text:?} alone vs batched: cosine {cos}");
    }
}

#[test]
fn bert_directory_runs_through_the_batching_layer() {
    let dir = tempdir("bert");
    let config = tiny("bert", 250_037, 128);
    let parsed: BertConfig = serde_json::from_value(config.clone()).unwrap();
    write_dir(&dir, config, |p| {
        let _ = BertModel::<BertEmbeddings>::new_with_optional_pooler(p / "bert", &parsed, false);
    });
    check(&dir, Family::Bert);
}

#[test]
fn xlm_roberta_directory_runs_through_the_batching_layer() {
    let dir = tempdir("xlmr");
    let config = tiny("xlm-roberta", 250_002, 130);
    let parsed: BertConfig = serde_json::from_value(config.clone()).unwrap();
    write_dir(&dir, config, |p| {
        let _ = BertModel::<RobertaEmbeddings>::new_with_optional_pooler(p / "roberta", &parsed, false);
    });
    check(&dir, Family::Roberta);
}

#[test]
fn deberta_v2_directory_runs_through_the_batching_layer() {
    let dir = tempdir("deberta");
    let mut config = tiny("deberta-v2", 250_002, 128);
    let extra = json!({
        "relative_attention": true, "pos_att_type": ["p2c", "c2p"], "position_buckets": 16,
        "max_relative_positions": -1, "norm_rel_ebd": "layer_norm", "share_att_key": true,
        "position_biased_input": false, "pad_token_id": 0
    });
    config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let parsed: DebertaV2Config = serde_json::from_value(config.clone()).unwrap();
    write_dir(&dir, config, |p| {
        let _ = DebertaV2Model::new(p / "deberta", &parsed);
    });
    check(&dir, Family::DebertaV2);
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("standpoint-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
