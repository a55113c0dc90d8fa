//! Reading a corpus: JSONL files, plain-text files, folders of them, or standard input — as one
//! stream of articles in a fixed order, where every input line or file becomes either an article
//! or a rejection with its reason. Nothing is dropped silently.
//!
//! - A path ending `.jsonl`, `.ndjson` or `.json` is read as JSONL: one article per line
//!   (`id`, `text`, optional `lang`, `title`, `date`, `source`; blank lines are skipped).
//! - Any other file is one article whose id is its path as given (folders: path inside the folder
//!   walk, sorted, hidden entries skipped).
//! - `-` is standard input: JSONL when its first non-blank byte is `{`, else one article `stdin`.
//!
//! Rejected: lines that are not UTF-8 or not a JSON object, missing or non-string/number ids,
//! ids seen before, missing or empty text, NUL bytes (binary data), articles over the size limit,
//! a `lang` that is not an ISO 639-1 code. (Text whose language cannot be detected fails later,
//! in the pipeline, with that reason.)

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// ISO 639-1 codes: a `lang` an article gives must be one of them.
fn is_language_code(code: &str) -> bool {
    static CODES: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    CODES
        .get_or_init(|| include_str!("../data/iso639-1.txt").lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect())
        .contains(code)
}

/// The default largest article, in bytes of UTF-8.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 2 * 1024 * 1024;

/// One article ready for the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub text: String,
    pub lang: Option<String>,
    pub title: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// Where it came from: `file.jsonl:12`, `folder/a.txt`, `stdin:3`.
    pub origin: String,
}

impl Article {
    /// An article that is only its text, without language, title, date or source.
    pub fn from_text(id: impl Into<String>, text: String, origin: impl Into<String>) -> Article {
        Article { id: id.into(), text, lang: None, title: None, date: None, source: None, origin: origin.into() }
    }
}

/// An input unit that could not become an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub id: Option<String>,
    pub origin: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Article(Article),
    Rejected(Rejected),
}

impl Item {
    pub fn origin(&self) -> &str {
        match self {
            Item::Article(a) => &a.origin,
            Item::Rejected(r) => &r.origin,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0}: no such file or folder")]
    Missing(String),
}

/// Where articles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    Jsonl(PathBuf),
    Text(PathBuf),
}

/// The sources named by the command line, folders expanded, in a deterministic order.
pub fn sources(inputs: &[PathBuf]) -> Result<Vec<Source>, CorpusError> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(Source::Stdin);
        } else if input.is_dir() {
            let mut files = Vec::new();
            walk(input, &mut files)?;
            files.sort();
            out.extend(files.into_iter().map(classify));
        } else if input.is_file() {
            out.push(classify(input.clone()));
        } else {
            return Err(CorpusError::Missing(input.display().to_string()));
        }
    }
    Ok(out)
}

