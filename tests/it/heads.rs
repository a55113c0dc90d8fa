//! The shipped tone head (models/heads/tone: fine-tuned top layers of the embedded encoder plus
//! a classifier) runs through the batching layer and reads clear-cut tone in several languages.

use standpoint::heads::tuned::Tuned;
use standpoint::model::{BatchConfig, Precision};

use crate::common::{model_dir, root};

#[test]
fn tone_head_reads_clear_tone_across_languages() {
    let (encoder, tuned) = Tuned::encoder(&model_dir(), &root().join("models/heads/tone"), Precision::Auto).unwrap();
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
    let texts: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let probs = tuned.probabilities(&encoder, &texts, None, &BatchConfig::default()).unwrap();
    for ((text, want), p) in cases.iter().zip(&probs) {
        let sum: f32 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to {sum}");
        let best = tuned.meta.labels[standpoint::heads::metrics::argmax(p)].as_str();
        assert_eq!(best, *want, "{text}: {p:?}");
    }
    assert_eq!(tuned.meta.labels, ["negative", "neutral", "positive"]);
}
