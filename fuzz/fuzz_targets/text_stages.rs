//! Fuzzes everything before the transformer: the corpus reader on raw bytes (as a JSONL line and
//! as a text file), then language, sentences, statements and actors on whatever text it admits.
//! Each statement's spans must lie on character boundaries inside the text.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use standpoint::actors::Dictionary;
use standpoint::corpus::{Item, Reader, Source};
use standpoint::lexicon::Lexicons;

fn data() -> &'static (Lexicons, Dictionary) {
    static DATA: OnceLock<(Lexicons, Dictionary)> = OnceLock::new();
    DATA.get_or_init(|| (Lexicons::builtin(), Dictionary::builtin().expect("built-in actors load")))
}

fuzz_target!(|bytes: &[u8]| {
    let (lexicons, dict) = data();
    let dir = std::env::temp_dir().join(format!("standpoint-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let (jsonl, txt) = (dir.join("in.jsonl"), dir.join("in.txt"));
    std::fs::write(&jsonl, bytes).unwrap();
    std::fs::write(&txt, bytes).unwrap();
    let items: Vec<Item> = Reader::new(vec![Source::Jsonl(jsonl), Source::Text(txt)], 1 << 20).map(|i| i.unwrap()).collect();
    for item in items {
        let Item::Article(article) = item else { continue };
        let analysis = standpoint::pipeline::analyse(&article, lexicons, dict, &["the checkpoint".to_owned()]);
        let text = article.text.as_str();
        for f in &analysis.found {
            let s = &f.statement;
            for span in [Some(s.content), s.cue, s.speaker, s.target, Some(f.context)].into_iter().flatten() {
                assert!(span.start <= span.end && span.end <= text.len(), "span out of the text");
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "span off a char boundary");
            }
            let acts = f.acts.iter().flatten().flat_map(|a| [a.agent, Some(a.verb), Some(a.target)]).flatten();
            for m in f.toward.iter().map(|(m, _, _)| *m).chain(acts) {
                assert!(m.start <= m.end && m.end <= text.len(), "span out of the text");
                assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end), "span off a char boundary");
            }
        }
    }
});
