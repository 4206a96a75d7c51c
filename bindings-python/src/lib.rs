//! `antonnia_sdk._core`: the Rust half of the Python binding.
//!
//! It builds requests and parses responses and webhooks through
//! `antonnia-core`; the pure-Python package sends the bytes with httpx. Nothing
//! here panics on user input: every failure is a core `Error` mapped to the
//! matching class of `antonnia_sdk.exceptions`.

#![forbid(unsafe_code)]

mod convert;
mod models;

use std::time::{Duration, SystemTime};

use antonnia_core::channel::{DeliveryReport, whatsapp_error_description};
use antonnia_core::exchange::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT};
use antonnia_core::webhook::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE, WebhookReceiver, WebhookSecret,
};
use antonnia_core::{
    Call, CallOutput, Config, Exchange, Failure, HttpResponse, Limits, MessageStream, Outcome,
    RetryPolicy, RetrySafety, Step, StreamOptions, Timestamp,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use serde_json::Value;

use convert::{invalid, json_to_py, py_to_json, to_pyerr};
use models::{agent_to_py, event_to_py, message_to_py, session_to_py};

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Where requests go and how they are signed. The token never appears in its repr.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "Config")]
struct PyConfig {
    inner: Config,
}

#[pymethods]
impl PyConfig {
    #[new]
    #[pyo3(signature = (token, base_url = None, headers = None))]
    fn new(
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        base_url: Option<&str>,
        headers: Option<Vec<(String, String)>>,
    ) -> PyResult<Self> {
        let token: String = token
            .extract()
            .map_err(|_| invalid(py, "token", "must be a string"))?;
        let mut c = Config::new(&token)
            .and_then(|c| c.with_binding("python"))
            .map_err(|e| to_pyerr(py, &e))?;
        if let Some(url) = base_url {
            c = c.with_base_url(url).map_err(|e| to_pyerr(py, &e))?;
        }
        for (k, v) in headers.unwrap_or_default() {
            c = c.with_header(&k, &v).map_err(|e| to_pyerr(py, &e))?;
        }
        Ok(PyConfig { inner: c })
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    #[getter]
    fn user_agent(&self) -> &str {
        self.inner.user_agent()
    }

    fn __repr__(&self) -> String {
        format!(
            "Config(base_url={:?}, token=[redacted])",
            self.inner.base_url()
        )
    }
}

/// One API call with checked arguments: builds its request and parses its response.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "Call")]
struct PyCall {
    inner: Call,
}

fn call_from(py: Python<'_>, name: &str, args: Option<&Bound<'_, PyDict>>) -> PyResult<Call> {
    let value = match args {
        Some(d) => py_to_json(d.as_any(), "arguments", 0)?,
        None => Value::Null,
    };
    Call::from_json(name, value).map_err(|e| to_pyerr(py, &e))
}

fn response_of(status: u16, body: &[u8], headers: Option<Vec<(String, String)>>) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers.unwrap_or_default(),
        body: body.to_vec(),
    }
}

fn output_to_py(py: Python<'_>, out: CallOutput) -> PyResult<Py<PyAny>> {
    fn list<T>(
        py: Python<'_>,
        items: Vec<T>,
        f: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let l = PyList::empty(py);
        for x in items {
            l.append(f(py, x)?)?;
        }
        Ok(l.into_any().unbind())
    }
    match out {
        CallOutput::Session(s) => session_to_py(py, *s),
        CallOutput::Sessions(v) => list(py, v, session_to_py),
        CallOutput::Message(m) => message_to_py(py, *m),
        CallOutput::Messages(v) => list(py, v, message_to_py),
        CallOutput::Agent(a) => agent_to_py(py, *a),
        CallOutput::Agents(v) => list(py, v, agent_to_py),
        CallOutput::SurveySubmission(s) => {
            Ok(Bound::new(py, models::PySurveySubmission { inner: *s })?
                .into_any()
                .unbind())
        }
        CallOutput::SessionSchedule(s) => {
            Ok(Bound::new(py, models::PySessionSchedule { inner: *s })?
                .into_any()
                .unbind())
        }
        _ => Ok(py.None()),
    }
}

