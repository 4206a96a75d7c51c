//! A tape of a compact JSON text's values, for a host that builds its own
//! values from the text faster than it parses the text: the web build's JS,
//! where `JSON.parse` of a webhook event takes more than twice the time the
//! same objects take to build from this tape and slices of the text
//! (BENCHMARKS.md, "Stop 35"). The core writes its canonical JSON, then this
//! tape of it; JS decodes the text once and builds the value the tape
//! describes, which is the value `JSON.parse` of the text gives.
//!
//! The tape is a list of `u32` words. Each item's first word holds its kind
//! ([`op`]) in the low [`OP_BITS`] bits and, for a container or a known key,
//! a number in the rest: an object's or array's count of entries (then its
//! entries, an object's as key and value), a key's index in [`keys`]. A
//! string, number or key of text is followed by two words: where it starts
//! and ends in the text, counted in UTF-16 code units, as JS indexes a
//! string. An escaped string's span includes its quotes, so that JS can
//! hand it to `JSON.parse`; the common plain one is a slice of the text.
//!
//! A key in [`keys`] (every name the schema declares) is given by its index,
//! so that JS sets it from a string it made once: a key sliced from the text
//! would cost JS a lookup in its string table on every object.

use std::sync::OnceLock;

use crate::json::{BACKSLASHES, QUOTES, first_flagged, zero_bytes};
use crate::schema::{CONTENT_KINDS, EVENTS, RESOURCES, Shape, Ty};

/// The item kinds, in the low [`OP_BITS`] bits of an item's first word.
pub mod op {
    /// An object: its count of entries above the kind, then each entry's
    /// key and value.
    pub const OBJECT: u32 = 1;
    /// An array: its count of values above the kind, then the values.
    pub const ARRAY: u32 = 2;
    /// A key of [`keys`](super::keys): its index above the kind.
    pub const KEY: u32 = 3;
    /// Any other key without escapes: its span (two more words).
    pub const KEY_TEXT: u32 = 4;
    /// A key with an escape: its span, quotes included (two more words).
    pub const KEY_ESCAPED: u32 = 5;
    /// A string without escapes: its span (two more words).
    pub const STRING: u32 = 6;
    /// A string with an escape: its span, quotes included (two more words).
    pub const STRING_ESCAPED: u32 = 7;
    /// A number: its span (two more words).
    pub const NUMBER: u32 = 8;
    /// `true`.
    pub const TRUE: u32 = 9;
    /// `false`.
    pub const FALSE: u32 = 10;
    /// `null`.
    pub const NULL: u32 = 11;
}

/// How many low bits of an item's first word hold its kind.
pub const OP_BITS: u32 = 4;

/// The keys given by index ([`op::KEY`]): every field name the schema
/// declares (the events', the resources', the content kinds'), and the two
/// metadata keys channels set, each once.
pub fn keys() -> &'static [&'static str] {
    &table().names
}

/// Appends the tape of `text`, JSON text (UTF-8) the core wrote, to `out`.
/// `false`, with `out` as it was, when `text` is not one compact JSON value
/// (no whitespace, as the core writes JSON), nests deeper than 64
/// containers or is too large for the tape's words; the host then parses
/// the text itself. Scalars are not checked
/// again: the tape of bytes that are not JSON describes nothing useful.
pub fn write_tape(text: &[u8], out: &mut Vec<u32>) -> bool {
    // Every offset then fits a word (the casts below), as does every count
    // (each entry takes a byte at least).
    if u32::try_from(text.len()).is_err() {
        return false;
    }
    let kept = out.len();
    let written = Tape {
        bytes: text,
        at: 0,
        wide: 0,
        out,
        keys: table(),
    }
    .write();
    if written.is_none() {
        out.truncate(kept);
    }
    written.is_some()
}

/// The value a host builds from `text` and its tape (`None` if the tape does
/// not describe a whole value of `text`): the reference the web build's
/// builder is tested against, and the fuzz target's check that the tape
/// gives what a JSON parser gives.
#[doc(hidden)]
pub fn value_of(text: &str, tape: &[u32]) -> Option<serde_json::Value> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut words = tape.iter().copied();
    let value = build(&units, &mut words)?;
    words.next().is_none().then_some(value)
}

