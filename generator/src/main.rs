//! `cadenya-generator`: reads `spec/openapi.yaml` and writes every generated file of the SDK.
//!
//! `cadenya-generator` writes the files; `cadenya-generator --check` writes nothing and exits 1
//! when any committed file differs from what the spec produces (CI runs this).
//! `cadenya-generator swift <Cadenya.swift> [<CadenyaFFI.h>]` post-processes the Swift that
//! uniffi-bindgen writes (task cancellation, `swift_cancel.rs`; Swift names of the error cases,
//! `swift_errors.rs`), and `cadenya-generator kotlin <cadenya.kt>` its Kotlin (see
//! `kotlin_jna.rs`); `scripts/test-kotlin.sh` runs both. `--check` also verifies the error
//! case names of the committed Swift source.

mod emit;
mod ir;
mod kotlin_jna;
mod openapi;
mod swift_cancel;
mod swift_errors;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("swift") {
        return swift_postprocess(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("kotlin") {
        return kotlin(&args[1..]);
    }
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
    // The committed Swift comes from the bindgen (scripts/test-kotlin.sh compares it); its error
    // cases must carry the table's Swift names whatever wrote it.
    let swift_rel = "swift/Sources/Cadenya/Cadenya.swift";
    if let Ok(swift) = std::fs::read_to_string(root.join(swift_rel)) {
        if let Err(e) = swift_errors::check(&swift) {
            eprintln!("{swift_rel}: {e} (run scripts/test-kotlin.sh --update)");
            stale.push(swift_rel.to_string());
        }
    }
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

/// `swift <Cadenya.swift> [<CadenyaFFI.h>]`: rewrites the bindgen's Swift file in place.
fn swift_postprocess(args: &[String]) -> ExitCode {
    let (swift_path, header_path) = match args {
        [swift] => (swift, None),
        [swift, header] => (swift, Some(header)),
        _ => {
            eprintln!("usage: cadenya-generator swift <Cadenya.swift> [<CadenyaFFI.h>]");
            return ExitCode::from(2);
        }
    };
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let result = read(swift_path).and_then(|swift| {
        let header = header_path.map(|h| read(h)).transpose()?;
        let (text, sites) =
            swift_cancel::wire_cancellation(&swift, header.as_deref()).map_err(|e| format!("{swift_path}: {e}"))?;
        let text = swift_errors::rename_error_cases(&text).map_err(|e| format!("{swift_path}: {e}"))?;
        std::fs::write(swift_path, text).map_err(|e| format!("cannot write {swift_path}: {e}"))?;
        Ok(sites)
    });
    match result {
        Ok(sites) => {
            println!("{swift_path}: task cancellation wired into {sites} async calls, error cases renamed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// `kotlin <cadenya.kt>`: rewrites the Kotlin file in place.
fn kotlin(args: &[String]) -> ExitCode {
    let [path] = args else {
        eprintln!("usage: cadenya-generator kotlin <cadenya.kt>");
        return ExitCode::from(2);
    };
    let result = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {path}: {e}"))
        .and_then(|text| kotlin_jna::rewrite(&text).map_err(|e| format!("{path}: {e}")))
        .and_then(|text| std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}")));
    match result {
        Ok(()) => {
            println!("{path}: runtime threads stay attached; call statuses are pooled");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
