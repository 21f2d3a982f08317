//! Values of JSON-valued and text flags: a literal, `@file`, or `-` for stdin (at most once).

use crate::Failure;
use serde_json::Value;
use std::io::Read;

/// Reads flag values, remembering which flag took stdin.
#[derive(Debug, Default)]
pub struct Inputs {
    stdin_taken_by: Option<String>,
}

impl Inputs {
    /// The bytes a flag's value stands for.
    pub fn bytes(&mut self, flag: &str, raw: &str) -> Result<Vec<u8>, Failure> {
        if raw == "-" {
            if let Some(other) = &self.stdin_taken_by {
                return Err(Failure::Usage(format!("--{flag} and --{other} both read stdin (-); at most one may")));
            }
            self.stdin_taken_by = Some(flag.to_string());
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Usage(format!("--{flag}: cannot read stdin: {e}")))?;
            return Ok(buf);
        }
        if let Some(path) = raw.strip_prefix('@') {
            return std::fs::read(path).map_err(|e| Failure::Usage(format!("--{flag}: cannot read {path}: {e}")));
        }
        Ok(raw.as_bytes().to_vec())
    }

    /// A flag's value parsed as JSON.
    pub fn json(&mut self, flag: &str, raw: &str) -> Result<Value, Failure> {
        let bytes = self.bytes(flag, raw)?;
        serde_json::from_slice(&bytes).map_err(|e| Failure::Usage(format!("--{flag}: not valid JSON: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_file_and_errors() {
        let mut i = Inputs::default();
        assert_eq!(i.json("spec", r#"{"a":1}"#).ok(), Some(serde_json::json!({"a": 1})));
        assert!(matches!(i.json("spec", "{nope"), Err(Failure::Usage(m)) if m.contains("--spec")));
        assert!(
            matches!(i.bytes("spec", "@/definitely/not/here"), Err(Failure::Usage(m)) if m.contains("cannot read"))
        );
        let dir = std::env::temp_dir().join(format!("cadenya-cli-input-{}", std::process::id()));
        std::fs::write(&dir, b"[1,2]").ok();
        assert_eq!(i.json("x", &format!("@{}", dir.display())).ok(), Some(serde_json::json!([1, 2])));
        let _ = std::fs::remove_file(&dir);
    }
}
