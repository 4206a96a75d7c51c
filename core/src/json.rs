//! A small JSON pull reader for the schema's one decoder ([`crate::schema`]):
//! the transcoder, the canonical webhook parse and the arguments read JSON
//! through it instead of through serde_json's generic deserializer, which
//! is compiled once per visitor type and was most of the web build's size.
//!
//! It accepts and refuses exactly what serde_json does where the typed path
//! (serde derive over serde_json) reads the same bytes — the grammar, the
//! number ranges (an integer past `u64` is a float, `-0` is the float
//! `-0.0`, a float past `f64` is refused), string escapes and surrogates,
//! the nesting limit of 127 containers, and the leniency of a skipped value
//! (no nesting limit, no number range, no surrogate check) — so that the
//! differential tests and the `transcode` fuzz target see the same output,
//! or an error of the same kind at the same path.
//!
//! Errors carry the path of the value being read, added as they unwind
//! (nothing is tracked while reading succeeds).

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use crate::error::Error;

pub(crate) mod float;

/// How deep containers may nest: serde_json's limit (its 128th refused).
const MAX_DEPTH: u32 = 127;

/// One step of an error's path.
#[derive(Debug)]
pub(crate) enum Step {
    /// A field the schema names.
    Field(&'static str),
    /// A key read from the document.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// Why a read failed, and where (innermost step first).
#[derive(Debug)]
pub(crate) struct ReadError(Box<Failure>);

#[derive(Debug)]
struct Failure {
    message: Cow<'static, str>,
    /// The text ended before the document did.
    eof: bool,
    path: Vec<Step>,
}

impl ReadError {
    /// A refusal of a value (its type, its content) or of the text.
    pub(crate) fn new(message: impl Into<Cow<'static, str>>) -> ReadError {
        ReadError(Box::new(Failure {
            message: message.into(),
            eof: false,
            path: Vec::new(),
        }))
    }

    fn eof(what: &'static str) -> ReadError {
        ReadError(Box::new(Failure {
            message: Cow::Borrowed(what),
            eof: true,
            path: Vec::new(),
        }))
    }

    /// `missing field `name``, as serde words it.
    pub(crate) fn missing(name: &str) -> ReadError {
        ReadError::new(format!("missing field `{name}`"))
    }

    /// `duplicate field `name``, as serde words it.
    pub(crate) fn duplicate(name: &str) -> ReadError {
        ReadError::new(format!("duplicate field `{name}`"))
    }

    /// The error one step further out: it happened inside `step`.
    pub(crate) fn within(mut self, step: Step) -> ReadError {
        self.0.path.push(step);
        self
    }

    /// The path in `serde_path_to_error`'s form: `a.b`, `a[0].b`; as the
    /// typed path reports it, an empty last key leaves no trailing `.`.
    pub(crate) fn path(&self) -> String {
        let mut out = String::new();
        for step in self.0.path.iter().rev() {
            match step {
                Step::Field(name) => dotted(&mut out, name),
                Step::Key(key) => dotted(&mut out, key),
                Step::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        let kept = out.trim_end_matches('.').len();
        out.truncate(kept);
        out
    }

    /// The SDK's decode error for a document of `len` bytes.
    pub(crate) fn into_error(self, len: usize) -> Error {
        let path = self.path();
        if self.0.eof {
            return Error::decode(
                path,
                format!("the JSON ends early, after {len} bytes (a truncated body?)"),
            );
        }
        Error::decode(path, self.0.message)
    }
}

fn dotted(out: &mut String, name: &str) {
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(name);
}

/// Adds `step` to the path of an error from reading the value at it.
pub(crate) fn at<T>(step: impl FnOnce() -> Step, r: Result<T, ReadError>) -> Result<T, ReadError> {
    r.map_err(|e| e.within(step()))
}

/// A JSON number as serde_json classifies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// A non-negative integer that fits `u64`.
    U64(u64),
    /// A negative integer that fits `i64`.
    I64(i64),
    /// Any other number.
    F64(f64),
}

impl Num {
    /// As a `serde_json` number (finite by construction).
    pub(crate) fn into_value(self) -> Value {
        match self {
            Num::U64(n) => Value::from(n),
            Num::I64(n) => Value::from(n),
            Num::F64(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        }
    }
}

/// The reader over one document's text. A clone is a saved position: the
/// transcoder rewinds to one when its in-order pass gives up on an object.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            pos: 0,
            depth: 0,
        }
    }

    /// Where the next value starts (past whitespace), for
    /// [`text_since`](Self::text_since).
    pub(crate) fn mark(&mut self) -> usize {
        self.skip_ws();
        self.pos
    }

    /// The text read since `mark`.
    pub(crate) fn text_since(&self, mark: usize) -> &'a str {
        &self.text[mark..self.pos]
    }

