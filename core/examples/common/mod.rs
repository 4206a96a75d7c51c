//! What the single-purpose loops for `scripts/count-instructions.sh`
//! (`syntax_loop`, `tape_loop`) share: the body, and their one argument.

/// The 410-byte `message.created` webhook every loop reads.
pub const BODY: &[u8] = include_bytes!("../../../tests/fixtures/message_created_410.json");

/// The loop's one argument, how many times to run (or its usage, and exit).
pub fn times(example: &str) -> usize {
    match std::env::args()
        .nth(1)
        .and_then(|n| n.parse::<usize>().ok())
    {
        Some(n) => n,
        None => {
            eprintln!("usage: {example} N");
            std::process::exit(2);
        }
    }
}
