//! The API's resources as Python classes backed by the core's Rust types.
//!
//! Each class holds the parsed Rust value; attributes are converted when read,
//! so parsing pays only for what the caller looks at. `to_dict()` gives the
//! canonical JSON shape of the shared fixtures (timestamps as RFC 3339 text).

use std::sync::Arc;

use antonnia_core::types::{
    AudioContent, FileContent, FunctionCallContent, FunctionResultContent, ImageContent,
    ScheduleConfig, TextContent, ThoughtContent, UnknownContent, VideoContent,
};
use antonnia_core::webhook::{EventPayload, WebhookEvent};
use antonnia_core::{
    Agent, AgentKind, Message, MessageContent, Session, SessionSchedule, SurveySubmission,
};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyBytes, PyDict};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::convert::{invalid, json_to_py, map_to_py, opt_timestamp, py_to_json};

type Obj = Py<PyAny>;

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `ClassName(field=repr, ...)` from the canonical JSON of a value.
fn repr_of(obj: &Bound<'_, PyAny>, json: &Value) -> PyResult<String> {
    let py = obj.py();
    let name = obj.get_type().name()?.to_string();
    let mut out = format!("{name}(");
    if let Value::Object(map) = json {
        // `id` first, then the rest in name order.
        let fields = map
            .iter()
            .filter(|(k, _)| *k == "id")
            .chain(map.iter().filter(|(k, _)| *k != "id"));
        for (i, (k, v)) in fields.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let r = json_to_py(py, v)?.repr()?;
            out.push_str(k);
            out.push('=');
            out.push_str(&r.to_cow()?);
        }
    }
    out.push(')');
    Ok(out)
}

fn compare(op: CompareOp, equal: Option<bool>, py: Python<'_>) -> Obj {
    match (op, equal) {
        (CompareOp::Eq, Some(e)) => e
            .into_pyobject(py)
            .map(|b| b.to_owned().into_any().unbind())
            .unwrap_or_else(|_| py.NotImplemented()),
        (CompareOp::Ne, Some(e)) => (!e)
            .into_pyobject(py)
            .map(|b| b.to_owned().into_any().unbind())
            .unwrap_or_else(|_| py.NotImplemented()),
        _ => py.NotImplemented(),
    }
}

macro_rules! common_methods {
    ($ty:ty, $json:expr) => {
        #[pymethods]
        impl $ty {
            /// The value as a dict in the wire's field names (timestamps as RFC 3339 strings).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let f: fn(&$ty) -> Value = $json;
                json_to_py(py, &f(self))
            }

            fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
                let f: fn(&$ty) -> Value = $json;
                repr_of(slf.as_any(), &f(slf.get()))
            }

            fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Obj {
                let py = other.py();
                let eq = other
                    .cast::<$ty>()
                    .ok()
                    .map(|o| o.get().inner == self.inner);
                compare(op, eq, py)
            }

            /// Pickling and copying go through `from_dict(to_dict())`.
            fn __reduce__<'py>(
                slf: &Bound<'py, Self>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyAny>,))> {
                let f: fn(&$ty) -> Value = $json;
                let ctor = slf.get_type().getattr("from_dict")?;
                Ok((ctor, (json_to_py(slf.py(), &f(slf.get()))?,)))
            }

            fn __hash__(&self) -> PyResult<isize> {
                let f: fn(&$ty) -> Value = $json;
                let text = f(self).to_string();
                let mut h: u64 = 0xcbf29ce484222325;
                for b in text.bytes() {
                    h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
                }
                Ok((h >> 2) as isize)
            }
        }
    };
}

/// Adds `from_dict()`: a value from its wire JSON form (what `to_dict()` gives),
/// parsed as liberally as a response.
macro_rules! from_dict {
    ($ty:ty, $core:ty, $to_py:expr) => {
        #[pymethods]
        impl $ty {
            #[staticmethod]
            fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Obj> {
                let v = py_to_json(data, "data", 0)?;
                let value: $core = serde_json::from_value(v).map_err(|e| {
                    crate::convert::to_pyerr(
                        py,
                        &antonnia_core::Error::Decode {
                            path: String::new(),
                            message: e.to_string(),
                        },
                    )
                })?;
                let f: fn(Python<'_>, $core) -> PyResult<Obj> = $to_py;
                f(py, value)
            }
        }
    };
}

// ---------------------------------------------------------------- content

/// The content of a message; one subclass per `type`.
#[pyclass(
    subclass,
    frozen,
    module = "antonnia_sdk._core",
    name = "MessageContent"
)]
pub struct PyContent {
    pub inner: MessageContent,
}

