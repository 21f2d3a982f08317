//! `cadenya-generator`: reads `spec/openapi.yaml` and writes every generated file of the SDK.
//!
//! `cadenya-generator` writes the files; `cadenya-generator --check` writes nothing and exits 1
//! when any committed file differs from what the spec produces (CI runs this).

mod emit;
mod ir;
mod openapi;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = repo_root();
    let spec_path = root.join("spec/openapi.yaml");
    let text = match std::fs::read_to_string(&spec_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {}: {e}", spec_path.display());
            return ExitCode::FAILURE;
        }
    };
    let api = match openapi::load(&text) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("spec error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let files = emit::all(&api);
    let mut stale = Vec::new();
    for (rel, content) in &files {
        let path = root.join(rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == *content {
            continue;
        }
        if check {
            stale.push(rel.clone());
        } else {
            if let Some(dir) = path.parent() {
                if let Err(e) = std::fs::create_dir_all(dir) {
                    eprintln!("cannot create {}: {e}", dir.display());
                    return ExitCode::FAILURE;
                }
            }
            if let Err(e) = std::fs::write(&path, content) {
                eprintln!("cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {rel}");
        }
    }
    if !stale.is_empty() {
        eprintln!("generated files are stale (run `just generate` and commit):");
        for s in stale {
            eprintln!("  {s}");
        }
        return ExitCode::FAILURE;
    }
    println!(
        "{} operations, {} models, {} enums: generated files are {}",
        api.operations.len(),
        api.models.len(),
        api.enums.len(),
        if check { "up to date" } else { "written" }
    );
    ExitCode::SUCCESS
}