#[pymethods]
impl PyCall {
    /// A call by name (`sessions.create`, ...) with its arguments as a dict of
    /// the Python API's keyword names. Raises `InvalidRequestError`.
    #[new]
    #[pyo3(signature = (name, args = None))]
    fn new(py: Python<'_>, name: &str, args: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(PyCall {
            inner: call_from(py, name, args)?,
        })
    }

    #[getter]
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    /// Whether repeating it cannot duplicate a side effect.
    #[getter]
    fn idempotent(&self) -> bool {
        self.inner.retry_safety() == RetrySafety::Idempotent
    }

    /// `(method, url, headers, body)`: the request to send.
    fn build<'py>(&self, py: Python<'py>, config: &PyConfig) -> PyResult<Bound<'py, PyTuple>> {
        let req = self
            .inner
            .build(&config.inner)
            .map_err(|e| to_pyerr(py, &e))?;
        let body = req.body.as_deref().map(|b| PyBytes::new(py, b));
        (req.method.as_str(), req.url, req.headers, body).into_pyobject(py)
    }

    /// The typed result of a response, or the matching exception.
    #[pyo3(signature = (status, body, headers = None))]
    fn parse(
        &self,
        py: Python<'_>,
        status: u16,
        body: &[u8],
        headers: Option<Vec<(String, String)>>,
    ) -> PyResult<Py<PyAny>> {
        let response = response_of(status, body, headers);
        let out = self.inner.parse(&response).map_err(|e| to_pyerr(py, &e))?;
        output_to_py(py, out)
    }

    /// For searches: the call for the page after one that returned `returned`
    /// items, or None when that page was the last.
    fn next_page(&self, returned: usize) -> Option<PyCall> {
        self.inner.next_page(returned).map(|inner| PyCall { inner })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyCall>()
            .map(|o| o.get().inner == self.inner)
            .unwrap_or(false)
    }

    fn __repr__(&self) -> String {
        format!("Call({:?})", self.inner.name())
    }
}

/// How many times, and when, failed calls are sent again (decided by the core).
#[pyclass(frozen, module = "antonnia_sdk._core", name = "RetryPolicy")]
struct PyRetryPolicy {
    inner: RetryPolicy,
}

fn secs(py: Python<'_>, field: &str, v: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(v)
        .map_err(|_| invalid(py, field, "must be a non-negative number of seconds"))
}

#[pymethods]
impl PyRetryPolicy {
    #[new]
    #[pyo3(signature = (max_retries = 2, *, initial_backoff = None, max_backoff = None, max_retry_after = None))]
    fn new(
        py: Python<'_>,
        max_retries: u32,
        initial_backoff: Option<f64>,
        max_backoff: Option<f64>,
        max_retry_after: Option<f64>,
    ) -> PyResult<Self> {
        let mut p = RetryPolicy::with_max_retries(max_retries);
        if let Some(v) = initial_backoff {
            p.initial_backoff = secs(py, "initial_backoff", v)?;
        }
        if let Some(v) = max_backoff {
            p.max_backoff = secs(py, "max_backoff", v)?;
        }
        if let Some(v) = max_retry_after {
            p.max_retry_after = secs(py, "max_retry_after", v)?;
        }
        Ok(PyRetryPolicy { inner: p })
    }

    #[getter]
    fn max_attempts(&self) -> u32 {
        self.inner.max_attempts
    }

    /// Seconds to wait before sending again after `attempt` (1 = the first)
    /// ended with `outcome`, or None to stop. `outcome` is a status (int), a
    /// dict `{"status": ..., "retry_after": ...}`, or `"connect_failed"`,
    /// `"transport_failed"`, `"timed_out"` (the shared vectors' forms).
    #[pyo3(signature = (idempotent, attempt, outcome, jitter = 0.5))]
    fn decide(
        &self,
        py: Python<'_>,
        idempotent: bool,
        attempt: u32,
        outcome: &Bound<'_, PyAny>,
        jitter: f64,
    ) -> PyResult<Option<f64>> {
        let value = match py_to_json(outcome, "outcome", 0)? {
            Value::Number(n) => serde_json::json!({ "status": n }),
            other => other,
        };
        let outcome = Outcome::from_json(&value).map_err(|e| to_pyerr(py, &e))?;
        let safety = RetrySafety::from_idempotent(idempotent);
        Ok(self
            .inner
            .decide(safety, attempt, &outcome, jitter)
            .wait()
            .map(|d| d.as_secs_f64()))
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(max_retries={})",
            self.inner.max_attempts.saturating_sub(1)
        )
    }
}

/// One call in progress, driven by the client's send loop: the core decides
/// the request, each attempt's time limit, retries and the final error.
#[pyclass(module = "antonnia_sdk._core", name = "Exchange")]
struct PyExchange {
    inner: Exchange,
    // The core's debug line for the last step, kept only when logging is on.
    log: bool,
    last_log: Option<String>,
}