#[pymethods]
impl PyContent {
    /// The `type` tag.
    #[getter(r#type)]
    fn content_type(&self) -> &str {
        self.inner.content_type()
    }

    /// Whether a channel should show it to the user (not a thought or function call).
    #[getter]
    fn is_deliverable(&self) -> bool {
        self.inner.is_deliverable()
    }

    /// Content from its dict form (`{"type": "text", "text": "hi"}`).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Obj> {
        let v = py_to_json(data, "content", 0)?;
        let c = MessageContent::from_json(v).map_err(|e| invalid(py, "content", e.to_string()))?;
        content_to_py(py, c)
    }
}
common_methods!(PyContent, |s| s.inner.to_json());

pub fn content_to_py(py: Python<'_>, c: MessageContent) -> PyResult<Obj> {
    macro_rules! sub {
        ($sub:expr) => {
            Ok(Bound::new(
                py,
                PyClassInitializer::from(PyContent { inner: c }).add_subclass($sub),
            )?
            .into_any()
            .unbind())
        };
    }
    match &c {
        MessageContent::Text(_) => sub!(ContentText),
        MessageContent::Image(_) => sub!(ContentImage),
        MessageContent::Video(_) => sub!(ContentVideo),
        MessageContent::Audio(_) => sub!(ContentAudio),
        MessageContent::File(_) => sub!(ContentFile),
        MessageContent::FunctionCall(_) => sub!(ContentFunctionCall),
        MessageContent::FunctionResult(_) => sub!(ContentFunctionResult),
        MessageContent::Thought(_) => sub!(ContentThought),
        MessageContent::Unknown(_) => sub!(ContentUnknown),
    }
}

fn check_type(py: Python<'_>, got: &str, want: &str) -> PyResult<()> {
    if got == want {
        Ok(())
    } else {
        Err(invalid(
            py,
            "type",
            format!("must be {want:?}, got {got:?}"),
        ))
    }
}

/// Declares a content subclass: its constructor (the vendor's keywords) and getters.
macro_rules! content_class {
    (
        $rust:ident, $pyname:literal, $variant:ident, $tag:literal,
        new[$npy:ident]($($arg:ident : $argty:ty),* $(; $($opt:ident : $optty:ty),*)?) => $build:expr,
        getters { $($getter:ident : $gty:ty => |$c:ident, $py:ident| $get:expr;)* }
    ) => {
        #[pyclass(extends = PyContent, frozen, module = "antonnia_sdk._core", name = $pyname)]
        pub struct $rust;

        #[pymethods]
        impl $rust {
            #[new]
            #[pyo3(signature = (*, $($arg,)* $($($opt = None,)*)? r#type = $tag))]
            #[allow(clippy::too_many_arguments)]
            fn new($npy: Python<'_>, $($arg: $argty,)* $($($opt: $optty,)*)? r#type: &str) -> PyResult<PyClassInitializer<Self>> {
                check_type($npy, r#type, $tag)?;
                let inner: PyResult<MessageContent> = $build;
                Ok(PyClassInitializer::from(PyContent { inner: inner? }).add_subclass($rust))
            }

            $(
                #[getter]
                fn $getter<'py>(slf: &Bound<'py, Self>) -> PyResult<$gty> {
                    let $py = slf.py();
                    match &slf.as_super().get().inner {
                        MessageContent::$variant($c) => $get,
                        _ => Err(pyo3::exceptions::PyAttributeError::new_err(stringify!($getter))),
                    }
                }
            )*
        }
    };
}

