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
use antonnia_core::webhook::{WebhookReceiver, WebhookSecret, parse_event_with_limit};
use antonnia_core::{
    Call, CallOutput, Config, HttpResponse, Outcome, RetryDecision, RetryPolicy, RetrySafety,
    Timestamp,
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
    /// got this response, or None to stop.
    #[pyo3(signature = (idempotent, attempt, status, headers = None, body = b"".as_slice(), jitter = 0.5))]
    fn after_response(
        &self,
        idempotent: bool,
        attempt: u32,
        status: u16,
        headers: Option<Vec<(String, String)>>,
        body: &[u8],
        jitter: f64,
    ) -> Option<f64> {
        let response = response_of(status, body, headers);
        let outcome = Outcome::from_response(&response, Some(now()));
        self.decide_outcome(idempotent, attempt, &outcome, jitter)
    }

    /// Seconds to wait after a failure without a response — `outcome` is
    /// `"connect_failed"`, `"transport_failed"` or `"timed_out"` — or None to stop.
    #[pyo3(signature = (idempotent, attempt, outcome, jitter = 0.5))]
    fn after_failure(
        &self,
        py: Python<'_>,
        idempotent: bool,
        attempt: u32,
        outcome: &str,
        jitter: f64,
    ) -> PyResult<Option<f64>> {
        let outcome = match outcome {
            "connect_failed" => Outcome::ConnectFailed,
            "transport_failed" => Outcome::TransportFailed,
            "timed_out" => Outcome::TimedOut,
            other => return Err(invalid(py, "outcome", format!("unknown outcome {other:?}"))),
        };
        Ok(self.decide_outcome(idempotent, attempt, &outcome, jitter))
    }

    /// The raw decision for a status and an already-parsed `retry_after` (the
    /// shared vectors' form).
    #[pyo3(signature = (idempotent, attempt, status, retry_after = None, jitter = 0.5))]
    fn decide(
        &self,
        py: Python<'_>,
        idempotent: bool,
        attempt: u32,
        status: u16,
        retry_after: Option<f64>,
        jitter: f64,
    ) -> PyResult<Option<f64>> {
        let retry_after = retry_after
            .map(|s| secs(py, "retry_after", s))
            .transpose()?;
        let outcome = Outcome::Response {
            status,
            retry_after,
        };
        Ok(self.decide_outcome(idempotent, attempt, &outcome, jitter))
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(max_retries={})",
            self.inner.max_attempts.saturating_sub(1)
        )
    }
}

impl PyRetryPolicy {
    fn decide_outcome(
        &self,
        idempotent: bool,
        attempt: u32,
        outcome: &Outcome,
        jitter: f64,
    ) -> Option<f64> {
        let safety = if idempotent {
            RetrySafety::Idempotent
        } else {
            RetrySafety::NotIdempotent
        };
        match self.inner.decide(safety, attempt, outcome, jitter) {
            RetryDecision::Retry { after } => Some(after.as_secs_f64()),
            RetryDecision::Stop => None,
        }
    }
}

/// Checks (when a secret is set) and parses webhook deliveries.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "WebhookReceiver")]
struct PyWebhookReceiver {
    inner: WebhookReceiver,
    verifies: bool,
    max_body_bytes: usize,
}

#[pymethods]
impl PyWebhookReceiver {
    #[new]
    #[pyo3(signature = (secret = None, tolerance = 300.0, max_body_bytes = 1048576))]
    fn new(
        py: Python<'_>,
        secret: Option<&str>,
        tolerance: f64,
        max_body_bytes: usize,
    ) -> PyResult<Self> {
        let mut r = WebhookReceiver::new()
            .with_tolerance(secs(py, "tolerance", tolerance)?)
            .with_max_body_bytes(max_body_bytes);
        if let Some(s) = secret {
            r = r.with_secret(s).map_err(|e| to_pyerr(py, &e))?;
        }
        Ok(PyWebhookReceiver {
            inner: r,
            verifies: secret.is_some(),
            max_body_bytes,
        })
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
        let event = if self.verifies {
            let now = match now {
                Some(n) => Timestamp::from_unix_seconds_f64(n)
                    .ok_or_else(|| invalid(py, "now", "is out of range"))?,
                None => crate::now(),
            };
            self.inner.receive(body, &headers.unwrap_or_default(), now)
        } else {
            parse_event_with_limit(body, self.max_body_bytes)
        }
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
    status: &str,
    provider_message_id: Option<String>,
    at: Option<&Bound<'py, PyAny>>,
    code: Option<i64>,
    message: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let at = match at {
        Some(a) if !a.is_none() => match py_to_json(a, "at", 0)? {
            Value::String(s) => {
                Some(Timestamp::parse(&s).map_err(|e| invalid(py, "at", e.to_string()))?)
            }
            _ => {
                return Err(invalid(
                    py,
                    "at",
                    "must be a datetime or an RFC 3339 string",
                ));
            }
        },
        _ => None,
    };
    let report = match status {
        "sent" => DeliveryReport::Sent {
            provider_message_id,
            at,
        },
        "delivered" => DeliveryReport::Delivered {
            provider_message_id,
            at,
        },
        "read" => DeliveryReport::Read {
            provider_message_id,
            at,
        },
        "failed" => DeliveryReport::Failed { code, message },
        other => {
            return Err(invalid(
                py,
                "status",
                format!("must be sent, delivered, read or failed, got {other:?}"),
            ));
        }
    };
    let v = serde_json::to_value(report.fields()).unwrap_or(Value::Null);
    json_to_py(py, &v)
}

/// A readable description of a WhatsApp Cloud API error code, or None.
#[pyfunction]
fn whatsapp_error_description_(code: i64) -> Option<&'static str> {
    whatsapp_error_description(code)
}

/// Every call name the core knows.
#[pyfunction]
fn call_names() -> Vec<&'static str> {
    Call::NAMES.to_vec()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", antonnia_core::SDK_VERSION)?;
    m.add("DEFAULT_BASE_URL", antonnia_core::DEFAULT_BASE_URL)?;
    m.add_class::<PyConfig>()?;
    m.add_class::<PyCall>()?;
    m.add_class::<PyRetryPolicy>()?;
    m.add_class::<PyWebhookReceiver>()?;
    m.add_function(wrap_pyfunction!(parse_event, m)?)?;
    m.add_function(wrap_pyfunction!(sign_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(delivery_fields, m)?)?;
    m.add_function(wrap_pyfunction!(call_names, m)?)?;
    let f = wrap_pyfunction!(whatsapp_error_description_, m)?;
    m.add("whatsapp_error_description", f)?;
    let table = PyDict::new(m.py());
    for (code, text) in antonnia_core::channel::WHATSAPP_ERRORS {
        table.set_item(code, text)?;
    }
    m.add("WHATSAPP_ERRORS", table)?;
    models::register(m)
}
