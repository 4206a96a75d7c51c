//! The plain HTTP records the core hands to, and takes back from, a transport.

use std::fmt;

use crate::json::{BYTE_ONES, zero_bytes};

/// An HTTP method used by the Conversations API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name as it goes on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether repeating the request cannot change the outcome (RFC 9110 §9.2.2).
    pub fn is_idempotent(&self) -> bool {
        matches!(self, Method::Get | Method::Delete)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request ready to be sent by any HTTP client.
///
/// `Debug` hides the value of the `Authorization` header so that requests can
/// be logged safely.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, with every path segment percent-encoded.
    pub url: String,
    /// Header names (lower case) and values, in sending order.
    pub headers: Vec<(String, String)>,
    /// The JSON body, or `None` for requests without one.
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    /// The value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as text (always UTF-8 JSON when present).
    pub fn body_text(&self) -> Option<&str> {
        self.body
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if is_secret_header(k) {
                    (k.as_str(), "[redacted]")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body_text())
            .finish()
    }
}

/// A response as received by any HTTP client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values as received (names are matched case-insensitively).
    pub headers: Vec<(String, String)>,
    /// The raw body (possibly empty).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header, builder style.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The server's id for this request: the first of `x-request-id`,
    /// `request-id`, `x-amzn-requestid` that holds a
    /// [valid](is_valid_request_id) one.
    pub fn request_id(&self) -> Option<&str> {
        RESPONSE_ID_HEADERS
            .iter()
            .filter_map(|h| self.header(h))
            .map(str::trim)
            .find(|id| is_valid_request_id(id))
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The header the SDK sends its request id in, and the first one it reads a
/// server's request id from.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Response headers that carry the server's (or a gateway's) id for the
/// request, in the order they are preferred.
const RESPONSE_ID_HEADERS: [&str; 3] = [REQUEST_ID_HEADER, "request-id", "x-amzn-requestid"];

/// The longest request id kept: ids are opaque tokens, and a longer header
/// is not an id worth quoting in an error message.
const MAX_REQUEST_ID_LEN: usize = 200;

/// Whether a request id is fit to send and to quote: non-empty, at most 200
/// characters, printable ASCII without spaces (it is echoed into error
/// messages and logs, so a server's CR/LF or control characters never are).
pub fn is_valid_request_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Headers whose values are credentials: `Debug` output and logs show
/// `[redacted]` instead.
pub fn is_secret_header(name: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

/// The headers in one text of `name:value` lines, the form the web binding
/// hands headers over in (one string per crossing): each line splits at its
/// first colon (a line without one is a name with an empty value), and empty
/// lines are skipped. Borrowed from `text`.
pub fn header_lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    HeaderLines { rest: text }
}

/// [`header_lines`]' iterator: each line read once, to its colon and then
/// to its end, eight bytes at a time, where splitting at `\n` and then at
/// `:` went over each line twice, through a searcher each time (most of a
/// webhook's header checks, scripts/count-instructions.sh).
struct HeaderLines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for HeaderLines<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        loop {
            let rest = self.rest;
            if rest.is_empty() {
                return None;
            }
            let bytes = rest.as_bytes();
            // Each split is at an ASCII byte, so on a character boundary.
            let (name, value, end) = match first_of(bytes, b':', b'\n') {
                Some(colon) if bytes[colon] == b':' => {
                    let value_at = colon + 1;
                    let end = first_of(&bytes[value_at..], b'\n', b'\n')
                        .map_or(rest.len(), |i| value_at + i);
                    (&rest[..colon], &rest[value_at..end], end)
                }
                Some(end) => (&rest[..end], "", end),
                None => (rest, "", rest.len()),
            };
            self.rest = rest.get(end + 1..).unwrap_or("");
            // An empty line (its `\n` first) is skipped.
            if end > 0 {
                return Some((name, value));
            }
        }
    }
}

/// Where the first byte of `bytes` that is `a` or `b` is, looked for a
/// word at a time ([`zero_bytes`] of the word XOR each byte repeated).
fn first_of(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    let (all_a, all_b) = (BYTE_ONES * u64::from(a), BYTE_ONES * u64::from(b));
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let word = u64::from_le_bytes(*chunk);
        let flags = zero_bytes(word ^ all_a) | zero_bytes(word ^ all_b);
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = bytes.get(at..).unwrap_or_default();
    tail.iter().position(|&c| c == a || c == b).map(|i| at + i)
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    /// The rule [`super::header_lines`] documents, as plainly as it can be
    /// written.
    fn by_the_rule(text: &str) -> Vec<(&str, &str)> {
        text.split('\n')
            .filter(|line| !line.is_empty())
            .map(|line| line.split_once(':').unwrap_or((line, "")))
            .collect()
    }

    #[test]
    fn header_lines_split_by_the_rule() {
        for text in [
            "",
            "\n",
            "\n\n",
            ":",
            "a",
            "a:",
            ":b",
            "a:b",
            "a:b:c\n",
            "a\nb:c",
            "\na:b\n\nc\n:d\n",
            "é:ü\n€",
            "webhook-id:msg_1\nwebhook-timestamp:1765000000\nwebhook-signature:v1,abc=\n",
        ] {
            assert_eq!(
                super::header_lines(text).collect::<Vec<_>>(),
                by_the_rule(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn first_of_finds_the_first_of_either_byte() {
        // Every byte value at every place of a 19-byte run (both sides of a
        // word boundary), in every prefix: runs with and without a match.
        for special in 0..=255u8 {
            for at in 0..19 {
                let mut bytes = *b"abcdefgh:ijklmno\npq";
                bytes[at] = special;
                for len in 0..=bytes.len() {
                    let bytes = &bytes[..len];
                    let naive = bytes.iter().position(|&c| c == b':' || c == b'\n');
                    assert_eq!(super::first_of(bytes, b':', b'\n'), naive, "{bytes:?}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn header_lines_split_any_text_by_the_rule(text in "[a:\\n é\u{10a}\u{3a00}]{0,40}") {
            proptest::prop_assert_eq!(super::header_lines(&text).collect::<Vec<_>>(), by_the_rule(&text));
        }
    }
}
