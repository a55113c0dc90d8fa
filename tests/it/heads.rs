//! The shipped tone head (models/heads/tone: fine-tuned top layers of the embedded encoder plus
//! a classifier) runs through the batching layer and reads clear-cut tone in several languages.

use standpoint::heads::{Classifier, Example};
use standpoint::model::{BatchConfig, Precision};

use crate::common::{model_dir, root};

#[test]
fn tone_head_reads_clear_tone_across_languages() {
    let tone = Classifier::load(&model_dir(), &root().join("models/heads/tone"), Precision::Auto).unwrap();
    assert!(matches!(tone, Classifier::Tuned { .. }), "the shipped tone head is fine-tuned");
    let cases = [
        ("What wonderful news, we are delighted and grateful!", "positive"),
        ("This is a disgrace, a shameful and disastrous decision.", "negative"),
        ("Das ist eine großartige Nachricht, wir freuen uns sehr!", "positive"),
        ("Das ist eine Katastrophe und eine Schande.", "negative"),
        ("C'est une excellente nouvelle, nous sommes ravis !", "positive"),
        ("C'est une honte, une décision catastrophique.", "negative"),
        ("¡Es una noticia maravillosa, estamos encantados!", "positive"),
        ("Es una vergüenza, una decisión desastrosa.", "negative"),
        ("Это отличная новость, мы очень рады!", "positive"),
        ("Это позор и полная катастрофа.", "negative"),
    ];
    let examples: Vec<Example> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| Example { id: i.to_string(), text: c.0.into(), target: None, label: None, lang: None })
        .collect();
    let probs = tone.probabilities(&examples, &BatchConfig::default(), None, None).unwrap();
    for ((text, want), p) in cases.iter().zip(&probs) {
        let sum: f32 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to {sum}");
        let best = tone.labels()[standpoint::heads::metrics::argmax(p)].as_str();
        assert_eq!(best, *want, "{text}: {p:?}");
    }
    assert_eq!(tone.labels(), ["negative", "neutral", "positive"]);
}
