//! Process-wide settings for libtorch on CPU: the allocator, and how model work uses threads.
//!
//! # Threads and reproducible numbers
//! A matrix product's last bits depend on how its kernel splits the work, and libtorch's CPU
//! kernels (oneDNN, MKL) choose the split from the shapes and the number of threads. A
//! statement's scores would then depend on which other statements shared its batch (the padding
//! width and row count) and on the thread count, and bf16 rounding after every layer carries
//! such a last-bit difference up to the third decimal of a confidence. So `score` fixes both:
//! - every article's texts are batched by themselves ([`crate::pipeline`]), never with another
//!   article's, so a batch's shapes come from the article alone, whatever the chunk or shard;
//! - every batch runs its kernels on one thread ([`per_pass`]), and `--threads N` runs N
//!   articles at a time ([`workers`]). The thread count then decides the speed, not a number.
//!
//! What remains is the arithmetic. libtorch picks each kernel's code by the CPU's features
//! (AVX2, AVX-512, AVX512-BF16, AMX), so two CPUs that differ there give different last bits:
//! in bf16 up to the third decimal, in f32 rarely the fourth. [`portable_kernels`] holds every
//! kernel to its AVX2 code, which any x86-64 CPU since 2015 runs the same way. Standpoint's own
//! kernels (the encoder's attention, the tagger's LSTMs) give the same bits on every x86-64 CPU
//! whatever the setting (`model::tile`).

/// Keeps large tensor buffers on the heap instead of mapping and unmapping them on every batch.
///
/// With glibc's defaults each forward pass `mmap`s and `munmap`s its activations, which costs
/// seconds of kernel time per thousand sentences. Raising the thresholds removes that.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator thresholds; called before any threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// libtorch's kernels run on the calling thread only: each forward pass is computed the same
/// way whatever the machine's core count or `OMP_NUM_THREADS`. For `score` and `embed`.
pub fn per_pass() {
    tch::set_num_threads(1);
}

/// Threads libtorch's kernels split one pass over: `eval` and training, where one large batch
/// at a time is the work. Their figures may differ in the last bits with `threads`.
pub fn kernel_threads(threads: usize) {
    tch::set_num_threads(threads.max(1) as i32);
}

/// The environment variables that hold libtorch's kernels to their AVX2 code: ATen's own
/// kernels, MKL's (conditional numerical reproducibility) and oneDNN's.
pub const PORTABLE_KERNELS: [(&str, &str); 3] = [("ATEN_CPU_CAPABILITY", "avx2"), ("MKL_CBWR", "AVX2"), ("ONEDNN_MAX_CPU_ISA", "AVX2")];

/// Holds libtorch's kernels to their AVX2 code (for `--precision f32-portable`). libtorch reads
/// these settings once, at its first use: call this before any tensor is made.
pub fn portable_kernels() {
    for (name, value) in PORTABLE_KERNELS {
        // SAFETY: set once at start-up, before libtorch or any other thread reads the environment.
        std::env::set_var(name, value);
    }
}

/// Which code libtorch's kernels run: `native` (chosen by the CPU's features), or the settings
/// that hold it (`ATEN_CPU_CAPABILITY=avx2 …`, by `--precision f32-portable` or by hand).
pub fn kernel_code_path() -> String {
    let set: Vec<String> =
        PORTABLE_KERNELS.iter().filter_map(|(name, _)| std::env::var(name).ok().map(|v| format!("{name}={v}"))).collect();
    if set.is_empty() {
        "native".to_owned()
    } else {
        set.join(" ")
    }
}

/// `threads` workers for the process's parallel work (rayon's pool): with [`per_pass`], how
/// many articles are scored at once. Only the first call in a process takes effect.
pub fn workers(threads: usize) {
    let _ = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build_global();
}

/// The kernel threads in effect (for the run record).
pub fn kernel_thread_count() -> usize {
    tch::get_num_threads().max(1) as usize
}

/// What decides the numbers of a run, for its record (`report.json`'s `run.numerics`): the same
/// values on two machines and the same inputs give the same outputs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Numerics {
    /// The arithmetic the encoders ran in: `bf16` or `f32`.
    pub precision: crate::model::Precision,
    /// Why: `--precision` as given, or what `auto` read off the CPU.
    pub chosen_by: String,
    /// The CPU features libtorch's kernels choose their code by (those present, of AVX2,
    /// AVX-512, VNNI, AVX512-BF16 and AMX): bf16 results differ between CPUs that differ here.
    pub cpu_features: Vec<String>,
    /// Which code the kernels ran ([`kernel_code_path`]).
    pub kernels: String,
    /// The libtorch the binary links.
    pub libtorch: String,
    /// Threads each forward pass ran on (always 1 for `score`, see the module's text).
    pub kernel_threads: usize,
}

/// The CPU features that matter to libtorch's CPU kernels, of those this CPU has.
pub fn cpu_features() -> Vec<String> {
    let flags: Vec<String> = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| info.lines().find(|l| l.starts_with("flags")).map(|l| l.split_whitespace().map(str::to_owned).collect()))
        .unwrap_or_default();
    const RELEVANT: [&str; 7] = ["avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16"];
    RELEVANT.iter().filter(|f| flags.iter().any(|g| g == *f)).map(|f| (*f).to_owned()).collect()
}

/// The record for encoders loaded with `asked` (as given) that run in `used`.
pub fn numerics(asked: crate::model::Precision, used: crate::model::Precision) -> Numerics {
    use crate::model::Precision;
    let chosen_by = match (asked, used) {
        (Precision::Auto, Precision::Bf16) => "auto: the CPU has native bf16 (avx512_bf16)".to_owned(),
        (Precision::Auto, _) => "auto: the CPU has no native bf16 (avx512_bf16)".to_owned(),
        (_, Precision::F32) if kernel_code_path() != "native" => {
            "--precision f32, kernels held to their AVX2 code (--precision f32-portable or the environment)".to_owned()
        }
        (_, Precision::F32) => "--precision f32".to_owned(),
        (_, _) => "--precision bf16".to_owned(),
    };
    Numerics {
        precision: used,
        chosen_by,
        cpu_features: cpu_features(),
        kernels: kernel_code_path(),
        libtorch: env!("STANDPOINT_LIBTORCH_VERSION").to_owned(),
        kernel_threads: kernel_thread_count(),
    }
}
