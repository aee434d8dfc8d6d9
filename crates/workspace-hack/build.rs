//! Present so that cargo applies the build-dependencies of Cargo.toml.
fn main() {}
