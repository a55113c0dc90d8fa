//! Offsets are sacred: every span in the output slices back, by code points, to its text.

use crate::common::{root, run_jsonl};

#[test]
fn every_span_slices_back_on_multilingual_articles() {
    let corpus = std::fs::read_to_string(root().join("datasets/demo/articles.jsonl")).unwrap();
    let dir = std::env::temp_dir().join(format!("standpoint-offsets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    for line in corpus.lines() {
        let article: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = article["text"].as_str().unwrap();
        let path = dir.join(format!("{}.txt", article["id"].as_str().unwrap()));
        std::fs::write(&path, text).unwrap();
        let chars: Vec<char> = text.chars().collect();
        for statement in run_jsonl(&["quotes", path.to_str().unwrap()]) {
            for part in ["content", "speaker", "cue", "target"] {
                let Some(p) = statement[part].as_object() else { continue };
                let (start, end) = (p["span"]["start"].as_u64().unwrap() as usize, p["span"]["end"].as_u64().unwrap() as usize);
                let sliced: String = chars[start..end].iter().collect();
                assert_eq!(sliced, p["text"].as_str().unwrap(), "{part} in {}", article["id"]);
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} spans checked");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_user_actor_file_adds_actors_without_code_changes() {
    let dir = std::env::temp_dir().join(format!("standpoint-actors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let actors = dir.join("actors.json");
    std::fs::write(
        &actors,
        r#"{"actors": [{"id": "ACME", "kind": "body", "name": "Acme Watchdog", "forms": {"name": {"en": ["Acme Watchdog", "the watchdog"]}}}]}"#,
    )
    .unwrap();
    let article = dir.join("a.txt");
    std::fs::write(&article, "\"The merger harms consumers,\" the watchdog said on Monday.").unwrap();
    let without = run_jsonl(&["quotes", article.to_str().unwrap()]);
    assert_ne!(without[0]["actor"]["id"], "ACME");
    let with = run_jsonl(&["quotes", article.to_str().unwrap(), "--actors", actors.to_str().unwrap()]);
    assert_eq!(with[0]["actor"]["id"], "ACME");
    assert_eq!(with[0]["actor"]["name"], "Acme Watchdog");
    std::fs::remove_dir_all(&dir).ok();
}
