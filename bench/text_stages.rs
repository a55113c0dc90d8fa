//! Throughput of everything before the transformer (`pipeline::analyse`: language identification,
//! sentences, quotes, speakers, actors, addressed actors, acts toward two targets).
//! Single-threaded (per core) and with rayon on every core, side by side.
//!
//!     cargo bench --bench text_stages
//!
//! The corpus is the team's own text: the demo articles and articles assembled from
//! bench/sentences.jsonl (nine languages, with quotations added), about 20 MB in all. Writes
//! bench/results/text_stages.json.

use std::time::Instant;

use rayon::prelude::*;
use standpoint::actors::Dictionary;
use standpoint::corpus::Article;
use standpoint::lexicon::Lexicons;
use standpoint::{pipeline, text};

const TARGET_BYTES: usize = 20 << 20;

fn corpus() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).expect("corpus file");
    let mut base: Vec<String> = read("datasets/demo/articles.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].as_str().unwrap().to_owned())
        .collect();
    let sentences: Vec<(String, String)> = read("bench/sentences.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["lang"].as_str().unwrap().to_owned(), v["text"].as_str().unwrap().to_owned())
        })
        .collect();
    for chunk in sentences.chunks(12) {
        let article: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (_, s))| if i % 3 == 1 { format!("«{}», — the spokesman said.", s.trim_end_matches('.')) } else { s.clone() })
            .collect();
        base.push(article.join("\n\n"));
    }
    let mut out = Vec::new();
    let mut bytes = 0;
    while bytes < TARGET_BYTES {
        for a in &base {
            bytes += a.len();
            out.push(a.clone());
        }
    }
    out
}

const TARGETS: [&str; 2] = ["the carbon border tax", "the checkpoint"];

fn process(article: &Article, lexicons: &Lexicons, dict: &Dictionary, targets: &[String]) -> usize {
    pipeline::analyse(article, lexicons, dict, targets).found.len()
}

fn main() {
    let lexicons = Lexicons::builtin();
    let dict = Dictionary::builtin().unwrap();
    let targets: Vec<String> = TARGETS.iter().map(|t| t.to_string()).collect();
    let articles: Vec<Article> =
        corpus().into_iter().enumerate().map(|(i, text)| Article::from_text(i.to_string(), text, format!("bench:{i}"))).collect();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mb = bytes as f64 / 1e6;

    // Warm-up, then one pass per configuration.
    articles.iter().take(200).for_each(|a| {
        process(a, &lexicons, &dict, &targets);
    });

    let t = Instant::now();
    let statements: usize = articles.iter().map(|a| process(a, &lexicons, &dict, &targets)).sum();
    let single = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let langs: usize = articles.iter().filter(|a| text::lang::detect(&a.text).is_some()).count();
    let lang_only = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let statements_par: usize = articles.par_iter().map(|a| process(a, &lexicons, &dict, &targets)).sum();
    let parallel = t.elapsed().as_secs_f64();
    assert_eq!(statements, statements_par);

    let threads = rayon::current_num_threads();
    let report = serde_json::json!({
        "benchmark": "text stages: pipeline::analyse (language, sentences, quotes, speakers, actors, acts), bench/text_stages.rs",
        "targets": TARGETS,
        "articles": articles.len(),
        "megabytes": (mb * 100.0).round() / 100.0,
        "statements": statements,
        "articles_with_language": langs,
        "single_thread": {"seconds": single, "mb_per_s": mb / single, "articles_per_s": articles.len() as f64 / single},
        "language_id_only_single_thread": {"seconds": lang_only, "mb_per_s": mb / lang_only},
        "rayon": {"threads": threads, "seconds": parallel, "mb_per_s": mb / parallel, "speedup": single / parallel},
    });
    let out = format!("{}/bench/results/text_stages.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap() + "\n").unwrap();
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