    /// How many bytes of the text are left to read.
    pub(crate) fn remaining(&self) -> usize {
        self.text.len().saturating_sub(self.pos)
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn skip_ws(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// The first byte of the next value, past whitespace.
    pub(crate) fn peek(&mut self) -> Result<u8, ReadError> {
        self.skip_ws()
            .ok_or_else(|| ReadError::eof("EOF while parsing a value"))
    }

    /// Refuses anything but whitespace after the document.
    pub(crate) fn end(&mut self) -> Result<(), ReadError> {
        match self.skip_ws() {
            None => Ok(()),
            Some(_) => Err(ReadError::new("trailing characters")),
        }
    }

    /// The error for a value of the wrong type (the value is not read).
    pub(crate) fn invalid_type(&mut self, expected: &str) -> ReadError {
        let found = match self.skip_ws() {
            Some(b'"') => "a string",
            Some(b'{') => "a map",
            Some(b'[') => "a sequence",
            Some(b'n') => "null",
            Some(b't' | b'f') => "a boolean",
            Some(b'-' | b'0'..=b'9') => "a number",
            Some(_) => return ReadError::new("expected value"),
            None => return ReadError::eof("EOF while parsing a value"),
        };
        ReadError::new(format!("invalid type: {found}, expected {expected}"))
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), ReadError> {
        // The first byte was peeked.
        for &want in &word[1..] {
            self.pos += 1;
            match self.bytes().get(self.pos) {
                Some(&b) if b == want => {}
                Some(_) => return Err(ReadError::new("expected ident")),
                None => return Err(ReadError::eof("EOF while parsing a value")),
            }
        }
        self.pos += 1;
        Ok(())
    }

    /// Reads `null` when it comes next: `Ok(true)` then.
    pub(crate) fn null(&mut self) -> Result<bool, ReadError> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Reads `null` as `None`, or the value with `read`.
    pub(crate) fn nullable<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, ReadError>,
    ) -> Result<Option<T>, ReadError> {
        if self.null()? {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    /// Reads a boolean.
    pub(crate) fn bool(&mut self) -> Result<bool, ReadError> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| true),
            b'f' => self.literal(b"false").map(|()| false),
            _ => Err(self.invalid_type("a boolean")),
        }
    }

