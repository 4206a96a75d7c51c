//! The one error type of the SDK, and how an error response becomes one.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::http::HttpResponse;
use crate::time::Timestamp;

/// How many bytes of an error response body are kept in [`ApiError::body`].
pub const MAX_KEPT_ERROR_BODY: usize = 8 * 1024;

/// Everything that can go wrong when talking to the Conversations API.
///
/// The API variants follow the status table of the contract; the others are
/// raised on this side of the wire. Bindings map each variant to their idiom
/// (`NotFound` → `NotFoundError` and so on), and [`Error::kind`] gives a
/// stable, language-neutral name for it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// 401: the token is missing, malformed or revoked.
    Authentication(Box<ApiError>),
    /// 403: the token lacks access to this resource.
    PermissionDenied(Box<ApiError>),
    /// 404: no such session, message, agent or survey submission.
    NotFound(Box<ApiError>),
    /// 409: a conflict, such as a duplicate `provider_message_id`.
    Conflict(Box<ApiError>),
    /// 422: the server rejected the request's content.
    Validation(Box<ApiError>),
    /// 429: too many requests; see [`ApiError::retry_after`].
    RateLimit(Box<ApiError>),
    /// Any other non-2xx status.
    Api(Box<ApiError>),
    /// The caller's input was refused before anything was sent.
    InvalidRequest {
        /// The argument at fault, e.g. `session_id` or `debounce_time`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A 2xx response, or a webhook, whose body is not what the contract describes.
    Decode {
        /// Where in the document parsing failed, e.g. `data.object.content.type`.
        path: String,
        /// What was wrong there.
        message: String,
        /// The id of the request whose response this was ([`Error::request_id`]).
        request_id: Option<String>,
    },
    /// A webhook body that is not what the contract describes.
    WebhookDecode {
        /// Where in the document parsing failed, e.g. `data.object.content.type`.
        path: String,
        /// What was wrong there.
        message: String,
    },
    /// A webhook whose signature does not verify.
    WebhookVerification(WebhookVerificationError),
    /// 413: the server refused a request body as too large.
    RequestTooLarge(Box<ApiError>),
    /// A webhook or response body over the configured size limit.
    PayloadTooLarge {
        /// The body's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The HTTP client failed before a response arrived (DNS, connection, TLS…).
    Transport {
        /// The client's own description.
        message: String,
        /// The id the SDK sent with the request ([`Error::request_id`]).
        request_id: Option<String>,
    },
    /// No response arrived within the configured time.
    Timeout {
        /// The client's own description.
        message: String,
        /// The id the SDK sent with the request ([`Error::request_id`]).
        request_id: Option<String>,
    },
}

/// Why a webhook signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookVerificationError {
    /// One of the `webhook-id`, `webhook-timestamp`, `webhook-signature` headers is absent.
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a whole number of seconds.
    InvalidTimestamp,
    /// The timestamp is further from `now` than the tolerance allows.
    TimestampOutOfTolerance {
        /// Seconds by which the timestamp is ahead of `now` (negative: behind).
        skew_seconds: i64,
    },
    /// The secret is not `whsec_` followed by base64 (or bare base64).
    InvalidSecret,
    /// No signature in `webhook-signature` matches the body.
    NoMatchingSignature,
    /// Verification was asked for (the default) but no secret was given.
    MissingSecret,
}

impl WebhookVerificationError {
    /// A stable, language-neutral name for the reason, used by the shared test vectors.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::InvalidTimestamp => "invalid_timestamp",
            Self::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            Self::InvalidSecret => "invalid_secret",
            Self::NoMatchingSignature => "no_matching_signature",
            Self::MissingSecret => "missing_secret",
        }
    }
}

