#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caio_fuzz::compiled(data));
