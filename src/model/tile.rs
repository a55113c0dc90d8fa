//! Sixteen f32 at a time, the same way on every x86-64 CPU: the vector arithmetic of
//! Standpoint's own kernels ([`super::attention`], the tagger's LSTM).
//!
//! A [`Tile`] is sixteen lanes with element-wise operations that are each exactly IEEE single
//! precision (fused multiply-add where asked, otherwise separate multiplies and adds, which Rust
//! never fuses), and an exponential built from them. Code written over a `Tile` runs as plain
//! code ([`Plain`]) or on AVX2 or AVX-512 registers ([`x86`]) with the same bits: the vector
//! width decides how many lanes go at once, never what a lane computes.

/// The kinds of vector unit the tiles run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Width {
    Plain,
    Avx2,
    Avx512,
}

/// A vector unit this CPU has (with FMA): made only here, by [`Unit::available`] and
/// [`Unit::widest`], so that holding one shows its code may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unit(Width);

impl Unit {
    pub(crate) fn width(self) -> Width {
        self.0
    }

    /// Every unit this CPU runs, plainest first.
    pub(crate) fn available() -> Vec<Unit> {
        let mut units = vec![Unit(Width::Plain)];
        #[cfg(target_arch = "x86_64")]
        {
            let fma = std::is_x86_feature_detected!("fma");
            if fma && std::is_x86_feature_detected!("avx2") {
                units.push(Unit(Width::Avx2));
            }
            if fma && std::is_x86_feature_detected!("avx512f") {
                units.push(Unit(Width::Avx512));
            }
        }
        units
    }

    /// The widest unit this CPU runs.
    pub(crate) fn widest() -> Unit {
        *Unit::available().last().expect("plain code runs anywhere")
    }
}

/// The constants of [`Tile::exp`]: `x = k·ln 2 + r` with `|r| ≤ ln 2 / 2`, then `2^k · p(r)`.
pub(crate) struct ExpConstants {
    /// Inputs below this are taken as it: the result, about 1e-38, is no softmax weight's
    /// business, and `2^k` stays a normal number.
    floor: f32,
    log2e: f32,
    /// 1.5·2^23: adding and subtracting it rounds to an integer.
    round: f32,
    ln2_hi: f32,
    ln2_lo: f32,
    /// Coefficients of `p(r) = 1 + r + r²·(…)`, highest first (Cephes' `expf`).
    poly: [f32; 6],
}

pub(crate) const EXP: ExpConstants = ExpConstants {
    floor: -87.0,
    log2e: std::f32::consts::LOG2_E,
    round: 12_582_912.0,
    ln2_hi: 0.693_359_4,
    ln2_lo: -2.121_944_4e-4,
    poly: [1.987_569_1e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 0.5],
};

/// A tile's width in f32: one AVX-512 register, two AVX2 registers.
pub(crate) const LANES: usize = 16;

/// A tile of [`LANES`] f32 and the element-wise operations the kernel uses, each exactly IEEE
/// single precision (no fused multiply-add), so that every implementation gives the same bits.
pub(crate) trait Tile: Copy {
    fn splat(x: f32) -> Self;
    fn load(x: &[f32]) -> Self;
    fn store(self, x: &mut [f32]);
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn max(self, other: Self) -> Self;
    fn min(self, other: Self) -> Self;
    fn div(self, other: Self) -> Self;
    /// `self + a·b` rounded once (a fused multiply-add).
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `2^k` for lanes holding whole numbers `k` in −126..=0.
    fn pow2(self) -> Self;
    /// `e^x` lane by lane for `x ≤ 0` (a softmax's shifted scores), to about 2 ulp ([`EXP`]).
    #[inline(always)]
    fn exp(self) -> Self {
        let c = Self::splat;
        let x = self.max(c(EXP.floor));
        let k = x.mul(c(EXP.log2e)).add(c(EXP.round)).sub(c(EXP.round));
        let r = x.sub(k.mul(c(EXP.ln2_hi))).sub(k.mul(c(EXP.ln2_lo)));
        // a plain loop, not a closure: a closure passed to a library function would be compiled
        // without the caller's vector features, and its intrinsics called instead of inlined
        let mut p = c(EXP.poly[0]);
        for &a in &EXP.poly[1..] {
            p = p.mul(r).add(c(a));
        }
        p.mul(r).mul(r).add(r).add(c(1.0)).mul(k.pow2())
    }
    /// The logistic function, `a / (a + b)` with `a = e^min(x, 0)` and `b = e^min(−x, 0)`:
    /// both exponentials of non-positive numbers, no branch.
    #[inline(always)]
    fn sigmoid(self) -> Self {
        let zero = Self::splat(0.0);
        let (a, b) = (self.min(zero).exp(), zero.sub(self).min(zero).exp());
        a.div(a.add(b))
    }
    /// `tanh`, `(a − b) / (a + b)` with `a = e^min(2x, 0)` and `b = e^min(−2x, 0)`.
    #[inline(always)]
    fn tanh(self) -> Self {
        let (zero, two) = (Self::splat(0.0), self.add(self));
        let (a, b) = (two.min(zero).exp(), zero.sub(two).min(zero).exp());
        a.sub(b).div(a.add(b))
    }
    /// The lanes, to fold in order.
    fn lanes(self) -> [f32; LANES] {
        let mut x = [0.0; LANES];
        self.store(&mut x);
        x
    }
}

