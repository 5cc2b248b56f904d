//! Fuzzes capabilities parsing and filtering: any bytes end in a document or an error, never a
//! panic, and a filter that allows nothing never lets a layer through.
#![no_main]

use kartenn::ogc::capabilities::{filter, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data);
    if let Ok(out) = filter(data, &|_| false, "http://127.0.0.1/ows/x?") {
        if let Ok(caps) = parse(&out) {
            assert!(caps.layers.iter().all(|l| l.name.is_empty()), "a layer got through");
        }
    }
});
