//! `standpoint embed` as a user runs it: the real binary on real text, bad lines included.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{model_dir, root};

fn run_embed(input: &[u8], extra: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .arg("embed")
        .arg("-")
        .arg("--model")
        .arg(model_dir())
        .args(extra)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8(out.stdout)
        .expect("output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect();
    (out.status.code().unwrap_or(-1), lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_input_line_is_accounted_for_in_order() {
    let mut input = Vec::new();
    input.extend_from_slice("{\"id\": \"a\", \"text\": \"Yerevan called the move illegal.\"}\n".as_bytes());
    input.extend_from_slice(b"this is not json\n");
    input.extend_from_slice(b"{\"id\": 7, \"text\": \"\"}\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"{\"id\": [1], \"text\": \"bad id\"}\n");
    input.extend_from_slice(b"{\"text\": \"no id\"}\n");
    input.extend_from_slice(b"{\"id\": \"bin\", \"text\": \"\xff\xfe\"}\n");
    input.extend_from_slice("{\"id\": \"z\", \"text\": \"Баку заявил, что пункт пропуска законен.\"}".as_bytes());

    let (code, lines, stderr) = run_embed(&input, &[]);
    assert_eq!(code, 2, "some lines failed, so exit 2; stderr: {stderr}");
    assert_eq!(lines.len(), 7, "one output line per non-blank input line");

    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["vector"].as_array().unwrap().len(), 384);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("JSON"));
    assert_eq!(lines[2]["id"], 7, "an empty text still gets a vector");
    assert_eq!(lines[2]["vector"].as_array().unwrap().len(), 384);
    assert_eq!(lines[3]["line"], 5);
    assert_eq!(lines[3]["id"], serde_json::json!([1]));
    assert!(lines[4]["error"].is_string());
    assert_eq!(lines[5]["line"], 7);
    assert!(lines[5]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[6]["id"], "z");
}

#[test]
fn clean_input_exits_zero_and_truncation_is_flagged() {
    let long = "The convoy waited at the checkpoint for hours. ".repeat(80);
    let input = format!("{}\n", serde_json::json!({"id": "long", "text": long}));
    let (code, lines, stderr) = run_embed(input.as_bytes(), &["--long-text", "truncate"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines[0]["truncated"], true);
    assert_eq!(lines[0]["windows"], 1);
    assert!(lines[0]["tokens"].as_u64().unwrap() > 512);

    let (code, lines, _) = run_embed(input.as_bytes(), &[]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["truncated"], false);
    assert_eq!(lines[0]["windows"], 2);
}

#[test]
fn a_missing_model_is_a_clear_error_with_exit_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_standpoint"))
        .args(["embed", "-", "--model", "/nonexistent/model"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/model"), "{stderr}");
}

/// Every batch runs on one kernel thread and batches are summed in order, so the vectors are the
/// same bytes whatever `--threads` says (texts of many lengths: several batches of 4).
#[test]
fn vectors_do_not_depend_on_the_thread_count() {
    let texts = [
        "Yerevan called the move illegal.",
        "Баку заявил, что пункт пропуска законен и соответствует международному праву.",
        "Berlin äußerte sich zurückhaltend.",
        "Le Quai d'Orsay a appelé les deux parties à reprendre les négociations sans conditions préalables.",
        "Madrid lo rechazó.",
        "Київ заявив, що не визнає результатів.",
        "Roma ha chiesto chiarimenti all'ambasciatore, che non ha risposto alle domande dei giornalisti.",
        "Washington said nothing.",
        "A longer English sentence, written to fall in a batch of its own, about talks that went on for several hours.",
    ];
    let input: String = texts.iter().enumerate().map(|(i, t)| format!("{{\"id\": {i}, \"text\": {}}}\n", serde_json::json!(t))).collect();
    let run = |threads: &str| run_embed(input.as_bytes(), &["--threads", threads, "--batch-size", "4"]);
    let ((code1, one, _), (code2, two, _)) = (run("1"), run("2"));
    assert_eq!((code1, code2), (0, 0));
    assert_eq!(one.len(), texts.len());
    assert_eq!(one, two, "vectors differ between --threads 1 and --threads 2");
}
