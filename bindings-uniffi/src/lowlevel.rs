//! The core's decisions one step at a time, for custom send loops and for
//! the shared-vector replays (`tests/fixtures/retry.json`, `exchange.json`,
//! `stream.json`): the same objects the client's own loop drives.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use antonnia_core::stream::{MessageStream, StreamOptions};
use antonnia_core::{
    Call, Config, Exchange, Failure, HttpResponse, Limits, Message, Outcome, RetryPolicy,
    RetrySafety, Step, Timestamp,
};
use serde_json::Value;

use crate::errors::AntonniaError;
use crate::transport::HttpHeader;

fn json(field: &str, text: &str) -> Result<Value, AntonniaError> {
    serde_json::from_str(text)
        .map_err(|e| AntonniaError::invalid(field, format!("is not valid JSON text: {e}")))
}

fn secs(field: &str, s: f64) -> Result<Duration, AntonniaError> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| AntonniaError::invalid(field, "must be a finite number of seconds, 0 or more"))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One API call with checked arguments (by name, arguments as the wire's JSON).
#[derive(Debug, PartialEq, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct ApiCall {
    inner: Call,
}

#[uniffi::export]
impl ApiCall {
    /// `name` as in `callNames()`, `args_json` an object keyed like the
    /// Python keyword arguments.
    #[uniffi::constructor]
    pub fn new(name: String, args_json: String) -> Result<Arc<Self>, AntonniaError> {
        Ok(Arc::new(ApiCall {
            inner: Call::from_json(&name, json("arguments", &args_json)?)?,
        }))
    }

    /// The call's name.
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// Whether repeating it cannot duplicate a side effect.
    pub fn idempotent(&self) -> bool {
        self.inner.retry_safety() == RetrySafety::Idempotent
    }

    /// For searches: the call for the page after one of `returned` items.
    pub fn next_page(&self, returned: i64) -> Option<Arc<ApiCall>> {
        let returned = usize::try_from(returned).unwrap_or(0);
        self.inner
            .next_page(returned)
            .map(|inner| Arc::new(ApiCall { inner }))
    }
}

/// How failed calls are sent again (seconds for the durations).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RetrySettings {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff, doubled each retry.
    pub initial_backoff: f64,
    /// The longest backoff.
    pub max_backoff: f64,
    /// The longest `Retry-After` honoured; past it the call stops.
    pub max_retry_after: f64,
}

fn policy(s: &RetrySettings) -> Result<RetryPolicy, AntonniaError> {
    let mut p = RetryPolicy::with_max_retries(s.max_attempts.saturating_sub(1));
    p.initial_backoff = secs("initial_backoff", s.initial_backoff)?;
    p.max_backoff = secs("max_backoff", s.max_backoff)?;
    p.max_retry_after = secs("max_retry_after", s.max_retry_after)?;
    Ok(p)
}

/// The core's retry decision: seconds to wait before attempt `attempt + 1`,
/// or nothing to stop. `outcome_json` is `{"status": N, "retry_after": S?}`
/// or `"connect_failed"`, `"transport_failed"`, `"timed_out"`.
#[uniffi::export]
pub fn retry_decision(
    settings: RetrySettings,
    idempotent: bool,
    attempt: u32,
    outcome_json: String,
    jitter: f64,
) -> Result<Option<f64>, AntonniaError> {
    let outcome = Outcome::from_json(&json("outcome", &outcome_json)?)?;
    Ok(policy(&settings)?
        .decide(
            RetrySafety::from_idempotent(idempotent),
            attempt,
            &outcome,
            jitter,
        )
        .wait()
        .map(|d| d.as_secs_f64()))
}

/// What an exchange says after an attempt.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ExchangeStep {
    /// The call is done: its result as canonical JSON text (`null` for none).
    Done {
        /// The result.
        result_json: String,
    },
    /// Wait this many seconds, then send the same request again.
    Retry {
        /// The wait.
        after_seconds: f64,
    },
}

/// One call's attempts, as the client's loop drives them (seconds throughout).
#[derive(uniffi::Object)]
pub struct CallExchange {
    inner: Mutex<Exchange>,
}

