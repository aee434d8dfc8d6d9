#![no_main]
//! `cargo fuzz run decode_response`: see `hss_fuzz::decode_response` for the input format and
//! the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hss_fuzz::decode_response(data));
