#![no_main]
//! `cargo fuzz run enums`: see `hss_fuzz::enums` for the input format and
//! the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hss_fuzz::enums(data));