#[pymethods]
impl PyExchange {
    #[new]
    #[pyo3(signature = (call, config, policy, timeout, total_timeout = None, max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES, *, request_id = None, log = false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        call: &PyCall,
        config: &PyConfig,
        policy: &PyRetryPolicy,
        timeout: f64,
        total_timeout: Option<f64>,
        max_response_bytes: usize,
        request_id: Option<&str>,
        log: bool,
    ) -> PyResult<Self> {
        let limits = Limits {
            timeout: secs(py, "timeout", timeout)?,
            total_timeout: total_timeout
                .map(|t| secs(py, "total_timeout", t))
                .transpose()?,
            max_response_bytes,
        };
        let mut inner = Exchange::new(call.inner.clone(), &config.inner, policy.inner, limits)
            .map_err(|e| to_pyerr(py, &e))?;
        if let Some(id) = request_id {
            inner.set_request_id(id).map_err(|e| to_pyerr(py, &e))?;
        }
        Ok(PyExchange {
            inner,
            log,
            last_log: None,
        })
    }

    /// The call's `x-request-id`, when one was given.
    #[getter]
    fn request_id(&self) -> Option<&str> {
        self.inner.request_id()
    }

    /// The id of the response with these headers: the server's when it named
    /// one, else the call's own.
    fn response_request_id(&self, headers: Vec<(String, String)>) -> Option<String> {
        let response = response_of(0, b"", Some(headers));
        self.inner
            .response_request_id(&response)
            .map(str::to_string)
    }

    /// The debug line for the attempt about to be sent (no header value, no body).
    fn log_attempt(&self) -> String {
        self.inner.log_attempt()
    }

    /// The debug line for how the last attempt ended, when the exchange was
    /// made with `log=True`.
    #[getter]
    fn last_log(&self) -> Option<&str> {
        self.last_log.as_deref()
    }

    /// `(method, url, body)` of the request to send now.
    fn target<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let req = self.inner.request();
        let body = req.body.as_deref().map(|b| PyBytes::new(py, b));
        (req.method.as_str(), req.url.as_str(), body).into_pyobject(py)
    }

    /// The request's headers, the token included: pass them straight to the
    /// HTTP client so that they are never held in a local variable.
    fn headers(&self) -> Vec<(String, String)> {
        self.inner.request().headers.clone()
    }

    /// The call's name, e.g. `sessions.get`.
    #[getter]
    fn name(&self) -> &'static str {
        self.inner.call().name()
    }

    /// The current attempt, 1 for the first.
    #[getter]
    fn attempt(&self) -> u32 {
        self.inner.attempt()
    }

    /// The largest response body to read.
    #[getter]
    fn max_response_bytes(&self) -> usize {
        self.inner.limits().max_response_bytes
    }

    /// Seconds the current attempt may take, `elapsed` seconds into the call.
    fn attempt_timeout(&self, py: Python<'_>, elapsed: f64) -> PyResult<f64> {
        Ok(self
            .inner
            .attempt_timeout(secs(py, "elapsed", elapsed)?)
            .as_secs_f64())
    }

    /// The attempt got a whole response: `(True, result)` when the call is
    /// done, `(False, seconds)` to wait and send again; raises the call's
    /// exception when it failed. `now` is Unix seconds (default: the clock).
    #[pyo3(signature = (status, headers, body, elapsed, jitter, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn on_response(
        &mut self,
        py: Python<'_>,
        status: u16,
        headers: Vec<(String, String)>,
        body: &[u8],
        elapsed: f64,
        jitter: f64,
        now: Option<f64>,
    ) -> PyResult<(bool, Py<PyAny>)> {
        let response = response_of(status, body, Some(headers));
        let now = match now {
            Some(n) => Timestamp::from_unix_seconds_f64(n)
                .ok_or_else(|| invalid(py, "now", "is out of range"))?,
            None => crate::now(),
        };
        let elapsed = secs(py, "elapsed", elapsed)?;
        let step = self.inner.on_response(&response, elapsed, now, jitter);
        if self.log {
            self.last_log =
                Some(
                    self.inner
                        .log_step(Some(status), response.request_id(), elapsed, &step),
                );
        }
        step_to_py(py, step)
    }

    /// The attempt ended without a whole response: `failure` is
    /// `"connect_failed"`, `"transport_failed"`, `"timed_out"` or
    /// `"body_too_large"` (with `received` bytes). Returns the seconds to wait
    /// before sending again, or raises the call's exception.
    #[pyo3(signature = (failure, detail, elapsed, jitter, received = 0))]
    fn on_failure(
        &mut self,
        py: Python<'_>,
        failure: &str,
        detail: &str,
        elapsed: f64,
        jitter: f64,
        received: usize,
    ) -> PyResult<f64> {
        let failure = match failure {
            "body_too_large" => Failure::BodyTooLarge { received },
            other => Failure::from_name(other)
                .ok_or_else(|| invalid(py, "failure", format!("unknown failure {other:?}")))?,
        };
        let elapsed = secs(py, "elapsed", elapsed)?;
        let step = self.inner.on_failure(failure, detail, elapsed, jitter);
        if self.log {
            self.last_log = Some(self.inner.log_step(None, None, elapsed, &step));
        }
        match step_to_py(py, step)? {
            (false, wait) => wait.extract(py),
            (true, _) => Err(invalid(
                py,
                "failure",
                "a failure cannot end a call with a result",
            )),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Exchange({:?}, attempt={})",
            self.inner.call().name(),
            self.inner.attempt()
        )
    }
}