impl fmt::Display for WebhookVerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(h) => write!(f, "missing the {h} header"),
            Self::InvalidTimestamp => {
                f.write_str("webhook-timestamp is not a Unix time in seconds")
            }
            Self::TimestampOutOfTolerance { skew_seconds } if *skew_seconds > 0 => write!(
                f,
                "webhook-timestamp is {skew_seconds} s in the future, beyond the tolerance"
            ),
            // unsigned_abs: the header is the sender's (unverified) text, and
            // negating i64::MIN would overflow.
            Self::TimestampOutOfTolerance { skew_seconds } => write!(
                f,
                "webhook-timestamp is {} s old, beyond the tolerance",
                skew_seconds.unsigned_abs()
            ),
            Self::InvalidSecret => {
                f.write_str("the webhook secret is not 'whsec_' followed by base64")
            }
            Self::NoMatchingSignature => f.write_str("no signature matches the body"),
            Self::MissingSecret => f.write_str(
                "no webhook secret was given: pass the endpoint's whsec_ secret, \
                 or skip verification explicitly (verify=False) for a trusted source",
            ),
        }
    }
}

/// A problem the server found in one part of a request (FastAPI's 422 items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationProblem {
    /// Where: e.g. `["body", "debounce_time"]` (numbers are list indices).
    pub loc: Vec<String>,
    /// What, in the server's words.
    pub msg: String,
    /// The server's code for it, e.g. `less_than_equal`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// What the server said in an error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// A readable message: the `detail` string, the validation problems joined,
    /// or a description of an unreadable body.
    pub message: String,
    /// The validation problems when `detail` was a list of them.
    pub problems: Vec<ValidationProblem>,
    /// How long the server asked us to wait (`Retry-After` header, else body `retry_after`).
    pub retry_after: Option<Duration>,
    /// The body parsed as JSON, when it was JSON (bounded like `body`).
    pub data: Option<Value>,
    /// The first [`MAX_KEPT_ERROR_BODY`] bytes of the body, lossily decoded.
    pub body: String,
    /// The request that got this answer (`GET https://...`), when the caller
    /// that sent it said so ([`Error::with_request`]); shown for 404s, whose
    /// usual cause is a wrong URL.
    pub request: Option<String>,
    /// The server's id for the request (its `x-request-id` header, see
    /// [`HttpResponse::request_id`]), else the one the SDK sent.
    pub request_id: Option<String>,
}

/// Matches the variants that carry what the server said (one list, for both
/// borrows of it).
macro_rules! api_variants {
    ($value:expr, $e:ident => $some:expr, $none:expr) => {
        match $value {
            Error::Authentication($e)
            | Error::PermissionDenied($e)
            | Error::NotFound($e)
            | Error::Conflict($e)
            | Error::Validation($e)
            | Error::RateLimit($e)
            | Error::RequestTooLarge($e)
            | Error::Api($e) => $some,
            _ => $none,
        }
    };
}

