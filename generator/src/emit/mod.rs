//! One emitter per target language; each reads only the intermediate model (the error family
//! comes from the generator's own table, `errors.rs`).
pub mod cli;
pub mod errors;
pub mod python;
pub mod rust;
pub mod typescript;
pub mod uniffi;

use crate::ir::Api;

/// Every generated file of the repository: (path relative to the root, content).
pub fn all(api: &Api) -> Vec<(String, String)> {
    let mut files = rust::emit(api);
    files.extend(python::emit(api));
    files.extend(typescript::emit(api));
    files.extend(uniffi::emit(api));
    files.extend(cli::emit(api));
    files.extend(errors::emit());
    files
}
