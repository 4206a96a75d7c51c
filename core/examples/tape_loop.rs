//! For `scripts/count-instructions.sh`: the tape (`antonnia_core::tape`) of
//! the 410-byte `message.created` webhook's canonical text, written N times:
//! what the web build's receiver adds to a parse so that JS can build the
//! event without `JSON.parse`. Its own binary, as `syntax_loop` is, so that
//! the parse's counts in `webhook_loop` stay as they were compiled.
//!
//!     cargo run --release -p antonnia-core --example tape_loop -- N

mod common;

use common::BODY;

fn main() {
    let n = common::times("tape_loop");
    let text = antonnia_core::webhook::parse_event_canonical(BODY, BODY.len())
        .expect("the fixture is a valid event");
    let mut tape = Vec::new();
    let written = (0..n)
        .filter(|_| {
            tape.clear();
            antonnia_core::tape::write_tape(std::hint::black_box(text.as_bytes()), &mut tape)
        })
        .count();
    assert_eq!(written, n, "the canonical text has a tape");
}
