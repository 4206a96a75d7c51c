//! Whether, and when, to send a failed request again.
//!
//! The core decides; the binding sleeps. Time and randomness come in as
//! arguments, so a decision is a pure function of its inputs.
//!
//! # Which calls are retried
//!
//! Every call declares a [`RetrySafety`]:
//!
//! - [`RetrySafety::Idempotent`] — the `get`s, the `search`es (POSTs that change
//!   nothing), the `update`s (PATCHes that set fields to given values) and
//!   `agents.delete`. Repeating them cannot duplicate anything, so they are
//!   retried on 408, 429, 500, 502, 503, 504, timeouts and any transport failure.
//! - [`RetrySafety::NotIdempotent`] — `sessions.create`, `messages.create`,
//!   `sessions.reply`, `transfer`, `finish`, `schedule`, `agents.create` and the
//!   survey `reply`/`cancel`. A repeat could record a message twice or trigger a
//!   second AI answer, so they are retried only when the server certainly did
//!   not act: a 429 (refused before processing) or a connection that was never
//!   established ([`Outcome::ConnectFailed`]).

use std::time::Duration;

use crate::error::{Error, parse_retry_after};
use crate::http::HttpResponse;
use crate::time::Timestamp;

/// Whether a call can be repeated without duplicating a side effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetrySafety {
    /// Repeating it has the same effect as doing it once.
    Idempotent,
    /// Repeating it could do it twice.
    NotIdempotent,
}

impl RetrySafety {
    /// The safety of a call known only by whether it is idempotent (the
    /// bindings' `idempotent` flag).
    pub fn from_idempotent(idempotent: bool) -> RetrySafety {
        if idempotent {
            RetrySafety::Idempotent
        } else {
            RetrySafety::NotIdempotent
        }
    }
}

/// How an attempt ended.
///
/// It reads from JSON as the shared vectors write it: `"connect_failed"`,
/// `"transport_failed"`, `"timed_out"`, or `{"status": 503, "retry_after": 1.5}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response arrived.
    Response {
        /// Its status.
        status: u16,
        /// What its `Retry-After` (or body `retry_after`) asked for.
        retry_after: Option<Duration>,
    },
    /// The connection could not be established: nothing reached the server.
    ConnectFailed,
    /// The connection failed after the request may have been sent.
    TransportFailed,
    /// No response within the timeout; the server may have acted.
    TimedOut,
}

impl Outcome {
    /// The outcome of a received response. `now` turns an HTTP-date
    /// `Retry-After` into a delay; without it only delay-seconds count.
    pub fn from_response(response: &HttpResponse, now: Option<Timestamp>) -> Outcome {
        let retry_after = if response.is_success() {
            None
        } else {
            response
                .header("retry-after")
                .and_then(|v| parse_retry_after(v, now))
                .or_else(|| Error::from_response(response, now).retry_after())
        };
        Outcome::Response {
            status: response.status,
            retry_after,
        }
    }

    /// The outcome an error stands for, when it stands for one.
    pub fn from_error(error: &Error) -> Option<Outcome> {
        match error {
            Error::Timeout { .. } => Some(Outcome::TimedOut),
            Error::Transport { .. } => Some(Outcome::TransportFailed),
            other => other.api_error().map(|e| Outcome::Response {
                status: e.status,
                retry_after: e.retry_after,
            }),
        }
    }
}

impl Outcome {
    /// An outcome from its JSON form (see the type's documentation), as
    /// bindings and the shared vectors pass one; anything else is an
    /// `invalid_request` error naming `outcome`.
    pub fn from_json(value: &serde_json::Value) -> Result<Outcome, Error> {
        use serde_json::Value;
        let invalid = |message: String| Error::invalid("outcome", message);
        match value {
            Value::String(name) => match name.as_str() {
                "connect_failed" => Ok(Outcome::ConnectFailed),
                "transport_failed" => Ok(Outcome::TransportFailed),
                "timed_out" => Ok(Outcome::TimedOut),
                other => Err(invalid(format!(
                    "unknown outcome {other:?} (connect_failed, transport_failed, timed_out)"
                ))),
            },
            Value::Object(map) => {
                let status = map
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .ok_or_else(|| invalid("status must be an HTTP status code".into()))?;
                let retry_after = match map.get("retry_after") {
                    None | Some(Value::Null) => None,
                    Some(seconds) => Some(
                        seconds
                            .as_f64()
                            .and_then(|s| Duration::try_from_secs_f64(s).ok())
                            .ok_or_else(|| {
                                invalid("retry_after must be seconds, 0 or more".into())
                            })?,
                    ),
                };
                Ok(Outcome::Response {
                    status,
                    retry_after,
                })
            }
            _ => Err(invalid(
                "must be connect_failed, transport_failed, timed_out or {\"status\": ...}".into(),
            )),
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send it again after this delay.
    Retry {
        /// How long to wait first.
        after: Duration,
    },
    /// Stop: return the outcome to the caller.
    Stop,
}

impl RetryDecision {
    /// The wait before the retry, or `None` to stop.
    pub fn wait(&self) -> Option<Duration> {
        match self {
            RetryDecision::Retry { after } => Some(*after),
            RetryDecision::Stop => None,
        }
    }
}

/// Limits on retrying. The defaults: 3 attempts in all, backoff starting at
/// 0.5 s and doubling up to 8 s, `Retry-After` honoured up to 60 s (and
/// never shorter than the backoff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The delay before the first retry, before jitter.
    pub initial_backoff: Duration,
    /// The longest delay backoff can reach.
    pub max_backoff: Duration,
    /// The longest `Retry-After` that is waited for; a longer one stops retrying
    /// so that the caller sees the rate-limit error and its `retry_after`.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy with `max_retries` retries after the first attempt
    /// (the vendor package's `max_retries`).
    pub fn with_max_retries(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts: max_retries.saturating_add(1),
            ..RetryPolicy::default()
        }
    }

