//! Multi-head self-attention for the short sequences news sentences make, on CPU.
//!
//! libtorch's fused attention tiles its work for long sequences: on a sentence of about 50
//! tokens with 32-wide heads, most of its time goes to calling small matrix kernels, and
//! attention took about a third of the encoder's time for 2% of its arithmetic. This kernel
//! does one (sentence, head) at a time in f32 in the core's cache: scores, softmax and the
//! weighted sum of values, with masked keys left out rather than added at −10000 (the same
//! result: their weights are 0 either way).
//!
//! # The same bits on every CPU
//! The arithmetic is `super::tile`'s: every sum runs in a fixed order (scores over the head's
//! features, the weighted values over keys, the softmax's maximum and sum in sixteen lanes and
//! then lane by lane), with fused multiply-adds on every path, and the exponential is the tile's
//! own polynomial. The vector width the CPU offers (SSE2, AVX2, AVX-512) changes how many of
//! those independent operations run at once, never their results:
//! a test holds the widest and the plainest code to the same bits.

use rayon::prelude::*;
use tch::{Device, Kind, Tensor};

#[cfg(target_arch = "x86_64")]
use super::tile::x86;
use super::tile::{Plain, Tile, Unit, Width, LANES};

/// A tensor element the kernel reads and writes: f32, or bf16 as its 16 bits.
trait Element: Copy + Send + Sync {
    fn load(self) -> f32;
    fn store(x: f32) -> Self;
}

impl Element for f32 {
    #[inline(always)]
    fn load(self) -> f32 {
        self
    }
    #[inline(always)]
    fn store(x: f32) -> Self {
        x
    }
}

/// bf16 as the upper half of an f32; stored rounded to nearest, ties to even, as libtorch does.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct Bf16(u16);

impl Element for Bf16 {
    #[inline(always)]
    fn load(self) -> f32 {
        f32::from_bits((self.0 as u32) << 16)
    }
    #[inline(always)]
    fn store(x: f32) -> Self {
        let bits = x.to_bits();
        if x.is_nan() {
            return Bf16(((bits >> 16) | 0x40) as u16);
        }
        let rounding = 0x7fff + ((bits >> 16) & 1);
        Bf16((bits.wrapping_add(rounding) >> 16) as u16)
    }
}

/// Scratch space for one sentence, reused across its heads.
#[derive(Default)]
struct Scratch {
    /// The sentence's queries, keys and values in f32, `[tokens, 3·hidden]`.
    qkv: Vec<f32>,
    /// One head's keys transposed, `[head width, padded keys]` (the padding 0), and values,
    /// `[keys, head width]`.
    keys: Vec<f32>,
    values: Vec<f32>,
    /// A block of query rows' scores, then softmax weights: `[rows, padded keys]`.
    scores: Vec<f32>,
    /// The context, `[tokens, hidden]`, before it is stored in the tensor's kind.
    out: Vec<f32>,
}

/// Heads, and the hidden width they split.
#[derive(Clone, Copy)]
struct Shape {
    heads: usize,
    hidden: usize,
}

