//! A small classification head on sentence vectors: standardise → linear → GELU → dropout →
//! linear, trained reproducibly, with a temperature fitted for calibrated probabilities.
//!
//! Training holds out a seeded slice of the *training* data for early stopping and for the
//! temperature, so the dev split stays untouched for reporting.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT, OptimizerConfig};
use tch::{Device, Kind, Reduction, Tensor};

use super::fitting::{self, Rng};
use super::labelled::Task;
use super::metrics;
use super::HeadError;

/// Hyper-parameters, recorded with the trained head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeadConfig {
    pub hidden: usize,
    pub dropout: f64,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub batch_size: usize,
    pub max_epochs: usize,
    /// Epochs without a better held-out macro-F1 before stopping.
    pub patience: usize,
    /// Share of the training data held out for early stopping and temperature fitting.
    pub holdout: f64,
    pub seed: u64,
}

impl Default for HeadConfig {
    fn default() -> Self {
        HeadConfig {
            hidden: 512,
            dropout: 0.2,
            learning_rate: 1e-3,
            weight_decay: 1e-2,
            batch_size: 64,
            max_epochs: 60,
            patience: 8,
            holdout: 0.1,
            seed: 13,
        }
    }
}

/// Everything needed to rebuild and trust a head, saved as `head.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadMeta {
    pub format: u32,
    pub task: Task,
    pub labels: Vec<String>,
    pub input_dim: usize,
    pub temperature: f64,
    pub config: HeadConfig,
    /// The encoder the features came from (its `standpoint.json` source) and its arithmetic.
    pub encoder: String,
    pub precision: String,
    pub epochs_trained: usize,
    pub holdout_macro_f1: f64,
    /// Input rows end with the tone head's P(negative, neutral, positive) for the same text.
    #[serde(default)]
    pub reads_tone: bool,
    /// Free-form record of the run: data files with hashes, counts, dev metrics.
    pub record: serde_json::Value,
}

pub struct Head {
    vs: nn::VarStore,
    net: nn::SequentialT,
    mean: Tensor,
    std: Tensor,
    pub meta: HeadMeta,
}

fn network(root: &nn::Path, input: usize, hidden: usize, classes: usize, dropout: f64) -> nn::SequentialT {
    nn::seq_t()
        .add(nn::linear(root / "fc1", input as i64, hidden as i64, Default::default()))
        .add_fn(|x| x.gelu("none"))
        .add_fn_t(move |x, train| x.dropout(dropout, train))
        .add(nn::linear(root / "fc2", hidden as i64, classes as i64, Default::default()))
}

impl Head {
    fn new(meta: HeadMeta) -> Self {
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let net = network(&root, meta.input_dim, meta.config.hidden, meta.labels.len(), meta.config.dropout);
        let mean = root.zeros_no_train("mean", &[meta.input_dim as i64]);
        let std = root.ones_no_train("std", &[meta.input_dim as i64]);
        Head { vs, net, mean, std, meta }
    }

    fn logits(&self, x: &Tensor, train: bool) -> Tensor {
        self.net.forward_t(&((x - &self.mean) / &self.std), train)
    }

    /// Calibrated class probabilities for row-major inputs.
    pub fn probabilities(&self, x: &[f32]) -> Result<Vec<Vec<f32>>, HeadError> {
        let n = x.len() / self.meta.input_dim.max(1);
        if n == 0 {
            return Ok(Vec::new());
        }
        let x = Tensor::from_slice(x).view([n as i64, self.meta.input_dim as i64]);
        let p = tch::no_grad(|| (self.logits(&x, false) / self.meta.temperature).softmax(-1, Kind::Float));
        let flat = Vec::<f32>::try_from(p.contiguous().view([-1]))?;
        Ok(flat.chunks(self.meta.labels.len()).map(<[f32]>::to_vec).collect())
    }

    pub fn save(&self, dir: &Path) -> Result<(), HeadError> {
        std::fs::create_dir_all(dir).map_err(|source| HeadError::Io { path: dir.display().to_string(), source })?;
        self.vs.save(dir.join("head.safetensors"))?;
        super::write_model(dir, "head.json", &self.meta)
    }

    pub fn load(dir: &Path) -> Result<Self, HeadError> {
        let meta: HeadMeta = super::read_model(dir, "head.json")?;
        let mut head = Head::new(meta);
        head.vs.load(dir.join("head.safetensors"))?;
        Ok(head)
    }