/// The cursor of `client.sessions.messages.stream()`: the core decides each
/// call, what is new and how long to wait; the client only runs and sleeps.
#[pyclass(module = "antonnia_sdk._core", name = "MessageStream")]
struct PyMessageStream {
    inner: MessageStream,
}

#[pymethods]
impl PyMessageStream {
    #[new]
    #[pyo3(signature = (session_id, poll_interval = 1.0, max_poll_interval = 30.0, page_size = 100, from_start = false))]
    fn new(
        py: Python<'_>,
        session_id: &str,
        poll_interval: f64,
        max_poll_interval: f64,
        page_size: i64,
        from_start: bool,
    ) -> PyResult<Self> {
        let options = StreamOptions {
            poll_interval: secs(py, "poll_interval", poll_interval)?,
            max_poll_interval: secs(py, "max_poll_interval", max_poll_interval)?,
            page_size,
            from_start,
        };
        let inner = MessageStream::new(session_id, options).map_err(|e| to_pyerr(py, &e))?;
        Ok(PyMessageStream { inner })
    }

    /// Starts right after the message `message_id` (before the first poll).
    fn start_after(&mut self, py: Python<'_>, message_id: &str) -> PyResult<()> {
        self.inner
            .start_after(message_id)
            .map_err(|e| to_pyerr(py, &e))
    }

    /// The `messages.search` call to run now.
    fn next_call(&self) -> PyCall {
        PyCall {
            inner: self.inner.next_call(),
        }
    }

    /// Takes the page the call returned (its `Message`s): `(new messages,
    /// seconds to wait before the next call)`.
    fn on_page(
        &mut self,
        py: Python<'_>,
        page: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<(Vec<Py<PyAny>>, f64)> {
        let mut messages = Vec::with_capacity(page.len());
        for item in page {
            let m = item.cast::<models::PyMessage>().map_err(|_| {
                invalid(
                    py,
                    "page",
                    "must hold the Message objects the search returned",
                )
            })?;
            messages.push(m.get().inner.clone());
        }
        let poll = self.inner.on_page(messages);
        let fresh = poll
            .messages
            .into_iter()
            .map(|m| message_to_py(py, m))
            .collect::<PyResult<Vec<_>>>()?;
        Ok((fresh, poll.wait.as_secs_f64()))
    }

    /// A poll failed with an SDK exception of this `kind`, `status` and
    /// `retry_after`: seconds to wait before polling again, or None when the
    /// stream must end with that exception.
    #[pyo3(signature = (kind, status = None, retry_after = None))]
    fn on_failed_poll(
        &mut self,
        kind: &str,
        status: Option<u16>,
        retry_after: Option<f64>,
    ) -> Option<f64> {
        let retry_after = retry_after.and_then(|s| Duration::try_from_secs_f64(s).ok());
        self.inner
            .on_failed_poll(kind, status, retry_after)
            .map(|d| d.as_secs_f64())
    }
}

fn step_to_py(py: Python<'_>, step: Step) -> PyResult<(bool, Py<PyAny>)> {
    match step {
        Step::Done(output) => Ok((true, output_to_py(py, output)?)),
        Step::Retry(wait) => Ok((
            false,
            wait.as_secs_f64().into_pyobject(py)?.into_any().unbind(),
        )),
        Step::Fail(error) => Err(to_pyerr(py, &error)),
    }
}

/// Verifies and parses webhook deliveries; skipping verification takes
/// `verify=False` (the core's rule: a missing secret is an error).
#[pyclass(frozen, module = "antonnia_sdk._core", name = "WebhookReceiver")]
struct PyWebhookReceiver {
    inner: WebhookReceiver,
}

#[pymethods]
impl PyWebhookReceiver {
    #[new]
    #[pyo3(signature = (secret = None, tolerance = DEFAULT_TOLERANCE.as_secs_f64(), max_body_bytes = DEFAULT_MAX_BODY_BYTES, verify = true))]
    fn new(
        py: Python<'_>,
        secret: Option<&str>,
        tolerance: f64,
        max_body_bytes: usize,
        verify: bool,
    ) -> PyResult<Self> {
        let inner = WebhookReceiver::from_options(secret, verify)
            .map_err(|e| to_pyerr(py, &e))?
            .with_tolerance(secs(py, "tolerance", tolerance)?)
            .with_max_body_bytes(max_body_bytes);
        Ok(PyWebhookReceiver { inner })
    }

    /// Whether signatures are verified.
    #[getter]
    fn verifies(&self) -> bool {
        self.inner.verifies()
    }

