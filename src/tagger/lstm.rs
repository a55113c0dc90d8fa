//! The tagger's LSTMs for inference: each row on its own, only over its real tokens.
//!
//! libtorch runs an LSTM through oneDNN, which at the tagger's batch sizes (the windows of one
//! article, often two) multiplies a 256-wide state by the recurrent weights as a tiny matrix
//! product per step, and repacks the weights on every call: most of the tagger's time. Here the
//! input projections of all steps are one matrix product (libtorch's), and the recurrence is a
//! matrix-vector product per step over weights packed once per call for sixteen-lane tiles
//! ([`crate::model::tile`]), with the gates' nonlinearities on the same tiles. Every sum runs in
//! a fixed order, so plain, AVX2 and AVX-512 code give the same bits; each row's numbers do not
//! depend on the other rows of its batch.

use rayon::prelude::*;
use tch::{Device, Kind, Tensor};

#[cfg(target_arch = "x86_64")]
use crate::model::tile::x86;
use crate::model::tile::{Plain, Tile, Unit, Width, LANES};

/// Gates computed together: eight tiles, eight independent sums in flight.
const GROUP: usize = 8 * LANES;

/// One direction's weights: PyTorch's `weight_ih` `[4·hidden, input]`, `weight_hh`
/// `[4·hidden, hidden]` and the two biases, gates in PyTorch's order (input, forget, cell,
/// output).
pub(crate) struct Weights<'a> {
    pub(crate) input: &'a Tensor,
    pub(crate) recurrent: &'a Tensor,
    pub(crate) input_bias: &'a Tensor,
    pub(crate) recurrent_bias: &'a Tensor,
}

/// The recurrent weights packed for [`step`]: per group of [`GROUP`] gates, per state element,
/// the group's weights side by side.
struct Packed {
    weights: Vec<f32>,
    hidden: usize,
}

impl Packed {
    fn new(recurrent: &Tensor) -> Option<Packed> {
        let (gates, hidden) = recurrent.size2().ok()?;
        let (gates, hidden) = (gates as usize, hidden as usize);
        if gates != 4 * hidden || !gates.is_multiple_of(GROUP) || !hidden.is_multiple_of(LANES) {
            return None;
        }
        let w = Vec::<f32>::try_from(recurrent.to_kind(Kind::Float).contiguous().view([-1])).ok()?;
        let mut weights = Vec::with_capacity(gates * hidden);
        for group in 0..gates / GROUP {
            for k in 0..hidden {
                weights.extend((0..GROUP).map(|j| w[(group * GROUP + j) * hidden + k]));
            }
        }
        Some(Packed { weights, hidden })
    }
}

/// `gates += W_hh · h`, the sums over `h` in order.
#[inline(always)]
fn recur<T: Tile>(packed: &Packed, h: &[f32], gates: &mut [f32]) {
    for (group, weights) in packed.weights.chunks_exact(packed.hidden * GROUP).enumerate() {
        let gates = &mut gates[group * GROUP..(group + 1) * GROUP];
        let mut acc = [T::splat(0.0); 8];
        for (i, acc) in acc.iter_mut().enumerate() {
            *acc = T::load(&gates[i * LANES..]);
        }
        for (&hk, w) in h.iter().zip(weights.chunks_exact(GROUP)) {
            let hk = T::splat(hk);
            for (i, acc) in acc.iter_mut().enumerate() {
                *acc = acc.mul_add(hk, T::load(&w[i * LANES..(i + 1) * LANES]));
            }
        }
        for (i, acc) in acc.iter().enumerate() {
            acc.store(&mut gates[i * LANES..]);
        }
    }
}

/// One row: `inputs` holds its steps' input projections (biases included), `[len, 4·hidden]`,
/// in the order they run; writes each step's state to `out` at the same index.
#[inline(always)]
fn row<T: Tile>(packed: &Packed, inputs: &[f32], out: &mut [f32]) {
    let hidden = packed.hidden;
    let (mut h, mut c, mut gates) = (vec![0.0f32; hidden], vec![0.0f32; hidden], vec![0.0f32; 4 * hidden]);
    for (input, state) in inputs.chunks_exact(4 * hidden).zip(out.chunks_exact_mut(hidden)) {
        gates.copy_from_slice(input);
        recur::<T>(packed, &h, &mut gates);
        for l in (0..hidden).step_by(LANES) {
            let i = T::load(&gates[l..]).sigmoid();
            let f = T::load(&gates[hidden + l..]).sigmoid();
            let cell = T::load(&gates[2 * hidden + l..]).tanh();
            let o = T::load(&gates[3 * hidden + l..]).sigmoid();
            let c_new = f.mul(T::load(&c[l..])).add(i.mul(cell));
            c_new.store(&mut c[l..]);
            let h_new = o.mul(c_new.tanh());
            h_new.store(&mut h[l..]);
            h_new.store(&mut state[l..]);
        }
    }
}

fn row_plain(packed: &Packed, inputs: &[f32], out: &mut [f32]) {
    row::<Plain>(packed, inputs, out)
}

/// # Safety
/// The CPU must have AVX-512F and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn row_avx512(packed: &Packed, inputs: &[f32], out: &mut [f32]) {
    row::<x86::Avx512>(packed, inputs, out)
}

/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_avx2(packed: &Packed, inputs: &[f32], out: &mut [f32]) {
    row::<x86::Avx2>(packed, inputs, out)
}