content_class!(ContentText, "MessageContentText", Text, "text",
    new[py](text: String; template_id: Option<String>, template_parameters: Option<Bound<'_, PyAny>>) => {
        let template_parameters = match template_parameters {
            Some(p) if !p.is_none() => match py_to_json(&p, "template_parameters", 0)? {
                Value::Object(m) => Some(m),
                _ => return Err(invalid(py, "template_parameters", "must be a dict")),
            },
            _ => None,
        };
        Ok(MessageContent::Text(TextContent { text, template_id, template_parameters }))
    },
    getters {
        text: String => |c, _py| Ok(c.text.clone());
        template_id: Option<String> => |c, _py| Ok(c.template_id.clone());
        template_parameters: Option<Bound<'py, PyDict>> => |c, py| c.template_parameters.as_ref().map(|m| map_to_py(py, m)).transpose();
    }
);
content_class!(ContentImage, "MessageContentImage", Image, "image",
    new[py](url: String) => Ok(MessageContent::Image(ImageContent { url })),
    getters { url: String => |c, _py| Ok(c.url.clone()); }
);
content_class!(ContentVideo, "MessageContentVideo", Video, "video",
    new[py](url: String) => Ok(MessageContent::Video(VideoContent { url })),
    getters { url: String => |c, _py| Ok(c.url.clone()); }
);
content_class!(ContentAudio, "MessageContentAudio", Audio, "audio",
    new[py](url: String; transcript: Option<String>) => Ok(MessageContent::Audio(AudioContent { url, transcript })),
    getters {
        url: String => |c, _py| Ok(c.url.clone());
        transcript: Option<String> => |c, _py| Ok(c.transcript.clone());
    }
);
content_class!(ContentFile, "MessageContentFile", File, "file",
    new[py](url: String, mime_type: String, name: String) => Ok(MessageContent::File(FileContent { url, mime_type, name })),
    getters {
        url: String => |c, _py| Ok(c.url.clone());
        mime_type: String => |c, _py| Ok(c.mime_type.clone());
        name: String => |c, _py| Ok(c.name.clone());
    }
);
content_class!(ContentFunctionCall, "MessageContentFunctionCall", FunctionCall, "function_call",
    new[py](id: String, name: String, input: String) => Ok(MessageContent::FunctionCall(FunctionCallContent { id, name, input })),
    getters {
        id: String => |c, _py| Ok(c.id.clone());
        name: String => |c, _py| Ok(c.name.clone());
        input: String => |c, _py| Ok(c.input.clone());
    }
);
content_class!(ContentFunctionResult, "MessageContentFunctionResult", FunctionResult, "function_result",
    new[py](id: String, name: String, output: String) => Ok(MessageContent::FunctionResult(FunctionResultContent { id, name, output })),
    getters {
        id: String => |c, _py| Ok(c.id.clone());
        name: String => |c, _py| Ok(c.name.clone());
        output: String => |c, _py| Ok(c.output.clone());
    }
);
content_class!(ContentThought, "MessageContentThought", Thought, "thought",
    new[py](thought: String) => Ok(MessageContent::Thought(ThoughtContent { thought })),
    getters { thought: String => |c, _py| Ok(c.thought.clone()); }
);

/// Content of a `type` this SDK version does not know, kept whole (see `to_dict()`).
#[pyclass(extends = PyContent, frozen, module = "antonnia_sdk._core", name = "MessageContentUnknown")]
pub struct ContentUnknown;

#[pymethods]
impl ContentUnknown {
    /// Every field as sent, `type` included.
    #[getter]
    fn raw<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        match &slf.as_super().get().inner {
            MessageContent::Unknown(UnknownContent { raw, .. }) => map_to_py(slf.py(), raw),
            _ => Ok(PyDict::new(slf.py())),
        }
    }
}

// ---------------------------------------------------------------- agents

/// An agent; `AIAgent`, `HumanAgent` or `UnknownAgent` by `type`.
#[pyclass(subclass, frozen, module = "antonnia_sdk._core", name = "Agent")]
pub struct PyAgent {
    pub inner: Agent,
}

#[pymethods]
impl PyAgent {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn organization_id(&self) -> Option<&str> {
        self.inner.organization_id.as_deref()
    }
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }
    #[getter(r#type)]
    fn agent_type(&self) -> String {
        self.inner.agent_type().as_str().to_string()
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.created_at)
    }
}
common_methods!(PyAgent, |s| to_value(&s.inner));
from_dict!(PyAgent, Agent, agent_to_py);

