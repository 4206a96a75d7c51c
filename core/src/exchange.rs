//! One call, from its first attempt to its final answer.
//!
//! An [`Exchange`] holds everything a binding's send loop would otherwise
//! decide for itself: the request to send, how long the attempt may take,
//! whether a failed attempt is sent again and after how long, when the call's
//! overall deadline has run out, and what error the caller finally sees. The
//! binding only sends bytes, measures time and sleeps:
//!
//! ```
//! use std::time::Duration;
//! use antonnia_core::exchange::{Exchange, Limits, Step};
//! use antonnia_core::{Call, Config, HttpResponse, RetryPolicy, Timestamp};
//!
//! let config = Config::new("sk_test_sandbox")?;
//! let call = Call::from_json("sessions.get", serde_json::json!({"session_id": "sess_1"}))?;
//! let mut exchange = Exchange::new(call, &config, RetryPolicy::default(), Limits::default())?;
//! let now = Timestamp::from_unix_seconds(1_700_000_000).expect("in range");
//! # let mut replies = vec![HttpResponse::new(200, r#"{"id":"sess_1"}"#), HttpResponse::new(503, "")];
//! let output = loop {
//!     let _request = exchange.request(); // send it, waiting at most exchange.attempt_timeout(elapsed)
//!     let response = replies.pop().unwrap();
//!     match exchange.on_response(&response, Duration::ZERO, now, 0.5) {
//!         Step::Done(output) => break output,
//!         Step::Retry(_wait) => continue, // sleep _wait first
//!         Step::Fail(error) => return Err(error),
//!     }
//! };
//! assert_eq!(output.to_json()["id"], "sess_1");
//! # Ok::<(), antonnia_core::Error>(())
//! ```
//!
//! # Deadlines
//!
//! [`Limits::timeout`] bounds each attempt, from sending the request to the
//! last byte of the response body — a server that drips its body cannot keep
//! an attempt alive past it. [`Limits::total_timeout`], when set, bounds the
//! whole call, attempts and waits between them included: an attempt is given
//! at most the time that is left, and a retry whose wait would end past the
//! deadline is not made (the caller sees the last error instead). Without
//! it, a call still ends: at most `max_attempts` attempts of `timeout` each,
//! and waits capped by the retry policy.

use std::time::Duration;

use crate::config::{Config, Token};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::ops::{Call, CallOutput};
use crate::retry::{Outcome, RetryDecision, RetryPolicy};
use crate::time::Timestamp;

/// The longest a single attempt may take by default: 60 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest response body read by default: 10 MiB (the largest search
/// page of the API is far smaller).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 10 * 1024 * 1024;

/// How long a call may take and how much it may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest one attempt may take, request sent to body read.
    pub timeout: Duration,
    /// The longest the whole call may take, retries and waits included.
    pub total_timeout: Option<Duration>,
    /// The largest response body accepted; a longer one fails the call.
    pub max_response_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: DEFAULT_TIMEOUT,
            total_timeout: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// How an attempt ended without a complete response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The connection could not be established: nothing reached the server.
    ConnectFailed,
    /// The connection broke after the request may have been sent.
    TransportFailed,
    /// The attempt took longer than [`Exchange::attempt_timeout`].
    TimedOut,
    /// The response body grew past [`Limits::max_response_bytes`]; the
    /// binding stopped reading after `received` bytes.
    BodyTooLarge {
        /// How many bytes had arrived when reading stopped.
        received: usize,
    },
}

impl Failure {
    /// A failure from its language-neutral name: `connect_failed`,
    /// `transport_failed`, `timed_out` (bindings that cross the boundary with
    /// strings use these).
    pub fn from_name(name: &str) -> Option<Failure> {
        match name {
            "connect_failed" => Some(Failure::ConnectFailed),
            "transport_failed" => Some(Failure::TransportFailed),
            "timed_out" => Some(Failure::TimedOut),
            _ => None,
        }
    }
}