#[uniffi::export]
impl CallExchange {
    /// `token` absent: anonymous; `total_timeout` absent: none.
    #[uniffi::constructor]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        call: Arc<ApiCall>,
        token: Option<String>,
        base_url: Option<String>,
        settings: RetrySettings,
        timeout: f64,
        total_timeout: Option<f64>,
        max_response_bytes: i64,
    ) -> Result<Arc<Self>, AntonniaError> {
        let mut config = match token {
            Some(t) => Config::new(&t)?,
            None => Config::anonymous(),
        };
        if let Some(url) = base_url {
            config = config.with_base_url(&url)?;
        }
        let limits = Limits {
            timeout: secs("timeout", timeout)?,
            total_timeout: total_timeout
                .map(|t| secs("total_timeout", t))
                .transpose()?,
            max_response_bytes: usize::try_from(max_response_bytes).unwrap_or(0),
        };
        let inner = Exchange::new(call.inner.clone(), &config, policy(&settings)?, limits)?;
        Ok(Arc::new(CallExchange {
            inner: Mutex::new(inner),
        }))
    }

    /// Sets the id sent as `x-request-id` (the client makes a fresh one per
    /// call), which errors carry when the server names none.
    pub fn set_request_id(&self, request_id: String) -> Result<(), AntonniaError> {
        Ok(lock(&self.inner).set_request_id(&request_id)?)
    }

    /// Seconds the current attempt may take, `elapsed` seconds into the call.
    pub fn attempt_timeout(&self, elapsed: f64) -> Result<f64, AntonniaError> {
        Ok(lock(&self.inner)
            .attempt_timeout(secs("elapsed", elapsed)?)
            .as_secs_f64())
    }

    /// A whole response arrived; `now` is Unix seconds.
    pub fn on_response(
        &self,
        status: i32,
        headers: Vec<HttpHeader>,
        body: Vec<u8>,
        elapsed: f64,
        now: f64,
        jitter: f64,
    ) -> Result<ExchangeStep, AntonniaError> {
        let status = u16::try_from(status)
            .map_err(|_| AntonniaError::invalid("status", "must be an HTTP status"))?;
        let response = HttpResponse {
            status,
            headers: headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body,
        };
        let elapsed = secs("elapsed", elapsed)?;
        let now = Timestamp::from_unix_seconds_f64(now)
            .ok_or_else(|| AntonniaError::invalid("now", "is out of range"))?;
        step(lock(&self.inner).on_response(&response, elapsed, now, jitter))
    }

    /// An attempt without a whole response: `connect_failed`,
    /// `transport_failed`, `timed_out` or `body_too_large` (with `received`).
    pub fn on_failure(
        &self,
        failure: String,
        detail: String,
        elapsed: f64,
        jitter: f64,
        received: i64,
    ) -> Result<ExchangeStep, AntonniaError> {
        let failure = match failure.as_str() {
            "body_too_large" => Failure::BodyTooLarge {
                received: usize::try_from(received).unwrap_or(0),
            },
            other => Failure::from_name(other).ok_or_else(|| {
                AntonniaError::invalid("failure", format!("unknown failure {other:?}"))
            })?,
        };
        let elapsed = secs("elapsed", elapsed)?;
        step(lock(&self.inner).on_failure(failure, &detail, elapsed, jitter))
    }
}

fn step(s: Step) -> Result<ExchangeStep, AntonniaError> {
    match s {
        Step::Done(output) => Ok(ExchangeStep::Done {
            result_json: output.to_json().to_string(),
        }),
        Step::Retry(wait) => Ok(ExchangeStep::Retry {
            after_seconds: wait.as_secs_f64(),
        }),
        Step::Fail(e) => Err(e.into()),
    }
}

/// What a poll of the message cursor gave.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CursorPoll {
    /// The new messages' ids, in order.
    pub message_ids: Vec<String>,
    /// Seconds to wait before the next call.
    pub wait_seconds: f64,
}

/// The cursor behind `messages.stream`, one step at a time (seconds).
#[derive(uniffi::Object)]
pub struct MessageCursor {
    inner: Mutex<MessageStream>,
}

#[uniffi::export]
impl MessageCursor {
    /// A cursor over one session's messages.
    #[uniffi::constructor]
    pub fn new(
        session_id: String,
        poll_interval: f64,
        max_poll_interval: f64,
        page_size: i64,
        from_start: bool,
    ) -> Result<Arc<Self>, AntonniaError> {
        let options = StreamOptions {
            poll_interval: secs("poll_interval", poll_interval)?,
            max_poll_interval: secs("max_poll_interval", max_poll_interval)?,
            page_size,
            from_start,
        };
        Ok(Arc::new(MessageCursor {
            inner: Mutex::new(MessageStream::new(&session_id, options)?),
        }))
    }

    /// Starts right after the message `message_id` (the user's message just
    /// sent): what follows it in the history comes out first. Call it before
    /// the first poll.
    pub fn start_after(&self, message_id: String) -> Result<(), AntonniaError> {
        Ok(lock(&self.inner).start_after(&message_id)?)
    }

    /// The `messages.search` call to run now.
    pub fn next_call(&self) -> Arc<ApiCall> {
        Arc::new(ApiCall {
            inner: lock(&self.inner).next_call(),
        })
    }

    /// Takes the page the call returned (its JSON text).
    pub fn on_page(&self, page_json: String) -> Result<CursorPoll, AntonniaError> {
        let page: Vec<Message> = serde_json::from_value(json("page", &page_json)?)
            .map_err(|e| AntonniaError::invalid("page", e.to_string()))?;
        let poll = lock(&self.inner).on_page(page);
        Ok(CursorPoll {
            message_ids: poll.messages.into_iter().map(|m| m.id).collect(),
            wait_seconds: poll.wait.as_secs_f64(),
        })
    }

    /// A poll failed with this error: seconds to wait, or nothing when the
    /// stream must end with it.
    pub fn on_failed_poll(&self, error: AntonniaError) -> Option<f64> {
        let retry_after = match &error {
            AntonniaError::RateLimit { retry_after, .. } => {
                retry_after.and_then(|s| Duration::try_from_secs_f64(s).ok())
            }
            _ => None,
        };
        lock(&self.inner)
            .on_failed_poll(
                error.kind(),
                error.status().and_then(|s| u16::try_from(s).ok()),
                retry_after,
            )
            .map(|d| d.as_secs_f64())
    }
}
