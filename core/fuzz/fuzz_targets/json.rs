//! Any bytes through the core's JSON reader (`antonnia_core::json`, what the
//! web build parses every argument, error body and page with) and through
//! serde_json: both accept the same documents with the same value, or both
//! refuse them; and the core's writer writes what it read as serde_json's
//! does (the shortest float, its layout, the escapes).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ours = antonnia_core::json::parse_value(data);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) if a == b => {
            let written = antonnia_core::schema::differential::value_text(a);
            let expected = serde_json::to_string(b).expect("a Value serializes");
            assert_eq!(written, expected, "{:?}", String::from_utf8_lossy(data));
        }
        (Err(_), Err(_)) => {}
        _ => panic!(
            "{:?}: ours {ours:?}, serde_json {theirs:?}",
            String::from_utf8_lossy(data)
        ),
    }
});