impl Error {
    /// A stable, language-neutral name for the variant, used by the shared test vectors.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Authentication(_) => "authentication",
            Error::PermissionDenied(_) => "permission_denied",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Validation(_) => "validation",
            Error::RateLimit(_) => "rate_limit",
            Error::Api(_) => "api",
            Error::InvalidRequest { .. } => "invalid_request",
            Error::Decode { .. } | Error::WebhookDecode { .. } => "decode",
            Error::WebhookVerification(_) => "webhook_verification",
            Error::PayloadTooLarge { .. } | Error::RequestTooLarge(_) => "payload_too_large",
            Error::Transport { .. } => "transport",
            Error::Timeout { .. } => "timeout",
        }
    }

    /// The server's answer, for errors that came from one.
    pub fn api_error(&self) -> Option<&ApiError> {
        api_variants!(self, e => Some(e.as_ref()), None)
    }

    fn api_error_mut(&mut self) -> Option<&mut ApiError> {
        api_variants!(self, e => Some(e.as_mut()), None)
    }

    /// The HTTP status, for errors that came from the server.
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|e| e.status)
    }

    /// How long the server asked to wait before trying again, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// An argument refused before anything was sent: `field` names it.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidRequest {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A response body that is not what the contract describes, at `path`
    /// (`""` for the document itself).
    pub fn decode(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Decode {
            path: path.into(),
            message: message.into(),
            request_id: None,
        }
    }

    /// The HTTP client failed before a response arrived; `message` is its own words.
    pub fn transport(message: impl Into<String>) -> Error {
        Error::Transport {
            message: message.into(),
            request_id: None,
        }
    }

    /// No complete response arrived in time.
    pub fn timeout(message: impl Into<String>) -> Error {
        Error::Timeout {
            message: message.into(),
            request_id: None,
        }
    }

    /// The same error, about the request `method url` (kept by API errors).
    pub fn with_request(mut self, method: &str, url: &str) -> Error {
        if let Some(api) = self.api_error_mut() {
            api.request = Some(format!("{method} {url}"));
        }
        self
    }

    /// The id of the request that failed: the server's (`x-request-id` and
    /// the like, [`HttpResponse::request_id`]) when it answered with one,
    /// else the one the SDK sent ([`Error::with_request_id`]). What to quote
    /// when asking the API's support about a failed call.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode { request_id, .. }
            | Error::Transport { request_id, .. }
            | Error::Timeout { request_id, .. } => request_id.as_deref(),
            other => other.api_error().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// The same error, about the request sent with id `id`: kept by the
    /// errors of a call (API, decode, transport and timeout errors), unless
    /// the server already named its own id for it. An id that is not
    /// [valid](crate::http::is_valid_request_id) is ignored.
    pub fn with_request_id(mut self, id: &str) -> Error {
        if !crate::http::is_valid_request_id(id) {
            return self;
        }
        let slot = match &mut self {
            Error::Decode { request_id, .. }
            | Error::Transport { request_id, .. }
            | Error::Timeout { request_id, .. } => request_id,
            other => match other.api_error_mut() {
                Some(api) => &mut api.request_id,
                None => return self,
            },
        };
        if slot.is_none() {
            *slot = Some(id.to_string());
        }
        self
    }

    /// The same error with every occurrence of `secret` (the API token) in
    /// what the server or the transport said replaced by `[redacted]`: a proxy
    /// or server that echoes the `Authorization` header must not put the token
    /// into exception messages and logs. Secrets under 6 characters are left
    /// alone: replacing them would garble ordinary words, and no real token is
    /// that short.
    pub fn redacted(mut self, secret: &str) -> Error {
        if secret.len() < 6 {
            return self;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "[redacted]");
            }
        };
        match &mut self {
            Error::Transport { message, .. } | Error::Timeout { message, .. } => scrub(message),
            Error::Decode { message, .. } | Error::WebhookDecode { message, .. } => scrub(message),
            _ => {}
        }
        if let Some(api) = self.api_error_mut() {
            scrub(&mut api.message);
            scrub(&mut api.body);
            for p in &mut api.problems {
                scrub(&mut p.msg);
                scrub(&mut p.kind);
                p.loc.iter_mut().for_each(&scrub);
            }
            if let Some(data) = &mut api.data {
                scrub_json(data, &scrub);
            }
        }
        self
    }

    /// The error as flat, language-neutral fields: what every binding maps to
    /// its own exception classes, by `kind` alone.
    pub fn info(&self) -> ErrorInfo {
        let api = self.api_error();
        let (field, path, reason) = match self {
            Error::InvalidRequest { field, .. } => (Some(field.clone()), None, None),
            Error::Decode { path, .. } | Error::WebhookDecode { path, .. } => {
                (None, Some(path.clone()), None)
            }
            Error::WebhookVerification(w) => (None, None, Some(w.reason())),
            _ => (None, None, None),
        };
        ErrorInfo {
            kind: self.kind(),
            message: self.to_string(),
            status: api.map(|a| a.status),
            detail: api.map(|a| a.message.clone()),
            retry_after: self.retry_after().map(|d| d.as_secs_f64()),
            problems: api.map(|a| a.problems.clone()).unwrap_or_default(),
            field,
            path,
            reason,
            body: api.map(|a| a.body.clone()),
            data: api.and_then(|a| a.data.clone()),
            request_id: self.request_id().map(str::to_string),
        }
    }

    /// Turns a non-2xx response into the matching variant.
    ///
    /// `now` is only used to turn an HTTP-date `Retry-After` into a delay;
    /// without it such a header is ignored.
    pub fn from_response(response: &HttpResponse, now: Option<Timestamp>) -> Error {
        let api = Box::new(ApiError::from_response(response, now));
        match response.status {
            401 => Error::Authentication(api),
            403 => Error::PermissionDenied(api),
            404 => Error::NotFound(api),
            409 => Error::Conflict(api),
            413 => Error::RequestTooLarge(api),
            422 => Error::Validation(api),
            429 => Error::RateLimit(api),
            _ => Error::Api(api),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = self.api_error() {
            write!(f, "{} (HTTP {}", e.message, e.status)?;
            if let (Error::RateLimit(_), Some(wait)) = (self, e.retry_after) {
                write!(f, "; retry after {} s", crate::time::Seconds(wait))?;
            }
            if let (Error::NotFound(_), Some(request)) = (self, &e.request) {
                write!(f, "; {request}")?;
                if !request.contains(crate::config::API_PATH_PREFIX) {
                    write!(
                        f,
                        "; the URL has no {} - is the base URL the API root?",
                        crate::config::API_PATH_PREFIX
                    )?;
                }
            }
            return f.write_str(")");
        }
        match self {
            Error::InvalidRequest { field, message } => write!(f, "invalid {field}: {message}"),
            Error::Decode { path, message, .. } => {
                if path.is_empty() {
                    write!(f, "unexpected response: {message}")
                } else {
                    write!(f, "unexpected response at {path}: {message}")
                }
            }
            Error::WebhookDecode { path, message } => {
                if path.is_empty() {
                    write!(f, "invalid webhook body: {message}")
                } else {
                    write!(f, "invalid webhook body at {path}: {message}")
                }
            }
            Error::WebhookVerification(e) => write!(f, "webhook verification failed: {e}"),
            Error::PayloadTooLarge { size, limit } => {
                write!(f, "body of {size} bytes exceeds the limit of {limit} bytes")
            }
            Error::Transport { message, .. } => write!(f, "transport error: {message}"),
            Error::Timeout { message, .. } => write!(f, "timed out: {message}"),
            // Written above, from api_error().
            Error::Authentication(_)
            | Error::PermissionDenied(_)
            | Error::NotFound(_)
            | Error::Conflict(_)
            | Error::Validation(_)
            | Error::RateLimit(_)
            | Error::RequestTooLarge(_)
            | Error::Api(_) => Ok(()),
        }
    }
}

