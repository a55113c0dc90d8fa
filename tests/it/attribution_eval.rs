//! `standpoint eval --task attribution` reports exactly what the reference scorer
//! (../shared/tools/attribution_metrics.py) computes on the same predictions, and the product's
//! default finder holds its measured level on PolNeAR and SpkAtt-2023 news dev.

use std::process::Command;

use crate::common::{root, shared_file};

fn assert_same(rust: &serde_json::Value, python: &serde_json::Value, path: &str) {
    match (rust, python) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                assert_same(&a[k.as_str()], &b[k.as_str()], &format!("{path}.{k}"));
            }
        }
        (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() < 1e-12, "{path}: standpoint {a} vs scorer {b}");
        }
        (a, b) => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn metrics_equal_the_reference_scorer_on_polnear_dev() {
    let (Some(gold), Some(scorer)) =
        (shared_file("datasets/polnear/dev.jsonl"), shared_file("tools/attribution_metrics.py"))
    else {
        return;
    };
    let predictions = std::env::temp_dir().join(format!("standpoint-attr-{}.jsonl", std::process::id()));
    let ours = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .args(["eval", "--task", "attribution", "--data"])
        .arg(&gold)
        .arg("--predictions")
        .arg(&predictions)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(ours.status.success(), "{}", String::from_utf8_lossy(&ours.stderr));
    let theirs = Command::new("python3").arg(&scorer).arg(&gold).arg(&predictions).output().expect("python3 runs");
    assert!(theirs.status.success(), "{}", String::from_utf8_lossy(&theirs.stderr));
    let ours: serde_json::Value = serde_json::from_slice(&ours.stdout).unwrap();
    let theirs: serde_json::Value = serde_json::from_slice(&theirs.stdout).unwrap();
    assert_same(&ours, &theirs, "metrics");
    assert!(ours["counts_j50"]["pred"].as_u64().unwrap() > 500, "the pipeline predicted attributions");
    // The default finder (auto: the learned tagger for English), against floors a little under
    // its measured figures (0.776 / 0.733, quoted 0.918 / 0.881): a regression fails.
    let at_least = |path: [&str; 2], floor: f64| {
        let v = if path[0].is_empty() { &ours[path[1]] } else { &ours[path[0]][path[1]] };
        assert!(v.as_f64().unwrap() >= floor, "{path:?} = {v} is below {floor}");
    };
    at_least(["", "content_f1_j50"], 0.76);
    at_least(["", "speaker_f1"], 0.72);
    at_least(["quoted", "content_f1_j50"], 0.90);
    at_least(["quoted", "speaker_f1"], 0.87);
    std::fs::remove_file(&predictions).ok();
}

fn eval_attribution(data: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .args(["eval", "--task", "attribution", "--data"])
        .arg(data)
        .args(extra)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn figures(m: &serde_json::Value) -> (f64, f64) {
    (m["content_f1_j50"].as_f64().unwrap(), m["speaker_f1"].as_f64().unwrap())
}

/// German news (SpkAtt-2023 WikiNews dev): the default finder holds its measured level (0.637 /
/// 0.497), and the tag scheme, decoder and speaker linker, fed the gold tags, keep the ceiling they
/// reach (0.857 / 0.750; PolNeAR dev 0.965 / 0.947; the rules' speakers alone give 0.704 and
/// 0.933): a decoder change that loses attributions, or a tagger whose linker is not used, fails.
#[test]
fn german_news_attribution_and_the_decoders_ceiling() {
    let (Some(german), Some(english)) = (shared_file("datasets/spkatt2023-news/dev.jsonl"), shared_file("datasets/polnear/dev.jsonl"))
    else {
        return;
    };
    let (content, speaker) = figures(&eval_attribution(&german, &[]));
    assert!(content >= 0.62 && speaker >= 0.48, "SpkAtt dev: {content:.3} / {speaker:.3}");
    let (content, speaker) = figures(&eval_attribution(&german, &["--gold-tags"]));
    assert!(content >= 0.85 && speaker >= 0.74, "SpkAtt dev, gold tags: {content:.3} / {speaker:.3}");
    let (content, speaker) = figures(&eval_attribution(&english, &["--gold-tags"]));
    assert!(content >= 0.96 && speaker >= 0.94, "PolNeAR dev, gold tags: {content:.3} / {speaker:.3}");
}

/// The team's Russian development articles keep spans and ids only: their text joins from
/// RuSentRel in ../shared, every span slices inside it, and without ../shared the evaluation
/// stops with an error that names what is missing.
#[test]
fn the_team_russian_set_joins_its_text_from_the_shared_datasets() {
    let gold = root().join("datasets/attribution/ru-rusentrel.jsonl");
    let without_shared = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .args(["eval", "--task", "attribution", "--attribution", "rules", "--data"])
        .arg(&gold)
        .env("STANDPOINT_SHARED", std::env::temp_dir().join("no-such-shared-folder"))
        .current_dir(root())
        .output()
        .unwrap();
    assert!(!without_shared.status.success());
    let error = String::from_utf8_lossy(&without_shared.stderr);
    assert!(error.contains("rusentrel/documents_train.jsonl") && error.contains("STANDPOINT_SHARED"), "{error}");

    if shared_file("datasets/rusentrel/documents_train.jsonl").is_none() {
        return;
    }
    let docs = standpoint::eval::attribution::load_gold(&[&gold]).expect("the team set joins its text");
    assert_eq!(docs.len(), 15);
    let mut attributions = 0;
    for doc in &docs {
        let chars = doc.text.chars().count();
        assert!(!["art1", "art17", "art35", "art39"].iter().any(|kept| doc.id.ends_with(&format!("-{kept}"))), "{} is withheld", doc.id);
        for a in &doc.attributions {
            attributions += 1;
            assert!(!a.content.is_empty(), "{}: an attribution without content", doc.id);
            for o in a.content.iter().chain(&a.source).chain(&a.cue) {
                assert!(o.start < o.end && o.end <= chars, "{}: span {o:?} outside the text", doc.id);
            }
        }
    }
    assert_eq!(attributions, 150);
}
