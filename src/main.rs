//! The `standpoint` binary: parse, run, map the result to an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    standpoint::runtime::tune_allocator();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(cli::Outcome::Success) => ExitCode::SUCCESS,
        Ok(cli::Outcome::PartialFailure) => ExitCode::from(2),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("standpoint: error: {}", message(&err));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, each said once: a cause that an earlier message already quotes
/// ("…/relevance.json: No such file or directory" over "No such file or directory") is left out.
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || matches!(cause.downcast_ref::<standpoint::embed::EmbedError>(),
                Some(standpoint::embed::EmbedError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