impl std::error::Error for Error {}

/// An [`Error`] as flat fields ([`Error::info`]), serializable for bindings
/// that cross the boundary as JSON. Absent fields are `None` / empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorInfo {
    /// The language-neutral kind ([`Error::kind`]): what a binding picks its class by.
    pub kind: &'static str,
    /// The whole description ([`Error`]'s `Display`).
    pub message: String,
    /// The HTTP status, for errors the server answered with.
    pub status: Option<u16>,
    /// What the server said (its `detail`), for errors it answered with.
    pub detail: Option<String>,
    /// Seconds the server asked to wait before trying again.
    pub retry_after: Option<f64>,
    /// The server's validation problems (422).
    pub problems: Vec<ValidationProblem>,
    /// For `invalid_request`: the argument at fault.
    pub field: Option<String>,
    /// For `decode`: where in the document parsing failed.
    pub path: Option<String>,
    /// For `webhook_verification`: why ([`WebhookVerificationError::reason`]).
    pub reason: Option<&'static str>,
    /// The error body as text (bounded), for errors the server answered with.
    pub body: Option<String>,
    /// The error body as JSON, when it was JSON.
    pub data: Option<Value>,
    /// The id of the failed request ([`Error::request_id`]).
    pub request_id: Option<String>,
}

