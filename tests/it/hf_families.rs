//! Any local Hugging Face encoder directory runs through the same batching layer: tiny
//! random-weight BERT, XLM-RoBERTa and DeBERTa-v2 directories, written the way Hugging Face
//! saves task models (weights under `bert.` / `roberta.` / `deberta.`), with the real XLM-R
//! tokenizer.

use std::path::Path;

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::deberta_v2::{DebertaV2Config, DebertaV2Model};
use rust_bert::roberta::RobertaEmbeddings;
use serde_json::json;
use standpoint::model::{self, weights::Family, BatchConfig, Encoder, Precision};
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

/// A tiny classification directory: the family's encoder plus its Hugging Face task head.
fn classification_dir(name: &str, family: Family, labels: &[&str]) -> std::path::PathBuf {
    let dir = tempdir(name);
    let id2label: serde_json::Map<String, serde_json::Value> = labels.iter().enumerate().map(|(i, l)| (i.to_string(), json!(l))).collect();
    let n = labels.len() as i64;
    let linear = |p: nn::Path, i: i64, o: i64| {
        let _ = nn::linear(p, i, o, Default::default());
    };
    match family {
        Family::Bert => {
            let mut config = tiny("bert", 250_037, 128);
            config["type_vocab_size"] = json!(2);
            config["id2label"] = json!(id2label);
            let parsed: BertConfig = serde_json::from_value(config.clone()).unwrap();
            write_dir(&dir, config, |p| {
                let _ = BertModel::<BertEmbeddings>::new_with_optional_pooler(p / "bert", &parsed, false);
                linear(p / "bert" / "pooler" / "dense", 32, 32);
                linear(p / "classifier", 32, n);
            });
        }
        Family::Roberta => {
            let mut config = tiny("xlm-roberta", 250_002, 130);
            config["id2label"] = json!(id2label);
            let parsed: BertConfig = serde_json::from_value(config.clone()).unwrap();
            write_dir(&dir, config, |p| {
                let _ = BertModel::<RobertaEmbeddings>::new_with_optional_pooler(p / "roberta", &parsed, false);
                linear(p / "classifier" / "dense", 32, 32);
                linear(p / "classifier" / "out_proj", 32, n);
            });
        }
        Family::DebertaV2 => {
            let mut config = tiny("deberta-v2", 250_002, 128);
            let extra = json!({
                "relative_attention": true, "pos_att_type": ["p2c", "c2p"], "position_buckets": 16,
                "max_relative_positions": -1, "norm_rel_ebd": "layer_norm", "share_att_key": true,
                "position_biased_input": false, "pad_token_id": 0, "pooler_hidden_act": "gelu",
                "id2label": id2label
            });
            config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            let parsed: DebertaV2Config = serde_json::from_value(config.clone()).unwrap();
            write_dir(&dir, config, |p| {
                let _ = DebertaV2Model::new(p / "deberta", &parsed);
                linear(p / "pooler" / "dense", 32, 32);
                linear(p / "classifier", 32, n);
            });
        }
    }
    dir
}

/// Runs `standpoint score --model DIR` over a few statements and returns the quote lines.
fn score_with(model: &Path, name: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
    let dir = tempdir(&format!("{name}-run"));
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = dir.join("in.jsonl");
    let lines = [
        json!({"id": "en", "text": "\"The checkpoint is illegal and must go,\" the Armenian foreign ministry said on Sunday."}),
        json!({"id": "ru", "text": "«Пункт пропуска законен», — заявили в Баку."}),
        json!({"id": "de", "text": "Die Regierung in Berlin sagte, der Kontrollpunkt sei ein Fehler."}),
    ];
    std::fs::write(&corpus, lines.iter().map(|l| l.to_string() + "\n").collect::<String>()).unwrap();
    let out = dir.join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .arg("score")
        .arg(&corpus)
        .arg("--model")
        .arg(model)
        .args(["--target", "the checkpoint", "--no-timings", "--quiet", "--out"])
        .arg(&out)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(run.status.success(), "{name}: {}", String::from_utf8_lossy(&run.stderr));
    let quotes = crate::common::read_jsonl(&out.join("quotes.jsonl"));
    let report = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    (quotes, report)
}

fn sums_to_one(v: &serde_json::Value, keys: [&str; 3]) -> bool {
    let sum: f64 = keys.iter().map(|k| v[k].as_f64().unwrap()).sum();
    (sum - 1.0).abs() < 2e-3
}

#[test]
fn nli_models_of_every_family_give_zero_shot_stance_through_the_whole_pipeline() {
    for (name, family) in [("nli-bert", Family::Bert), ("nli-xlmr", Family::Roberta), ("nli-deberta", Family::DebertaV2)] {
        let dir = classification_dir(name, family, &["entailment", "neutral", "contradiction"]);
        let (quotes, report) = score_with(&dir, name);
        assert!(quotes.len() >= 3, "{name}: {} statements", quotes.len());
        for q in &quotes {
            let s = &q["stance"][0];
            assert_eq!(s["target"], "the checkpoint");
            assert!(sums_to_one(s, ["favor", "against", "neutral"]), "{name}: {s}");
        }
        let stance_model = report["run"]["models"].as_array().unwrap().iter().find(|m| m["role"] == "stance").unwrap();
        assert_eq!(stance_model["id"].as_str(), dir.file_name().unwrap().to_str(), "{name}: the run records the model used");
    }
}

#[test]
fn sentiment_models_give_tone_through_their_labels() {
    // Labels in an unusual order, and no neutral class: mapped by name, not position.
    let dir = classification_dir("sentiment-xlmr", Family::Roberta, &["positive", "negative"]);
    let (quotes, report) = score_with(&dir, "sentiment-xlmr");
    for q in &quotes {
        let t = &q["tone"];
        assert_eq!(t["neutral"].as_f64(), Some(0.0));
        assert!(sums_to_one(t, ["negative", "neutral", "positive"]), "{t}");
    }
    let tone_model = report["run"]["models"].as_array().unwrap().iter().find(|m| m["role"] == "tone").unwrap();
    assert_eq!(tone_model["id"].as_str(), Some(dir.file_name().unwrap().to_str().unwrap()));
}

#[test]
fn a_model_with_other_labels_is_refused_with_a_clear_error() {
    let dir = classification_dir("topics-bert", Family::Bert, &["sports", "politics", "weather"]);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .args(["score", "-", "--quiet", "--out"])
        .arg(dir.join("out"))
        .arg("--model")
        .arg(&dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("neither NLI") && !err.contains("panicked"), "{err}");
}
