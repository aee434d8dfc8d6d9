#![no_main]
//! `cargo fuzz run error_body`: see `hss_fuzz::error_body` for the input format and
//! the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hss_fuzz::error_body(data));
