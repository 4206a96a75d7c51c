//! What the host provides: its HTTP client and its timer, as async foreign
//! traits. The binding needs no Rust async runtime: every await in the send
//! loop is on one of these, driven by the host's own executor (Kotlin
//! coroutines, Swift concurrency), and cancelling the host's task drops the
//! Rust future, which cancels the host call it was waiting for.

use std::fmt;
use std::sync::Arc;

use antonnia_core::HttpRequest as CoreRequest;

use crate::errors::HttpTransportError;

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A request to send. An object rather than a record so that printing it
/// (`toString()`, `description`) can never show the `Authorization` header.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct HttpRequest {
    inner: CoreRequest,
    max_response_bytes: i64,
}

impl HttpRequest {
    pub(crate) fn new(inner: CoreRequest, max_response_bytes: usize) -> Arc<HttpRequest> {
        Arc::new(HttpRequest {
            inner,
            max_response_bytes: i64::try_from(max_response_bytes).unwrap_or(i64::MAX),
        })
    }
}

#[uniffi::export]
impl HttpRequest {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub fn method(&self) -> String {
        self.inner.method.as_str().to_string()
    }

    /// The full URL.
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    /// Every header to send, `Authorization` included (pass them straight to
    /// the HTTP client; do not log them).
    pub fn headers(&self) -> Vec<HttpHeader> {
        self.inner
            .headers
            .iter()
            .map(|(name, value)| HttpHeader {
                name: name.clone(),
                value: value.clone(),
            })
            .collect()
    }

    /// The body, if any (JSON).
    pub fn body(&self) -> Option<Vec<u8>> {
        self.inner.body.clone()
    }

    /// Read at most this many body bytes plus one, then stop: a longer body
    /// fails the call (`PayloadTooLarge`) without being read whole.
    pub fn max_response_bytes(&self) -> i64 {
        self.max_response_bytes
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The core's Debug hides the Authorization header.
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.inner.method.as_str(), self.inner.url)
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
        request: Arc<HttpRequest>,
        timeout_ms: i64,
    ) -> Result<HttpResponse, HttpTransportError>;
}

/// The host's timer: waits without blocking a thread (`delay` in Kotlin,
/// `Task.sleep` in Swift). Cancelled when the call waiting on it is.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait Sleeper: Send + Sync {
    /// Returns after `millis` milliseconds.
    async fn sleep(&self, millis: i64);
}