/// One sentence: `qkv` is `[tokens, 3·hidden]` (queries, keys, values, each of `heads` blocks),
/// `open` the positions of its unmasked keys, `out` is `[tokens, hidden]`. `ROWS` query rows
/// go together, each reusing the tile of keys or values loaded for all; every row's numbers
/// are the same whatever `ROWS` is.
#[inline(always)]
fn sentence<E: Element, T: Tile, const ROWS: usize>(qkv: &[E], open: &[usize], shape: Shape, out: &mut [E], s: &mut Scratch) {
    let Shape { heads, hidden } = shape;
    let tokens = out.len() / hidden;
    let (width, keys, stride) = (hidden / heads, open.len(), 3 * hidden);
    let padded = keys.div_ceil(LANES) * LANES;
    let scale = T::splat(1.0 / (width as f32).sqrt());
    s.qkv.clear();
    s.qkv.extend(qkv.iter().map(|e| e.load()));
    s.keys.clear();
    s.keys.resize(width * padded, 0.0);
    s.values.resize(keys * width, 0.0);
    s.scores.resize(ROWS * padded, 0.0);
    s.out.resize(tokens * hidden, 0.0);
    assert!(s.qkv.len() == tokens * stride && open.iter().all(|&t| t < tokens));
    for h in 0..heads {
        let (q_at, k_at, v_at) = (h * width, hidden + h * width, 2 * hidden + h * width);
        for (j, &t) in open.iter().enumerate() {
            let row = &s.qkv[t * stride..(t + 1) * stride];
            for (c, &k) in row[k_at..k_at + width].iter().enumerate() {
                s.keys[c * padded + j] = k;
            }
            s.values[j * width..(j + 1) * width].copy_from_slice(&row[v_at..v_at + width]);
        }
        for first in (0..tokens).step_by(ROWS) {
            let rows = ROWS.min(tokens - first);
            // Where each row's query starts; a last, short block repeats its last row, and
            // writes only its own.
            let query: [usize; ROWS] = std::array::from_fn(|r| (first + r.min(rows - 1)) * stride + q_at);
            for tile in (0..padded).step_by(LANES) {
                let mut acc = [T::splat(0.0); ROWS];
                for (c, keys) in s.keys.chunks_exact(padded).enumerate() {
                    let k = T::load(&keys[tile..tile + LANES]);
                    for (acc, &at) in acc.iter_mut().zip(&query) {
                        // SAFETY: `at + c` < `at + width` ≤ `tokens · stride`, the length
                        // asserted above.
                        let q = unsafe { *s.qkv.get_unchecked(at + c) };
                        *acc = acc.mul_add(T::splat(q), k);
                    }
                }
                for (r, acc) in acc.iter().enumerate() {
                    acc.store(&mut s.scores[r * padded + tile..]);
                }
            }
            let mut inverse = [0.0f32; ROWS];
            for (r, row) in s.scores.chunks_exact_mut(padded).enumerate() {
                row[keys..].fill(f32::NEG_INFINITY);
                // loops, not closures, around tile operations (see `Tile::exp`)
                let mut max = T::splat(f32::NEG_INFINITY);
                for t in row.chunks_exact(LANES) {
                    max = max.max(T::load(t));
                }
                let max = T::splat(max.lanes().into_iter().fold(f32::NEG_INFINITY, f32::max));
                let mut sum = T::splat(0.0);
                for t in row.chunks_exact_mut(LANES) {
                    let w = T::load(t).sub(max).mul(scale).exp();
                    w.store(t);
                    sum = sum.add(w);
                }
                // the padding's weights (about 1e-38 each) leave the sum unchanged in f32
                inverse[r] = 1.0 / sum.lanes().into_iter().fold(0.0, |a, b| a + b);
            }
            for tile in (0..width).step_by(LANES) {
                let mut acc = [T::splat(0.0); ROWS];
                for (j, values) in s.values.chunks_exact(width).enumerate() {
                    let v = T::load(&values[tile..tile + LANES]);
                    for (r, acc) in acc.iter_mut().enumerate() {
                        // SAFETY: `r · padded + j` < `ROWS · padded`, the scores' length.
                        let w = unsafe { *s.scores.get_unchecked(r * padded + j) };
                        *acc = acc.mul_add(T::splat(w), v);
                    }
                }
                for (r, acc) in acc.iter().enumerate().take(rows) {
                    let at = (first + r) * hidden + q_at + tile;
                    acc.mul(T::splat(inverse[r])).store(&mut s.out[at..at + LANES]);
                }
            }
        }
    }
    for (dst, &o) in out.iter_mut().zip(&s.out) {
        *dst = E::store(o);
    }
}