/// [`row`] on `unit`.
fn row_on(unit: Unit, packed: &Packed, inputs: &[f32], out: &mut [f32]) {
    match unit.width() {
        // SAFETY: a `Unit` is made only for a unit the CPU has, FMA included.
        #[cfg(target_arch = "x86_64")]
        Width::Avx512 => unsafe { row_avx512(packed, inputs, out) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Width::Avx2 => unsafe { row_avx2(packed, inputs, out) },
        _ => row_plain(packed, inputs, out),
    }
}

/// One LSTM direction over `x` `[rows, width, input]` (f32, batch first) whose row `r` has
/// `lens[r]` real steps: the states `[rows, width, hidden]`, 0 past each row's end. `reverse`
/// runs each row from its last real step to its first. `None` where the shapes do not fit the
/// kernel (the caller then runs libtorch's).
pub(crate) fn run(x: &Tensor, lens: &[usize], weights: &Weights, reverse: bool) -> Option<Tensor> {
    let (rows, width, _) = x.size3().ok()?;
    if x.device() != Device::Cpu || lens.len() != rows as usize || lens.iter().any(|&l| l > width as usize) {
        return None;
    }
    let packed = Packed::new(weights.recurrent)?;
    let hidden = packed.hidden;
    let bias = weights.input_bias + weights.recurrent_bias;
    let projected = x.to_kind(Kind::Float).matmul(&weights.input.to_kind(Kind::Float).tr()) + bias.to_kind(Kind::Float);
    let projected = Vec::<f32>::try_from(projected.contiguous().view([-1])).ok()?;
    let (per_in, per_out) = (width as usize * 4 * hidden, width as usize * hidden);
    let mut out = vec![0.0f32; rows as usize * per_out];
    let unit = Unit::widest();
    out.par_chunks_mut(per_out).zip(projected.par_chunks(per_in)).zip(lens).for_each(|((out, inputs), &len)| {
        let inputs = &inputs[..len * 4 * hidden];
        if reverse {
            // the steps in reverse order, then their states back in place
            let reversed: Vec<f32> = inputs.chunks_exact(4 * hidden).rev().flatten().copied().collect();
            let mut states = vec![0.0f32; len * hidden];
            row_on(unit, &packed, &reversed, &mut states);
            for (dst, src) in out.chunks_exact_mut(hidden).zip(states.chunks_exact(hidden).rev()) {
                dst.copy_from_slice(src);
            }
        } else {
            row_on(unit, &packed, inputs, &mut out[..len * hidden]);
        }
    });
    Some(Tensor::from_slice(&out).view([rows, width, hidden as i64]))
}

#[cfg(test)]
mod tests {
    use tch::{nn, nn::RNN, Device, Kind, Tensor};

    use super::*;

    fn lstm(hidden: i64) -> (nn::VarStore, nn::LSTM) {
        tch::manual_seed(5);
        let vs = nn::VarStore::new(Device::Cpu);
        let lstm = nn::lstm(&vs.root() / "forward", 24, hidden, Default::default());
        (vs, lstm)
    }

    fn weights(vs: &nn::VarStore) -> [Tensor; 4] {
        let v = vs.variables();
        ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"].map(|n| v[&format!("forward.{n}")].detach())
    }

    /// libtorch's LSTM over each row's real steps, row by row.
    #[test]
    fn the_same_states_as_libtorchs_lstm() {
        let (vs, lstm) = lstm(32);
        let [input, recurrent, input_bias, recurrent_bias] = weights(&vs);
        let w = Weights { input: &input, recurrent: &recurrent, input_bias: &input_bias, recurrent_bias: &recurrent_bias };
        let x = (Tensor::arange(3 * 11 * 24, (Kind::Float, Device::Cpu)) * 0.37).sin().view([3, 11, 24]);
        let lens = [11usize, 6, 1];
        for reverse in [false, true] {
            let got = tch::no_grad(|| run(&x, &lens, &w, reverse)).expect("the kernel applies");
            for (r, &len) in lens.iter().enumerate() {
                let row = x.get(r as i64).narrow(0, 0, len as i64);
                let row = if reverse { row.flip([0]) } else { row };
                let (want, _) = tch::no_grad(|| lstm.seq(&row.unsqueeze(0)));
                let want = if reverse { want.get(0).flip([0]) } else { want.get(0) };
                let got_row = got.get(r as i64).narrow(0, 0, len as i64);
                let diff = (&got_row - &want).abs().max().double_value(&[]);
                assert!(diff < 1e-5, "row {r}, reverse {reverse}: largest difference {diff}");
                let past = got.get(r as i64).narrow(0, len as i64, 11 - len as i64).abs().sum(Kind::Float).double_value(&[]);
                assert_eq!(past, 0.0);
            }
        }
    }

    #[test]
    fn the_same_bits_on_every_vector_unit() {
        let (vs, _) = lstm(32);
        let [input, recurrent, input_bias, recurrent_bias] = weights(&vs);
        let packed = Packed::new(&recurrent).unwrap();
        let projected = tch::no_grad(|| {
            (Tensor::arange(9 * 24, (Kind::Float, Device::Cpu)) * 0.53).cos().view([9, 24]).matmul(&input.tr())
                + &input_bias
                + &recurrent_bias
        });
        let inputs = Vec::<f32>::try_from(projected.view([-1])).unwrap();
        let mut out = vec![0.0f32; 9 * 32];
        let mut results = Vec::new();
        for unit in Unit::available() {
            row_on(unit, &packed, &inputs, &mut out);
            results.push(out.clone());
        }
        let bits = |v: &Vec<f32>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert!(results.iter().all(|r| bits(r) == bits(&results[0])), "{} paths disagree", results.len());
    }
}
