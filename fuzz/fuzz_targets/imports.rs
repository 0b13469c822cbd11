#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zaofaxian_fuzz::checks::imports(data));
