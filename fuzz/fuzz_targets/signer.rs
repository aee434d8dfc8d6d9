#![no_main]
//! `cargo fuzz run signer`: see `hss_fuzz::signer` for the input format and
//! the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hss_fuzz::signer(data));