/// What the binding does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The call succeeded with this result.
    Done(CallOutput),
    /// Wait this long, then send [`Exchange::request`] again.
    Retry(Duration),
    /// The call failed for good with this error.
    Fail(Error),
}

/// One call in progress: see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Exchange {
    call: Call,
    request: HttpRequest,
    policy: RetryPolicy,
    limits: Limits,
    attempt: u32,
    token: Option<Token>,
}

impl Exchange {
    /// Starts a call: checks its arguments and builds its request.
    pub fn new(
        call: Call,
        config: &Config,
        policy: RetryPolicy,
        limits: Limits,
    ) -> Result<Exchange, Error> {
        let request = call.build(config)?;
        Ok(Exchange {
            call,
            request,
            policy,
            limits,
            attempt: 1,
            token: config.token().cloned(),
        })
    }

    /// The call being made.
    pub fn call(&self) -> &Call {
        &self.call
    }

    /// The request to send for the current attempt.
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    /// The current attempt, 1 for the first.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// How long the current attempt may take, `elapsed` after the call began:
    /// the per-attempt timeout, or what is left of the total one if less.
    pub fn attempt_timeout(&self, elapsed: Duration) -> Duration {
        match self.limits.total_timeout {
            Some(total) => self.limits.timeout.min(total.saturating_sub(elapsed)),
            None => self.limits.timeout,
        }
    }

    /// The current attempt got `response` (its body read whole), `elapsed`
    /// after the call began. `now` reads an HTTP-date `Retry-After`; `jitter`
    /// is a random value in `[0, 1)` for the backoff.
    pub fn on_response(
        &mut self,
        response: &HttpResponse,
        elapsed: Duration,
        now: Timestamp,
        jitter: f64,
    ) -> Step {
        if response.is_success() {
            return match self.call.parse(response) {
                Ok(output) => Step::Done(output),
                Err(e) => Step::Fail(self.finish(e)),
            };
        }
        let error = Error::from_response(response, Some(now));
        let outcome = Outcome::Response {
            status: response.status,
            retry_after: error.retry_after(),
        };
        self.decide(outcome, error, elapsed, jitter)
    }

    /// The current attempt ended without a complete response, `elapsed` after
    /// the call began; `detail` is the HTTP client's own description.
    pub fn on_failure(
        &mut self,
        failure: Failure,
        detail: &str,
        elapsed: Duration,
        jitter: f64,
    ) -> Step {
        let name = self.call.name();
        let (outcome, error) = match failure {
            Failure::ConnectFailed => (
                Outcome::ConnectFailed,
                Error::transport(format!("{name}: {}", or(detail, "could not connect"))),
            ),
            Failure::TransportFailed => (
                Outcome::TransportFailed,
                Error::transport(format!("{name}: {}", or(detail, "the connection failed"))),
            ),
            Failure::TimedOut => (Outcome::TimedOut, self.timeout_error(elapsed)),
            Failure::BodyTooLarge { received } => {
                return Step::Fail(self.finish(Error::PayloadTooLarge {
                    size: received,
                    limit: self.limits.max_response_bytes,
                }));
            }
        };
        self.decide(outcome, error, elapsed, jitter)
    }

    fn timeout_error(&self, elapsed: Duration) -> Error {
        let name = self.call.name();
        match self.limits.total_timeout {
            Some(total) if elapsed >= total => Error::timeout(format!(
                "{name}: no answer within the call's total timeout of {} s ({} attempts)",
                total.as_secs_f64(),
                self.attempt
            )),
            _ => Error::timeout(format!(
                "{name}: no complete response within the timeout of {} s (attempt {})",
                self.limits.timeout.as_secs_f64(),
                self.attempt
            )),
        }
    }