/// An AI agent (`type == "ai"`).
#[pyclass(extends = PyAgent, frozen, module = "antonnia_sdk._core", name = "AIAgent")]
pub struct AIAgent;
#[pymethods]
impl AIAgent {
    #[getter]
    fn assistant_id(slf: &Bound<'_, Self>) -> Option<String> {
        match &slf.as_super().get().inner.kind {
            AgentKind::Ai { assistant_id } => assistant_id.clone(),
            _ => None,
        }
    }
}

/// A human agent (`type == "human"`).
#[pyclass(extends = PyAgent, frozen, module = "antonnia_sdk._core", name = "HumanAgent")]
pub struct HumanAgent;
#[pymethods]
impl HumanAgent {
    #[getter]
    fn profile_id(slf: &Bound<'_, Self>) -> Option<String> {
        match &slf.as_super().get().inner.kind {
            AgentKind::Human { profile_id } => profile_id.clone(),
            _ => None,
        }
    }
}

/// An agent of a `type` this SDK version does not know.
#[pyclass(extends = PyAgent, frozen, module = "antonnia_sdk._core", name = "UnknownAgent")]
pub struct UnknownAgent;

pub fn agent_to_py(py: Python<'_>, a: Agent) -> PyResult<Obj> {
    let base = PyClassInitializer::from(PyAgent { inner: a.clone() });
    Ok(match a.kind {
        AgentKind::Ai { .. } => Bound::new(py, base.add_subclass(AIAgent))?
            .into_any()
            .unbind(),
        AgentKind::Human { .. } => Bound::new(py, base.add_subclass(HumanAgent))?
            .into_any()
            .unbind(),
        AgentKind::Unknown { .. } => Bound::new(py, base.add_subclass(UnknownAgent))?
            .into_any()
            .unbind(),
    })
}

// ---------------------------------------------------------------- session

/// A conversation between one contact and an agent.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "Session")]
pub struct PySession {
    pub inner: Session,
}

#[pymethods]
impl PySession {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn contact_id(&self) -> Option<&str> {
        self.inner.contact_id.as_deref()
    }
    #[getter]
    fn organization_id(&self) -> Option<&str> {
        self.inner.organization_id.as_deref()
    }
    #[getter]
    fn conversation_id(&self) -> Option<&str> {
        self.inner.conversation_id.as_deref()
    }
    #[getter]
    fn thread_id(&self) -> Option<&str> {
        self.inner.thread_id.as_deref()
    }
    #[getter]
    fn status(&self) -> Option<&str> {
        self.inner.status.as_ref().map(|s| s.as_str())
    }
    #[getter]
    fn agent(&self, py: Python<'_>) -> PyResult<Option<Obj>> {
        self.inner
            .agent
            .clone()
            .map(|a| agent_to_py(py, a))
            .transpose()
    }
    #[getter]
    fn ending_survey_submission_id(&self) -> Option<&str> {
        self.inner.ending_survey_submission_id.as_deref()
    }
    /// Free-form data (a fresh dict on every read).
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.inner.metadata)
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.created_at)
    }
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.updated_at)
    }
    /// `metadata["channel_type"]`, by the channel-integration convention.
    #[getter]
    fn channel_type(&self) -> Option<&str> {
        self.inner.channel_type()
    }
    /// `metadata["channel_user_id"]`, by the channel-integration convention.
    #[getter]
    fn channel_user_id(&self) -> Option<&str> {
        self.inner.channel_user_id()
    }
}
common_methods!(PySession, |s| to_value(&s.inner));
from_dict!(PySession, Session, session_to_py);

// ---------------------------------------------------------------- message

/// One message in a session.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "Message")]
pub struct PyMessage {
    pub inner: Message,
}

