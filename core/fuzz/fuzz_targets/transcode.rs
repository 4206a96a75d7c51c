//! Any body against every resource shape (one object and a list) and as a
//! webhook: the schema transcoder and the typed serde path must give the
//! same canonical JSON, or errors of the same kind at the same path; and the
//! tape of that JSON (`antonnia_core::tape`, the web build's) gives its value.
#![no_main]

use antonnia_core::schema::{self, Root};
use antonnia_core::webhook::DEFAULT_MAX_BODY_BYTES;
use libfuzzer_sys::fuzz_target;

const ROOTS: [Root; 8] = [
    Root::One(&schema::SESSION),
    Root::One(&schema::MESSAGE),
    Root::One(&schema::AGENT),
    Root::One(&schema::SURVEY_SUBMISSION),
    Root::One(&schema::SESSION_SCHEDULE),
    Root::List(&schema::SESSION),
    Root::List(&schema::MESSAGE),
    Root::List(&schema::AGENT),
];

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    // One choice in nine is the webhook envelope.
    let which = usize::from(*which) % (ROOTS.len() + 1);
    let verdict = match ROOTS.get(which) {
        Some(root) => schema::differential::compare(*root, body),
        None => schema::differential::compare_event(body),
    };
    if let Err(disagreement) = verdict {
        panic!("{disagreement}");
    }
    // The web build's tape of the canonical text gives the text's value.
    let canonical = match ROOTS.get(which) {
        Some(root) => schema::transcode(*root, body),
        None => antonnia_core::webhook::parse_event_canonical(body, DEFAULT_MAX_BODY_BYTES),
    };
    // serde_json reads its raw-value token (a key) as JSON text, which a JS
    // parser does not; the json target covers the tape of such keys.
    if let Ok(text) = canonical.as_ref()
        && !text.contains("$serde_json::private::RawValue")
    {
        let value: serde_json::Value = serde_json::from_str(text).expect("canonical JSON");
        let mut tape = Vec::new();
        if antonnia_core::tape::write_tape(text.as_bytes(), &mut tape) {
            assert_eq!(
                antonnia_core::tape::value_of(text, &tape),
                Some(value),
                "{text}"
            );
        }
    }
});
