//! What the host provides: its HTTP client and its timer, as async foreign
//! traits. The binding needs no Rust async runtime: every await in the send
//! loop is on one of these, driven by the host's own executor (Kotlin
//! coroutines, Swift concurrency), and cancelling the host's task drops the
//! Rust future, which cancels the host call it was waiting for.

use std::fmt;

use antonnia_core::HttpRequest as CoreRequest;

use crate::errors::HttpTransportError;

/// One HTTP header. Printing it (`toString()`, `description`) hides the
/// value of `Authorization` (it holds the token).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct HttpHeader {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl HttpHeader {
    fn shown(&self) -> &str {
        if self.name.eq_ignore_ascii_case("authorization") {
            "[redacted]"
        } else {
            &self.value
        }
    }
}

impl fmt::Debug for HttpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpHeader")
            .field("name", &self.name)
            .field("value", &self.shown())
            .finish()
    }
}

impl fmt::Display for HttpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.shown())
    }
}

/// A request to send. Printing it (`toString()`, `description`) never shows
/// the `Authorization` header: its Display / Debug are the core's, which hide
/// it, exported over the generated ones.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct HttpRequest {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Every header to send, `Authorization` included (pass them straight to
    /// the HTTP client; do not log them).
    pub headers: Vec<HttpHeader>,
    /// The body, if any (JSON).
    pub body: Option<Vec<u8>>,
    /// Read at most this many body bytes plus one, then stop: a longer body
    /// fails the call (`PayloadTooLarge`) without being read whole.
    pub max_response_bytes: i64,
}

impl HttpRequest {
    pub(crate) fn new(inner: &CoreRequest, max_response_bytes: usize) -> HttpRequest {
        HttpRequest {
            method: inner.method.as_str().to_string(),
            url: inner.url.clone(),
            headers: inner
                .headers
                .iter()
                .map(|(name, value)| HttpHeader {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            body: inner.body.clone(),
            max_response_bytes: i64::try_from(max_response_bytes).unwrap_or(i64::MAX),
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|h| {
                let shown = if h.name.eq_ignore_ascii_case("authorization") {
                    "[redacted]"
                } else {
                    h.value.as_str()
                };
                (h.name.as_str(), shown)
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)
    }
}

/// What came back: the whole body (up to `max_response_bytes + 1`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The status code.
    pub status: i32,
    /// The headers (`Retry-After` is read from them).
    pub headers: Vec<HttpHeader>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// The host's HTTP client. `send` sends the request and reads the whole body,
/// taking at most `timeout_ms` (the loop also enforces it with the
/// [`Sleeper`], cancelling the call when it runs out). Failures are thrown as
/// `HttpTransportError` (anything else thrown counts as `Io`).
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request` and returns the whole response.
    async fn send(
        &self,
        request: HttpRequest,
        timeout_ms: i64,
    ) -> Result<HttpResponse, HttpTransportError>;
}

/// The host's timer: waits without blocking a thread (`delay` in Kotlin,
/// `Task.sleep` in Swift). Cancelled when the call waiting on it is. A timer
/// that throws ends the call with the SDK's transport error, naming it.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait Sleeper: Send + Sync {
    /// Returns after `millis` milliseconds.
    async fn sleep(&self, millis: i64) -> Result<(), HttpTransportError>;
}