    /// Reads a string: borrowed from the text exactly when it holds no
    /// escape (which [`write_read_str`] relies on).
    pub(crate) fn str(&mut self) -> Result<Cow<'a, str>, ReadError> {
        if self.peek()? != b'"' {
            return Err(self.invalid_type("a string"));
        }
        self.string(true)
    }

    /// Reads a string and writes it to `out` as [`write_read_str`] would:
    /// one with no escape (nearly every one) is copied with its quotes,
    /// without the [`Cow`] that [`str`](Self::str) returns.
    pub(crate) fn copy_str(&mut self, out: &mut Vec<u8>) -> Result<(), ReadError> {
        if self.peek()? != b'"' {
            return Err(self.invalid_type("a string"));
        }
        let bytes = self.bytes();
        let open = self.pos;
        let end = plain_run_end(bytes, open + 1);
        if bytes.get(end) == Some(&b'"') {
            out.extend_from_slice(&bytes[open..=end]);
            self.pos = end + 1;
            return Ok(());
        }
        let text = self.string(true)?;
        write_read_str(out, &text);
        Ok(())
    }

    /// Reads an `i64`.
    pub(crate) fn i64(&mut self) -> Result<i64, ReadError> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => match self.number(true)? {
                Num::U64(n) => i64::try_from(n).map_err(|_| {
                    ReadError::new(format!("invalid value: integer `{n}`, expected i64"))
                }),
                Num::I64(n) => Ok(n),
                Num::F64(_) => Err(ReadError::new("invalid type: floating point, expected i64")),
            },
            _ => Err(self.invalid_type("i64")),
        }
    }

    /// Steps into an object: `{` must come next.
    pub(crate) fn object(&mut self, expected: &str) -> Result<(), ReadError> {
        if self.peek()? != b'{' {
            return Err(self.invalid_type(expected));
        }
        self.enter()
    }

    /// Steps into an array: `[` must come next.
    pub(crate) fn array(&mut self, expected: &str) -> Result<(), ReadError> {
        if self.peek()? != b'[' {
            return Err(self.invalid_type(expected));
        }
        self.enter()
    }

    /// Steps into the container whose opening byte is next.
    pub(crate) fn enter(&mut self) -> Result<(), ReadError> {
        // Past whitespace first: a caller that checked the opening byte on
        // the raw body (`read_shaped`) has not moved the reader yet.
        self.peek()?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ReadError::new("recursion limit exceeded"));
        }
        self.pos += 1;
        Ok(())
    }

    /// The next key of the object stepped into (`first` for its first),
    /// with its `:` read; `None` at its end, left for [`end_object`](Self::end_object).
    pub(crate) fn key(&mut self, first: bool) -> Result<Option<Cow<'a, str>>, ReadError> {
        if !self.has_next_key(first)? {
            return Ok(None);
        }
        let key = self.string(true)?;
        self.colon()?;
        Ok(Some(key))
    }

    /// Steps past `text` when it comes next, exactly (no whitespace first):
    /// a caller's guess at the next bytes, such as a key and its colon.
    pub(crate) fn skip_exact(&mut self, text: &[u8]) -> bool {
        let next = self
            .bytes()
            .get(self.pos..self.pos.saturating_add(text.len()))
            .is_some_and(|next| same_bytes(next, text));
        if next {
            self.pos += text.len();
        }
        next
    }

    /// Whether `byte` comes next, exactly (no whitespace first).
    pub(crate) fn next_is(&self, byte: u8) -> bool {
        self.bytes().get(self.pos) == Some(&byte)
    }

    fn has_next_key(&mut self, first: bool) -> Result<bool, ReadError> {
        let next = match self.skip_ws() {
            Some(b'}') => return Ok(false),
            Some(b',') if !first => {
                self.pos += 1;
                self.skip_ws()
            }
            Some(b) if first => Some(b),
            Some(_) => return Err(ReadError::new("expected `,` or `}`")),
            None => return Err(ReadError::eof("EOF while parsing an object")),
        };
        match next {
            Some(b'"') => Ok(true),
            Some(b'}') => Err(ReadError::new("trailing comma")),
            Some(_) => Err(ReadError::new("key must be a string")),
            None => Err(ReadError::eof("EOF while parsing a value")),
        }
    }

    fn colon(&mut self) -> Result<(), ReadError> {
        match self.skip_ws() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(ReadError::new("expected `:`")),
            None => Err(ReadError::eof("EOF while parsing an object")),
        }
    }

    /// Steps out of an object whose keys were all read.
    pub(crate) fn end_object(&mut self) -> Result<(), ReadError> {
        match self.skip_ws() {
            Some(b'}') => {
                self.pos += 1;
                self.depth -= 1;
                Ok(())
            }
            Some(b',') => Err(ReadError::new("trailing comma")),
            Some(_) => Err(ReadError::new("trailing characters")),
            None => Err(ReadError::eof("EOF while parsing an object")),
        }
    }

    /// Whether the array stepped into has another element (`first` for its
    /// first); at its end the `]` is left for [`end_array`](Self::end_array).
    pub(crate) fn element(&mut self, first: bool) -> Result<bool, ReadError> {
        let next = match self.skip_ws() {
            Some(b']') => return Ok(false),
            Some(b',') if !first => {
                self.pos += 1;
                self.skip_ws()
            }
            Some(b) if first => Some(b),
            Some(_) => return Err(ReadError::new("expected `,` or `]`")),
            None => return Err(ReadError::eof("EOF while parsing a list")),
        };
        match next {
            Some(b']') => Err(ReadError::new("trailing comma")),
            Some(_) => Ok(true),
            None => Err(ReadError::eof("EOF while parsing a value")),
        }
    }

    /// Steps out of an array: its `]` must come next.
    pub(crate) fn end_array(&mut self) -> Result<(), ReadError> {
        match self.skip_ws() {
            Some(b']') => {
                self.pos += 1;
                self.depth -= 1;
                Ok(())
            }
            Some(b',') => {
                self.pos += 1;
                match self.skip_ws() {
                    Some(b']') => Err(ReadError::new("trailing comma")),
                    _ => Err(ReadError::new("trailing characters")),
                }
            }
            Some(_) => Err(ReadError::new("trailing characters")),
            None => Err(ReadError::eof("EOF while parsing a list")),
        }
    }

    /// Reads any value as serde_json's `Value` does.
    pub(crate) fn value(&mut self) -> Result<Value, ReadError> {
        match self.peek()? {
            b'n' => self.literal(b"null").map(|()| Value::Null),
            b't' => self.literal(b"true").map(|()| Value::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Value::Bool(false)),
            b'"' => Ok(Value::String(self.string(true)?.into_owned())),
            b'-' | b'0'..=b'9' => Ok(self.number(true)?.into_value()),
            b'[' => {
                self.enter()?;
                let mut items = Vec::new();
                while self.element(items.is_empty())? {
                    let i = items.len();
                    items.push(at(|| Step::Index(i), self.value())?);
                }
                self.end_array()?;
                Ok(Value::Array(items))
            }
            b'{' => {
                self.enter()?;
                match self.map_entries(true)? {
                    Ok(map) => Ok(Value::Object(map)),
                    Err(raw) => Ok(raw),
                }
            }
            _ => Err(ReadError::new("expected value")),
        }
    }

    /// serde_json's `Value`, built with the `raw_value` feature (as the
    /// native typed path is), reads an object whose *first* key is
    /// [`RAW_VALUE_TOKEN`] as the JSON text its string value holds, and
    /// refuses any other key after it. The reader does the same (the object
    /// is open, its first key read), so that the two paths agree on every
    /// document.
    fn raw_value_object(&mut self) -> Result<Value, ReadError> {
        // Every error here is at the token's key, the end of the text too
        // (where a body's invalid UTF-8 is cut off to find its path).
        let text = match self.peek() {
            Ok(b'"') => self.string(true),
            Ok(_) => Err(self.invalid_type("raw value")),
            Err(end) => Err(end),
        };
        let text = at(|| Step::Key(RAW_VALUE_TOKEN.to_string()), text)?;
        let mut inner = Reader::new(&text);
        let value = inner
            .value()
            .and_then(|v| inner.end().map(|()| v))
            .map_err(|e| ReadError::new(format!("a raw value's text: {}", e.0.message)))?;
        self.end_object()?;
        Ok(value)
    }

    /// Reads an object (a `Map`, a repeated key's last value kept).
    pub(crate) fn map(&mut self, expected: &str) -> Result<Map<String, Value>, ReadError> {
        self.object(expected)?;
        // A `Map` (unlike a `Value`) has no raw-value key in serde_json.
        match self.map_entries(false)? {
            Ok(map) => Ok(map),
            Err(_) => Err(ReadError::new("expected a map")),
        }
    }

    /// An open object's entries, or (`raw_value_key`, a `Value` being read)
    /// the value of a raw-value object (`raw_value_object`).
    fn map_entries(
        &mut self,
        raw_value_key: bool,
    ) -> Result<Result<Map<String, Value>, Value>, ReadError> {
        let mut map = Map::new();
        let mut first = true;
        while let Some(key) = self.key(first)? {
            if first && raw_value_key && key == RAW_VALUE_TOKEN {
                return self.raw_value_object().map(Err);
            }
            first = false;
            let value = at(|| Step::Key(key.to_string()), self.value())?;
            map.insert(key.into_owned(), value);
        }
        self.end_object()?;
        Ok(Ok(map))
    }

    /// Skips a value as serde_json skips one it ignores: the grammar is
    /// checked, not nesting, number ranges or escapes' code points.
    /// Gives the value's text.
    pub(crate) fn skip(&mut self) -> Result<&'a str, ReadError> {
        let start = self.skip_ws().map(|_| self.pos);
        // Open containers, innermost last: `true` for an object.
        let mut open: Vec<bool> = Vec::new();
        let mut first = false;
        loop {
            // At a value (a container's first, or after its `,` / `:`).
            match self.peek()? {
                b'n' => self.literal(b"null")?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'"' => {
                    self.string(false)?;
                }
                b'-' | b'0'..=b'9' => {
                    self.number(false)?;
                }
                b @ (b'[' | b'{') => {
                    self.pos += 1;
                    open.push(b == b'{');
                    first = true;
                }
                _ => return Err(ReadError::new("expected value")),
            }
            // After a value, or just inside a container: close what ends here,
            // then move to the next value.
            loop {
                let Some(&object) = open.last() else {
                    let start = start.unwrap_or(self.pos);
                    return Ok(&self.text[start..self.pos]);
                };
                if object {
                    let more = if first {
                        first = false;
                        self.skip_has_key(true)?
                    } else {
                        self.skip_has_key(false)?
                    };
                    if more {
                        self.string(false)?;
                        self.colon()?;
                        break;
                    }
                    self.pos += 1; // `}`
                    open.pop();
                } else {
                    let more = self.element(std::mem::take(&mut first))?;
                    if more {
                        break;
                    }
                    self.pos += 1; // `]`
                    open.pop();
                }
            }
        }
    }

    fn skip_has_key(&mut self, first: bool) -> Result<bool, ReadError> {
        self.has_next_key(first)
    }

    /// A string at its opening quote; `validate` checks the code points of
    /// `\u` escapes (not done for a skipped one).
    fn string(&mut self, validate: bool) -> Result<Cow<'a, str>, ReadError> {
        self.pos += 1;
        let bytes = self.bytes();
        let start = self.pos;
        // The usual case: no escape, borrowed as is. The plain run ends at
        // the closing quote, an escape or a control character.
        self.pos = plain_run_end(bytes, start);
        match bytes.get(self.pos) {
            None => return Err(ReadError::eof("EOF while parsing a string")),
            Some(b'"') => {
                let s = &self.text[start..self.pos];
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(_) => return Err(control_character()),
        }
        let mut owned = String::with_capacity(self.pos - start + 16);
        owned.push_str(&self.text[start..self.pos]);
        loop {
            match bytes.get(self.pos) {
                None => return Err(ReadError::eof("EOF while parsing a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(validate, &mut owned)?;
                }
                Some(&b) if b < 0x20 => return Err(control_character()),
                Some(_) => {
                    let run = self.pos;
                    self.pos = plain_run_end(bytes, run);
                    owned.push_str(&self.text[run..self.pos]);
                }
            }
        }
    }

    fn escape(&mut self, validate: bool, out: &mut String) -> Result<(), ReadError> {
        let Some(&b) = self.bytes().get(self.pos) else {
            return Err(ReadError::eof("EOF while parsing a string"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if !validate {
                    return Ok(());
                }
                match unit {
                    0xD800..=0xDBFF => {
                        let bytes = self.bytes();
                        if bytes.get(self.pos) != Some(&b'\\') {
                            return Err(self.lone_surrogate());
                        }
                        if bytes.get(self.pos + 1) != Some(&b'u') {
                            return Err(self.lone_surrogate());
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(ReadError::new("lone leading surrogate in hex escape"));
                        }
                        let code = 0x10000 + (((unit - 0xD800) << 10) | (low - 0xDC00));
                        char::from_u32(code)
                            .ok_or_else(|| ReadError::new("invalid unicode code point"))?
                    }
                    0xDC00..=0xDFFF => {
                        return Err(ReadError::new("lone leading surrogate in hex escape"));
                    }
                    _ => char::from_u32(unit)
                        .ok_or_else(|| ReadError::new("invalid unicode code point"))?,
                }
            }
            _ => return Err(ReadError::new("invalid escape")),
        };
        if validate {
            out.push(c);
        }
        Ok(())
    }

    fn lone_surrogate(&self) -> ReadError {
        if self.pos >= self.text.len() {
            ReadError::eof("EOF while parsing a string")
        } else {
            ReadError::new("lone leading surrogate in hex escape")
        }
    }

    fn hex4(&mut self) -> Result<u32, ReadError> {
        let mut unit = 0u32;
        for _ in 0..4 {
            let Some(&b) = self.bytes().get(self.pos) else {
                return Err(ReadError::eof("EOF while parsing a string"));
            };
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(ReadError::new("invalid escape")),
            };
            unit = (unit << 4) | u32::from(digit);
            self.pos += 1;
        }
        Ok(unit)
    }

    /// A number at its first byte; `exact` classifies it and refuses one
    /// past `f64` (a skipped one is only checked against the grammar).
    fn number(&mut self, exact: bool) -> Result<Num, ReadError> {
        let bytes = self.bytes();
        let start = self.pos;
        let negative = bytes[self.pos] == b'-';
        if negative {
            self.pos += 1;
        }
        let digits = self.pos;
        match bytes.get(self.pos) {
            Some(b'0') => {
                self.pos += 1;
                if bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    return Err(ReadError::new("invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                while bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    self.pos += 1;
                }
            }
            Some(_) => return Err(ReadError::new("invalid number")),
            None => return Err(ReadError::eof("EOF while parsing a value")),
        }
        let integer_end = self.pos;
        let mut float = false;
        if bytes.get(self.pos) == Some(&b'.') {
            float = true;
            self.pos += 1;
            self.digits()?;
        }
        if matches!(bytes.get(self.pos), Some(b'e' | b'E')) {
            float = true;
            self.pos += 1;
            if matches!(bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
        }
        if !exact {
            return Ok(Num::U64(0));
        }
        if !float {
            if let Ok(magnitude) = self.text[digits..integer_end].parse::<u64>() {
                if !negative {
                    return Ok(Num::U64(magnitude));
                }
                // As serde_json: `-0` and magnitudes past i64 are floats.
                let value = (magnitude as i64).wrapping_neg();
                if value < 0 {
                    return Ok(Num::I64(value));
                }
                return Ok(Num::F64(-(magnitude as f64)));
            }
        }
        match float::parse(&self.text[start..self.pos]) {
            Some(f) => Ok(Num::F64(f)),
            None => Err(ReadError::new("number out of range")),
        }
    }

    fn digits(&mut self) -> Result<(), ReadError> {
        let bytes = self.bytes();
        match bytes.get(self.pos) {
            Some(b) if b.is_ascii_digit() => {}
            Some(_) => return Err(ReadError::new("invalid number")),
            None => return Err(ReadError::eof("EOF while parsing a value")),
        }
        while bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        Ok(())
    }
}

/// `0x01` in each byte of a word: times a byte, that byte in each.
pub(crate) const BYTE_ONES: u64 = u64::from_le_bytes([0x01; 8]);

/// The bytes of the little-endian word `w` below `bound` (at most 0x80),
/// each flagged by its high bit (SWAR). A byte above a flagged one may be
/// flagged too (a borrow), but never one below it: the lowest flag is the
/// exact first such byte.
#[inline(always)]
pub(crate) fn bytes_below(w: u64, bound: u8) -> u64 {
    w.wrapping_sub(BYTE_ONES * u64::from(bound)) & !w & u64::from_le_bytes([0x80; 8])
}

/// The zero bytes of `w` ([`bytes_below`] 1). XOR with a byte repeated
/// ([`BYTE_ONES`] times it) finds that byte instead.
#[inline(always)]
pub(crate) fn zero_bytes(w: u64) -> u64 {
    bytes_below(w, 1)
}

/// `"` in each byte of a word, for [`first_flagged`]'s callers' tests.
pub(crate) const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
/// `\\` in each byte of a word, likewise.
pub(crate) const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);

/// The offset of the first byte at or after `from` that a JSON string cannot
/// hold as it is (`"`, `\\` or a control character), or `bytes.len()`.
/// Eight bytes at a time ([`first_flagged`]), since strings are most of what
/// a webhook or a response carries.
#[inline]
pub(crate) fn plain_run_end(bytes: &[u8], from: usize) -> usize {
    first_flagged(bytes, from, |w| {
        zero_bytes(w ^ QUOTES) | zero_bytes(w ^ BACKSLASHES) | bytes_below(w, 0x20)
    })
}

/// The offset of the first byte at or after `from` that `flags` marks in
/// its little-endian word, or `bytes.len()`: eight bytes at a time (SWAR).
/// `flags` marks a byte by its high bit, and may also mark bytes *above* a
/// marked one (a borrow), but never one below it: the lowest mark is the
/// exact first byte, so no bytewise rescan is needed. The last few bytes are
/// tested as the end of the last whole word, shifted down.
#[inline(always)]
pub(crate) fn first_flagged(bytes: &[u8], from: usize, flags: impl Fn(u64) -> u64) -> usize {
    let first = |marks: u64| (marks.trailing_zeros() / 8) as usize;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let marks = flags(u64::from_le_bytes(*chunk));
        if marks != 0 {
            return i + first(marks);
        }
        i += 8;
    }
    let rest = bytes.len().saturating_sub(i);
    if rest == 0 {
        return i;
    }
    let word = match bytes.last_chunk::<8>() {
        Some(last) => u64::from_le_bytes(*last) >> (8 * (8 - rest)),
        // Shorter than a word: zero-padded.
        None => {
            let mut word = [0; 8];
            word[..rest].copy_from_slice(&bytes[i..]);
            u64::from_le_bytes(word)
        }
    };
    // No mark, or one among the zero bytes shifted or padded in, is at
    // `rest` or past it: the end.
    (i + first(flags(word))).min(bytes.len())
}

