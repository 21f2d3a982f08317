//! Code generated from `spec/openapi.yaml` by `cadenya-generator` (`just generate`).
//! The files next to this one are written by the generator; CI fails when they are stale.

#[rustfmt::skip]
pub mod catalog;
#[rustfmt::skip]
pub mod errors;
#[rustfmt::skip]
pub mod models;
#[rustfmt::skip]
pub mod params;
#[rustfmt::skip]
pub mod resources;
