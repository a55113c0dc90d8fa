//! The tagger's view of a text: token windows, an O/B/I tag per token in each of four layers
//! (content, a content nested in another's, source, cue), and the way back from tags to
//! statements.
//!
//! A window is a run of whole sentences of one paragraph, at most `max_tokens` tokens (a longer
//! sentence is cut). The layers let spans overlap as the annotation does: a source inside the
//! content it speaks (SpkAtt's German "Die USA lehnten … ab"), a statement reported inside another
//! statement's content beside the outer content.

use std::collections::HashSet;

use crate::lexicon::Cues;
use crate::model::batching::tokenize;
use crate::model::ModelError;
use crate::quotes::{kind_for, marks, Kind, Statement};
use crate::text::words::words;
use crate::text::{sentences, ByteSpan};

use super::link::Linker;

/// Tag layers, in the classifier's output order: each token has one tag per layer, so a source
/// inside the content it speaks (German "Die USA lehnten … ab") and a content reported inside
/// another's content keep their own spans. A content goes to the inner layer when it overlaps a
/// longer content of another attribution.
pub const LAYERS: [Layer; 4] = [Layer::Content, Layer::InnerContent, Layer::Source, Layer::Cue];
/// Each layer's tags, in the classifier's output order.
pub const LAYER_TAGS: [&str; 3] = ["O", "B", "I"];
/// Outputs per token: every layer's tags.
pub const OUTPUTS: usize = LAYERS.len() * LAYER_TAGS.len();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Content,
    Source,
    Cue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Content,
    InnerContent,
    Source,
    Cue,
}

impl Layer {
    pub fn name(self) -> &'static str {
        match self {
            Layer::Content => "content",
            Layer::InnerContent => "inner-content",
            Layer::Source => "source",
            Layer::Cue => "cue",
        }
    }

    fn role(self) -> Role {
        match self {
            Layer::Content | Layer::InnerContent => Role::Content,
            Layer::Source => Role::Source,
            Layer::Cue => Role::Cue,
        }
    }
}

/// The tag names of the classifier's outputs, in order ("content:B").
pub fn output_names() -> Vec<String> {
    LAYERS.iter().flat_map(|l| LAYER_TAGS.iter().map(move |t| format!("{}:{t}", l.name()))).collect()
}

/// Token ids and the byte span of each token in the article text.
#[derive(Debug, Clone)]
pub struct Window {
    pub ids: Vec<u32>,
    pub spans: Vec<ByteSpan>,
}

/// The token windows of `text`, in text order.
pub fn windows(
    text: &str,
    tokenizer: &tokenizers::Tokenizer,
    abbreviations: &HashSet<String>,
    max_tokens: usize,
) -> Result<Vec<Window>, ModelError> {
    let mut out = Vec::new();
    for para in sentences::paragraphs(text) {
        let tokens = tokenize(tokenizer, "", para.slice(text))?;
        let spans: Vec<ByteSpan> = tokens.offsets.iter().map(|&(s, e)| ByteSpan::new(para.start + s, para.start + e)).collect();
        let ids = &tokens.ids;
        // A token that starts a sentence is a place to cut.
        let starts: Vec<usize> = sentences::sentences(text, para, abbreviations).iter().map(|s| s.start).collect();
        let cut_ok: Vec<bool> = spans.iter().map(|t| starts.binary_search(&t.start).is_ok()).collect();
        let mut from = 0;
        while from < ids.len() {
            let mut to = (from + max_tokens).min(ids.len());
            if to < ids.len() {
                if let Some(cut) = (from + 1..to).rev().find(|&i| cut_ok[i]) {
                    to = cut;
                }
            }
            out.push(Window { ids: ids[from..to].to_vec(), spans: spans[from..to].to_vec() });
            from = to;
        }
    }
    Ok(out)
}

/// One part of a gold attribution: its role, which attribution it belongs to, and where.
#[derive(Debug, Clone, Copy)]
pub struct GoldPart {
    pub role: Role,
    pub attribution: usize,
    pub span: ByteSpan,
}

