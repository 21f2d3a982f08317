//! One emitter per target language; each reads only the intermediate model.
pub mod rust;
