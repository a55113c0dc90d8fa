//! Process-wide settings that make libtorch fast on CPU.

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