fn classify(path: PathBuf) -> Source {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jsonl" | "ndjson" | "json") => Source::Jsonl(path),
        _ => Source::Text(path),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CorpusError> {
    let io = |source| CorpusError::Io { path: dir.display().to_string(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct Line {
    id: Option<Value>,
    text: Option<Value>,
    lang: Option<Value>,
    title: Option<Value>,
    date: Option<Value>,
    source: Option<Value>,
}

/// The stream of items over all sources. Ids are checked for uniqueness across the whole run.
pub struct Reader {
    sources: std::vec::IntoIter<Source>,
    current: Option<(Box<dyn BufRead + Send>, String, usize)>,
    pending_stdin_text: Option<Vec<u8>>,
    seen: HashMap<String, String>,
    max_bytes: usize,
    buf: Vec<u8>,
}

impl Reader {
    pub fn new(sources: Vec<Source>, max_bytes: usize) -> Self {
        Reader { sources: sources.into_iter(), current: None, pending_stdin_text: None, seen: HashMap::new(), max_bytes, buf: Vec::new() }
    }

    fn open_next(&mut self) -> Option<Result<Option<Item>, CorpusError>> {
        let source = self.sources.next()?;
        Some(match source {
            Source::Jsonl(path) => match std::fs::File::open(&path) {
                Ok(f) => {
                    self.current = Some((Box::new(BufReader::with_capacity(1 << 20, f)), path.display().to_string(), 0));
                    Ok(None)
                }
                Err(e) => Ok(Some(Item::Rejected(Rejected { id: None, origin: path.display().to_string(), reason: format!("cannot read: {e}") }))),
            },
            Source::Text(path) => {
                let origin = path.display().to_string();
                Ok(Some(self.text_file(&path, origin)))
            }
            Source::Stdin => {
                let mut stdin = BufReader::with_capacity(1 << 20, std::io::stdin());
                let first = match stdin.fill_buf() {
                    Ok(b) => b.iter().find(|c| !c.is_ascii_whitespace()).copied(),
                    Err(source) => return Some(Err(CorpusError::Io { path: "stdin".into(), source })),
                };
                if first == Some(b'{') {
                    self.current = Some((Box::new(stdin), "stdin".into(), 0));
                    Ok(None)
                } else {
                    let mut bytes = Vec::new();
                    if let Err(source) = stdin.take(self.max_bytes as u64 + 1).read_to_end(&mut bytes) {
                        return Some(Err(CorpusError::Io { path: "stdin".into(), source }));
                    }
                    self.pending_stdin_text = Some(bytes);
                    Ok(None)
                }
            }
        })
    }

    fn text_file(&mut self, path: &Path, origin: String) -> Item {
        let reject = |reason: String| Item::Rejected(Rejected { id: Some(origin.clone()), origin: origin.clone(), reason });
        let mut bytes = Vec::new();
        let read = std::fs::File::open(path).and_then(|f| f.take(self.max_bytes as u64 + 1).read_to_end(&mut bytes));
        if let Err(e) = read {
            return reject(format!("cannot read: {e}"));
        }
        self.text_article(bytes, origin.clone(), origin)
    }

    fn text_article(&mut self, bytes: Vec<u8>, id: String, origin: String) -> Item {
        let reject = |reason: String| Item::Rejected(Rejected { id: Some(id.clone()), origin: origin.clone(), reason });
        if bytes.len() > self.max_bytes {
            return reject(format!("article is larger than the limit of {} bytes (--max-article-bytes)", self.max_bytes));
        }
        if bytes.contains(&0) {
            return reject("binary data: the file contains NUL bytes".into());
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => return reject(format!("not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to())),
        };
        let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
        self.admit(Article::from_text(id.clone(), text, origin.clone()))
    }

    /// Common checks for every article, wherever it came from.
    fn admit(&mut self, article: Article) -> Item {
        let reject = |reason: String| Item::Rejected(Rejected { id: Some(article.id.clone()), origin: article.origin.clone(), reason });
        if article.text.contains('\0') {
            return reject("text contains NUL bytes (binary data?)".into());
        }
        if article.text.trim().is_empty() {
            return reject("empty text".into());
        }
        if let Some(lang) = article.lang.as_deref().filter(|l| !is_language_code(l)) {
            return reject(format!("unknown language code {lang:?} (give an ISO 639-1 code, or leave lang out to detect it)"));
        }
        if article.text.len() > self.max_bytes {
            return reject(format!("article is larger than the limit of {} bytes (--max-article-bytes)", self.max_bytes));
        }
        if let Some(first) = self.seen.get(&article.id) {
            return reject(format!("duplicate id (first seen at {first})"));
        }
        self.seen.insert(article.id.clone(), article.origin.clone());
        Item::Article(article)
    }

    fn jsonl_item(&mut self, bytes: &[u8], origin: String) -> Item {
        let reject = |id: Option<String>, reason: String| Item::Rejected(Rejected { id, origin: origin.clone(), reason });
        let Ok(line) = std::str::from_utf8(bytes) else {
            return reject(None, "line is not valid UTF-8".into());
        };
        if line.len() > self.max_bytes + 4096 {
            return reject(None, format!("line is larger than the article limit of {} bytes (--max-article-bytes)", self.max_bytes));
        }
        let parsed: Line = match serde_json::from_str(line) {
            Ok(l) => l,
            Err(e) => return reject(None, format!("not a JSON object: {e}")),
        };
        let id = match parsed.id {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) | None => return reject(None, "missing id".into()),
            Some(other) => return reject(None, format!("id must be a string or a number, not {other}")),
        };
        let text = match parsed.text {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => return reject(Some(id), "missing text".into()),
            Some(_) => return reject(Some(id), "text must be a string".into()),
        };
        let field = |v: Option<Value>| match v {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        self.admit(Article {
            id,
            text,
            lang: field(parsed.lang).map(|l| l.to_ascii_lowercase()),
            title: field(parsed.title),
            date: field(parsed.date),
            source: field(parsed.source),
            origin,
        })
    }
}

impl Iterator for Reader {
    type Item = Result<Item, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(bytes) = self.pending_stdin_text.take() {
                return Some(Ok(self.text_article(bytes, "stdin".into(), "stdin".into())));
            }
            if let Some((reader, name, line_no)) = &mut self.current {
                self.buf.clear();
                match reader.read_until(b'\n', &mut self.buf) {
                    Ok(0) => {
                        self.current = None;
                        continue;
                    }
                    Ok(_) => {
                        *line_no += 1;
                        let origin = format!("{name}:{line_no}");
                        let bytes = std::mem::take(&mut self.buf);
                        let trimmed = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
                        let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
                        if trimmed.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        let item = self.jsonl_item(trimmed, origin);
                        self.buf = bytes;
                        return Some(Ok(item));
                    }
                    Err(source) => {
                        let path = name.clone();
                        self.current = None;
                        return Some(Err(CorpusError::Io { path, source }));
                    }
                }
            }
            match self.open_next()? {
                Ok(Some(item)) => return Some(Ok(item)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(lines: &str) -> Vec<Item> {
        let dir = std::env::temp_dir().join(format!("standpoint-corpus-{}-{}", std::process::id(), lines.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.jsonl");
        std::fs::write(&path, lines).unwrap();
        Reader::new(vec![Source::Jsonl(path)], 1000).map(Result::unwrap).collect()
    }

    #[test]
    fn every_line_is_an_article_or_a_reason() {
        let got = items(concat!(
            "{\"id\":\"a\",\"text\":\"Hello.\",\"lang\":\"EN\"}\n",
            "\n",
            "not json\n",
            "{\"text\":\"no id\"}\n",
            "{\"id\":\"a\",\"text\":\"again\"}\n",
            "{\"id\":7,\"text\":\"  \"}\n",
            "{\"id\":8,\"text\":\"nul\\u0000\"}\n",
            "{\"id\":9,\"text\":\"ok\"}\r\n",
        ));
        let reasons: Vec<String> = got
            .iter()
            .map(|i| match i {
                Item::Article(a) => format!("ok {} {:?}", a.id, a.lang),
                Item::Rejected(r) => format!("{} {}", r.origin.rsplit(':').next().unwrap(), r.reason),
            })
            .collect();
        assert_eq!(reasons.len(), 7, "{reasons:?}");
        assert_eq!(reasons[0], "ok a Some(\"en\")");
        assert!(reasons[1].starts_with("3 not a JSON object"));
        assert_eq!(reasons[2], "4 missing id");
        assert!(reasons[3].starts_with("5 duplicate id"));
        assert_eq!(reasons[4], "6 empty text");
        assert!(reasons[5].starts_with("7 text contains NUL"));
        assert_eq!(reasons[6], "ok 9 None");
    }
}
