//! JSON text as the language bindings exchange it.

/// JSON text checked to be valid JSON but never built into a tree. Passing it through unparsed
/// saves a parse and a re-serialisation per call in bindings whose language parses JSON itself.
pub type RawJson = Box<serde_json::value::RawValue>;