/// Whether `a` and `b`, of the same length, hold the same bytes: compared
/// a word at a time, where the slices' `==` calls `memcmp`, which the wasm
/// build compiles to a byte loop (keys are 5 to 20 bytes).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let word = |s: &[u8], at: usize| {
        s.get(at..)
            .and_then(|s| s.first_chunk::<8>())
            .map(|w| u64::from_le_bytes(*w))
    };
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        return a == b;
    }
    // Whole words from the start, then the last word (overlapping the one
    // before it): no byte loop for the tail.
    let mut at = 0;
    while at + 8 < a.len() {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    let last = a.len() - 8;
    word(a, last) == word(b, last)
}

/// serde_json's private key for a `RawValue` (see `Reader::raw_value_object`).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

fn control_character() -> ReadError {
    ReadError::new("control character (\\u0000-\\u001F) found while parsing a string")
}

/// The JSON text of `body` up to its first byte that is not UTF-8, and that
/// byte's offset, if any.
pub(crate) fn utf8_prefix(body: &[u8]) -> (&str, Option<usize>) {
    match std::str::from_utf8(body) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.valid_up_to();
            (
                std::str::from_utf8(&body[..at]).unwrap_or_default(),
                Some(at),
            )
        }
    }
}

/// Reads one whole document with `read`, as the typed path reads one: an
/// empty body, text after the document and bytes that are not UTF-8 (named
/// where the read of the text before them stopped) are refused.
pub(crate) fn read_document<'a, T>(
    body: &'a [u8],
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, ReadError>,
) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::decode("", "the body is empty"));
    }
    let (text, bad_utf8_at) = utf8_prefix(body);
    let mut reader = Reader::new(text);
    let outcome = read(&mut reader).and_then(|value| reader.end().map(|()| value));
    match (outcome, bad_utf8_at) {
        (Ok(value), None) => Ok(value),
        (Err(e), None) => Err(e.into_error(body.len())),
        (outcome, Some(at)) => Err(Error::decode(
            outcome.err().map(|e| e.path()).unwrap_or_default(),
            format!("invalid unicode (not UTF-8) at byte {at}"),
        )),
    }
}

