//! `standpoint score` end to end on the built-in demo corpus plus hostile lines: every output
//! file valid against `schema/standpoint.schema.json`, every span slicing back to its article,
//! every input line accounted for, exit code 2 for the failed ones, byte-identical reruns.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{read_jsonl, root};

fn score(inputs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_standpoint"));
    cmd.arg("score").args(inputs).arg("--out").arg(out).args(extra).env("RUST_BACKTRACE", "0");
    cmd.output().expect("standpoint runs")
}

fn validator(def: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(root().join("schema/standpoint.schema.json")).unwrap()).unwrap();
    let mut wrapper = schema.clone();
    wrapper["$ref"] = Value::String(format!("#/$defs/{def}"));
    jsonschema::validator_for(&wrapper).expect("the schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path)).take(5).collect();
    assert!(errors.is_empty(), "{what} does not match the schema: {errors:#?}");
}

fn hostile_corpus(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.jsonl");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"{\"id\": \"ok-1\", \"text\": \"\\\"We will not give up,\\\" Foreign Minister Lena Havel said on Monday.\"}\n");
    bytes.extend_from_slice(b"this is not json\n");
    bytes.extend_from_slice(b"{\"id\": \"bad-utf8\", \"text\": \"caf\xff\"}\n");
    bytes.extend_from_slice(b"{\"text\": \"no id here\"}\n");
    bytes.extend_from_slice(b"{\"id\": \"ok-1\", \"text\": \"a duplicate id\"}\n");
    bytes.extend_from_slice(b"{\"id\": \"empty\", \"text\": \"   \"}\n");
    bytes.extend_from_slice(b"{\"id\": \"nul\", \"text\": \"a\\u0000b\"}\n");
    bytes.extend_from_slice(b"{\"id\": 42, \"lang\": \"xx\", \"text\": \"Zorblat vent quiri, \\\"frumble,\\\" ok.\"}\n");
    bytes.extend_from_slice(b"{\"id\": 43, \"text\": \"12 34 56 !!! ???\"}\n");
    let big = "Die Regierung sagte, alles sei gut. ".repeat(100_000); // 3.5 MB, over the default limit
    bytes.extend_from_slice(format!("{{\"id\": \"big\", \"text\": \"{big}\"}}\n").as_bytes());
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn score_writes_a_valid_complete_and_reproducible_report() {
    let tmp = std::env::temp_dir().join(format!("standpoint-score-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let demo = root().join("datasets/demo/articles.jsonl");
    let hostile = hostile_corpus(&tmp);
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    let target = ["--target", "the carbon border tax", "--no-timings", "--chunk", "7"];

    let first = score(&[&demo, &hostile], &a, &target);
    assert_eq!(first.status.code(), Some(2), "some lines fail, so exit 2; stderr: {}", String::from_utf8_lossy(&first.stderr));

    // Every input line is accounted for, in order, with a reason when it failed.
    let articles = read_jsonl(&a.join("articles.jsonl"));
    let demo_lines = std::fs::read_to_string(&demo).unwrap().lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(articles.len(), demo_lines + 10);
    let status: HashMap<String, (&str, Option<&str>)> = articles
        .iter()
        .map(|a| (a["origin"].as_str().unwrap().rsplit('/').next().unwrap().to_owned(), (a["status"].as_str().unwrap(), a["reason"].as_str())))
        .collect();
    for (line, want) in [(1, "ok"), (2, "not a JSON object"), (3, "not valid UTF-8"), (4, "missing id"), (5, "duplicate id"), (6, "empty text"), (7, "NUL"), (8, "unknown language code"), (9, "could not be detected"), (10, "larger than the")] {
        let (st, reason) = status[&format!("hostile.jsonl:{line}")];
        if want == "ok" {
            assert_eq!(st, "ok", "hostile line {line}: {reason:?}");
        } else {
            assert_eq!(st, "failed", "hostile line {line}");
            assert!(reason.unwrap().contains(want), "hostile line {line}: {reason:?}");
        }
    }
    assert!(articles.iter().enumerate().all(|(i, a)| a["seq"].as_u64() == Some(i as u64)));

    // Every record matches the schema.
    let (quote_v, article_v, report_v) = (validator("quote"), validator("article"), validator("report"));
    for a in &articles {
        assert_valid(&article_v, a, "articles.jsonl line");
    }
    let quotes = read_jsonl(&a.join("quotes.jsonl"));
    assert!(quotes.len() >= 40, "the demo corpus has many statements, got {}", quotes.len());
    for q in &quotes {
        assert_valid(&quote_v, q, "quotes.jsonl line");
    }
    let report: Value = serde_json::from_str(&std::fs::read_to_string(a.join("report.json")).unwrap()).unwrap();
    assert_valid(&report_v, &report, "report.json");
    assert_eq!(report["totals"]["failed"], 9);
    assert_eq!(report["failed"].as_array().unwrap().len(), 9);

    // Offsets are code points into the original text, and slice back exactly.
    let texts: HashMap<String, Vec<char>> = std::fs::read_to_string(&demo)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| (v["id"].as_str().unwrap().to_owned(), v["text"].as_str().unwrap().chars().collect()))
        .collect();
    let mut checked = 0;
    for q in &quotes {
        let Some(text) = texts.get(q["article_id"].as_str().unwrap()) else { continue };
        let mut spans = vec![&q["content"], &q["context"], &q["cue"], &q["speaker_mention"]];
        spans.extend(q["toward"].as_array().unwrap().iter().map(|t| &t["mention"]));
        for s in spans.into_iter().filter(|s| !s.is_null()) {
            let (start, end) = (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize);
            assert_eq!(text[start..end].iter().collect::<String>(), s["text"].as_str().unwrap());
            checked += 1;
        }
    }
    assert!(checked > 100);

    // The CSV has a header and one row per actor × target.
    let csv = std::fs::read_to_string(a.join("actors.csv")).unwrap();
    assert!(csv.starts_with("schema_version,actor_id,"));
    assert_eq!(csv.lines().count(), 1 + report["actors"].as_array().unwrap().len());

    // The HTML is one self-contained page.
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.contains("<svg class=\"chart\"") && !html.contains("http://") && !html.contains("https://"));

    // Same input and configuration: byte-identical outputs.
    let second = score(&[&demo, &hostile], &b, &target);
    assert_eq!(second.status.code(), Some(2));
    for f in ["articles.jsonl", "quotes.jsonl", "report.json", "actors.csv", "report.html"] {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{f} differs between identical runs");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn score_fails_cleanly_when_it_cannot_run() {
    let tmp = std::env::temp_dir().join(format!("standpoint-score-missing-{}", std::process::id()));
    let out = score(&[Path::new("/nonexistent/corpus.jsonl")], &tmp, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no such file or folder") && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_folder_with_binary_and_broken_files_is_accounted_for_file_by_file() {
    let tmp = std::env::temp_dir().join(format!("standpoint-score-folder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let corpus = tmp.join("corpus");
    std::fs::create_dir_all(corpus.join("sub")).unwrap();
    std::fs::write(corpus.join("a.txt"), "\"The border will stay open,\" the Polish interior ministry said on Friday.").unwrap();
    std::fs::write(corpus.join("b.bin"), [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0xff, 0xfe]).unwrap();
    std::fs::write(corpus.join("c.txt"), b"Le minist\xe8re a d\xe9clar\xe9 que tout va bien.").unwrap(); // Latin-1, not UTF-8
    std::fs::write(corpus.join(".hidden"), "skipped: hidden files are not articles").unwrap();
    std::fs::write(corpus.join("sub/d.jsonl"), "{\"id\": \"d1\", \"text\": \"Berlin sagte, die Gespräche gingen weiter.\"}\n").unwrap();
    let out = tmp.join("out");
    let run = score(&[&corpus], &out, &["--no-timings"]);
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    let articles = read_jsonl(&out.join("articles.jsonl"));
    let seen: Vec<(String, String, String)> = articles
        .iter()
        .map(|a| {
            let origin = a["origin"].as_str().unwrap().rsplit("corpus/").next().unwrap().to_owned();
            (origin, a["status"].as_str().unwrap().to_owned(), a["reason"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    let origins: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(origins, ["a.txt", "b.bin", "c.txt", "sub/d.jsonl:1"], "sorted walk, hidden files left out");
    assert_eq!(seen[0].1, "ok");
    assert!(seen[1].1 == "failed" && seen[1].2.contains("NUL"), "{:?}", seen[1]);
    assert!(seen[2].1 == "failed" && seen[2].2.contains("not UTF-8"), "{:?}", seen[2]);
    assert_eq!(seen[3].1, "ok");
    let _ = std::fs::remove_dir_all(&tmp);
}
