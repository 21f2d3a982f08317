//! Code generated from `spec/openapi.yaml` by `cadenya-generator` (`just generate`).
//! The files next to this one are written by the generator; CI fails when they are stale.

pub mod models;
pub mod params;
pub mod resources;
pub mod catalog;
