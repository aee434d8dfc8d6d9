//! No code: this crate pins one set of features for every third-party
//! dependency of the workspace (see its Cargo.toml).
