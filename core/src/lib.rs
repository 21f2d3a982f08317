//! Cadenya SDK