    fn decide(&mut self, outcome: Outcome, error: Error, elapsed: Duration, jitter: f64) -> Step {
        let decision = self
            .policy
            .decide(self.call.retry_safety(), self.attempt, &outcome, jitter);
        match decision {
            RetryDecision::Retry { after } if self.fits_deadline(elapsed, after) => {
                self.attempt += 1;
                Step::Retry(after)
            }
            _ => Step::Fail(self.finish(error)),
        }
    }

    fn fits_deadline(&self, elapsed: Duration, wait: Duration) -> bool {
        self.limits
            .total_timeout
            .is_none_or(|total| elapsed.saturating_add(wait) < total)
    }

    fn finish(&self, error: Error) -> Error {
        let error = error.with_request(self.request.method.as_str(), &self.request.url);
        match &self.token {
            Some(token) => error.redacted(token.expose()),
            None => error,
        }
    }
}

fn or<'a>(detail: &'a str, fallback: &'a str) -> &'a str {
    if detail.trim().is_empty() {
        fallback
    } else {
        detail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn start(name: &str, args: serde_json::Value, limits: Limits) -> Exchange {
        let config = Config::new("sk_test_secret_token").unwrap();
        let call = Call::from_json(name, args).unwrap();
        Exchange::new(call, &config, RetryPolicy::default(), limits).unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::from_unix_seconds(1_700_000_000).unwrap()
    }

    #[test]
    fn retries_then_succeeds() {
        let mut ex = start(
            "sessions.get",
            json!({"session_id": "s"}),
            Limits::default(),
        );
        let step = ex.on_response(&HttpResponse::new(503, ""), Duration::ZERO, now(), 0.0);
        assert_eq!(step, Step::Retry(Duration::from_millis(250)));
        assert_eq!(ex.attempt(), 2);
        let ok = HttpResponse::new(200, r#"{"id":"s"}"#);
        assert!(matches!(
            ex.on_response(&ok, Duration::from_secs(1), now(), 0.0),
            Step::Done(CallOutput::Session(_))
        ));
    }

    #[test]
    fn the_total_timeout_cuts_retries_and_attempts() {
        let limits = Limits {
            timeout: Duration::from_secs(2),
            total_timeout: Some(Duration::from_secs(3)),
            ..Limits::default()
        };
        let mut ex = start("sessions.get", json!({"session_id": "s"}), limits);
        assert_eq!(ex.attempt_timeout(Duration::ZERO), Duration::from_secs(2));
        assert_eq!(
            ex.attempt_timeout(Duration::from_millis(2500)),
            Duration::from_millis(500)
        );
        let step = ex.on_response(
            &HttpResponse::new(503, ""),
            Duration::from_millis(2900),
            now(),
            0.0,
        );
        assert!(matches!(step, Step::Fail(Error::Api(_))), "{step:?}");
    }

    #[test]
    fn a_timeout_names_the_call_and_the_limit() {
        let limits = Limits {
            timeout: Duration::from_secs(2),
            ..Limits::default()
        };
        let mut ex = start(
            "sessions.create",
            json!({"contact_id": "c", "contact_name": "n"}),
            limits,
        );
        let Step::Fail(e) = ex.on_failure(Failure::TimedOut, "", Duration::from_secs(2), 0.0)
        else {
            panic!("a create is not retried after a timeout")
        };
        assert_eq!(e.kind(), "timeout");
        let text = e.to_string();
        assert!(
            text.contains("sessions.create") && text.contains("2 s"),
            "{text}"
        );
    }

    #[test]
    fn errors_never_carry_the_token() {
        let mut ex = start("agents.get", json!({"agent_id": "a"}), Limits::default());
        let echo = HttpResponse::new(
            400,
            r#"{"detail":"bad header Authorization: Bearer sk_test_secret_token"}"#,
        );
        let Step::Fail(e) = ex.on_response(&echo, Duration::ZERO, now(), 0.0) else {
            panic!()
        };
        let info = e.info();
        let shown = format!("{e} {e:?} {info:?}");
        assert!(!shown.contains("sk_test_secret_token"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