    /// Checks and parses one delivery; `now` is Unix seconds (default: the clock).
    #[pyo3(signature = (body, headers = None, now = None))]
    fn receive(
        &self,
        py: Python<'_>,
        body: &[u8],
        headers: Option<Vec<(String, String)>>,
        now: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let now = match now {
            Some(n) => Timestamp::from_unix_seconds_f64(n)
                .ok_or_else(|| invalid(py, "now", "is out of range"))?,
            None => crate::now(),
        };
        let event = self
            .inner
            .receive(body, &headers.unwrap_or_default(), now)
            .map_err(|e| to_pyerr(py, &e))?;
        event_to_py(py, event)
    }
}

/// Parses a webhook body without checking a signature (bodies over 1 MiB are refused).
#[pyfunction]
fn parse_event(py: Python<'_>, body: &[u8]) -> PyResult<Py<PyAny>> {
    let event = antonnia_core::webhook::parse_event(body).map_err(|e| to_pyerr(py, &e))?;
    event_to_py(py, event)
}

/// The Standard Webhooks signature (`v1,<base64>`) of a delivery, for tests and senders.
#[pyfunction]
fn sign_webhook(
    py: Python<'_>,
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> PyResult<String> {
    let s = WebhookSecret::new(secret).map_err(|e| to_pyerr(py, &e))?;
    Ok(s.sign(id, timestamp, body))
}

/// The `messages.update` keyword arguments that report a delivery outcome.
#[pyfunction]
#[pyo3(signature = (status, provider_message_id = None, at = None, code = None, message = None))]
fn delivery_fields<'py>(
    py: Python<'py>,
    status: &Bound<'py, PyAny>,
    provider_message_id: Option<&Bound<'py, PyAny>>,
    at: Option<&Bound<'py, PyAny>>,
    code: Option<&Bound<'py, PyAny>>,
    message: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut report = serde_json::Map::new();
    let given = [
        ("status", Some(status)),
        ("provider_message_id", provider_message_id),
        ("at", at),
        ("code", code),
        ("message", message),
    ];
    for (name, value) in given {
        if let Some(v) = value.filter(|v| !v.is_none()) {
            report.insert(name.to_string(), py_to_json(v, name, 0)?);
        }
    }
    let report = DeliveryReport::from_json(Value::Object(report)).map_err(|e| to_pyerr(py, &e))?;
    let v = serde_json::to_value(report.fields()).unwrap_or(Value::Null);
    json_to_py(py, &v)
}

/// A readable description of a WhatsApp Cloud API error code, or None.
#[pyfunction]
fn whatsapp_error_description_(code: i64) -> Option<&'static str> {
    whatsapp_error_description(code)
}

/// The relay's store keys under one prefix (`antonnia_relay::Keys`).
#[pyclass(frozen, module = "antonnia_sdk._core", name = "RelayKeys")]
struct PyRelayKeys {
    inner: antonnia_relay::Keys,
}

#[pymethods]
impl PyRelayKeys {
    #[new]
    fn new(py: Python<'_>, prefix: &str) -> PyResult<Self> {
        let inner = antonnia_relay::Keys::new(prefix).map_err(|e| to_pyerr(py, &e))?;
        Ok(PyRelayKeys { inner })
    }
    #[getter]
    fn prefix(&self) -> &str {
        self.inner.prefix()
    }
    fn lock(&self, channel_type: &str, channel_user_id: &str) -> String {
        self.inner.lock(channel_type, channel_user_id)
    }
    fn session(&self, channel_type: &str, channel_user_id: &str) -> String {
        self.inner.session(channel_type, channel_user_id)
    }
    fn inbound(
        &self,
        channel_type: &str,
        channel_user_id: &str,
        provider_message_id: &str,
    ) -> String {
        self.inner
            .inbound(channel_type, channel_user_id, provider_message_id)
    }
    fn contact(&self, session_id: &str) -> String {
        self.inner.contact(session_id)
    }
    fn queue(&self, session_id: &str) -> String {
        self.inner.queue(session_id)
    }
    fn outbound(&self, session_id: &str, message_id: &str) -> String {
        self.inner.outbound(session_id, message_id)
    }
    fn session_base(&self, session_id: &str) -> String {
        self.inner.session_base(session_id)
    }
    fn pending(&self, channel_type: &str) -> String {
        self.inner.pending(channel_type)
    }
    fn pending_member(&self, session_id: &str, message_id: &str) -> String {
        self.inner.pending_member(session_id, message_id)
    }
    fn pending_outbound(&self, member: &str) -> Option<String> {
        self.inner.pending_outbound(member)
    }
    fn __repr__(&self) -> String {
        format!("RelayKeys(prefix={:?})", self.inner.prefix())
    }
}

