//! Emits the typescript surface (owned by the typescript binding; see its README).

use crate::ir::Api;

/// Files to write, relative to the repository root.
pub fn emit(api: &Api) -> Vec<(String, String)> {
    let _ = api;
    Vec::new()
}