#[pymethods]
impl PyMessage {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn session_id(&self) -> Option<&str> {
        self.inner.session_id.as_deref()
    }
    #[getter]
    fn conversation_id(&self) -> Option<&str> {
        self.inner.conversation_id.as_deref()
    }
    #[getter]
    fn organization_id(&self) -> Option<&str> {
        self.inner.organization_id.as_deref()
    }
    #[getter]
    fn role(&self) -> Option<&str> {
        self.inner.role.as_ref().map(|r| r.as_str())
    }
    #[getter]
    fn content(&self, py: Python<'_>) -> PyResult<Obj> {
        content_to_py(py, self.inner.content.clone())
    }
    #[getter]
    fn provider_message_id(&self) -> Option<&str> {
        self.inner.provider_message_id.as_deref()
    }
    #[getter]
    fn replied_provider_message_id(&self) -> Option<&str> {
        self.inner.replied_provider_message_id.as_deref()
    }
    #[getter]
    fn run_id(&self) -> Option<&str> {
        self.inner.run_id.as_deref()
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.created_at)
    }
    #[getter]
    fn delivery_status(&self) -> &str {
        self.inner.delivery_status.as_str()
    }
    #[getter]
    fn delivery_error_code(&self) -> Option<i64> {
        self.inner.delivery_error_code
    }
    #[getter]
    fn delivery_error_message(&self) -> Option<&str> {
        self.inner.delivery_error_message.as_deref()
    }
    #[getter]
    fn delivered_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.delivered_at)
    }
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.updated_at)
    }
    /// Whether a channel must deliver it: a pending assistant message with
    /// content a user may see.
    #[getter]
    fn is_outbound(&self) -> bool {
        antonnia_core::channel::is_outbound(&self.inner)
    }
}
common_methods!(PyMessage, |s| to_value(&s.inner));
from_dict!(PyMessage, Message, message_to_py);

// ---------------------------------------------------------------- surveys, schedules

/// A satisfaction survey sent when a session finished.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "SurveySubmission")]
pub struct PySurveySubmission {
    pub inner: SurveySubmission,
}

#[pymethods]
impl PySurveySubmission {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn survey_id(&self) -> Option<&str> {
        self.inner.survey_id.as_deref()
    }
    #[getter]
    fn session_id(&self) -> Option<&str> {
        self.inner.session_id.as_deref()
    }
    #[getter]
    fn organization_id(&self) -> Option<&str> {
        self.inner.organization_id.as_deref()
    }
    #[getter]
    fn status(&self) -> Option<&str> {
        self.inner.status.as_ref().map(|s| s.as_str())
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.created_at)
    }
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.expires_at)
    }
    #[getter]
    fn finished_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.finished_at)
    }
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.updated_at)
    }
}
common_methods!(PySurveySubmission, |s| to_value(&s.inner));
from_dict!(PySurveySubmission, SurveySubmission, |py, v| Ok(
    Bound::new(py, PySurveySubmission { inner: v })?
        .into_any()
        .unbind()
));

/// An action scheduled on a session.
#[pyclass(frozen, module = "antonnia_sdk._core", name = "SessionSchedule")]
pub struct PySessionSchedule {
    pub inner: SessionSchedule,
}

#[pymethods]
impl PySessionSchedule {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn session_id(&self) -> Option<&str> {
        self.inner.session_id.as_deref()
    }
    #[getter]
    fn organization_id(&self) -> Option<&str> {
        self.inner.organization_id.as_deref()
    }
    #[getter]
    fn scheduled_for<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.scheduled_for)
    }
    /// What it does, as a dict: `{"type": "message", "message": {...}}` or
    /// `{"type": "node", "node_id": "..."}`.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .config
            .as_ref()
            .map(|c: &ScheduleConfig| json_to_py(py, &to_value(c)))
            .transpose()
    }
    #[getter]
    fn status(&self) -> Option<&str> {
        self.inner.status.as_ref().map(|s| s.as_str())
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.created_at)
    }
}
common_methods!(PySessionSchedule, |s| to_value(&s.inner));
from_dict!(PySessionSchedule, SessionSchedule, |py, v| Ok(Bound::new(
    py,
    PySessionSchedule { inner: v }
)?
.into_any()
.unbind()));

pub fn session_to_py(py: Python<'_>, s: Session) -> PyResult<Obj> {
    Ok(Bound::new(py, PySession { inner: s })?.into_any().unbind())
}

pub fn message_to_py(py: Python<'_>, m: Message) -> PyResult<Obj> {
    Ok(Bound::new(py, PyMessage { inner: m })?.into_any().unbind())
}

// ---------------------------------------------------------------- events

/// A webhook event; one subclass per `type` (`MessageCreated`, ...).
#[pyclass(subclass, frozen, module = "antonnia_sdk._core", name = "Event")]
pub struct PyEvent {
    pub inner: Arc<WebhookEvent>,
}