/// Gold tags of each window's tokens, one per layer ([`LAYERS`]; 0 O, 1 B, 2 I). Within a
/// layer, parts of longer contents are laid down first, so a shorter part overwrites a longer one
/// it sits in.
pub fn gold_tags(text: &str, windows: &[Window], parts: &[GoldPart]) -> Vec<Vec<[i64; LAYERS.len()]>> {
    let attributions = parts.iter().map(|p| p.attribution + 1).max().unwrap_or(0);
    let contents = || parts.iter().filter(|p| p.role == Role::Content);
    let mut content_len = vec![0; attributions];
    for p in contents() {
        content_len[p.attribution] += p.span.len();
    }
    let mut inner = vec![false; attributions];
    for p in contents() {
        inner[p.attribution] |= contents().any(|q| {
            q.attribution != p.attribution
                && content_len[q.attribution] > content_len[p.attribution]
                && q.span.start < p.span.end
                && p.span.start < q.span.end
        });
    }
    let layer_of = |p: &GoldPart| {
        let layer = match p.role {
            Role::Content if inner[p.attribution] => Layer::InnerContent,
            Role::Content => Layer::Content,
            Role::Source => Layer::Source,
            Role::Cue => Layer::Cue,
        };
        LAYERS.iter().position(|l| *l == layer).expect("listed")
    };
    let mut ordered: Vec<&GoldPart> = parts.iter().collect();
    ordered.sort_by_key(|p| std::cmp::Reverse(content_len[p.attribution]));
    let mut at: Vec<[Option<usize>; LAYERS.len()]> = vec![[None; LAYERS.len()]; text.len()];
    for p in ordered {
        let (start, end) = (p.span.start.min(text.len()), p.span.end.min(text.len()));
        let layer = layer_of(p);
        for slot in &mut at[start..end.max(start)] {
            slot[layer] = Some(p.attribution);
        }
    }
    windows
        .iter()
        .map(|w| {
            let mut prev = [None; LAYERS.len()];
            w.spans
                .iter()
                .map(|t| {
                    let labels = (t.start..t.end)
                        .find(|&b| text.is_char_boundary(b) && !text[b..].starts_with(char::is_whitespace))
                        .map_or([None; LAYERS.len()], |b| at[b]);
                    let tags = std::array::from_fn(|l| match labels[l] {
                        None => 0,
                        Some(_) if labels[l] == prev[l] => 2,
                        Some(_) => 1,
                    });
                    prev = labels;
                    tags
                })
                .collect()
        })
        .collect()
}

/// Content of fewer words than this is not a statement (a lone "which" or "it" is a fragment the
/// model left of a longer span, and says nothing a reader could weigh).
const MIN_CONTENT_WORDS: usize = 2;
/// How far (bytes) from a content span its cue may be, and from the cue its source.
const CUE_REACH: usize = 200;
const SOURCE_REACH: usize = 100;
/// Without a cue, how far from the content a source may be.
const SOURCE_REACH_NO_CUE: usize = 150;
/// How far a content that stops on a function word may run on to its clause's end, in characters.
const COMPLETION_REACH: usize = 200;

/// `span` widened to whole words where a token boundary cut one ("как «усид" of "усидеть").
fn whole_words(text: &str, span: ByteSpan) -> ByteSpan {
    let inside = |a: Option<char>, b: Option<char>| a.is_some_and(char::is_alphanumeric) && b.is_some_and(char::is_alphanumeric);
    let (mut start, mut end) = (span.start, span.end);
    while start > 0 && inside(text[..start].chars().next_back(), text[start..].chars().next()) {
        start -= text[..start].chars().next_back().map_or(1, char::len_utf8);
    }
    while end < text.len() && inside(text[..end].chars().next_back(), text[end..].chars().next()) {
        end += text[end..].chars().next().map_or(1, char::len_utf8);
    }
    ByteSpan::new(start, end)
}