fn build(units: &[u16], words: &mut impl Iterator<Item = u32>) -> Option<serde_json::Value> {
    use serde_json::Value;
    let word = words.next()?;
    Some(match word & OP_MASK {
        op::STRING => Value::String(span(units, words)?),
        op::STRING_ESCAPED => serde_json::from_str(&span(units, words)?).ok()?,
        op::NUMBER => Value::Number(serde_json::from_str(&span(units, words)?).ok()?),
        op::TRUE => Value::Bool(true),
        op::FALSE => Value::Bool(false),
        op::NULL => Value::Null,
        op::ARRAY => Value::Array(
            (0..word >> OP_BITS)
                .map(|_| build(units, words))
                .collect::<Option<_>>()?,
        ),
        op::OBJECT => {
            let mut object = serde_json::Map::new();
            for _ in 0..word >> OP_BITS {
                let key = words.next()?;
                let key = match key & OP_MASK {
                    op::KEY => (*keys().get((key >> OP_BITS) as usize)?).to_string(),
                    op::KEY_TEXT => span(units, words)?,
                    op::KEY_ESCAPED => serde_json::from_str(&span(units, words)?).ok()?,
                    _ => return None,
                };
                object.insert(key, build(units, words)?);
            }
            Value::Object(object)
        }
        _ => return None,
    })
}

/// The text of the span the next two words give.
fn span(units: &[u16], words: &mut impl Iterator<Item = u32>) -> Option<String> {
    let (start, end) = (words.next()? as usize, words.next()? as usize);
    String::from_utf16(units.get(start..end)?).ok()
}

const OP_MASK: u32 = (1 << OP_BITS) - 1;

/// How deep the containers of a text with a tape may nest. The core's
/// events and resources nest a few levels; deeper free-form data leaves the
/// text to the host's parser.
const MAX_DEPTH: usize = 64;

struct Tape<'a, 'o> {
    bytes: &'a [u8],
    at: usize,
    /// How many more bytes than UTF-16 code units the text has before `at`.
    wide: usize,
    out: &'o mut Vec<u32>,
    keys: &'static KeyTable,
}

impl Tape<'_, '_> {
    fn write(&mut self) -> Option<()> {
        // The open containers' first words, innermost last. Each counts its
        // entries in that word, above its kind, as they end.
        let mut open = [0u32; MAX_DEPTH];
        let mut depth = 0;
        loop {
            // A value starts here.
            match *self.bytes.get(self.at)? {
                b @ (b'{' | b'[') => {
                    let object = b == b'{';
                    *open.get_mut(depth)? = u32::try_from(self.out.len()).ok()?;
                    depth += 1;
                    self.out.push(if object { op::OBJECT } else { op::ARRAY });
                    self.at += 1;
                    let close = if object { b'}' } else { b']' };
                    if self.bytes.get(self.at) == Some(&close) {
                        self.at += 1;
                        depth -= 1;
                    } else {
                        if object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    let (start, end, escaped) = self.string()?;
                    let kind = if escaped {
                        op::STRING_ESCAPED
                    } else {
                        op::STRING
                    };
                    self.out.extend([kind, start, end]);
                }
                b't' => self.literal(b"true", op::TRUE)?,
                b'f' => self.literal(b"false", op::FALSE)?,
                b'n' => self.literal(b"null", op::NULL)?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // A value ended: the next entry of its container, or the
            // container's end (itself a value that ended).
            loop {
                let Some(top) = depth.checked_sub(1) else {
                    return (self.at == self.bytes.len()).then_some(());
                };
                let head = self.out.get_mut(open[top] as usize)?;
                *head = head.checked_add(1 << OP_BITS)?;
                let object = *head & OP_MASK == op::OBJECT;
                match (self.bytes.get(self.at), object) {
                    (Some(b','), _) => {
                        self.at += 1;
                        if object {
                            self.key()?;
                        }
                        break;
                    }
                    (Some(b'}'), true) | (Some(b']'), false) => {
                        self.at += 1;
                        depth = top;
                    }
                    _ => return None,
                }
            }
        }
    }

    /// An object's key and its colon.
    #[inline(always)]
    fn key(&mut self) -> Option<()> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        if let Some((index, len)) = self.keys.key_at(self.bytes, self.at + 1) {
            self.out.push(op::KEY | index << OP_BITS);
            self.at += len + 2;
        } else {
            let (start, end, escaped) = self.string()?;
            let kind = if escaped {
                op::KEY_ESCAPED
            } else {
                op::KEY_TEXT
            };
            self.out.extend([kind, start, end]);
        }
        if self.bytes.get(self.at) != Some(&b':') {
            return None;
        }
        self.at += 1;
        Some(())
    }

    /// The string at `at` (its opening quote): its span in UTF-16 code
    /// units, without its quotes if it has no escape, with them if it has.
    #[inline(always)]
    fn string(&mut self) -> Option<(u32, u32, bool)> {
        let quote = self.at;
        // `wide` is below any offset past it: a sequence that adds to it
        // is passed over whole, and is longer than what it adds.
        let opened = (quote - self.wide) as u32;
        let mut end = quote + 1;
        let mut escaped = false;
        loop {
            end = next_stop(self.bytes, end);
            match *self.bytes.get(end)? {
                b'"' => break,
                // The escaped byte is `u` (then four hex digits), a quote, a
                // backslash or a letter: none ends the string.
                b'\\' => {
                    escaped = true;
                    end += 2;
                }
                // A UTF-8 sequence: its bytes less its UTF-16 code units (a
                // four-byte one is two).
                0xC0..=0xDF => {
                    self.wide += 1;
                    end += 2;
                }
                0xE0..=0xEF => {
                    self.wide += 2;
                    end += 3;
                }
                0xF0.. => {
                    self.wide += 2;
                    end += 4;
                }
                _ => return None,
            }
        }
        self.at = end + 1;
        let closed = (end - self.wide) as u32;
        Some(if escaped {
            (opened, closed + 1, true)
        } else {
            (opened + 1, closed, false)
        })
    }

    fn number(&mut self) -> Option<()> {
        let start = self.at;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
        }
        let units = |at: usize| (at - self.wide) as u32;
        self.out.extend([op::NUMBER, units(start), units(self.at)]);
        Some(())
    }

