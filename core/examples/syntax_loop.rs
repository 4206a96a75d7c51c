//! A reference for `scripts/count-instructions.sh`, not the core: serde_json
//! checking the JSON syntax of the 410-byte `message.created` webhook N
//! times and building nothing (`IgnoredAny`), the least any reader of the
//! body does. Its own binary, so that `webhook_loop`'s code stays as it was.
//!
//!     cargo run --release -p antonnia-core --example syntax_loop -- N

fn main() {
    let n: usize = match std::env::args().nth(1).map(|n| n.parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: syntax_loop N");
            std::process::exit(2);
        }
    };
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/message_created_410.json"
    );
    let body = std::fs::read(path).expect("the fixture is in the repository");
    let valid = (0..n)
        .filter(|_| {
            serde_json::from_slice::<serde::de::IgnoredAny>(std::hint::black_box(&body)).is_ok()
        })
        .count();
    assert_eq!(valid, n, "the fixture is valid JSON");
}