/// A content cannot end on a determiner, article, preposition or connector ("… as its"): such a
/// span runs on to the end of its clause (the next sentence mark or closing quotation mark, not
/// included) when that comes within [`COMPLETION_REACH`]; otherwise it stays as tagged.
fn completed(text: &str, span: ByteSpan, cues: &Cues) -> ByteSpan {
    let span = whole_words(text, span);
    let Some(last) = words(text, span).last().map(|w| w.lower.clone()) else { return span };
    let open = [&cues.determiners, &cues.definite_articles, &cues.prepositions, &cues.connectors];
    if !open.iter().any(|set| set.contains(&last)) {
        return span;
    }
    let rest = &text[span.end..];
    let reach = rest.char_indices().nth(COMPLETION_REACH).map_or(rest.len(), |(i, _)| i);
    match rest[..reach].find(['.', ';', '!', '?', '\n', '"', '\u{201d}', '\u{00bb}']) {
        Some(end) if end > 0 => ByteSpan::new(span.start, span.end + rest[..end].trim_end().len()),
        _ => span,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Run {
    pub(crate) role: Role,
    pub(crate) span: ByteSpan,
    /// Mean probability of the run's tags.
    pub(crate) confidence: f32,
}

/// Bytes between two spans; 0 when they touch or overlap.
pub(crate) fn distance(a: ByteSpan, b: ByteSpan) -> usize {
    b.start.saturating_sub(a.end).max(a.start.saturating_sub(b.end))
}

/// The run of `role` nearest `to` within `reach`, preferring runs outside `content`: a cue or source
/// inside a content is its own when nothing outside is in reach (German "Die USA lehnten … ab"),
/// and otherwise a nested attribution's.
fn nearest(runs: &[Run], role: Role, to: ByteSpan, reach: usize, content: ByteSpan) -> Option<Run> {
    runs.iter()
        .filter(|r| r.role == role && distance(r.span, to) < reach)
        .min_by_key(|r| (within(r.span, content), distance(r.span, to)))
        .copied()
}

/// Whether layer tag `to` may follow `from` (`None`: the window's start): an inside tag only
/// continues a span.
fn allowed(from: Option<usize>, to: usize) -> bool {
    to != 2 || matches!(from, Some(1 | 2))
}

/// The most probable tag sequence of one layer that [`allowed`] permits (Viterbi over
/// log-probabilities; `probs`: per token, the layer's O, B, I).
fn best_tags<P: AsRef<[f32]>>(probs: &[P]) -> Vec<usize> {
    let n = LAYER_TAGS.len();
    let log = |p: f32| p.max(1e-9).ln();
    let mut score: Vec<f32> = (0..n).map(|t| if allowed(None, t) { log(probs[0].as_ref()[t]) } else { f32::NEG_INFINITY }).collect();
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(probs.len());
    for p in &probs[1..] {
        let p = p.as_ref();
        let mut next = vec![f32::NEG_INFINITY; n];
        let mut from = vec![0; n];
        for to in 0..n {
            for (f, &s) in score.iter().enumerate() {
                if allowed(Some(f), to) && s > next[to] {
                    next[to] = s;
                    from[to] = f;
                }
            }
            next[to] += log(p[to]);
        }
        back.push(from);
        score = next;
    }
    let mut tag = (0..n).max_by(|&a, &b| score[a].total_cmp(&score[b])).unwrap_or(0);
    let mut tags = vec![tag];
    for from in back.iter().rev() {
        tag = from[tag];
        tags.push(tag);
    }
    tags.reverse();
    tags
}

/// Spans of one window's tags (`probs`: per token, one probability per tag). A token of bare
/// whitespace (the tokenizer's lone "▁" before a word it has no "▁word" for: " sphere" is "▁",
/// "sphere") carries no tag: decoding passes over it, so it never splits a span in two.
pub(crate) fn runs(text: &str, window: &Window, probs: &[Vec<f32>]) -> Vec<Run> {
    let tagged: Vec<usize> = (0..probs.len().min(window.spans.len())).filter(|&i| !window.spans[i].trim(text).is_empty()).collect();
    if tagged.is_empty() {
        return Vec::new();
    }
    let n = LAYER_TAGS.len();
    let mut out = Vec::new();
    for (l, layer) in LAYERS.iter().enumerate() {
        let layer_probs: Vec<&[f32]> = tagged.iter().map(|&i| &probs[i][l * n..(l + 1) * n]).collect();
        // first and last token (positions in `tagged`), sum of p
        let mut spans: Vec<(usize, usize, f32)> = Vec::new();
        for (k, (p, tag)) in layer_probs.iter().zip(best_tags(&layer_probs)).enumerate() {
            if tag == 0 {
                continue;
            }
            // A tag that follows the previous token's run continues it: an inside tag always (the
            // Viterbi pass allows nothing else), and a begin tag too, since two spans of one layer
            // never touch — "B B" is one span the model split ("''The" "bridge …").
            match spans.last_mut() {
                Some(last) if last.1 + 1 == k => {
                    last.1 = k;
                    last.2 += p[tag];
                }
                _ => spans.push((k, k, p[tag])),
            }
        }
        out.extend(spans.into_iter().map(|(a, b, sum)| Run {
            role: layer.role(),
            span: ByteSpan::new(window.spans[tagged[a]].start, window.spans[tagged[b]].end).trim(text),
            confidence: sum / (b - a + 1) as f32,
        }));
    }
    out.retain(|r| !r.span.is_empty());
    out.sort_by_key(|r| (r.span.start, r.span.end));
    out
}

/// A source span up to its first comma, bracket or dash: the name an appositive or a relative
/// clause describes ("Yerevan, which relies on Russia …" is Yerevan, not Russia). The clause stays
/// in the statement's context for the stance model.
fn head_of(text: &str, span: ByteSpan) -> ByteSpan {
    let cut = span.slice(text).find([',', '(', '—', '–', ';']).filter(|&i| i > 0);
    match cut {
        Some(i) => ByteSpan::new(span.start, span.start + i).trim(text),
        None => span,
    }
}

/// `speaker` without the words of an "according to" phrase it opens with: the tagger may take
/// "словам" of "по словам экспертов" or "to" of "according to" into the source.
fn without_according(text: &str, speaker: ByteSpan, cues: &Cues) -> ByteSpan {
    let ws = words(text, speaker);
    let lower: Vec<&str> = ws.iter().map(|w| w.lower.as_str()).collect();
    let opening = cues
        .according_to
        .iter()
        .flat_map(|phrase| (1..=phrase.len()).map(move |k| &phrase[phrase.len() - k..]))
        .filter(|tail| tail.len() < lower.len() && tail.iter().zip(&lower).all(|(a, b)| a == b))
        .map(<[String]>::len)
        .max();
    match opening {
        Some(k) => ByteSpan::new(ws[k].span.start, speaker.end),
        None => speaker,
    }
}

/// Whether a cue is a verb of belief, perception or finding in the language's lexicon.
fn belief_cue(text: &str, cue: ByteSpan, cues: &Cues) -> bool {
    let words = words(text, cue);
    let lower: Vec<&str> = words.iter().map(|w| w.lower.as_str()).collect();
    cues.belief.phrase_len(&lower).is_some() || lower.iter().any(|w| cues.belief.contains(w))
}

/// Whether `span` lies within `outer`.
pub(crate) fn within(span: ByteSpan, outer: ByteSpan) -> bool {
    outer.start <= span.start && span.end <= outer.end
}

/// The source run inside `content`: the content names its own speaker.
fn own_source(runs: &[Run], content: ByteSpan) -> Option<Run> {
    runs.iter().find(|r| r.role == Role::Source && within(r.span, content)).copied()
}

/// Whether `content` may take `cue`, the cue run nearest it. A cue is the cue of the content
/// nearest it (preferring one it is not inside: a cue inside a content is a nested
/// attribution's), and of a second content only when the two are the parts of a quotation it
/// splits: on either side of it, with nothing between them but the source, the cue and
/// punctuation, or both quoted ("A," he said in an interview, "B."). German news has many
/// attributions without a cue (SpkAtt-2023: 30%); they must not take a neighbour's.
fn takes_cue(text: &str, cue: &Run, content: ByteSpan, contents: &[Run], runs: &[Run], quotes: &[marks::Quoted]) -> bool {
    let owner = contents.iter().min_by_key(|c| (within(cue.span, c.span), distance(c.span, cue.span))).map(|c| c.span);
    let Some(owner) = owner.filter(|&o| o != content) else { return true };
    if own_source(runs, content).is_some() {
        return false; // a content that names its own source is no part of another's quotation
    }
    let (first, second) = if owner.start < content.start { (owner, content) } else { (content, owner) };
    if !(first.end <= cue.span.start && cue.span.end <= second.start) {
        return false;
    }
    let between = ByteSpan::new(first.end, second.start);
    let loose = words(text, between).iter().any(|w| !runs.iter().any(|r| r.role != Role::Content && within(w.span, r.span)));
    let quoted = |x: ByteSpan| kind_for(x, quotes, text, false) == Kind::Direct;
    !loose || (quoted(first) && quoted(second))
}

/// One content run of a window, with the cue it takes ([`takes_cue`]) and the speaker the rules
/// give it: the source run nearest the cue; without a cue, a source inside the content (German
/// "Die USA lehnten … ab") or else the one nearest it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reading {
    pub(crate) content: Run,
    pub(crate) cue: Option<Run>,
    pub(crate) rule_speaker: Option<Run>,
}

/// The readings of one window's runs, in text order (contents of at least [`MIN_CONTENT_WORDS`]).
pub(crate) fn readings(text: &str, runs: &[Run], quotes: &[marks::Quoted]) -> Vec<Reading> {
    let contents: Vec<Run> =
        runs.iter().filter(|r| r.role == Role::Content && words(text, r.span).len() >= MIN_CONTENT_WORDS).copied().collect();
    contents
        .iter()
        .map(|content| {
            let cue = nearest(runs, Role::Cue, content.span, CUE_REACH, content.span)
                .filter(|c| takes_cue(text, c, content.span, &contents, runs, quotes));
            let rule_speaker = match cue {
                Some(c) => nearest(runs, Role::Source, c.span, SOURCE_REACH, content.span),
                None => {
                    own_source(runs, content.span).or_else(|| nearest(runs, Role::Source, content.span, SOURCE_REACH_NO_CUE, content.span))
                }
            };
            Reading { content: *content, cue, rule_speaker }
        })
        .collect()
}

/// Statements from the tags of one text's windows. Each content run is a statement ([`readings`]);
/// its speaker is the rules' or, with a `linker`, the source run the linker picks. Two content runs
/// with the same cue are one split statement ("A," he said, "B."). The kind is read from the
/// quotation marks in the content and, for beliefs, from the cue. Cue and speaker are whole words,
/// like the content: a tag may stop inside a word the tokenizer split ("Stein" of "Steinbrück").
pub fn statements(
    text: &str,
    windows: &[Window],
    probs: &[Vec<Vec<f32>>],
    quotes: &[marks::Quoted],
    cues: &Cues,
    linker: Option<&Linker>,
) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    for (window, p) in windows.iter().zip(probs) {
        let runs = runs(text, window, p);
        let first = out.len();
        for reading in readings(text, &runs, quotes) {
            let speaker = match linker {
                Some(linker) => linker.speaker(text, &reading, &runs, quotes),
                None => reading.rule_speaker,
            };
            let cue = reading.cue.map(|c| whole_words(text, c.span));
            let speaker = speaker.map(|s| without_according(text, head_of(text, whole_words(text, s.span)), cues));
            let content = Run { span: completed(text, reading.content.span, cues), ..reading.content };
            let kind = kind_for(content.span, quotes, text, cue.is_some_and(|c| belief_cue(text, c, cues)));
            // content with neither cue nor source in reach is an attribution only when it is quoted
            // (whichever speaker the linker names: it picks speakers, not statements)
            if cue.is_none() && reading.rule_speaker.is_none() && kind != Kind::Direct {
                continue;
            }
            let continues = cue.and_then(|c| out[first..].iter().find(|s| s.cue == Some(c) && s.continues.is_none()).map(|s| s.content));
            out.push(Statement { kind, content: content.span, cue, speaker, target: None, confidence: content.confidence, continues });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(text: &str, words: &[&str]) -> Window {
        let mut spans = Vec::new();
        let mut from = 0;
        for w in words {
            let s = from + text[from..].find(w).expect("word in text");
            spans.push(ByteSpan::new(s, s + w.len()));
            from = s + w.len();
        }
        Window { ids: vec![0; words.len()], spans }
    }

    /// Tags of one layer at a time (0 O, 1/2 content B/I, 3/4 source B/I, 5/6 cue B/I), as [`layered`].
    fn one_hot(tags: &[usize]) -> Vec<Vec<f32>> {
        let layers: Vec<[usize; 4]> = tags
            .iter()
            .map(|&t| {
                let mut l = [0; 4];
                if t > 0 {
                    l[[0, 2, 3][(t - 1) / 2]] = 2 - t % 2;
                }
                l
            })
            .collect();
        layered(&layers)
    }

    /// Per token, one tag per layer (content, inner content, source, cue; 0 O, 1 B, 2 I).
    fn layered(tags: &[[usize; 4]]) -> Vec<Vec<f32>> {
        tags.iter().map(|t| (0..OUTPUTS).map(|i| if t[i / 3] == i % 3 { 0.9 } else { 0.05 }).collect()).collect()
    }

    #[test]
    fn a_content_without_a_cue_keeps_its_own_source_and_takes_no_neighbours_cue() {
        let text = "Die USA lehnten den Vorschlag zunächst ab. Merkel sagte, der Beschluss sei gut.";
        let words = ["Die", "USA", "lehnten", "den", "Vorschlag", "zunächst", "ab.", "Merkel", "sagte,", "der", "Beschluss", "sei", "gut."];
        let w = window(text, &words);
        let (o, b, i) = (0, 1, 2);
        let probs = layered(&[
            [b, o, b, o],
            [i, o, i, o],
            [i, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
            [o, o, b, o],
            [o, o, o, b],
            [b, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
        ]);
        let s = statements(text, &[w], &[probs], &[], &Cues::default(), None);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].content.slice(text), "Die USA lehnten den Vorschlag zunächst ab.");
        assert_eq!((s[0].speaker.map(|x| x.slice(text)), s[0].cue), (Some("Die USA"), None));
        assert_eq!(s[1].speaker.map(|x| x.slice(text)), Some("Merkel"));
        assert_eq!(s[1].cue.map(|x| x.slice(text)), Some("sagte,"));
        assert_eq!(s[1].continues, None, "two statements, not one split quotation");
    }

    #[test]
    fn a_nested_statement_takes_the_cue_inside_the_outer_content() {
        let text = "Smith said Jones denied the report.";
        let w = window(text, &["Smith", "said", "Jones", "denied", "the", "report."]);
        let (o, b, i) = (0, 1, 2);
        let probs = layered(&[[o, o, b, o], [o, o, o, b], [b, o, b, o], [i, o, o, b], [i, b, o, o], [i, i, o, o]]);
        let s = statements(text, &[w], &[probs], &[], &Cues::default(), None);
        let read: Vec<_> =
            s.iter().map(|s| (s.content.slice(text), s.cue.map(|c| c.slice(text)), s.speaker.map(|c| c.slice(text)))).collect();
        assert_eq!(read, vec![("Jones denied the report.", Some("said"), Some("Smith")), ("the report.", Some("denied"), Some("Jones"))]);
    }

    #[test]
    fn gold_tags_put_a_nested_content_in_the_inner_layer() {
        let text = "Smith said Jones denied it.";
        let w = window(text, &["Smith", "said", "Jones", "denied", "it", "."]);
        let parts = [
            GoldPart { role: Role::Source, attribution: 0, span: ByteSpan::new(0, 5) },
            GoldPart { role: Role::Cue, attribution: 0, span: ByteSpan::new(6, 10) },
            GoldPart { role: Role::Content, attribution: 0, span: ByteSpan::new(11, 26) },
            GoldPart { role: Role::Source, attribution: 1, span: ByteSpan::new(11, 16) },
            GoldPart { role: Role::Cue, attribution: 1, span: ByteSpan::new(17, 23) },
            GoldPart { role: Role::Content, attribution: 1, span: ByteSpan::new(24, 26) },
        ];
        let tags = gold_tags(text, &[w], &parts);
        // per token: content, inner content, source, cue
        assert_eq!(tags[0], vec![[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 1, 0], [2, 0, 0, 1], [2, 1, 0, 0], [0, 0, 0, 0]]);
    }

    #[test]
    fn a_content_that_stops_on_a_determiner_runs_on_to_its_clause_end() {
        let lexicons = crate::lexicon::Lexicons::builtin();
        let cues = lexicons.cues(Some("en"));
        let text = "Russia, which it sees as its traditional sphere of influence. Next.";
        let start = text.find("as its").unwrap();
        let cut = ByteSpan::new(start, start + "as its".len());
        assert_eq!(completed(text, cut, cues).slice(text), "as its traditional sphere of influence");
        let whole = ByteSpan::new(start, start + "as its traditional".len());
        assert_eq!(completed(text, whole, cues), whole, "a content ending on a content word stays");
        let cut = ByteSpan::new(start, start + "as its tradit".len());
        assert_eq!(completed(text, cut, cues), whole, "a word cut by a token boundary is made whole");
    }

    #[test]
    fn a_speaker_does_not_open_with_the_words_of_according_to() {
        let lexicons = crate::lexicon::Lexicons::builtin();
        let text = "По словам экспертов, спор затянется.";
        let tagged = ByteSpan::new(text.find("словам").unwrap(), text.find(',').unwrap());
        assert_eq!(without_according(text, tagged, lexicons.cues(Some("ru"))).slice(text), "экспертов");
        let named = ByteSpan::new(text.find("экспертов").unwrap(), text.find(',').unwrap());
        assert_eq!(without_according(text, named, lexicons.cues(Some("ru"))), named);
    }

    #[test]
    fn decoding_never_starts_a_span_inside() {
        // "O I I" by argmax: the Viterbi pass makes it one well-formed span.
        let probs = vec![vec![0.9, 0.05, 0.05], vec![0.1, 0.4, 0.5], vec![0.1, 0.1, 0.8]];
        assert_eq!(best_tags(&probs), vec![0, 1, 2]);
    }

    #[test]
    fn a_speaker_is_its_head_and_a_one_word_content_is_no_statement() {
        let text = "Yerevan, which relies on Russia, said it. Rain fell.";
        assert_eq!(head_of(text, ByteSpan::new(0, 31)).slice(text), "Yerevan");
        let w = window(text, &["Yerevan,", "which", "relies", "on", "Russia,", "said", "it.", "Rain", "fell."]);
        let probs = one_hot(&[3, 4, 4, 4, 4, 5, 1, 0, 0]);
        assert!(statements(text, &[w], &[probs], &[], &Cues::default(), None).is_empty());
    }

    #[test]
    fn speaker_and_cue_are_whole_words_where_a_tag_stops_inside_one() {
        // the tokenizer splits "Steinbrück" and "kritisierte"; the tags stop after the first piece
        let text = "Steinbrück kritisierte, die Steuer sei zu hoch.";
        let w = window(text, &["Stein", "brück", "kritis", "ierte,", "die", "Steuer", "sei", "zu", "hoch."]);
        let probs = one_hot(&[3, 0, 5, 0, 1, 2, 2, 2, 2]);
        let s = statements(text, &[w], &[probs], &[], &Cues::default(), None);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].speaker.map(|x| x.slice(text)), Some("Steinbrück"));
        assert_eq!(s[0].cue.map(|x| x.slice(text)), Some("kritisierte"));
    }

    #[test]
    fn the_linker_picks_the_speaker_and_the_rules_which_contents_are_statements() {
        // the cue-less second content names its source inside it; the first has its cue and Merkel
        let text = "Merkel sagte, der Plan sei gut. Die Opposition hält ihn für teuer.";
        let words = ["Merkel", "sagte,", "der", "Plan", "sei", "gut.", "Die", "Opposition", "hält", "ihn", "für", "teuer."];
        let w = window(text, &words);
        let (o, b, i) = (0, 1, 2);
        let probs = layered(&[
            [o, o, b, o],
            [o, o, o, b],
            [b, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
            [o, o, o, o],
            [b, o, b, o],
            [i, o, i, o],
            [i, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
            [i, o, o, o],
        ]);
        let speakers = |linker: Option<&Linker>| -> Vec<Option<&str>> {
            let s = statements(text, &[w.clone()], &[probs.clone()], &[], &Cues::default(), linker);
            s.iter().map(|s| s.speaker.map(|x| x.slice(text))).collect()
        };
        assert_eq!(speakers(None), vec![Some("Merkel"), Some("Die Opposition")]);
        // a linker that weighs only "inside the content" and a cost per candidate
        let mut weights = vec![0.0; super::super::link::FEATURES.len()];
        weights[0] = -1.0;
        weights[super::super::link::FEATURES.iter().position(|f| *f == "inside_content").unwrap()] = 2.0;
        let linker = Linker { features: super::super::link::FEATURES.iter().map(|f| f.to_string()).collect(), weights };
        // the first content has no source inside it: no speaker, but it stays a statement (its cue)
        assert_eq!(speakers(Some(&linker)), vec![None, Some("Die Opposition")]);
    }

    #[test]
    fn unquoted_content_with_neither_cue_nor_speaker_is_no_statement() {
        let text = "Several soldiers from both sides died. Officials said nothing.";
        let w = window(text, &["Several", "soldiers", "from", "both", "sides", "died.", "Officials", "said", "nothing."]);
        let probs = one_hot(&[1, 2, 2, 2, 0, 0, 0, 0, 0]);
        assert!(statements(text, &[w.clone()], &[probs], &[], &Cues::default(), None).is_empty());
        // with a speaker it stays: "Officials … soldiers from both sides" (cue-less, but someone's)
        let probs = one_hot(&[1, 2, 2, 2, 0, 0, 3, 0, 0]);
        let s = statements(text, &[w], &[probs], &[], &Cues::default(), None);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].speaker.map(|x| x.slice(text)), Some("Officials"));
    }

    #[test]
    fn a_token_of_bare_whitespace_does_not_split_a_span() {
        // the tokenizer's " sphere" is "▁" + "sphere": the lone "▁" is tagged O, the word begins anew
        let text = "Russia sees it as its traditional sphere of influence.";
        let mut w = window(text, &["Russia", "sees", "it", "as", "its", "traditional", " ", "sphere", "of", "influence."]);
        w.spans[6] = ByteSpan::new(33, 34);
        let probs = one_hot(&[3, 5, 1, 2, 2, 2, 0, 1, 2, 2]);
        let s = statements(text, &[w], &[probs], &[], &Cues::default(), None);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].content.slice(text), "it as its traditional sphere of influence.");
        assert_eq!(s[0].speaker.map(|x| x.slice(text)), Some("Russia"));
    }

    #[test]
    fn tags_decode_to_statements_with_cue_and_speaker() {
        let text = "\"We will win,\" the minister said, \"and soon.\" Rain fell.";
        let w = window(text, &["\"We", "will", "win,\"", "the", "minister", "said,", "\"and", "soon.\"", "Rain", "fell."]);
        let probs = one_hot(&[1, 2, 2, 3, 4, 5, 1, 2, 0, 0]);
        let s = statements(text, &[w], &[probs], &[], &Cues::default(), None);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].content.slice(text), "\"We will win,\"");
        assert_eq!(s[0].speaker.map(|x| x.slice(text)), Some("the minister"));
        assert_eq!(s[0].cue.map(|x| x.slice(text)), Some("said,"));
        assert_eq!(s[1].content.slice(text), "\"and soon.\"");
        assert_eq!(s[1].continues, Some(s[0].content));
    }
}