    fn literal(&mut self, word: &[u8], kind: u32) -> Option<()> {
        self.bytes.get(self.at..)?.starts_with(word).then_some(())?;
        self.at += word.len();
        self.out.push(kind);
        Some(())
    }
}

/// The offset of the first `"`, `\\` or non-ASCII byte at or after `from`
/// (`bytes.len()` if none), eight bytes at a time as
/// [`plain_run_end`](crate::json) finds a string's end. The text is JSON
/// the core wrote, so it has no control character to look for.
#[inline(always)]
fn next_stop(bytes: &[u8], from: usize) -> usize {
    const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);
    first_flagged(bytes, from, |w| {
        zero_bytes(w ^ QUOTES) | zero_bytes(w ^ BACKSLASHES) | (w & HIGH_BITS)
    })
}

/// [`keys`], and an open-addressed index of them by the four bytes a key
/// of that name starts with in compact JSON: the name's first four, or the
/// name and then `":` (`id":`). A key is then found from where it starts,
/// without looking for its end.
struct KeyTable {
    names: Vec<&'static str>,
    /// The names at the slots their start's [`hash`] picks (or the next
    /// free one).
    slots: Vec<Slot>,
}

/// A name in the index (`len` 0: an empty slot): its first 16 bytes as
/// two little-endian words, zero past its end, and which bits of the text's
/// two words at a key those are.
#[derive(Clone, Copy, Default)]
struct Slot {
    start: u32,
    len: usize,
    words: [u64; 2],
    keep: [u64; 2],
    index: u32,
}

