//! Any body against every resource shape (one object and a list) and as a
//! webhook: the schema transcoder and the typed serde path must give the
//! same canonical JSON, or errors of the same kind at the same path.
#![no_main]

use antonnia_core::schema::{self, Root};
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
});