/// Reads a document that must be an object (`open` `{`) or an array (`[`),
/// refusing another shape by name before reading it, as
/// `ops::decode_shaped_with` does for the typed path.
pub(crate) fn read_shaped<'a, T>(
    body: &'a [u8],
    open: u8,
    what: &str,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, ReadError>,
) -> Result<T, Error> {
    let found = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(Error::decode("", "the body is empty")),
        Some(b) if *b == open => return read_document(body, read),
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        // A scalar: its type is named once it is read.
        Some(_) => {
            let value = read_document(body, Reader::value)?;
            crate::ops::describe_value(&value)
        }
    };
    Err(Error::decode("", format!("expected {what}, found {found}")))
}

/// Parses a whole JSON document into a `Value`, accepting and refusing what
/// serde_json does; a refusal is a decode error naming where it went wrong.
/// Bindings read their callers' JSON arguments with it, so that the web
/// build needs no second JSON parser.
pub fn parse_value(body: &[u8]) -> Result<Value, Error> {
    read_document(body, Reader::value)
}

/// Writes `s` as a JSON string: as it is when nothing in it needs an escape
/// (the usual case, and byte for byte what serde_json writes then), else
/// through serde_json's writer.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    if plain_run_end(s.as_bytes(), 0) == s.len() {
        write_plain_str(out, s);
    } else {
        // Writing a str to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// Writes `text`, which needs no escape, as a JSON string: a schema's field
/// name, or a string [`Reader::str`] or [`Reader::key`] returned borrowed
/// (see [`write_read_str`]). Skips [`write_str`]'s scan for escapes.
pub(crate) fn write_plain_str(out: &mut Vec<u8>, text: &str) {
    debug_assert_eq!(plain_run_end(text.as_bytes(), 0), text.len(), "{text:?}");
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

/// Writes a string the [`Reader`] returned. The reader borrows a string
/// from the body only when it holds no escape, so a borrowed one needs
/// none when written back; one it had to unescape is written by
/// [`write_str`].
// A `&Cow`, not a `&str`: whether it is borrowed is what this reads.
#[allow(clippy::ptr_arg)]
pub(crate) fn write_read_str(out: &mut Vec<u8>, text: &Cow<'_, str>) {
    match text {
        Cow::Borrowed(plain) => write_plain_str(out, plain),
        Cow::Owned(unescaped) => write_str(out, unescaped),
    }
}

/// Appends `value` as compact JSON, byte for byte what serde_json writes
/// (keys in the map's order, floats in its shortest form): every JSON the
/// core writes from a `Value` goes through here, so that the web build
/// carries no second number writer.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_map(out, map),
    }
}