impl ErrorInfo {
    /// As JSON, byte for byte what its `Serialize` writes with serde_json,
    /// through the core's own writer (the web build's errors cross as this;
    /// serde's would compile a second number writer into it).
    pub fn to_json(&self) -> String {
        use crate::json::{write_number, write_str, write_value};
        fn opt_str(out: &mut Vec<u8>, v: Option<&str>) {
            match v {
                Some(s) => write_str(out, s),
                None => out.extend_from_slice(b"null"),
            }
        }
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"kind\":");
        write_str(&mut out, self.kind);
        out.extend_from_slice(b",\"message\":");
        write_str(&mut out, &self.message);
        out.extend_from_slice(b",\"status\":");
        match self.status {
            Some(status) => write_number(&mut out, &status.into()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"detail\":");
        opt_str(&mut out, self.detail.as_deref());
        out.extend_from_slice(b",\"retry_after\":");
        match self.retry_after.and_then(serde_json::Number::from_f64) {
            Some(n) => write_number(&mut out, &n),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"problems\":[");
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"loc\":[");
            for (j, part) in p.loc.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                write_str(&mut out, part);
            }
            out.extend_from_slice(b"],\"msg\":");
            write_str(&mut out, &p.msg);
            out.extend_from_slice(b",\"type\":");
            write_str(&mut out, &p.kind);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"field\":");
        opt_str(&mut out, self.field.as_deref());
        out.extend_from_slice(b",\"path\":");
        opt_str(&mut out, self.path.as_deref());
        out.extend_from_slice(b",\"reason\":");
        opt_str(&mut out, self.reason);
        out.extend_from_slice(b",\"body\":");
        opt_str(&mut out, self.body.as_deref());
        out.extend_from_slice(b",\"data\":");
        match &self.data {
            Some(data) => write_value(&mut out, data),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"request_id\":");
        opt_str(&mut out, self.request_id.as_deref());
        out.push(b'}');
        // Only valid UTF-8 was written: Rust strings and ASCII.
        String::from_utf8(out).unwrap_or_default()
    }
}

fn scrub_json(v: &mut Value, scrub: &impl Fn(&mut String)) {
    match v {
        Value::String(s) => scrub(s),
        Value::Array(items) => items.iter_mut().for_each(|x| scrub_json(x, scrub)),
        Value::Object(map) => {
            // Keys too: a body may list things keyed by the token. Inserted
            // one by one rather than collected: `collect` into a map
            // compiles a sort per call site into the web build.
            for (mut k, mut x) in std::mem::take(map) {
                scrub(&mut k);
                scrub_json(&mut x, scrub);
                map.insert(k, x);
            }
        }
        _ => {}
    }
}

impl From<WebhookVerificationError> for Error {
    fn from(e: WebhookVerificationError) -> Self {
        Error::WebhookVerification(e)
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "HTTP error",
    }
}

/// How much of a server's `detail` becomes the error message.
const MAX_MESSAGE_CHARS: usize = 2000;

fn truncate_chars(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

fn truncate_utf8(bytes: &[u8], max: usize) -> String {
    let cut = &bytes[..bytes.len().min(max)];
    String::from_utf8_lossy(cut).into_owned()
}

/// `text` with every control character (CR, LF, tab, escapes) as a space.
fn one_line(text: String) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        text
    }
}

/// Parses `Retry-After`: delay-seconds (fractions tolerated) or an HTTP date.
pub fn parse_retry_after(value: &str, now: Option<Timestamp>) -> Option<Duration> {
    let v = value.trim();
    if let Some(secs) = decimal_seconds(v) {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).ok())
            .flatten();
    }
    let at = Timestamp::parse_http_date(v).ok()?;
    let now = now?;
    let delta = at.as_unix_seconds_f64() - now.as_unix_seconds_f64();
    Some(Duration::try_from_secs_f64(delta.max(0.0)).unwrap_or(Duration::ZERO))
}