#[pymethods]
impl PyEvent {
    /// The event's id (absent in some deliveries, such as the Quick Start's sample).
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        opt_timestamp(py, &self.inner.created_at)
    }
    #[getter(r#type)]
    fn event_type(&self) -> &str {
        self.inner.event_type()
    }
    /// The event's payload: `data.object` (and `data.action` for `session.finished`).
    #[getter]
    fn data(&self, py: Python<'_>) -> PyResult<Obj> {
        let base = PyClassInitializer::from(PyEventData {
            inner: self.inner.clone(),
        });
        Ok(match &self.inner.payload {
            EventPayload::MessageCreated(_) => {
                Bound::new(py, base.add_subclass(MessageCreatedData))?.into_any()
            }
            EventPayload::SessionCreated(_) => {
                Bound::new(py, base.add_subclass(SessionCreatedData))?.into_any()
            }
            EventPayload::SessionTransferred(_) => {
                Bound::new(py, base.add_subclass(SessionTransferredData))?.into_any()
            }
            EventPayload::SessionFinished { .. } => {
                Bound::new(py, base.add_subclass(SessionFinishedData))?.into_any()
            }
            EventPayload::AppConnectionCreated(_) => {
                Bound::new(py, base.add_subclass(AppConnectionCreatedData))?.into_any()
            }
            _ => Bound::new(py, base)?.into_any(),
        }
        .unbind())
    }
    /// The message to deliver on the channel, if this is a pending assistant
    /// `message.created` with content a user may see; else None.
    fn outbound_message(&self, py: Python<'_>) -> PyResult<Option<Obj>> {
        antonnia_core::channel::outbound_message(&self.inner)
            .map(|m| message_to_py(py, m.clone()))
            .transpose()
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_json())
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let e = &slf.get().inner;
        let name = slf.get_type().name()?.to_string();
        let object = match &e.payload {
            EventPayload::MessageCreated(m) => format!("Message(id={:?})", m.id),
            EventPayload::SessionCreated(s) | EventPayload::SessionTransferred(s) => {
                format!("Session(id={:?})", s.id)
            }
            EventPayload::SessionFinished { session, .. } => {
                format!("Session(id={:?})", session.id)
            }
            _ => "...".to_string(),
        };
        let id = match &e.id {
            Some(id) => format!("{id:?}"),
            None => "None".to_string(),
        };
        Ok(format!(
            "{name}(id={id}, type={:?}, data.object={object})",
            e.event_type()
        ))
    }
    /// Pickling and copying re-parse the event's JSON.
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let parse = py.import("antonnia_sdk._core")?.getattr("parse_event")?;
        let body = serde_json::to_vec(&self.inner.to_json()).unwrap_or_default();
        Ok((parse, (PyBytes::new(py, &body),)))
    }
    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Obj {
        let py = other.py();
        let eq = other
            .cast::<PyEvent>()
            .ok()
            .map(|o| *o.get().inner == *self.inner);
        compare(op, eq, py)
    }
}

macro_rules! event_sub {
    ($($rust:ident = $name:literal),*) => {$(
        #[pyclass(extends = PyEvent, frozen, module = "antonnia_sdk._core", name = $name)]
        pub struct $rust;
    )*};
}
event_sub!(
    MessageCreated = "MessageCreated",
    SessionCreated = "SessionCreated",
    SessionTransferred = "SessionTransferred",
    SessionFinished = "SessionFinished",
    AppConnectionCreated = "AppConnectionCreated",
    UnknownEvent = "UnknownEvent"
);

/// The `data` of an event.
#[pyclass(subclass, frozen, module = "antonnia_sdk._core", name = "EventData")]
pub struct PyEventData {
    inner: Arc<WebhookEvent>,
}