/// One of the relay's procedures as a sans-IO run (`antonnia_relay::run`;
/// `kind` `webhook`, `sweep`, `inbound`, `recover` or `forget`): `next()`
/// gives the effect to perform (a dict with `"effect"`), `resume(answer)`
/// takes its answer and gives the next one, until the run ends.
#[pyclass(module = "antonnia_sdk._core", name = "RelayRun")]
struct PyRelayRun {
    inner: antonnia_relay::run::RunDriver,
}

#[pymethods]
impl PyRelayRun {
    #[new]
    fn new(py: Python<'_>, kind: &str, input: &Bound<'_, PyAny>) -> PyResult<Self> {
        let input = py_to_json(input, "input", 0)?;
        let inner = antonnia_relay::run::RunDriver::from_value(kind, input)
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(PyRelayRun { inner })
    }

    /// The effect to perform now.
    fn next(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(json_to_py(py, &self.inner.next_value())?.unbind())
    }

    /// Takes the pending effect's answer and gives the next effect.
    fn resume(&mut self, py: Python<'_>, answer: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let answer = py_to_json(answer, "answer", 0)?;
        let out = self
            .inner
            .resume_value(answer)
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(json_to_py(py, &out)?.unbind())
    }

    fn __repr__(&self) -> String {
        format!("RelayRun({:?})", self.inner.kind())
    }
}

/// The relay's store in this process's memory
/// (`antonnia_relay::memory::MemoryStore`: the Lua scripts' semantics).
/// Frozen, with its own lock: each call is atomic across threads. Every
/// operation takes the caller's clock, `now` (Unix ms).
#[pyclass(frozen, module = "antonnia_sdk._core", name = "RelayMemory")]
struct PyRelayMemory {
    inner: std::sync::Mutex<antonnia_relay::memory::MemoryStore>,
}

/// A relay object's lock. Nothing the relay's classes do panics while
/// holding it, so a poisoned one still guards consistent data.
fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl PyRelayMemory {
    fn store(&self) -> std::sync::MutexGuard<'_, antonnia_relay::memory::MemoryStore> {
        locked(&self.inner)
    }
}

#[pymethods]
impl PyRelayMemory {
    #[new]
    fn new() -> Self {
        PyRelayMemory {
            inner: std::sync::Mutex::new(antonnia_relay::memory::MemoryStore::new()),
        }
    }

    fn get_many(&self, keys: Vec<String>, now: i64) -> Vec<Option<String>> {
        self.store().get_many(&keys, now)
    }

    #[pyo3(signature = (key, value, ttl_ms, now))]
    fn put(&self, key: &str, value: &str, ttl_ms: Option<u64>, now: i64) {
        self.store().put(key, value, ttl_ms, now);
    }

    fn acquire(&self, key: &str, token: &str, lease_ms: u64, now: i64) -> bool {
        self.store().acquire(key, token, lease_ms, now)
    }

    fn release(&self, key: &str, token: &str, now: i64) -> bool {
        self.store().release(key, token, now)
    }

    fn forget(&self, key: &str, session_id: &str, now: i64) -> bool {
        self.store().forget(key, session_id, now)
    }

    fn index_put(&self, key: &str, member: &str, due_ms: i64) {
        self.store().index_put(key, member, due_ms);
    }

    fn index_due(&self, key: &str, now: i64, limit: usize) -> Vec<(String, i64)> {
        self.store().index_due(key, now, limit)
    }

    fn index_drop(&self, key: &str, members: Vec<String>) {
        self.store().index_drop(key, &members);
    }

    /// The claim operation: `args` the claim's fields (a dict), its JSON result as a dict.
    fn claim(&self, py: Python<'_>, args: &Bound<'_, PyAny>, now: i64) -> PyResult<Py<PyAny>> {
        let args: antonnia_relay::run::ClaimArgs =
            serde_json::from_value(py_to_json(args, "args", 0)?)
                .map_err(|e| invalid(py, "args", e.to_string()))?;
        let result = self.store().claim(&args, now);
        Ok(json_to_py(py, &result)?.unbind())
    }

    fn extend(&self, outbound_key: &str, token: &str, lease_ms: u64, now: i64) -> bool {
        self.store().extend(outbound_key, token, lease_ms, now)
    }

    #[allow(clippy::too_many_arguments)] // the script's keys and arguments, by name
    #[pyo3(signature = (outbound_key, queue_key, message_id, token, state, outcome, retention_ms, now))]
    fn finish(
        &self,
        py: Python<'_>,
        outbound_key: &str,
        queue_key: &str,
        message_id: &str,
        token: &str,
        state: &str,
        outcome: &Bound<'_, PyAny>,
        retention_ms: u64,
        now: i64,
    ) -> PyResult<bool> {
        let state: antonnia_relay::run::FinishState =
            state.parse().map_err(|e| to_pyerr(py, &e))?;
        let outcome: Option<antonnia_relay::Outcome> =
            serde_json::from_value(py_to_json(outcome, "outcome", 0)?)
                .map_err(|e| invalid(py, "outcome", e.to_string()))?;
        Ok(self.store().finish(
            outbound_key,
            queue_key,
            message_id,
            token,
            state,
            outcome,
            retention_ms,
            now,
        ))
    }
}

