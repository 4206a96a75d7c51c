//! Parses the 410-byte `message.created` webhook N times, for instruction
//! counts under callgrind (`scripts/count-instructions.sh`), which do not
//! move with the shared machine's load the way timings do.
//!
//!     cargo run --release -p antonnia-core --example webhook_loop -- canonical|typed N

use antonnia_core::webhook::{DEFAULT_MAX_BODY_BYTES, parse_event, parse_event_canonical};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let n: usize = match args.next().map(|n| n.parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: webhook_loop canonical|typed N");
            std::process::exit(2);
        }
    };
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/message_created_410.json"
    );
    let body = std::fs::read(path).expect("the fixture is in the repository");
    let mut parsed = 0;
    for _ in 0..n {
        let body = std::hint::black_box(&body[..]);
        parsed += match mode.as_str() {
            // What the web build runs: bytes to canonical JSON.
            "canonical" => parse_event_canonical(body, DEFAULT_MAX_BODY_BYTES).is_ok(),
            // What the native bindings run: bytes to typed values.
            "typed" => parse_event(body).is_ok(),
            _ => {
                eprintln!("usage: webhook_loop canonical|typed N");
                std::process::exit(2);
            }
        } as usize;
    }
    assert_eq!(parsed, n, "the fixture parses");
}