#[pymethods]
impl PyEventData {
    /// The resource the event is about: a `Message`, a `Session`, or a dict
    /// for app connections and unknown events.
    #[getter]
    fn object(&self, py: Python<'_>) -> PyResult<Obj> {
        Ok(match &self.inner.payload {
            EventPayload::MessageCreated(m) => message_to_py(py, (**m).clone())?,
            EventPayload::SessionCreated(s) | EventPayload::SessionTransferred(s) => {
                session_to_py(py, (**s).clone())?
            }
            EventPayload::SessionFinished { session, .. } => {
                session_to_py(py, (**session).clone())?
            }
            EventPayload::AppConnectionCreated(v) => json_to_py(py, v)?.unbind(),
            EventPayload::Unknown { raw, .. } => json_to_py(
                py,
                raw.get("data")
                    .and_then(|d| d.get("object"))
                    .unwrap_or(&Value::Null),
            )?
            .unbind(),
        })
    }
    /// For `session.finished`: `"expired"` when closed for inactivity, else None.
    #[getter]
    fn action(&self) -> Option<&str> {
        match &self.inner.payload {
            EventPayload::SessionFinished { action, .. } => action.as_deref(),
            _ => None,
        }
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = self.inner.to_json();
        json_to_py(py, all.get("data").unwrap_or(&Value::Object(Map::new())))
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let name = slf.get_type().name()?.to_string();
        let obj = slf.get().object(slf.py())?;
        let r = obj.bind(slf.py()).repr()?;
        Ok(format!("{name}(object={})", r.to_cow()?))
    }
}

macro_rules! data_sub {
    ($($rust:ident = $name:literal),*) => {$(
        #[pyclass(extends = PyEventData, frozen, module = "antonnia_sdk._core", name = $name)]
        pub struct $rust;
    )*};
}
data_sub!(
    MessageCreatedData = "MessageCreatedData",
    SessionCreatedData = "SessionCreatedData",
    SessionTransferredData = "SessionTransferredData",
    SessionFinishedData = "SessionFinishedData",
    AppConnectionCreatedData = "AppConnectionCreatedData"
);

pub fn event_to_py(py: Python<'_>, e: WebhookEvent) -> PyResult<Obj> {
    let kind = match &e.payload {
        EventPayload::MessageCreated(_) => 0,
        EventPayload::SessionCreated(_) => 1,
        EventPayload::SessionTransferred(_) => 2,
        EventPayload::SessionFinished { .. } => 3,
        EventPayload::AppConnectionCreated(_) => 4,
        _ => 5,
    };
    let base = PyClassInitializer::from(PyEvent { inner: Arc::new(e) });
    Ok(match kind {
        0 => Bound::new(py, base.add_subclass(MessageCreated))?.into_any(),
        1 => Bound::new(py, base.add_subclass(SessionCreated))?.into_any(),
        2 => Bound::new(py, base.add_subclass(SessionTransferred))?.into_any(),
        3 => Bound::new(py, base.add_subclass(SessionFinished))?.into_any(),
        4 => Bound::new(py, base.add_subclass(AppConnectionCreated))?.into_any(),
        _ => Bound::new(py, base.add_subclass(UnknownEvent))?.into_any(),
    }
    .unbind())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyContent>()?;
    m.add_class::<ContentText>()?;
    m.add_class::<ContentImage>()?;
    m.add_class::<ContentVideo>()?;
    m.add_class::<ContentAudio>()?;
    m.add_class::<ContentFile>()?;
    m.add_class::<ContentFunctionCall>()?;
    m.add_class::<ContentFunctionResult>()?;
    m.add_class::<ContentThought>()?;
    m.add_class::<ContentUnknown>()?;
    m.add_class::<PyAgent>()?;
    m.add_class::<AIAgent>()?;
    m.add_class::<HumanAgent>()?;
    m.add_class::<UnknownAgent>()?;
    m.add_class::<PySession>()?;
    m.add_class::<PyMessage>()?;
    m.add_class::<PySurveySubmission>()?;
    m.add_class::<PySessionSchedule>()?;
    m.add_class::<PyEvent>()?;
    m.add_class::<MessageCreated>()?;
    m.add_class::<SessionCreated>()?;
    m.add_class::<SessionTransferred>()?;
    m.add_class::<SessionFinished>()?;
    m.add_class::<AppConnectionCreated>()?;
    m.add_class::<UnknownEvent>()?;
    m.add_class::<PyEventData>()?;
    m.add_class::<MessageCreatedData>()?;
    m.add_class::<SessionCreatedData>()?;
    m.add_class::<SessionTransferredData>()?;
    m.add_class::<SessionFinishedData>()?;
    m.add_class::<AppConnectionCreatedData>()?;
    Ok(())
}
