//! Labelled data in the shared datasets' JSONL schema: `id`, `text`, `target`, `target_spans`,
//! `label`, `lang` (other fields ignored).

use std::path::Path;

use serde::Deserialize;

use super::HeadError;

/// What a head predicts, and from what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Tone of a text: negative / neutral / positive.
    Sentiment,
    /// Sentiment toward a named target inside the text.
    TargetSentiment,
    /// Stance toward a target given as free text: favor / against / neutral.
    Stance,
}

impl Task {
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            Task::Sentiment | Task::TargetSentiment => &["negative", "neutral", "positive"],
            Task::Stance => &["favor", "against", "neutral"],
        }
    }

    /// Whether the head reads a target next to the text.
    pub fn uses_target(self) -> bool {
        !matches!(self, Task::Sentiment)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    /// Where the target is mentioned in `text`: `[start, end)` in code points, as the shared
    /// datasets give them.
    #[serde(default)]
    pub target_spans: Option<Vec<(usize, usize)>>,
    /// The same as byte ranges of `text`, which is what the heads read: filled by [`read`].
    #[serde(skip)]
    pub mentions: Option<Vec<(usize, usize)>>,
}

/// Code-point ranges of `text` as byte ranges; `None` when one does not fit the text.
pub(crate) fn byte_ranges(text: &str, spans: &[(usize, usize)]) -> Option<Vec<(usize, usize)>> {
    let mut at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    at.push(text.len());
    spans.iter().map(|&(s, e)| (s < e && e < at.len()).then(|| (at[s], at[e]))).collect()
}

/// Reads examples; rows without a text, or with a label outside the task's set, are skipped and
/// counted (the count is reported with the run).
pub fn read(paths: &[impl AsRef<Path>], task: Task) -> Result<(Vec<Example>, usize), HeadError> {
    let mut out = Vec::new();
    let mut skipped = 0;
    for path in paths {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| HeadError::Io { path: path.display().to_string(), source })?;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let mut ex: Example =
                serde_json::from_str(line).map_err(|source| HeadError::Json { path: path.display().to_string(), line: n + 1, source })?;
            if let Some(spans) = ex.target_spans.as_deref().filter(|s| !s.is_empty()) {
                let bytes = byte_ranges(&ex.text, spans).ok_or_else(|| {
                    HeadError::Data(format!("{} line {}: target_spans {spans:?} do not fit the text", path.display(), n + 1))
                })?;
                ex.mentions = Some(bytes);
            }
            let label_ok = ex.label.as_deref().is_some_and(|l| task.labels().contains(&l));
            let target_ok = !task.uses_target() || ex.target.as_deref().is_some_and(|t| !t.trim().is_empty());
            if label_ok && target_ok && !ex.text.trim().is_empty() {
                out.push(ex);
            } else {
                skipped += 1;
            }
        }
    }
    Ok((out, skipped))
}

/// Examples that pair a text with another example's target it does not mention, labelled
/// neutral ("a statement about something else takes no stance toward this"): a seeded `share`
/// of `examples`, each drawn against a random example with a different target. A target counts as
/// mentioned when the text contains it (case ignored) or names it as the product would find it
/// ([`crate::text::locate`]: "independència" mentions "Catalan independence").
pub fn mismatched(examples: &[Example], share: f64, seed: u64, neutral: &str) -> Vec<Example> {
    let mut rng = super::fitting::Rng::new(seed);
    let mut out = Vec::new();
    if examples.len() < 2 {
        return out;
    }
    for e in examples {
        if rng.uniform() >= share {
            continue;
        }
        let text = e.text.to_lowercase();
        for _ in 0..8 {
            let other = &examples[rng.below(examples.len())];
            let Some(target) = other.target.as_deref() else { continue };
            if other.target == e.target || mentions(&text, &e.text, target) {
                continue;
            }
            out.push(Example {
                id: format!("{}~{}", e.id, other.id),
                text: e.text.clone(),
                target: Some(target.to_owned()),
                label: Some(neutral.to_owned()),
                lang: e.lang.clone(),
                target_spans: None,
                mentions: None,
            });
            break;
        }
    }
    out
}

/// Whether `text` (with `lower`, its lowercase form) mentions `target`: see [`mismatched`].
pub(crate) fn mentions(lower: &str, text: &str, target: &str) -> bool {
    lower.contains(&target.to_lowercase()) || !crate::text::locate::target_mentions(text, target).is_empty()
}

#[cfg(test)]
mod tests {
    use super::{byte_ranges, mismatched, Example};

    fn example(id: &str, text: &str, target: &str) -> Example {
        Example {
            id: id.into(),
            text: text.into(),
            target: Some(target.into()),
            label: Some("favor".into()),
            lang: None,
            target_spans: None,
            mentions: None,
        }
    }

    #[test]
    fn a_mismatched_target_is_one_the_text_does_not_name_in_any_form() {
        let examples = [
            example("a", "Volem la independència, diu el president.", "the harbour tax"),
            example("b", "The council met on Tuesday.", "Catalan independence"),
        ];
        // "a" names Catalan independence (in Catalan), so only "b" gets a neutral pair: "a"'s target.
        let out = mismatched(&examples, 1.0, 7, "neutral");
        let pairs: Vec<(&str, Option<&str>, Option<&str>)> =
            out.iter().map(|e| (e.id.as_str(), e.target.as_deref(), e.label.as_deref())).collect();
        assert_eq!(pairs, vec![("b~a", Some("the harbour tax"), Some("neutral"))]);
    }

    #[test]
    fn target_spans_in_code_points_become_byte_ranges() {
        let text = "Москва и Baku";
        assert_eq!(byte_ranges(text, &[(0, 6), (9, 13)]), Some(vec![(0, 12), (16, 20)]));
        assert_eq!(&text[16..20], "Baku");
        // a span past the end, or empty, does not fit
        assert_eq!(byte_ranges(text, &[(9, 14)]), None);
        assert_eq!(byte_ranges(text, &[(3, 3)]), None);
    }
}