fn table() -> &'static KeyTable {
    static TABLE: OnceLock<KeyTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut names: Vec<&'static str> = vec!["id", "created_at", "type", "data"];
        let mut add = |name: &'static str| {
            if !names.contains(&name) {
                names.push(name);
            }
        };
        fn shape_names(shape: &'static Shape, add: &mut impl FnMut(&'static str)) {
            for field in shape.fields {
                add(field.name);
                if let Ty::Object(inner) = field.ty {
                    shape_names(inner, add);
                }
            }
        }
        for (_, shape) in EVENTS {
            shape_names(shape, &mut add);
        }
        for shape in RESOURCES {
            shape_names(shape, &mut add);
        }
        for (_, fields) in CONTENT_KINDS {
            for field in *fields {
                add(field.name());
            }
        }
        add("channel_type");
        add("channel_user_id");
        let mut slots = vec![Slot::default(); (names.len() * 4).next_power_of_two()];
        let mask = slots.len() - 1;
        for (index, name) in (0u32..).zip(&names) {
            // A one-letter key's start holds a byte of its value: such a
            // name (the schema has none) is left to the key's text.
            let Some(start) = key_start(format!("{name}\":").as_bytes(), 0) else {
                continue;
            };
            let mut slot = hash(start) & mask;
            while slots[slot].len != 0 {
                slot = (slot + 1) & mask;
            }
            let len = name.len();
            let keep = |n: usize| match n {
                0 => 0,
                1..8 => u64::MAX >> (64 - 8 * n),
                _ => u64::MAX,
            };
            let keep = [keep(len), keep(len.saturating_sub(8))];
            let mut padded = [0u8; 16];
            for (to, from) in padded.iter_mut().zip(name.bytes()) {
                *to = from;
            }
            let (low, high) = padded.split_at(8);
            let word = |b: &[u8]| b.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w));
            slots[slot] = Slot {
                start,
                len,
                words: [word(low), word(high)],
                keep,
                index,
            };
        }
        KeyTable { names, slots }
    })
}

