//! Local Cadenya API server (work in progress).
