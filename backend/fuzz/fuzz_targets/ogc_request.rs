//! Fuzzes the OGC proxy's front door: any query string through the KVP parser and the
//! validator must end in a request or a clear error, never a panic; an accepted request's
//! layer list names only values that pass the name check, and blocked parameters never pass.
#![no_main]

use kartenn::config::OgcLimits;
use kartenn::ogc::kvp::Kvp;
use kartenn::ogc::request::{is_name, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(kvp) = Kvp::parse(query) else {
        return;
    };
    if let Ok(request) = validate(&kvp, &OgcLimits::default()) {
        assert!(request.layers.iter().all(|l| is_name(l)), "{query}");
        for blocked in ["SLD", "SLD_BODY", "CQL_FILTER", "FILTER", "ENV", "VIEWPARAMS", "MAP"] {
            assert!(request.get(blocked).is_none(), "{blocked} passed: {query}");
        }
    }
});
