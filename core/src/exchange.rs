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
//! and waits capped by the retry policy. [`Limits::default`] sets it to
//! [`DEFAULT_TOTAL_TIMEOUT`].
//!
//! # Request ids
//!
//! A binding gives each call an id of its own ([`Exchange::set_request_id`],
//! sent as `x-request-id`); every error of the call carries the server's id
//! for it when the server named one, else that one ([`Error::request_id`]).
//! [`Exchange::log_attempt`] and [`Exchange::log_step`] write the lines a
//! binding prints when debug logging is on: never a header value or a body.

use std::time::Duration;

use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, REQUEST_ID_HEADER, is_valid_request_id};
use crate::ops::{Call, CallOutput, Callable};
use crate::retry::{Outcome, RetryDecision, RetryPolicy};
use crate::time::{Seconds, Timestamp};

/// The longest a single attempt may take by default: 60 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest a whole call may take by default, its retries and the waits
/// between them included: 120 s. (Without it, three attempts of 60 s and the
/// waits between them could hold a caller for over three minutes.)
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(120);

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
            total_timeout: Some(DEFAULT_TOTAL_TIMEOUT),
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

/// What the binding does next. `T` is the result: a typed [`CallOutput`],
/// or canonical JSON text from [`Exchange::on_response_canonical`].
#[derive(Debug, Clone, PartialEq)]
pub enum Step<T = CallOutput> {
    /// The call succeeded with this result.
    Done(T),
    /// Wait this long, then send [`Exchange::request`] again.
    Retry(Duration),
    /// The call failed for good with this error.
    Fail(Error),
}

/// One call in progress: see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Exchange<C = Call> {
    call: C,
    request: HttpRequest,
    policy: RetryPolicy,
    limits: Limits,
    attempt: u32,
    // The credentials the request carries, scrubbed from every error.
    secrets: Vec<String>,
    request_id: Option<String>,
}

impl<C: Callable> Exchange<C> {
    /// Starts a call: checks its arguments and builds its request. `call`
    /// is a typed [`Call`] or a [`DynamicCall`](crate::ops::DynamicCall).
    pub fn new(
        call: C,
        config: &Config,
        policy: RetryPolicy,
        limits: Limits,
    ) -> Result<Exchange<C>, Error> {
        let request = call.build(config)?;
        Ok(Exchange {
            call,
            request,
            policy,
            limits,
            attempt: 1,
            secrets: config.secrets(),
            request_id: None,
        })
    }

