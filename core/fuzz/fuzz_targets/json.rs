//! Any bytes through the core's JSON reader (`antonnia_core::json`, what the
//! web build parses every argument, error body and page with) and through
//! serde_json: both accept the same documents with the same value, or both
//! refuse them; and the core's writer writes what it read as serde_json's
//! does (the shortest float, its layout, the escapes); and the tape of
//! what it wrote (`antonnia_core::tape`, the web build's) gives that value
//! again, or is declined only for nesting past its depth.
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
            tape_gives(&written, b);
        }
        (Err(_), Err(_)) => {}
        _ => panic!(
            "{:?}: ours {ours:?}, serde_json {theirs:?}",
            String::from_utf8_lossy(data)
        ),
    }
});

fn tape_gives(text: &str, value: &serde_json::Value) {
    let mut tape = Vec::new();
    if antonnia_core::tape::write_tape(text.as_bytes(), &mut tape) {
        assert_eq!(
            antonnia_core::tape::value_of(text, &tape).as_ref(),
            Some(value),
            "{text}"
        );
    } else {
        assert!(depth(value) > 64, "no tape for {text}");
    }
}

fn depth(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}
