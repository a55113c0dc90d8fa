//! Pieces shared by every head's training: a seeded shuffle and temperature calibration.

use tch::{Kind, Tensor};

/// A small seeded generator (xorshift64): the same seed gives the same order on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// The temperature that minimises the negative log-likelihood of `gold` under `logits / T`,
/// searched on a grid from 0.25 to 5 in steps of 0.05.
pub fn temperature(logits: &Tensor, gold: &Tensor) -> f64 {
    (5..=100)
        .map(|k| k as f64 * 0.05)
        .map(|t| (t, (logits / t).log_softmax(-1, Kind::Float).nll_loss(gold).double_value(&[])))
        .fold((1.0, f64::INFINITY), |best, (t, nll)| if nll < best.1 { (t, nll) } else { best })
        .0
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// A linear model's score: `b + w · x`.
pub fn logit(w: &[f64], b: f64, x: &[f64]) -> f64 {
    b + w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()
}