/// [`sentence`] on plain code.
fn sentence_plain<E: Element>(qkv: &[E], open: &[usize], shape: Shape, out: &mut [E], s: &mut Scratch) {
    sentence::<E, Plain, 4>(qkv, open, shape, out, s)
}

/// [`sentence`] on AVX-512 registers: the same operations, sixteen at a time.
///
/// # Safety
/// The CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn sentence_avx512<E: Element>(qkv: &[E], open: &[usize], shape: Shape, out: &mut [E], s: &mut Scratch) {
    sentence::<E, x86::Avx512, 8>(qkv, open, shape, out, s)
}

/// [`sentence`] on AVX2 registers: eight at a time.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sentence_avx2<E: Element>(qkv: &[E], open: &[usize], shape: Shape, out: &mut [E], s: &mut Scratch) {
    sentence::<E, x86::Avx2, 4>(qkv, open, shape, out, s)
}

/// [`sentence`] on `unit`.
fn sentence_on<E: Element>(unit: Unit, qkv: &[E], open: &[usize], shape: Shape, out: &mut [E], s: &mut Scratch) {
    match unit.width() {
        // SAFETY: a `Unit` is made only for a unit the CPU has, FMA included.
        #[cfg(target_arch = "x86_64")]
        Width::Avx512 => unsafe { sentence_avx512(qkv, open, shape, out, s) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Width::Avx2 => unsafe { sentence_avx2(qkv, open, shape, out, s) },
        _ => sentence_plain(qkv, open, shape, out, s),
    }
}

/// Each sentence's unmasked key positions, read once per forward pass from the additive mask.
pub(crate) struct OpenKeys(Vec<Vec<usize>>);

impl OpenKeys {
    /// From an additive mask `[batch, 1, 1, tokens]` (0 where a key is open). A sentence with no
    /// open key (no real text has one) opens all of them, as an additive mask does.
    pub(crate) fn from_additive(mask: &Tensor) -> Option<Self> {
        let size = mask.size();
        let (batch, tokens) = (*size.first()?, *size.last()?);
        if size.len() != 4 || size[1] != 1 || size[2] != 1 {
            return None;
        }
        let open = Vec::<u8>::try_from(mask.eq(0.0).to_kind(Kind::Uint8).reshape([-1])).ok()?;
        let rows = open.chunks(tokens.max(1) as usize).take(batch as usize).map(|row| {
            let keys: Vec<usize> = row.iter().enumerate().filter(|(_, &o)| o != 0).map(|(t, _)| t).collect();
            if keys.is_empty() {
                (0..row.len()).collect()
            } else {
                keys
            }
        });
        Some(OpenKeys(rows.collect()))
    }
}

/// Self-attention over `qkv`, `[batch, tokens, 3·hidden]` (the stacked query, key and value
/// projections), with `heads` heads and each sentence's `open` keys: the context,
/// `[batch, tokens, hidden]`, in `qkv`'s kind. `None` where this kernel does not apply (not on
/// CPU, neither f32 nor bf16, gradients wanted, shapes that do not fit): the caller then uses
/// libtorch's.
pub(crate) fn self_attention(qkv: &Tensor, open: &OpenKeys, heads: i64) -> Option<Tensor> {
    let (batch, tokens, stacked) = qkv.size3().ok()?;
    let hidden = stacked / 3;
    let fits = qkv.device() == Device::Cpu
        && !qkv.requires_grad()
        && heads > 0
        && stacked == 3 * hidden
        && hidden % heads == 0
        && ((hidden / heads) as usize).is_multiple_of(LANES)
        && open.0.len() == batch as usize
        && open.0.iter().flatten().all(|&t| t < tokens as usize);
    if !fits {
        return None;
    }
    let qkv = qkv.contiguous();
    let mut out = Tensor::empty([batch, tokens, hidden], (qkv.kind(), Device::Cpu));
    if batch == 0 || tokens == 0 {
        return Some(out);
    }
    let shape = Shape { heads: heads as usize, hidden: hidden as usize };
    // SAFETY (both): a contiguous CPU tensor whose elements are `E` (the caller matches `E` to
    // the kind), viewed for no longer than the borrow of the tensor; `out` is new and nothing
    // else reads it while the kernel writes.
    unsafe fn read<E>(t: &Tensor) -> &[E] {
        std::slice::from_raw_parts(t.data_ptr() as *const E, t.numel())
    }
    unsafe fn write<E>(t: &mut Tensor) -> &mut [E] {
        std::slice::from_raw_parts_mut(t.data_ptr() as *mut E, t.numel())
    }
    fn run<E: Element>(qkv: &[E], out: &mut [E], open: &OpenKeys, shape: Shape) {
        let (per_in, per_out) = (qkv.len() / open.0.len(), out.len() / open.0.len());
        let unit = Unit::widest();
        out.par_chunks_mut(per_out)
            .zip(qkv.par_chunks(per_in))
            .zip(&open.0)
            .for_each_init(Scratch::default, |s, ((out, qkv), open)| sentence_on(unit, qkv, open, shape, out, s));
    }
    match qkv.kind() {
        Kind::Float => unsafe { run::<f32>(read(&qkv), write(&mut out), open, shape) },
        Kind::BFloat16 => unsafe { run::<Bf16>(read(&qkv), write(&mut out), open, shape) },
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use tch::{Device, Kind, Tensor};

    use super::*;

    /// Random stacked projections `[batch, tokens, 3·hidden]` and an additive mask in which
    /// sentence `b` has `lengths[b]` open keys.
    fn inputs(lengths: &[i64], tokens: i64, hidden: i64, kind: Kind) -> (Tensor, Tensor) {
        let batch = lengths.len() as i64;
        // spread like projections (up to about ±3), the same whatever else runs meanwhile
        let n = batch * tokens * 3 * hidden;
        let qkv = ((Tensor::arange(n, (Kind::Float, Device::Cpu)) * 0.7351).sin() * 3.0).view([batch, tokens, 3 * hidden]).to_kind(kind);
        let open = Tensor::arange(tokens, (Kind::Int64, Device::Cpu)).unsqueeze(0).lt_tensor(&Tensor::from_slice(lengths).unsqueeze(1));
        let closed: Tensor = 1.0 - open.to_kind(Kind::Float);
        let mask = (closed * -10000.0).to_kind(kind).unsqueeze(1).unsqueeze(1);
        (qkv, mask)
    }

    /// libtorch's fused attention on the same inputs, in f32.
    fn libtorch(qkv: &Tensor, mask: &Tensor, heads: i64) -> Tensor {
        let (batch, tokens, stacked) = qkv.size3().unwrap();
        let hidden = stacked / 3;
        let qkv = qkv.to_kind(Kind::Float).view([batch, tokens, 3, heads, hidden / heads]).permute([2, 0, 3, 1, 4]);
        let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
        let mask = mask.to_kind(Kind::Float);
        let context = Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&mask), 0.0, false, None::<f64>);
        context.transpose(1, 2).reshape([batch, tokens, hidden])
    }

    fn largest_difference(a: &Tensor, b: &Tensor) -> f64 {
        (a.to_kind(Kind::Float) - b.to_kind(Kind::Float)).abs().max().double_value(&[])
    }

    #[test]
    fn the_same_attention_as_libtorch() {
        // heads 16 and 32 wide; a full sentence, padded ones, one of a single token, lengths
        // that fill no tile and no block of rows exactly
        for (heads, hidden) in [(4, 64), (2, 64), (12, 384)] {
            let (qkv, mask) = inputs(&[37, 21, 1, 33], 37, hidden, Kind::Float);
            let open = OpenKeys::from_additive(&mask).unwrap();
            let got = self_attention(&qkv, &open, heads).expect("the kernel applies");
            let diff = largest_difference(&got, &libtorch(&qkv, &mask, heads));
            assert!(diff < 2e-5, "heads {heads}: largest difference {diff}");
        }
    }

    #[test]
    fn bf16_in_and_out_within_bf16_rounding() {
        let (qkv, mask) = inputs(&[29, 17], 29, 384, Kind::BFloat16);
        let open = OpenKeys::from_additive(&mask).unwrap();
        let got = self_attention(&qkv, &open, 12).expect("the kernel applies");
        assert_eq!(got.kind(), Kind::BFloat16);
        let want = libtorch(&qkv, &mask, 12);
        // one bf16 rounding of the f32 result: half a unit in the last of 8 bits, and a margin
        let excess = ((got.to_kind(Kind::Float) - &want).abs() - want.abs() * 2f64.powi(-8)).max().double_value(&[]);
        assert!(excess <= 1e-6, "beyond bf16 rounding by {excess}");
    }

    #[test]
    fn declines_what_it_does_not_do() {
        let (qkv, mask) = inputs(&[5], 5, 24, Kind::Float);
        let open = OpenKeys::from_additive(&mask).unwrap();
        assert!(self_attention(&qkv, &open, 3).is_none(), "8-wide heads are libtorch's");
        let (qkv, _) = inputs(&[5], 5, 64, Kind::Half);
        assert!(self_attention(&qkv, &open, 4).is_none(), "f16 is libtorch's");
    }

    /// Every code path gives the same bits: plain code, and AVX2 and AVX-512 where the CPU has
    /// them. That is what makes the numbers independent of the CPU's vector width.
    #[test]
    fn the_same_bits_on_every_vector_unit() {
        fn paths<E: Element>(qkv: &[E], open: &[usize], shape: Shape, tokens: usize) -> Vec<Vec<u32>> {
            let bits = |out: &[E]| out.iter().map(|e| e.load().to_bits()).collect::<Vec<u32>>();
            let mut out = vec![E::store(0.0); tokens * shape.hidden];
            let mut results = Vec::new();
            for unit in Unit::available() {
                sentence_on(unit, qkv, open, shape, &mut out, &mut Scratch::default());
                results.push(bits(&out));
            }
            results
        }
        let (tokens, shape) = (23, Shape { heads: 3, hidden: 96 });
        let (qkv, mask) = inputs(&[19], tokens as i64, shape.hidden as i64, Kind::Float);
        let open = OpenKeys::from_additive(&mask).unwrap();
        let values = Vec::<f32>::try_from(qkv.reshape([-1])).unwrap();
        let results = paths(&values, &open.0[0], shape, tokens);
        assert!(results.iter().all(|r| r == &results[0]), "f32: {} paths disagree", results.len());
        let halves: Vec<Bf16> = values.iter().map(|&x| Bf16::store(x)).collect();
        let results = paths(&halves, &open.0[0], shape, tokens);
        assert!(results.iter().all(|r| r == &results[0]), "bf16: {} paths disagree", results.len());
    }

    #[test]
    fn exp_to_a_few_ulp() {
        let worst = (0..=870_000)
            .map(|i| -(i as f32) * 1e-4)
            .map(|x| ((Plain::splat(x).exp().0[0] as f64 - (x as f64).exp()) / (x as f64).exp()).abs())
            .fold(0.0, f64::max);
        assert!(worst < 3e-7, "largest relative error {worst}");
    }

    #[test]
    fn bf16_rounds_as_libtorch_does() {
        tch::manual_seed(3);
        let x = Tensor::randn([4096], (Kind::Float, Device::Cpu)) * 1000.0;
        let values = Vec::<f32>::try_from(&x).unwrap();
        let want = Vec::<f32>::try_from(x.to_kind(Kind::BFloat16).to_kind(Kind::Float)).unwrap();
        for (v, w) in values.iter().zip(&want) {
            assert_eq!(Bf16::store(*v).load().to_bits(), w.to_bits(), "{v}");
        }
    }
}
