//! A reference for `scripts/count-instructions.sh`, not the core: serde_json
//! checking the JSON syntax of the 410-byte `message.created` webhook N
//! times and building nothing (`IgnoredAny`), the least any reader of the
//! body does. Its own binary: as a mode of `webhook_loop` it changed how
//! that binary was compiled, and so the core's counts.
//!
//!     cargo run --release -p antonnia-core --example syntax_loop -- N

use serde::de::IgnoredAny;

mod common;

use common::BODY;

fn main() {
    let n = common::times("syntax_loop");
    let valid = (0..n)
        .filter(|_| serde_json::from_slice::<IgnoredAny>(std::hint::black_box(BODY)).is_ok())
        .count();
    assert_eq!(valid, n, "the fixture is valid JSON");
}