    /// A policy that never retries.
    pub fn never() -> RetryPolicy {
        RetryPolicy::with_max_retries(0)
    }

    /// The backoff before retry number `retry` (1 for the first), with
    /// "equal jitter": half the exponential delay fixed, half scaled by
    /// `jitter` (a random value in `[0, 1)` the caller draws).
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let exp = 2f64.powi(retry.saturating_sub(1).min(62) as i32);
        let full = (self.initial_backoff.as_secs_f64() * exp).min(self.max_backoff.as_secs_f64());
        // A cap within about 1000 s of `Duration::MAX` reads back as 2^64 s,
        // one past what a `Duration` holds: that delay is the cap itself.
        Duration::try_from_secs_f64(full / 2.0 + full / 2.0 * jitter).unwrap_or(self.max_backoff)
    }

    /// Decides after attempt number `attempt` (1 for the first) ended with `outcome`.
    pub fn decide(
        &self,
        safety: RetrySafety,
        attempt: u32,
        outcome: &Outcome,
        jitter: f64,
    ) -> RetryDecision {
        if attempt >= self.max_attempts {
            return RetryDecision::Stop;
        }
        let retryable = match (safety, outcome) {
            (_, Outcome::ConnectFailed) => true,
            (_, Outcome::Response { status: 429, .. }) => true,
            (RetrySafety::Idempotent, Outcome::Response { status, .. }) => {
                matches!(status, 408 | 500 | 502 | 503 | 504)
            }
            (RetrySafety::Idempotent, Outcome::TransportFailed | Outcome::TimedOut) => true,
            (RetrySafety::NotIdempotent, _) => false,
        };
        if !retryable {
            return RetryDecision::Stop;
        }
        if let Outcome::Response {
            retry_after: Some(wait),
            ..
        } = outcome
        {
            // The server's wait is a minimum, never a reason to hammer it:
            // `Retry-After: 0` (or a past HTTP date) still waits the backoff.
            return if *wait > self.max_retry_after {
                RetryDecision::Stop
            } else {
                RetryDecision::Retry {
                    after: (*wait).max(self.backoff(attempt, jitter)),
                }
            };
        }
        RetryDecision::Retry {
            after: self.backoff(attempt, jitter),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Outcome {
        Outcome::Response {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn idempotent_calls_retry_server_errors_until_the_limit() {
        let p = RetryPolicy::default();
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(
                p.decide(RetrySafety::Idempotent, 1, &status(s), 0.0),
                RetryDecision::Retry { .. }
            ));
        }
        assert_eq!(
            p.decide(RetrySafety::Idempotent, 3, &status(503), 0.0),
            RetryDecision::Stop
        );
        for s in [400, 401, 404, 409, 422, 501] {
            assert_eq!(
                p.decide(RetrySafety::Idempotent, 1, &status(s), 0.0),
                RetryDecision::Stop
            );
        }
    }

    #[test]
    fn side_effects_are_never_risked() {
        let p = RetryPolicy::default();
        for o in [
            status(500),
            status(503),
            Outcome::TimedOut,
            Outcome::TransportFailed,
        ] {
            assert_eq!(
                p.decide(RetrySafety::NotIdempotent, 1, &o, 0.5),
                RetryDecision::Stop
            );
        }
        for o in [status(429), Outcome::ConnectFailed] {
            assert!(matches!(
                p.decide(RetrySafety::NotIdempotent, 1, &o, 0.5),
                RetryDecision::Retry { .. }
            ));
        }
    }

    #[test]
    fn backoff_grows_jitters_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(250));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(p.backoff(2, 1.0), Duration::from_secs(1));
        assert_eq!(p.backoff(30, 1.0), Duration::from_secs(8));
        assert_eq!(p.backoff(u32::MAX, f64::NAN), Duration::from_secs(6));
    }

    #[test]
    fn backoff_never_panics_near_the_largest_duration() {
        // Found by the build_request fuzz target: `Duration::MAX` as "no cap".
        let p = RetryPolicy {
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff(1, 1.0), Duration::MAX);
        assert_eq!(p.backoff(2, 0.0), Duration::from_secs(1 << 63));
        assert_eq!(
            p.decide(RetrySafety::Idempotent, 1, &status(503), 1.0),
            RetryDecision::Retry {
                after: Duration::MAX
            }
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        let wait = |secs| Outcome::Response {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(
            p.decide(RetrySafety::NotIdempotent, 1, &wait(7), 0.0),
            RetryDecision::Retry {
                after: Duration::from_secs(7)
            }
        );
        assert_eq!(
            p.decide(RetrySafety::NotIdempotent, 1, &wait(61), 0.0),
            RetryDecision::Stop
        );
    }

    #[test]
    fn outcome_reads_http_date_retry_after() {
        let now = Timestamp::parse("2015-10-21T07:27:58Z").unwrap();
        let resp =
            HttpResponse::new(503, "").with_header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(
            Outcome::from_response(&resp, Some(now)),
            Outcome::Response {
                status: 503,
                retry_after: Some(Duration::from_secs(2))
            }
        );
    }
}
