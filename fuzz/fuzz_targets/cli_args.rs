#![no_main]
//! `cargo fuzz run cli_args`: see `hss_fuzz::cli_args` for the input format and
//! the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hss_fuzz::cli_args(data));