/// A counter's sample as Python gets it: `(metric index, labels, value)`.
type RelaySample = (usize, Vec<(&'static str, String)>, f64);

/// The relay's counters (`antonnia_relay::stats::Stats`). Frozen, with its
/// own lock: worker threads of one relay share it.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "RelayStats")]
struct PyRelayStats {
    inner: std::sync::Mutex<antonnia_relay::stats::Stats>,
}

impl PyRelayStats {
    fn stats(&self) -> std::sync::MutexGuard<'_, antonnia_relay::stats::Stats> {
        locked(&self.inner)
    }
}

#[pymethods]
impl PyRelayStats {
    #[new]
    fn new(channel_type: &str) -> Self {
        PyRelayStats {
            inner: std::sync::Mutex::new(antonnia_relay::stats::Stats::new(channel_type)),
        }
    }

    /// The HTTP answer for a webhook that ended with `outcome`, counted:
    /// `{"status", "retry_after"?}`.
    #[pyo3(signature = (outcome, retry_after=None))]
    fn respond(
        &self,
        py: Python<'_>,
        outcome: &str,
        retry_after: Option<u64>,
    ) -> PyResult<Py<PyAny>> {
        let response = self.stats().respond(outcome, retry_after);
        let v = serde_json::to_value(response).unwrap_or(Value::Null);
        Ok(json_to_py(py, &v)?.unbind())
    }

    /// Adds what an ended run did.
    fn add(&self, run: PyRef<'_, PyRelayRun>) {
        self.stats().add(&run.inner);
    }

    /// The counters now, as a dict.
    fn snapshot(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let v = serde_json::to_value(self.stats().snapshot()).unwrap_or(Value::Null);
        Ok(json_to_py(py, &v)?.unbind())
    }

    /// The counters as `(metric index, labels, value)` samples of
    /// `RELAY_METRICS`.
    fn samples(&self) -> Vec<RelaySample> {
        self.stats()
            .samples()
            .into_iter()
            .map(|s| (s.metric, s.labels, s.value))
            .collect()
    }

    /// The counters in the Prometheus text format.
    fn prometheus_text(&self) -> String {
        self.stats().prometheus_text()
    }
}

/// One of the relay's decisions by name (`antonnia_relay::decide_json`).
#[pyfunction]
fn relay_decide(py: Python<'_>, kind: &str, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let input = py_to_json(input, "input", 0)?;
    let out = antonnia_relay::decide_json(kind, input).map_err(|e| to_pyerr(py, &e))?;
    Ok(json_to_py(py, &out)?.unbind())
}

/// What a parsed webhook asks of the relay (`claim`, `forget` or `skip`).
#[pyfunction]
fn relay_classify(py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let event = event
        .cast::<models::PyEvent>()
        .map_err(|_| invalid(py, "event", "must be a webhook event"))?;
    let action = antonnia_relay::classify_event(&event.get().inner);
    let v = serde_json::to_value(action).unwrap_or(Value::Null);
    Ok(json_to_py(py, &v)?.unbind())
}

/// A stored relay record (`session`, `contact`, `inbound`, `outbound`) read
/// from its JSON text, its version checked; raises `DecodeError`.
#[pyfunction]
fn relay_decode_record(py: Python<'_>, record_type: &str, text: &str) -> PyResult<Py<PyAny>> {
    use antonnia_relay::{
        ContactRecord, InboundRecord, OutboundRecord, SessionRecord, decode_record,
    };
    fn value<T: antonnia_relay::Record>(text: &str) -> Result<Value, antonnia_core::Error> {
        decode_record::<T>(text).map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
    }
    let v = match record_type {
        "session" => value::<SessionRecord>(text),
        "contact" => value::<ContactRecord>(text),
        "inbound" => value::<InboundRecord>(text),
        "outbound" => value::<OutboundRecord>(text),
        _ => {
            return Err(invalid(
                py,
                "record_type",
                "must be session, contact, inbound or outbound",
            ));
        }
    }
    .map_err(|e| to_pyerr(py, &e))?;
    Ok(json_to_py(py, &v)?.unbind())
}

/// A relay record (a dict) as the JSON text every worker writes; checks its fields.
#[pyfunction]
fn relay_encode_record(
    py: Python<'_>,
    record_type: &str,
    record: &Bound<'_, PyAny>,
) -> PyResult<String> {
    use antonnia_relay::{
        ContactRecord, InboundRecord, OutboundRecord, SessionRecord, encode_record,
    };
    fn text<T: antonnia_relay::Record>(py: Python<'_>, v: Value) -> PyResult<String> {
        let r: T = serde_json::from_value(v).map_err(|e| invalid(py, "record", e.to_string()))?;
        Ok(encode_record(&r))
    }
    let v = py_to_json(record, "record", 0)?;
    match record_type {
        "session" => text::<SessionRecord>(py, v),
        "contact" => text::<ContactRecord>(py, v),
        "inbound" => text::<InboundRecord>(py, v),
        "outbound" => text::<OutboundRecord>(py, v),
        _ => Err(invalid(
            py,
            "record_type",
            "must be session, contact, inbound or outbound",
        )),
    }
}

/// Every call name the core knows.
#[pyfunction]
fn call_names() -> Vec<&'static str> {
    Call::NAMES.to_vec()
}