/// Plain code: any CPU, vectorised by the compiler as far as the target allows.
#[derive(Clone, Copy)]
pub(crate) struct Plain(pub(crate) [f32; LANES]);

impl Tile for Plain {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        Plain([x; LANES])
    }
    #[inline(always)]
    fn load(x: &[f32]) -> Self {
        Plain(x[..LANES].try_into().expect("a tile"))
    }
    #[inline(always)]
    fn store(self, x: &mut [f32]) {
        x[..LANES].copy_from_slice(&self.0)
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Plain(std::array::from_fn(|l| self.0[l] + o.0[l]))
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Plain(std::array::from_fn(|l| self.0[l] - o.0[l]))
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Plain(std::array::from_fn(|l| self.0[l] * o.0[l]))
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        Plain(std::array::from_fn(|l| self.0[l].max(o.0[l])))
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        Plain(std::array::from_fn(|l| self.0[l].min(o.0[l])))
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        Plain(std::array::from_fn(|l| self.0[l] / o.0[l]))
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        Plain(std::array::from_fn(|l| a.0[l].mul_add(b.0[l], self.0[l])))
    }
    #[inline(always)]
    fn pow2(self) -> Self {
        Plain(self.0.map(|k| f32::from_bits(((k as i32 + 127) as u32) << 23)))
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    //! The tile on AVX-512 and AVX2 registers. Their methods run only inside functions compiled
    //! for those features (`#[target_feature]`), which are entered only on a CPU that has them
    //! (with FMA): that is what makes each `unsafe` below sound.

    use std::arch::x86_64::*;

    use super::{Tile, LANES};

    #[derive(Clone, Copy)]
    pub(crate) struct Avx512(__m512);

    impl Tile for Avx512 {
        #[inline(always)]
        fn splat(x: f32) -> Self {
            Avx512(unsafe { _mm512_set1_ps(x) })
        }
        #[inline(always)]
        fn load(x: &[f32]) -> Self {
            assert!(x.len() >= LANES);
            Avx512(unsafe { _mm512_loadu_ps(x.as_ptr()) })
        }
        #[inline(always)]
        fn store(self, x: &mut [f32]) {
            assert!(x.len() >= LANES);
            unsafe { _mm512_storeu_ps(x.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            Avx512(unsafe { _mm512_add_ps(self.0, o.0) })
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            Avx512(unsafe { _mm512_sub_ps(self.0, o.0) })
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            Avx512(unsafe { _mm512_mul_ps(self.0, o.0) })
        }
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            Avx512(unsafe { _mm512_max_ps(self.0, o.0) })
        }
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            Avx512(unsafe { _mm512_min_ps(self.0, o.0) })
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            Avx512(unsafe { _mm512_div_ps(self.0, o.0) })
        }
        #[inline(always)]
        fn mul_add(self, a: Self, b: Self) -> Self {
            Avx512(unsafe { _mm512_fmadd_ps(a.0, b.0, self.0) })
        }
        #[inline(always)]
        fn pow2(self) -> Self {
            Avx512(unsafe {
                _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_add_epi32(_mm512_cvtps_epi32(self.0), _mm512_set1_epi32(127))))
            })
        }
    }

    #[derive(Clone, Copy)]
    pub(crate) struct Avx2(__m256, __m256);

    impl Avx2 {
        #[inline(always)]
        fn each(self, o: Self, f: impl Fn(__m256, __m256) -> __m256) -> Self {
            Avx2(f(self.0, o.0), f(self.1, o.1))
        }
    }

    impl Tile for Avx2 {
        #[inline(always)]
        fn splat(x: f32) -> Self {
            let v = unsafe { _mm256_set1_ps(x) };
            Avx2(v, v)
        }
        #[inline(always)]
        fn load(x: &[f32]) -> Self {
            assert!(x.len() >= LANES);
            unsafe { Avx2(_mm256_loadu_ps(x.as_ptr()), _mm256_loadu_ps(x.as_ptr().add(8))) }
        }
        #[inline(always)]
        fn store(self, x: &mut [f32]) {
            assert!(x.len() >= LANES);
            unsafe {
                _mm256_storeu_ps(x.as_mut_ptr(), self.0);
                _mm256_storeu_ps(x.as_mut_ptr().add(8), self.1);
            }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            self.each(o, |a, b| unsafe { _mm256_add_ps(a, b) })
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            self.each(o, |a, b| unsafe { _mm256_sub_ps(a, b) })
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            self.each(o, |a, b| unsafe { _mm256_mul_ps(a, b) })
        }
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            self.each(o, |a, b| unsafe { _mm256_max_ps(a, b) })
        }
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            self.each(o, |a, b| unsafe { _mm256_min_ps(a, b) })
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            self.each(o, |a, b| unsafe { _mm256_div_ps(a, b) })
        }
        #[inline(always)]
        fn mul_add(self, a: Self, b: Self) -> Self {
            unsafe { Avx2(_mm256_fmadd_ps(a.0, b.0, self.0), _mm256_fmadd_ps(a.1, b.1, self.1)) }
        }
        #[inline(always)]
        fn pow2(self) -> Self {
            let pow2 = |k: __m256| unsafe {
                _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127))))
            };
            Avx2(pow2(self.0), pow2(self.1))
        }
    }
}