/// A decimal number of seconds as `str::parse::<f64>` reads one (`30`,
/// `1.5`, `+2`, `.5`, `5.`, `1e3`), through the JSON reader's float parse:
/// std's parse would add its tables to the web build. Anything else
/// (`inf`, `NaN`, text) is `None`, as it is not finite there either.
fn decimal_seconds(text: &str) -> Option<f64> {
    // [+|-]digits[.digits][(e|E)[+|-]digits], a digit on either side of
    // the point; the float parse reads that without the `+`.
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with('-') => return None,
        Some(rest) => rest,
        None => text,
    };
    let b = unsigned.as_bytes();
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut i = usize::from(b.first() == Some(&b'-'));
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if mantissa == 0 || i != b.len() {
        return None;
    }
    crate::json::float::parse(unsigned)
}

fn value_as_delay(v: &Value) -> Option<Duration> {
    let secs = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => decimal_seconds(s.trim())?,
        _ => return None,
    };
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::try_from_secs_f64(secs).ok())
        .flatten()
}

fn value_to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => crate::json::value_text(other),
    }
}

fn problems_from(list: &[Value]) -> Vec<ValidationProblem> {
    list.iter()
        .map(|item| {
            let loc = item
                .get("loc")
                .and_then(Value::as_array)
                .map(|l| l.iter().map(value_to_text).collect())
                .unwrap_or_default();
            let msg = item
                .get("msg")
                .map(value_to_text)
                .unwrap_or_else(|| value_to_text(item));
            let kind = item.get("type").map(value_to_text).unwrap_or_default();
            ValidationProblem { loc, msg, kind }
        })
        .collect()
}

impl ApiError {
    /// Reads what the server said from an error response.
    pub fn from_response(response: &HttpResponse, now: Option<Timestamp>) -> ApiError {
        let status = response.status;
        let body = truncate_utf8(&response.body, MAX_KEPT_ERROR_BODY);
        // The whole body is read for its `detail` (it is in memory already,
        // bounded by the transport's response limit); only a small one is
        // kept as `data`.
        let parsed: Option<Value> = crate::json::parse_value(&response.body).ok();
        let is_json = parsed.is_some();
        let data = parsed
            .as_ref()
            .filter(|_| response.body.len() <= MAX_KEPT_ERROR_BODY)
            .cloned();
        let mut problems = Vec::new();
        let detail_message = parsed.as_ref().and_then(|d| {
            let detail = d.get("detail").or_else(|| d.get("message"))?;
            Some(match detail {
                Value::String(s) => s.clone(),
                Value::Array(items) => {
                    problems = problems_from(items);
                    problems
                        .iter()
                        .map(|p| {
                            if p.loc.is_empty() {
                                p.msg.clone()
                            } else {
                                format!("{}: {}", p.loc.join("."), p.msg)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                }
                other => crate::json::value_text(other),
            })
        });
        let message = match detail_message {
            Some(m) if !m.is_empty() => truncate_chars(m, MAX_MESSAGE_CHARS),
            _ if response.body.iter().all(u8::is_ascii_whitespace) => {
                format!("{} with an empty body", reason_phrase(status))
            }
            _ if data.is_some() => reason_phrase(status).to_string(),
            _ if is_json => format!(
                "{} with a JSON body of {} bytes",
                reason_phrase(status),
                response.body.len()
            ),
            _ => {
                let content_type = response.header("content-type").unwrap_or("unknown type");
                format!(
                    "{} with a non-JSON body ({}, {} bytes)",
                    reason_phrase(status),
                    content_type,
                    response.body.len()
                )
            }
        };
        // The server's words go into exception messages and log lines: a
        // CR/LF or other control character there could forge a log line.
        let message = one_line(message);
        let retry_after = response
            .header("retry-after")
            .and_then(|v| parse_retry_after(v, now))
            .or_else(|| parsed.as_ref()?.get("retry_after").and_then(value_as_delay));
        ApiError {
            status,
            message,
            problems,
            retry_after,
            data,
            body,
            request: None,
            request_id: response.request_id().map(str::to_string),
        }
    }
}
