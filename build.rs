use std::path::Path;

fn main() {
    // torch-sys adds no rpath: point binaries and test executables at libtorch so they run as built.
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    }
    // The libtorch the binary links, for the run record: the torch wheel's version file.
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let version = std::env::var("LIBTORCH")
        .ok()
        .and_then(|dir| std::fs::read_to_string(Path::new(&dir).join("version.py")).ok())
        .and_then(|py| py.lines().find_map(|l| l.strip_prefix("__version__ = ").map(|v| v.trim_matches(['\'', '"']).to_owned())))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=STANDPOINT_LIBTORCH_VERSION={version}");
    // Every data file is compiled in, so adding a language or an alias file needs no Rust change.
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    for (folder, name) in [("data/lang", "lang_files.rs"), ("data/actors", "actor_files.rs")] {
        let dir = Path::new(&root).join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        let entries: String = files
            .iter()
            .map(|p| {
                let stem = p.file_stem().unwrap().to_string_lossy();
                format!("    ({stem:?}, include_str!({:?})),\n", p.display().to_string())
            })
            .collect();
        let code = format!("pub const FILES: &[(&str, &str)] = &[\n{entries}];\n");
        std::fs::write(Path::new(&out).join(name), code).expect("OUT_DIR is writable");
    }
}