impl KeyTable {
    /// The index and length of the name whose key starts at `text[at]`
    /// (after its opening quote), if one does.
    #[inline(always)]
    fn key_at(&self, text: &[u8], at: usize) -> Option<(u32, usize)> {
        let start = key_start(text, at)?;
        let mask = self.slots.len() - 1;
        let mut slot = hash(start) & mask;
        loop {
            let s = self.slots[slot];
            if s.len == 0 {
                return None;
            }
            if s.start == start && text.get(at + s.len) == Some(&b'"') {
                // Two words where the text goes on that far (as it does
                // after nearly every key), the bytes otherwise. Not
                // `json::same_bytes`, which compares a name under eight bytes
                // with `memcmp`: 9 % more instructions a tape
                // (scripts/count-instructions.sh, BENCHMARKS.md "Stop 35").
                let same = match text.get(at..).and_then(|rest| rest.first_chunk::<16>()) {
                    Some(chunk) if s.len <= 16 => {
                        let (low, high) = chunk.split_at(8);
                        let word =
                            |b: &[u8]| b.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w));
                        word(low) & s.keep[0] == s.words[0] && word(high) & s.keep[1] == s.words[1]
                    }
                    _ => text.get(at..at + s.len) == Some(self.names[s.index as usize].as_bytes()),
                };
                if same {
                    return Some((s.index, s.len));
                }
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// The four bytes at `text[at]`, as a little-endian word.
#[inline(always)]
fn key_start(text: &[u8], at: usize) -> Option<u32> {
    let bytes = text.get(at..)?.first_chunk::<4>()?;
    Some(u32::from_le_bytes(*bytes))
}

#[inline(always)]
fn hash(start: u32) -> usize {
    (start.wrapping_mul(0x9E37_79B1) >> 16) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn round_trip(value: &Value) {
        let text = value.to_string();
        let mut tape = Vec::new();
        assert!(write_tape(text.as_bytes(), &mut tape), "{text}");
        assert_eq!(value_of(&text, &tape).as_ref(), Some(value), "{text}");
    }

    #[test]
    fn the_tape_gives_the_value_of_any_compact_json() {
        for value in [
            json!(null),
            json!(true),
            json!("plain"),
            json!(-0.0),
            json!(12345678901234567890u64),
            json!(-1.5e300),
            json!([]),
            json!({}),
            json!([[], {}, [[]], {"a": {}}]),
            json!({"id": "evt_1", "unknown key": [1, 2.5, false, null], "__proto__": {"x": 1}}),
            // UTF-16 offsets after two-, three- and four-byte characters, in
            // keys and values, escaped and not.
            json!({"text": "Olá, você 😀 €", "ключ": "a\"b\\c\nd\u{1}é😀", "after": "tail"}),
            json!(["😀😀", "x", {"é": "😀\"", "y": "z"}]),
            json!({"data": {"object": {"content": {"type": "text", "text": ""}}}}),
        ] {
            round_trip(&value);
        }
    }

    #[test]
    fn next_stop_finds_the_first_quote_backslash_or_non_ascii_byte() {
        let naive = |bytes: &[u8], from: usize| {
            (from..bytes.len())
                .find(|&i| matches!(bytes[i], b'"' | b'\\' | 0x80..))
                .unwrap_or(bytes.len())
        };
        // Every byte value at every place of a 19-byte run, in slices
        // shorter and longer than a word, from every start.
        for special in 0..=255u8 {
            for at in 0..19 {
                let mut bytes = b"abc {}xyz0123456789z"[..19].to_vec();
                bytes[at] = special;
                for len in 0..=bytes.len() {
                    for from in 0..=len {
                        assert_eq!(next_stop(&bytes[..len], from), naive(&bytes[..len], from));
                    }
                }
            }
        }
    }

    #[test]
    fn schema_keys_are_given_by_index_and_others_by_their_text() {
        let mut tape = Vec::new();
        assert!(write_tape(
            br#"{"session_id":1,"session_idx":2}"#,
            &mut tape
        ));
        let session_id = keys().iter().position(|k| *k == "session_id").unwrap() as u32;
        assert_eq!(
            tape[..2],
            [op::OBJECT | 2 << OP_BITS, op::KEY | session_id << OP_BITS]
        );
        assert_eq!(tape[5..8], [op::KEY_TEXT, 17, 28]);
    }

    #[test]
    fn the_keys_are_unique_names_a_js_object_keeps_in_order() {
        let keys = keys();
        assert!(keys.len() > 40 && keys.len() < 1000, "{}", keys.len());
        for (i, key) in keys.iter().enumerate() {
            assert!(!keys[..i].contains(key), "{key} twice");
            // An integer-like key would be reordered by JS; `\n` separates
            // them on their way to JS; `__proto__` would set the prototype.
            assert!(
                !key.is_empty() && !key.bytes().all(|b| b.is_ascii_digit()),
                "{key}"
            );
            assert!(!key.contains('\n') && *key != "__proto__", "{key}");
            // Near the text's end, and with 16 bytes and more after it.
            for text in [
                format!("{{\"{key}\":0}}"),
                format!("{{\"{key}\":\"{}\"}}", "v".repeat(20)),
            ] {
                let mut tape = Vec::new();
                assert!(write_tape(text.as_bytes(), &mut tape));
                assert_eq!(tape[1], op::KEY | (i as u32) << OP_BITS, "{text}");
            }
            // A key that differs from the name in its last byte, or is longer.
            let last = key.len() - 1;
            for other in [format!("{}X", &key[..last]), format!("{key}X")] {
                let text = format!("{{\"{other}\":\"{}\"}}", "v".repeat(20));
                let mut tape = Vec::new();
                assert!(write_tape(text.as_bytes(), &mut tape));
                assert_eq!(tape[1], op::KEY_TEXT, "{text}");
            }
        }
        for name in [
            "object",
            "delivery_status",
            "content",
            "text",
            "channel_type",
            "metadata",
        ] {
            assert!(keys.contains(&name), "{name}");
        }
    }

    #[test]
    fn text_that_is_not_one_compact_value_has_no_tape() {
        for text in ["{}", "[[[[1]]]]"] {
            assert!(write_tape(text.as_bytes(), &mut Vec::new()), "{text:?}");
        }
        let deepest = format!("{}{}", "[".repeat(64), "]".repeat(64));
        round_trip(&serde_json::from_str(&deepest).unwrap());
        // Bytes that are not UTF-8 neither panic nor count as text.
        for bytes in [&b"\"\x80\""[..], b"\"\xff", b"[\"\xe2\x82\"]", b"{\"\xc3"] {
            assert!(!write_tape(bytes, &mut Vec::new()), "{bytes:?}");
        }
        for text in [
            "",
            " 1",
            "1 ",
            "{\"a\": 1}",
            "[1,]",
            "[1 ,2]",
            "{\"a\":1,}",
            "{\"a\"}",
            "{1:2}",
            "[1}",
            "{\"a\":1]",
            "\"open",
            "\"bad\\",
            "tru",
            "nul",
            "[1][2]",
            "x",
            // Deeper than the tape goes.
            &format!("{}{}", "[".repeat(65), "]".repeat(65)),
        ] {
            let mut tape = vec![7];
            assert!(!write_tape(text.as_bytes(), &mut tape), "{text:?}");
            assert_eq!(tape, [7], "{text:?}");
        }
    }
}