/// Appends `map` as a compact JSON object (see [`write_value`]).
pub(crate) fn write_map(out: &mut Vec<u8>, map: &Map<String, Value>) {
    out.push(b'{');
    for (i, (key, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, item);
    }
    out.push(b'}');
}

/// Appends `n` as serde_json writes it: integers by its integer writer (no
/// `String` per number; a `Number` itself would bring its float writer back),
/// floats by the core's.
pub(crate) fn write_number(out: &mut Vec<u8>, n: &Number) {
    // Writing an integer to a Vec cannot fail.
    if let Some(u) = n.as_u64() {
        let _ = serde_json::to_writer(&mut *out, &u);
    } else if let Some(i) = n.as_i64() {
        let _ = serde_json::to_writer(&mut *out, &i);
    } else if let Some(f) = n.as_f64() {
        float::write(out, f);
    }
}

/// `value` (finite) as serde_json writes an `f64`: `1500.0`, `0.25`,
/// `1e+16`. For bindings that hand the host a number as JSON text.
pub fn f64_text(value: f64) -> String {
    let mut out = Vec::with_capacity(24);
    float::write(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

/// `value` as compact JSON text (see [`write_value`]).
pub(crate) fn value_text(value: &Value) -> String {
    let mut out = Vec::new();
    write_value(&mut out, value);
    // Only valid UTF-8 was written: `Value` strings and ASCII.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_raw_value_key_is_read_as_serde_json_reads_it() {
        for text in [
            r#"{"$serde_json::private::RawValue": 7366}"#,
            r#"{"$serde_json::private::RawValue": "x"}"#,
            r#"{"$serde_json::private::RawValue": "[1, {\"a\": 2}] "}"#,
            r#"{"$serde_json::private::RawValue": "1", "b": 2}"#,
            r#"{"a": {"$serde_json::private::RawValue": "null"}}"#,
            r#"{"a": 1, "$serde_json::private::RawValue": "2"}"#,
            r#"[{"$serde_json::private::RawValue": "{\"$serde_json::private::RawValue\": \"3\"}"}]"#,
        ] {
            let ours = super::parse_value(text.as_bytes()).ok();
            let theirs = serde_json::from_str::<serde_json::Value>(text).ok();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn plain_run_end_finds_the_first_byte_a_string_cannot_hold() {
        let naive = |bytes: &[u8], from: usize| {
            (from..bytes.len())
                .find(|&i| matches!(bytes[i], b'"' | b'\\' | 0..0x20))
                .unwrap_or(bytes.len())
        };
        // Every byte value at every place of a 19-byte run (both sides of a
        // word boundary), from every start, next to plain ASCII and UTF-8.
        for special in 0..=255u8 {
            for at in 0..19 {
                let mut bytes = "aé€ {}xyz0123456789z".as_bytes()[..19].to_vec();
                bytes[at] = special;
                // Every prefix too: runs that reach the end, in slices
                // shorter and longer than a word.
                for len in 0..=bytes.len() {
                    let bytes = &bytes[..len];
                    for from in 0..=len {
                        assert_eq!(
                            super::plain_run_end(bytes, from),
                            naive(bytes, from),
                            "{bytes:?} from {from}"
                        );
                    }
                }
            }
        }
    }

    use super::*;

    fn parse(text: &str) -> Result<Value, (String, String)> {
        parse_value(text.as_bytes()).map_err(|e| {
            let info = e.info();
            (info.path.clone().unwrap_or_default(), info.message.clone())
        })
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a":[1,-2,3.5,-0,18446744073709551616,1e3,"x\u00e9\ud83d\ude00",true,false,null]}"#,
            r#"  [ ]  "#,
            r#"{"b":1,"b":2}"#,
            r#""\"\\\/\b\f\n\r\t""#,
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "1E-400",
            // Correctly rounded on both sides (serde_json's float_roundtrip).
            "66666666666666666666666666666666666.66666666666666666666666666666666666666666666666666666666",
        ] {
            let want: Value = serde_json::from_str(text).expect("valid JSON");
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses_at_the_same_path() {
        for (text, path) in [
            (r#"{"a":[1,2,}"#, "a[2]"),
            (r#"{"a":[1,2,]}"#, "a"),
            (r#"{"a":{"b":01}}"#, "a.b"),
            (r#"{"a":"\ud800"}"#, "a"),
            (r#"{"a":"\udc00"}"#, "a"),
            (r#"{"a":1e400}"#, "a"),
            (r#"{"a":"x"#, "a"),
            (r#"{"a" 1}"#, ""),
            (r#"{"a":1,}"#, ""),
            (r#"[1] 2"#, ""),
            ("{\"a\":\"\u{1}\"}", "a"),
            (r#"{"a":[tru]}"#, "a[0]"),
            (r#"{"a":-}"#, "a"),
            (r#"{"a":1.}"#, "a"),
        ] {
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
            let got = parse(text);
            assert!(matches!(&got, Err((p, _)) if p == path), "{text}: {got:?}");
        }
    }

    #[test]
    fn nests_as_deep_as_serde_json_and_no_deeper() {
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(serde_json::from_str::<Value>(&ok).is_ok());
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(serde_json::from_str::<Value>(&deep).is_err());
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn skips_leniently_and_gives_the_text() {
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        for text in [r#"{"a":[1e999,"\ud800"],"b":{}}"#, " 12 ", deep.as_str()] {
            let mut r = Reader::new(text);
            assert_eq!(r.skip().ok().map(str::trim), Some(text.trim()));
            assert!(r.end().is_ok());
        }
        for text in [r#"{"a":[1,]}"#, r#"{"a" 1}"#, r#"[01]"#, "\"\u{1}\""] {
            assert!(Reader::new(text).skip().is_err(), "{text}");
        }
    }
}