    /// Sends `id` as the call's `x-request-id` (every attempt: a retry is the
    /// same request) and names it in the call's errors. Bindings draw a fresh
    /// random id per call (a UUID); an id that is empty, longer than 200
    /// characters or not printable ASCII is refused.
    pub fn set_request_id(&mut self, id: &str) -> Result<(), Error> {
        if !is_valid_request_id(id) {
            return Err(Error::invalid(
                "request_id",
                "must be 1 to 200 printable ASCII characters without spaces",
            ));
        }
        self.request
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case(REQUEST_ID_HEADER));
        self.request
            .headers
            .push((REQUEST_ID_HEADER.to_string(), id.to_string()));
        self.request_id = Some(id.to_string());
        Ok(())
    }

    /// The id sent with the call, if [one was set](Self::set_request_id).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The call's id as a raw response reports it: the server's for
    /// `response` when it named one, else the one sent with the call.
    pub fn response_request_id<'a>(&'a self, response: &'a HttpResponse) -> Option<&'a str> {
        response.request_id().or(self.request_id())
    }

    /// The debug log line for the attempt about to be sent: the call, the
    /// method and URL, the attempt and the request id — no header value and
    /// no body, so that it never shows a token or a user's message.
    pub fn log_attempt(&self) -> String {
        format!(
            "antonnia: {} {} {} attempt {}{}",
            self.call.name(),
            self.request.method.as_str(),
            self.request.url,
            self.attempt,
            self.request_id_suffix(None),
        )
    }

    /// The debug log line for how an attempt ended: `status` (`None` when no
    /// response arrived), the time since the call began, and `step`, what
    /// [`on_response`](Self::on_response) or [`on_failure`](Self::on_failure)
    /// decided. `response_id` is the server's id for it, when it sent one.
    pub fn log_step<T>(
        &self,
        status: Option<u16>,
        response_id: Option<&str>,
        elapsed: Duration,
        step: &Step<T>,
    ) -> String {
        let status = status.map_or_else(|| "no response".to_string(), |s| format!("HTTP {s}"));
        let next = match step {
            Step::Done(_) => "done".to_string(),
            Step::Retry(wait) => format!("retrying in {:.3} s", Seconds(*wait)),
            Step::Fail(e) => format!("failed: {}", e.kind()),
        };
        format!(
            "antonnia: {} {} after {:.3} s: {next}{}",
            self.call.name(),
            status,
            Seconds(elapsed),
            self.request_id_suffix(response_id),
        )
    }

    fn request_id_suffix(&self, response_id: Option<&str>) -> String {
        match response_id
            .filter(|id| is_valid_request_id(id))
            .or(self.request_id.as_deref())
        {
            Some(id) => format!(" (request id {id})"),
            None => String::new(),
        }
    }

    /// The call being made.
    pub fn call(&self) -> &C {
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

    /// [`on_response`](Self::on_response), with the result as canonical JSON
    /// text read by the [schema](crate::schema)'s one generic decoder
    /// ([`Callable::parse_canonical`]): for bindings that hand JSON to their
    /// host, and need no typed decoder per resource.
    pub fn on_response_canonical(
        &mut self,
        response: &HttpResponse,
        elapsed: Duration,
        now: Timestamp,
        jitter: f64,
    ) -> Step<String> {
        self.on_response_with(response, elapsed, now, jitter, C::parse_canonical)
    }

    fn on_response_with<T>(
        &mut self,
        response: &HttpResponse,
        elapsed: Duration,
        now: Timestamp,
        jitter: f64,
        parse: fn(&C, &HttpResponse) -> Result<T, Error>,
    ) -> Step<T> {
        if response.is_success() {
            return match parse(&self.call, response) {
                Ok(output) => Step::Done(output),
                Err(e) => {
                    let e = match response.request_id() {
                        Some(id) => e.with_request_id(id),
                        None => e,
                    };
                    Step::Fail(self.finish(e))
                }
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
            // A connect the host gave only what was left of the total
            // timeout (an HTTP client's connect timeout) ran out of time:
            // to the caller, the call timed out. Still a connect failure
            // for retrying: the server never saw the request.
            Failure::ConnectFailed if self.cut_by_total_timeout(elapsed) => {
                (Outcome::ConnectFailed, self.timeout_error(elapsed))
            }
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

    /// Whether an attempt that failed at `elapsed` was cut by the total
    /// timeout. A host's timer fires a little before or after the deadline
    /// it was given: an attempt that ended within this much of the total
    /// deadline was cut by it, not by the per-attempt limit.
    fn cut_by_total_timeout(&self, elapsed: Duration) -> bool {
        const TIMER_SLACK: Duration = Duration::from_millis(50);
        self.limits
            .total_timeout
            .is_some_and(|total| elapsed.saturating_add(TIMER_SLACK) >= total)
    }

    fn timeout_error(&self, elapsed: Duration) -> Error {
        let name = self.call.name();
        match self.limits.total_timeout {
            Some(total) if self.cut_by_total_timeout(elapsed) => Error::timeout(format!(
                "{name}: no answer within the call's total timeout of {} s ({} attempts)",
                Seconds(total),
                self.attempt
            )),
            _ => Error::timeout(format!(
                "{name}: no complete response within the timeout of {} s (attempt {})",
                Seconds(self.limits.timeout),
                self.attempt
            )),
        }
    }

    fn decide<T>(
        &mut self,
        outcome: Outcome,
        error: Error,
        elapsed: Duration,
        jitter: f64,
    ) -> Step<T> {
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
        let mut error = error.with_request(self.request.method.as_str(), &self.request.url);
        if let Some(id) = &self.request_id {
            error = error.with_request_id(id);
        }
        self.secrets
            .iter()
            .fold(error, |error, secret| error.redacted(secret))
    }
}

impl Exchange<Call> {
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
        self.on_response_with(response, elapsed, now, jitter, Call::parse)
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
    fn a_default_call_has_an_overall_deadline() {
        let mut ex = start(
            "sessions.get",
            json!({"session_id": "s"}),
            Limits::default(),
        );
        assert_eq!(Limits::default().total_timeout, Some(DEFAULT_TOTAL_TIMEOUT));
        assert_eq!(
            ex.attempt_timeout(Duration::from_secs(100)),
            Duration::from_secs(20)
        );
        let step = ex.on_response(
            &HttpResponse::new(503, ""),
            Duration::from_millis(119_900),
            now(),
            0.0,
        );
        assert!(
            matches!(step, Step::Fail(_)),
            "no retry past the deadline: {step:?}"
        );
    }

    #[test]
    fn the_request_id_is_sent_named_and_logged_without_secrets() {
        let mut ex = start(
            "sessions.get",
            json!({"session_id": "s"}),
            Limits::default(),
        );
        assert!(ex.set_request_id("has space").is_err());
        assert!(ex.set_request_id("").is_err());
        ex.set_request_id("req_abc").unwrap();
        assert_eq!(ex.request().header("x-request-id"), Some("req_abc"));
        let line = ex.log_attempt();
        assert!(
            line.contains("sessions.get GET https://") && line.contains("req_abc"),
            "{line}"
        );
        assert!(!line.contains("sk_test_secret_token"), "{line}");
        let step = ex.on_failure(Failure::ConnectFailed, "refused", Duration::ZERO, 0.0);
        let logged = ex.log_step(None, None, Duration::from_millis(1500), &step);
        assert!(
            logged.contains("no response after 1.500 s: retrying in 0.250 s (request id req_abc)"),
            "{logged}"
        );
        assert_eq!(
            ex.request().header("x-request-id"),
            Some("req_abc"),
            "a retry is the same request"
        );
        let _ = ex.on_failure(Failure::ConnectFailed, "refused", Duration::ZERO, 0.0);
        let Step::Fail(e) = ex.on_failure(Failure::ConnectFailed, "refused", Duration::ZERO, 0.0)
        else {
            panic!("the third failed attempt ends the call")
        };
        assert_eq!(e.request_id(), Some("req_abc"));
        assert_eq!(e.info().request_id.as_deref(), Some("req_abc"));
        let done = ex.log_step(
            Some(404),
            Some("srv_1"),
            Duration::ZERO,
            &Step::<CallOutput>::Fail(e),
        );
        assert!(
            done.ends_with("HTTP 404 after 0.000 s: failed: transport (request id srv_1)"),
            "{done}"
        );
    }

    #[test]
    fn a_proxy_credential_is_scrubbed_like_the_token() {
        let config = Config::anonymous()
            .with_header("Authorization", "Bearer app_session_credential")
            .unwrap();
        let call = Call::from_json("agents.get", json!({"agent_id": "a"})).unwrap();
        let mut ex = Exchange::new(call, &config, RetryPolicy::never(), Limits::default()).unwrap();
        let echo = HttpResponse::new(401, r#"{"detail":"bad credential app_session_credential"}"#);
        let Step::Fail(e) = ex.on_response(&echo, Duration::ZERO, now(), 0.0) else {
            panic!()
        };
        let shown = format!("{e} {e:?} {config:?} {:?}", ex.request());
        assert!(!shown.contains("app_session_credential"), "{shown}");
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
