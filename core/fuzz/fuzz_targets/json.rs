//! Any bytes through the core's JSON reader (`antonnia_core::json`, what the
//! web build parses every argument, error body and page with) and through
//! serde_json: both accept the same documents with the same value, or both
//! refuse them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ours = antonnia_core::json::parse_value(data);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) if a == b => {}
        (Err(_), Err(_)) => {}
        _ => panic!(
            "{:?}: ours {ours:?}, serde_json {theirs:?}",
            String::from_utf8_lossy(data)
        ),
    }
});