/// A call's arguments as its signature in the core declares them: each
/// name, and whether it must be given (what the Python methods are checked
/// against).
#[pyfunction]
fn call_arguments(py: Python<'_>, name: &str) -> PyResult<Vec<(&'static str, bool)>> {
    let spec = antonnia_core::ops::CallSpec::named(name)
        .ok_or_else(|| invalid(py, "call", format!("no API call is named {name:?}")))?;
    Ok(spec
        .signature
        .args
        .iter()
        .map(|a| {
            (
                a.name,
                a.presence == antonnia_core::schema::ArgPresence::Required,
            )
        })
        .collect())
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", antonnia_core::SDK_VERSION)?;
    m.add("DEFAULT_BASE_URL", antonnia_core::DEFAULT_BASE_URL)?;
    m.add_class::<PyConfig>()?;
    m.add_class::<PyCall>()?;
    m.add_class::<PyRetryPolicy>()?;
    m.add_class::<PyExchange>()?;
    m.add_class::<PyMessageStream>()?;
    m.add_class::<PyWebhookReceiver>()?;
    m.add("DEFAULT_TIMEOUT_SECONDS", DEFAULT_TIMEOUT.as_secs_f64())?;
    m.add("DEFAULT_MAX_RESPONSE_BYTES", DEFAULT_MAX_RESPONSE_BYTES)?;
    m.add(
        "DEFAULT_TOTAL_TIMEOUT_SECONDS",
        DEFAULT_TOTAL_TIMEOUT.as_secs_f64(),
    )?;
    m.add("DEFAULT_TOLERANCE_SECONDS", DEFAULT_TOLERANCE.as_secs_f64())?;
    m.add("DEFAULT_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)?;
    m.add_function(wrap_pyfunction!(parse_event, m)?)?;
    m.add_function(wrap_pyfunction!(sign_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(delivery_fields, m)?)?;
    m.add_function(wrap_pyfunction!(call_names, m)?)?;
    m.add_function(wrap_pyfunction!(call_arguments, m)?)?;
    m.add_class::<PyRelayKeys>()?;
    m.add_class::<PyRelayRun>()?;
    m.add_class::<PyRelayStats>()?;
    m.add_class::<PyRelayMemory>()?;
    let metrics: Vec<(&str, &str, &str, &str)> = antonnia_relay::stats::METRICS
        .iter()
        .map(|x| (x.prometheus, x.otel, x.unit, x.help))
        .collect();
    m.add("RELAY_METRICS", metrics)?;
    m.add_function(wrap_pyfunction!(relay_decide, m)?)?;
    m.add_function(wrap_pyfunction!(relay_classify, m)?)?;
    m.add_function(wrap_pyfunction!(relay_decode_record, m)?)?;
    m.add_function(wrap_pyfunction!(relay_encode_record, m)?)?;
    m.add("RELAY_CLAIM_LUA", antonnia_relay::CLAIM_LUA)?;
    m.add("RELAY_FINISH_LUA", antonnia_relay::FINISH_LUA)?;
    m.add("RELAY_EXTEND_LUA", antonnia_relay::EXTEND_LUA)?;
    m.add("RELAY_UNLOCK_LUA", antonnia_relay::UNLOCK_LUA)?;
    m.add("RELAY_FORGET_LUA", antonnia_relay::FORGET_LUA)?;
    m.add("RELAY_DEFAULT_PREFIX", antonnia_relay::DEFAULT_PREFIX)?;
    let f = wrap_pyfunction!(whatsapp_error_description_, m)?;
    m.add("whatsapp_error_description", f)?;
    let table = PyDict::new(m.py());
    for (code, text) in antonnia_core::channel::WHATSAPP_ERRORS {
        table.set_item(code, text)?;
    }
    m.add("WHATSAPP_ERRORS", table)?;
    models::register(m)
}