    /// Trains on row-major `x` (`y` indexes the task's labels).
    pub fn train(
        task: Task,
        x: &[f32],
        y: &[usize],
        config: &HeadConfig,
        encoder: String,
        precision: String,
    ) -> Result<Self, HeadError> {
        let classes = task.labels().len();
        let n = y.len();
        let dim = x.len() / n.max(1);
        if n < 10 {
            return Err(HeadError::Data(format!("only {n} training examples")));
        }
        tch::manual_seed(config.seed as i64);
        let mut rng = Rng::new(config.seed);
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let n_hold = ((n as f64 * config.holdout) as usize).clamp(1, n - 1);
        let (hold, fit) = order.split_at(n_hold);

        let rows = |idx: &[usize]| -> (Tensor, Tensor) {
            let flat: Vec<f32> = idx.iter().flat_map(|&i| x[i * dim..(i + 1) * dim].iter().copied()).collect();
            let labels: Vec<i64> = idx.iter().map(|&i| y[i] as i64).collect();
            (Tensor::from_slice(&flat).view([idx.len() as i64, dim as i64]), Tensor::from_slice(&labels))
        };
        let (x_fit, y_fit) = rows(fit);
        let (x_hold, y_hold) = rows(hold);

        let meta = HeadMeta {
            format: 1,
            task,
            labels: task.labels().iter().map(|s| s.to_string()).collect(),
            input_dim: dim,
            temperature: 1.0,
            config: config.clone(),
            encoder,
            precision,
            epochs_trained: 0,
            holdout_macro_f1: 0.0,
            reads_tone: false,
            record: serde_json::Value::Null,
        };
        let mut head = Head::new(meta);
        tch::no_grad(|| {
            head.mean.copy_(&x_fit.mean_dim(0, false, Kind::Float));
            head.std.copy_(&(x_fit.std_dim(0, true, false) + 1e-6));
        });
        // Inverse-frequency class weights: the datasets are far from balanced.
        let counts: Vec<f64> = (0..classes).map(|k| fit.iter().filter(|&&i| y[i] == k).count().max(1) as f64).collect();
        let weights: Vec<f32> = counts.iter().map(|c| (fit.len() as f64 / (classes as f64 * c)) as f32).collect();
        let weights = Tensor::from_slice(&weights);

        let mut opt = nn::AdamW::default().build(&head.vs, config.learning_rate)?;
        opt.set_weight_decay(config.weight_decay);
        let gold_hold: Vec<usize> = hold.iter().map(|&i| y[i]).collect();
        let labels: Vec<&str> = task.labels().to_vec();
        let (mut best_f1, mut best_epoch, mut best_weights) = (-1.0, 0, Vec::new());
        let mut batch_order: Vec<i64> = (0..fit.len() as i64).collect();
        for epoch in 1..=config.max_epochs {
            rng.shuffle(&mut batch_order);
            for chunk in batch_order.chunks(config.batch_size) {
                let idx = Tensor::from_slice(chunk);
                let logits = head.logits(&x_fit.index_select(0, &idx), true);
                let loss = logits.cross_entropy_loss::<&Tensor>(&y_fit.index_select(0, &idx), Some(&weights), Reduction::Mean, -100, 0.0);
                opt.backward_step(&loss);
            }
            let probs = tch::no_grad(|| head.logits(&x_hold, false).softmax(-1, Kind::Float));
            let probs: Vec<Vec<f32>> = Vec::<f32>::try_from(probs.view([-1]))?.chunks(classes).map(<[f32]>::to_vec).collect();
            let f1 = metrics::report(&labels, &gold_hold, &probs, &vec![None; gold_hold.len()])["macro_f1"].as_f64().unwrap_or(0.0);
            if f1 > best_f1 {
                best_f1 = f1;
                best_epoch = epoch;
                best_weights = head.vs.variables().into_iter().map(|(k, v)| (k, v.detach().copy())).collect();
            } else if epoch - best_epoch >= config.patience {
                break;
            }
        }
        tch::no_grad(|| {
            let mut vars = head.vs.variables();
            for (k, v) in &best_weights {
                if let Some(var) = vars.get_mut(k) {
                    var.copy_(v);
                }
            }
        });
        head.meta.epochs_trained = best_epoch;
        head.meta.holdout_macro_f1 = best_f1;
        head.meta.temperature = fitting::temperature(&tch::no_grad(|| head.logits(&x_hold, false)), &y_hold);
        Ok(head)
    }
}


impl std::fmt::Debug for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Head").field("meta", &self.meta).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_problem_and_round_trips() {
        // Three clusters in 8 dimensions; a trained head must separate them.
        let mut rng = Rng::new(7);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..600 {
            let k = i % 3;
            for d in 0..8 {
                let noise = (rng.next() % 1000) as f32 / 1000.0 - 0.5;
                x.push(if d == k { 2.0 } else { 0.0 } + noise);
            }
            y.push(k);
        }
        let config = HeadConfig { hidden: 16, max_epochs: 30, ..HeadConfig::default() };
        let head = Head::train(Task::Sentiment, &x, &y, &config, "test".into(), "f32".into()).unwrap();
        let probs = head.probabilities(&x).unwrap();
        let correct = probs.iter().zip(&y).filter(|(p, k)| metrics::argmax(p) == **k).count();
        assert!(correct > 570, "{correct}/600");
        let dir = std::env::temp_dir().join(format!("standpoint-head-{}", std::process::id()));
        head.save(&dir).unwrap();
        let again = Head::load(&dir).unwrap();
        assert_eq!(again.probabilities(&x[..8]).unwrap(), head.probabilities(&x[..8]).unwrap());
        std::fs::remove_dir_all(&dir).ok();
    }
}
