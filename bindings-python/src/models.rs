//! The API's resources as Python classes backed by the core's Rust types.
//!
//! Each class holds the parsed Rust value; attributes are converted when read,
//! so parsing pays only for what the caller looks at. `to_dict()` gives the
//! canonical JSON shape of the shared fixtures (timestamps as RFC 3339 text).
//!
//! Every class is declared once with [`model!`]: one line per attribute says
//! how it is read from the Rust value and its Python type, and the same table
//! gives the getters and the stub text of `_core.pyi` (`_model_stubs()`,
//! written into the file by `scripts/gen_stubs.py`).

use std::sync::Arc;

use antonnia_core::types::{
    AudioContent, FileContent, FunctionCallContent, FunctionResultContent, ImageContent,
    TextContent, ThoughtContent, UnknownContent, VideoContent,
};
use antonnia_core::webhook::{EventPayload, WebhookEvent};
use antonnia_core::{
    Agent, AgentKind, Message, MessageContent, Session, SessionSchedule, SurveySubmission,
};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::PyBytes;
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

/// The stub-only base of the resource classes: what `common_methods!` adds.
const MODEL_BASE_STUB: &str = "class _Model:
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
";

// ---------------------------------------------------------------- the model table

/// One attribute of a class, as `_core.pyi` declares it.
pub struct StubProp {
    name: &'static str,
    ty: &'static str,
    doc: &'static str,
}

/// One class of the module, as `_core.pyi` declares it.
pub struct StubClass {
    name: &'static str,
    /// The Python base class, or "" for none.
    base: &'static str,
    /// `@final`, else `@disjoint_base` (a base of the `type` subclasses).
    is_final: bool,
    doc: &'static str,
    /// Hand-written stub members for what `model!` does not declare
    /// (constructors, `from_dict`, methods).
    methods: &'static [&'static str],
    props: &'static [StubProp],
    /// Attributes a subclass only narrows for type checkers (`type` to a `Literal`).
    narrowed: &'static [(&'static str, &'static str)],
}

/// A class declared by [`model!`].
trait Stub {
    const STUB: StubClass;
}

/// How a getter turns what it read into a Python object: one arm a kind.
macro_rules! read {
    (str, $py:ident, $e:expr) => {
        AsRef::<str>::as_ref(&$e).into_bound_py_any($py)
    };
    (opt_str, $py:ident, $e:expr) => {
        $e.as_deref().into_bound_py_any($py)
    };
    // An open enum: its wire string, known value or not.
    (enum_str, $py:ident, $e:expr) => {
        $e.as_str().into_bound_py_any($py)
    };
    (opt_enum_str, $py:ident, $e:expr) => {
        $e.as_ref().map(|v| v.as_str()).into_bound_py_any($py)
    };
    (opt_time, $py:ident, $e:expr) => {
        opt_timestamp($py, &$e)?.into_bound_py_any($py)
    };
    // A fresh dict on every read, so that changing it changes nothing.
    (map, $py:ident, $e:expr) => {
        map_to_py($py, &$e).map(Bound::into_any)
    };
    (opt_map, $py:ident, $e:expr) => {
        $e.as_ref()
            .map(|m| map_to_py($py, m))
            .transpose()?
            .into_bound_py_any($py)
    };
    // Any serializable value, as its JSON form.
    (opt_json, $py:ident, $e:expr) => {
        $e.as_ref()
            .map(|v| json_to_py($py, &to_value(v)))
            .transpose()?
            .into_bound_py_any($py)
    };
    (bool, $py:ident, $e:expr) => {
        $e.into_bound_py_any($py)
    };
    (opt_int, $py:ident, $e:expr) => {
        $e.into_bound_py_any($py)
    };
    // A nested model, built by its `*_to_py` function.
    (model($f:path), $py:ident, $e:expr) => {
        $f($py, $e.clone()).map(|o| o.into_bound($py))
    };
    (opt_model($f:path), $py:ident, $e:expr) => {
        $e.clone()
            .map(|v| $f($py, v))
            .transpose()?
            .into_bound_py_any($py)
    };
    (list($f:path), $py:ident, $e:expr) => {
        $e.iter()
            .map(|v| $f($py, v.clone()))
            .collect::<PyResult<Vec<Obj>>>()?
            .into_bound_py_any($py)
    };
    // Anything else: an expression giving `PyResult` of a convertible value.
    (py, $py:ident, $e:expr) => {
        $e?.into_bound_py_any($py)
    };
}

/// The stub type of a kind; the kinds that read a model say theirs.
macro_rules! stub_type {
    ($kind:ident $(($f:path))?, $ty:literal) => {
        $ty
    };
    (str) => {
        "str"
    };
    (opt_str) => {
        "Optional[str]"
    };
    (enum_str) => {
        "str"
    };
    (opt_enum_str) => {
        "Optional[str]"
    };
    (opt_time) => {
        "Optional[datetime]"
    };
    (map) => {
        "Dict[str, Any]"
    };
    (opt_map) => {
        "Optional[Dict[str, Any]]"
    };
    (opt_json) => {
        "Optional[Dict[str, Any]]"
    };
    (bool) => {
        "bool"
    };
    (opt_int) => {
        "Optional[int]"
    };
}

/// Declares a Python class: the struct, its getters (converting when read,
/// never at parse time) and its stub.
///
/// ```text
/// model! {
///     /// Class doc.
///     final "PyName"("StubBase") for RustStruct { inner: CoreType }   // or: extends RustParent
///     |binding, py| {                      // binding: `&inner`, or a pattern on the parent's `inner`
///         /// Attribute doc.
///         name: kind = expression [=> "stub type"];
///     }
///     [narrow { name: "stub type" }]       // stub-only narrowing in a subclass
///     [methods ["stub text of a method"]]  // members declared by hand elsewhere
/// }
/// ```
macro_rules! model {
    (
        $(#[doc = $cdoc:literal])*
        $deco:ident $pyname:literal ($base:literal) for $ty:ident { inner: $inner:ty }
        |$v:pat, $py:ident| {
            $( $(#[doc = $doc:literal])* $name:ident : $kind:ident $(($f:path))? = $e:expr $(=> $pyty:literal)? ; )*
        }
        $(narrow { $($nname:ident : $nty:expr),* $(,)? })?
        $(methods [ $($m:expr),* $(,)? ])?
    ) => {
        model!(@struct $deco, $pyname, [$($cdoc)*], $ty, { pub inner: $inner });
        #[pymethods]
        impl $ty {
            $(
                $(#[doc = $doc])*
                #[getter]
                fn $name<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                    let $py = slf.py();
                    let $v = &slf.get().inner;
                    read!($kind $(($f))?, $py, $e)
                }
            )*
        }
        model!(@stub $deco, $pyname, $base, [$($cdoc)*], $ty,
            [$( [$name, stub_type!($kind $(($f))? $(, $pyty)?), [$($doc)*]] )*],
            [$($( [$nname, $nty] )*)?], [$($($m),*)?]);
    };
    (
        $(#[doc = $cdoc:literal])*
        $deco:ident $pyname:literal ($base:literal) for $ty:ident extends $parent:ident
        |$v:pat, $py:ident| {
            $( $(#[doc = $doc:literal])* $name:ident : $kind:ident $(($f:path))? = $e:expr $(=> $pyty:literal)? ; )*
        }
        $(narrow { $($nname:ident : $nty:expr),* $(,)? })?
        $(methods [ $($m:expr),* $(,)? ])?
    ) => {
        $(#[doc = $cdoc])*
        #[pyclass(extends = $parent, frozen, module = "antonnia_sdk._core", name = $pyname)]
        pub struct $ty;
        #[pymethods]
        impl $ty {
            $(
                $(#[doc = $doc])*
                #[getter]
                fn $name<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                    let $py = slf.py();
                    // A subclass is only made for its parent's matching variant.
                    #[allow(irrefutable_let_patterns)]
                    let $v = &slf.as_super().get().inner else {
                        return Err(pyo3::exceptions::PyAttributeError::new_err(stringify!($name)));
                    };
                    read!($kind $(($f))?, $py, $e)
                }
            )*
        }
        model!(@stub $deco, $pyname, $base, [$($cdoc)*], $ty,
            [$( [$name, stub_type!($kind $(($f))? $(, $pyty)?), [$($doc)*]] )*],
            [$($( [$nname, $nty] )*)?], [$($($m),*)?]);
    };
    (@struct final, $pyname:literal, [$($cdoc:literal)*], $ty:ident, $body:tt) => {
        $(#[doc = $cdoc])*
        #[pyclass(frozen, module = "antonnia_sdk._core", name = $pyname)]
        pub struct $ty $body
    };
    (@struct disjoint_base, $pyname:literal, [$($cdoc:literal)*], $ty:ident, $body:tt) => {
        $(#[doc = $cdoc])*
        #[pyclass(subclass, frozen, module = "antonnia_sdk._core", name = $pyname)]
        pub struct $ty $body
    };
    (@stub $deco:ident, $pyname:literal, $base:literal, [$($cdoc:literal)*], $ty:ident,
        [$( [$name:ident, $pyty:expr, [$($doc:literal)*]] )*],
        [$( [$nname:ident, $nty:expr] )*], [$($m:expr),*]) => {
        impl Stub for $ty {
            const STUB: StubClass = StubClass {
                name: $pyname,
                base: $base,
                is_final: model!(@final $deco),
                doc: concat!($($cdoc, "\n"),*),
                methods: &[$($m),*],
                props: &[$(StubProp {
                    name: stringify!($name),
                    ty: $pyty,
                    doc: concat!($($doc, "\n"),*),
                }),*],
                narrowed: &[$((stringify!($nname), $nty)),*],
            };
        }
    };
    (@final final) => { true };
    (@final disjoint_base) => { false };
}

/// A Python name from a Rust one (`r#type` is `type`).
fn py_name(rust: &str) -> &str {
    rust.strip_prefix("r#").unwrap_or(rust)
}

/// Appends `"""doc"""` at `indent`, or ` ...` on the line when there is none.
fn push_body(out: &mut String, doc: &str, indent: &str) {
    let lines: Vec<&str> = doc.lines().map(str::trim).collect();
    if lines.iter().all(|l| l.is_empty()) {
        out.push_str(" ...\n");
        return;
    }
    out.push('\n');
    out.push_str(indent);
    out.push_str("\"\"\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line);
    }
    if lines.len() > 1 {
        out.push('\n');
        out.push_str(indent);
    }
    out.push_str("\"\"\"\n");
}

fn render_class(out: &mut String, c: &StubClass) {
    out.push_str(if c.is_final {
        "@final\n"
    } else {
        "@disjoint_base\n"
    });
    out.push_str("class ");
    out.push_str(c.name);
    if !c.base.is_empty() {
        out.push('(');
        out.push_str(c.base);
        out.push(')');
    }
    out.push(':');
    let empty = c.methods.is_empty() && c.props.is_empty() && c.narrowed.is_empty();
    if empty && c.doc.trim().is_empty() {
        out.push_str(" ...\n");
        return;
    }
    if c.doc.trim().is_empty() {
        out.push('\n');
    } else {
        push_body(out, c.doc, "    ");
    }
    for m in c.methods {
        for line in m.lines() {
            push_wrapped(out, line, "    ");
        }
    }
    for p in c.props {
        out.push_str("    @property\n    def ");
        out.push_str(py_name(p.name));
        out.push_str("(self) -> ");
        out.push_str(p.ty);
        out.push(':');
        push_body(out, p.doc, "        ");
    }
    for (name, ty) in c.narrowed {
        out.push_str("    @property\n    def ");
        out.push_str(py_name(name));
        out.push_str("(self) -> ");
        out.push_str(ty);
        out.push_str(": ...\n");
    }
}

/// Keeps stub lines within 120 columns: a longer one has its outermost
/// bracket's items one a line (`def f(\n    a: int,\n) -> X: ...`).
fn push_wrapped(out: &mut String, line: &str, indent: &str) {
    const WIDTH: usize = 120;
    let open = line.find(['(', '[']);
    let close = open.and_then(|o| {
        let mut depth = 0;
        line[o..].char_indices().find_map(|(i, ch)| {
            match ch {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(o + i)
        })
    });
    let (Some(open), Some(close)) = (open, close) else {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
        return;
    };
    if indent.len() + line.len() <= WIDTH {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
        return;
    }
    out.push_str(indent);
    out.push_str(&line[..=open]);
    out.push('\n');
    let mut depth = 0;
    let mut start = open + 1;
    let inner = &line[..close];
    for (i, ch) in inner.char_indices().skip_while(|(i, _)| *i <= open) {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                push_item(out, &inner[start..i], indent);
                start = i + 1;
            }
            _ => {}
        }
    }
    push_item(out, &inner[start..], indent);
    out.push_str(indent);
    out.push_str(&line[close..]);
    out.push('\n');
}

fn push_item(out: &mut String, item: &str, indent: &str) {
    let item = item.trim();
    if !item.is_empty() {
        out.push_str(indent);
        out.push_str("    ");
        out.push_str(item);
        out.push_str(",\n");
    }
}

/// `_X = Union[...]` of the subclasses of `base`, for the attributes typed by them.
fn push_union(out: &mut String, alias: &str, base: &str) {
    let subs: Vec<&str> = CLASSES
        .iter()
        .filter(|c| c.base == base)
        .map(|c| c.name)
        .collect();
    push_wrapped(out, &format!("{alias} = Union[{}]", subs.join(", ")), "");
}

/// The stub text of every model class: the generated region of `_core.pyi`.
#[pyfunction]
fn _model_stubs() -> String {
    let mut out = String::from("def _model_stubs() -> str: ...\n\n");
    out.push_str(MODEL_BASE_STUB);
    out.push('\n');
    push_union(&mut out, "_Content", "MessageContent");
    push_union(&mut out, "_Agent", "Agent");
    for c in CLASSES {
        out.push('\n');
        render_class(&mut out, c);
    }
    out
}

/// The registered classes, in stub order.
macro_rules! classes {
    ($($ty:ty),* $(,)?) => {
        const CLASSES: &[StubClass] = &[$(<$ty as Stub>::STUB),*];

        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_class::<$ty>()?;)*
            // Set, not added: `add_function` would list it in `__all__`.
            m.setattr("_model_stubs", wrap_pyfunction!(_model_stubs, m)?)
        }
    };
}

// ---------------------------------------------------------------- content

model! {
    /// The content of a message; one subclass per `type`.
    disjoint_base "MessageContent"("_Model") for PyContent { inner: MessageContent }
    |c, py| {
        /// The `type` tag.
        r#type: str = c.content_type();
        /// Whether a channel should show it to the user (not a thought or function call).
        is_deliverable: bool = c.is_deliverable();
    }
    methods [
        "@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> MessageContent: ...",
    ]
}

#[pymethods]
impl PyContent {
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

/// Declares a content subclass: its constructor (the vendor's keywords, each
/// with its stub type) and its attributes (as in [`model!`]).
macro_rules! content_class {
    (
        $(#[doc = $cdoc:literal])*
        $rust:ident, $pyname:literal, $variant:ident, $tag:literal,
        new[$npy:ident]($($arg:ident : $argty:ty => $argpy:literal),* $(; $($opt:ident : $optty:ty => $optpy:literal),*)?) => $build:expr,
        |$c:ident| { $($fields:tt)* }
    ) => {
        model! {
            $(#[doc = $cdoc])*
            final $pyname("MessageContent") for $rust extends PyContent
            |MessageContent::$variant($c), py| { $($fields)* }
            narrow { r#type: concat!("Literal[\"", $tag, "\"]") }
            methods [concat!(
                "def __new__(cls, *, ",
                $(stringify!($arg), ": ", $argpy, ", ",)*
                $($(stringify!($opt), ": ", $optpy, " = None, ",)*)?
                "type: Literal[\"", $tag, "\"] = ...) -> ", $pyname, ": ...",
            )]
        }

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
        }
    };
}

content_class!(
    /// A text message.
    ContentText, "MessageContentText", Text, "text",
    new[py](text: String => "str"; template_id: Option<String> => "Optional[str]",
            template_parameters: Option<Bound<'_, PyAny>> => "Optional[Mapping[str, Any]]") => {
        let template_parameters = match template_parameters {
            Some(p) if !p.is_none() => match py_to_json(&p, "template_parameters", 0)? {
                Value::Object(m) => Some(m),
                _ => return Err(invalid(py, "template_parameters", "must be a dict")),
            },
            _ => None,
        };
        Ok(MessageContent::Text(TextContent { text, template_id, template_parameters }))
    },
    |c| {
        /// What it says.
        text: str = c.text;
        /// The channel template it was sent with (e.g. a WhatsApp template), if any.
        template_id: opt_str = c.template_id;
        /// The template's parameters (a fresh dict on every read).
        template_parameters: opt_map = c.template_parameters;
    }
);
content_class!(
    /// An image, by URL.
    ContentImage, "MessageContentImage", Image, "image",
    new[py](url: String => "str") => Ok(MessageContent::Image(ImageContent { url })),
    |c| {
        /// Where the image is.
        url: str = c.url;
    }
);
content_class!(
    /// A video, by URL.
    ContentVideo, "MessageContentVideo", Video, "video",
    new[py](url: String => "str") => Ok(MessageContent::Video(VideoContent { url })),
    |c| {
        /// Where the video is.
        url: str = c.url;
    }
);
content_class!(
    /// A voice note or audio file, by URL.
    ContentAudio, "MessageContentAudio", Audio, "audio",
    new[py](url: String => "str"; transcript: Option<String> => "Optional[str]") =>
        Ok(MessageContent::Audio(AudioContent { url, transcript })),
    |c| {
        /// Where the audio is.
        url: str = c.url;
        /// What it says, when transcribed.
        transcript: opt_str = c.transcript;
    }
);
content_class!(
    /// A document, by URL.
    ContentFile, "MessageContentFile", File, "file",
    new[py](url: String => "str", mime_type: String => "str", name: String => "str") =>
        Ok(MessageContent::File(FileContent { url, mime_type, name })),
    |c| {
        /// Where the file is.
        url: str = c.url;
        /// Its media type, e.g. `application/pdf`.
        mime_type: str = c.mime_type;
        /// Its file name.
        name: str = c.name;
    }
);
content_class!(
    /// A tool call made by the AI (not for the user's eyes).
    ContentFunctionCall, "MessageContentFunctionCall", FunctionCall, "function_call",
    new[py](id: String => "str", name: String => "str", input: String => "str") =>
        Ok(MessageContent::FunctionCall(FunctionCallContent { id, name, input })),
    |c| {
        /// The call's id, which its result repeats.
        id: str = c.id;
        /// The function called.
        name: str = c.name;
        /// Its arguments, as sent (usually JSON text).
        input: str = c.input;
    }
);
content_class!(
    /// What a tool call returned (not for the user's eyes).
    ContentFunctionResult, "MessageContentFunctionResult", FunctionResult, "function_result",
    new[py](id: String => "str", name: String => "str", output: String => "str") =>
        Ok(MessageContent::FunctionResult(FunctionResultContent { id, name, output })),
    |c| {
        /// The id of the call it answers.
        id: str = c.id;
        /// The function called.
        name: str = c.name;
        /// What it returned, as sent.
        output: str = c.output;
    }
);
content_class!(
    /// The AI's reasoning (not for the user's eyes).
    ContentThought, "MessageContentThought", Thought, "thought",
    new[py](thought: String => "str") => Ok(MessageContent::Thought(ThoughtContent { thought })),
    |c| {
        /// The reasoning text.
        thought: str = c.thought;
    }
);

model! {
    /// Content of a `type` this SDK version does not know, kept whole (see `to_dict()`).
    final "MessageContentUnknown"("MessageContent") for ContentUnknown extends PyContent
    |MessageContent::Unknown(UnknownContent { raw, .. }), py| {
        /// Every field as sent, `type` included.
        raw: map = raw;
    }
}

// ---------------------------------------------------------------- agents

model! {
    /// An agent; `AIAgent`, `HumanAgent` or `UnknownAgent` by `type`.
    disjoint_base "Agent"("_Model") for PyAgent { inner: Agent }
    |a, py| {
        /// The agent's id, e.g. `agent_abc`.
        id: str = a.id;
        /// The organization owning it.
        organization_id: opt_str = a.organization_id;
        /// Its display name.
        name: opt_str = a.name;
        /// `"ai"`, `"human"`, or a type this SDK version does not know.
        r#type: enum_str = a.agent_type();
        /// When it was created.
        created_at: opt_time = a.created_at;
    }
    methods [
        "@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> _Agent: ...",
    ]
}
common_methods!(PyAgent, |s| to_value(&s.inner));
from_dict!(PyAgent, Agent, agent_to_py);

model! {
    /// An AI agent (`type == "ai"`).
    final "AIAgent"("Agent") for AIAgent extends PyAgent
    |Agent { kind: AgentKind::Ai { assistant_id }, .. }, py| {
        /// The AI assistant behind the agent.
        assistant_id: opt_str = assistant_id;
    }
    narrow { r#type: "Literal[\"ai\"]" }
}

model! {
    /// A human agent (`type == "human"`).
    final "HumanAgent"("Agent") for HumanAgent extends PyAgent
    |Agent { kind: AgentKind::Human { profile_id }, .. }, py| {
        /// The person's profile.
        profile_id: opt_str = profile_id;
    }
    narrow { r#type: "Literal[\"human\"]" }
}

model! {
    /// An agent of a `type` this SDK version does not know.
    final "UnknownAgent"("Agent") for UnknownAgent extends PyAgent |_, py| {}
}

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

model! {
    /// A conversation between one contact and an agent.
    final "Session"("_Model") for PySession { inner: Session }
    |s, py| {
        /// The session's id, e.g. `sess_abc123`.
        id: str = s.id;
        /// The integrator's id for the contact.
        contact_id: opt_str = s.contact_id;
        /// The organization owning the session.
        organization_id: opt_str = s.organization_id;
        /// The conversation the session belongs to.
        conversation_id: opt_str = s.conversation_id;
        /// An optional thread id.
        thread_id: opt_str = s.thread_id;
        /// `"open"` or `"closed"` (or a status this SDK version does not know).
        status: opt_enum_str = s.status;
        /// The agent in charge, if any.
        agent: opt_model(agent_to_py) = s.agent => "Optional[_Agent]";
        /// The satisfaction survey started when the session finished.
        ending_survey_submission_id: opt_str = s.ending_survey_submission_id;
        /// Free-form data (a fresh dict on every read).
        metadata: map = s.metadata;
        /// When it was created.
        created_at: opt_time = s.created_at;
        /// When it last changed.
        updated_at: opt_time = s.updated_at;
        /// `metadata["channel_type"]`, by the channel-integration convention.
        channel_type: opt_str = s.channel_type();
        /// `metadata["channel_user_id"]`, by the channel-integration convention.
        channel_user_id: opt_str = s.channel_user_id();
    }
    methods [
        "@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> Session: ...",
    ]
}
common_methods!(PySession, |s| to_value(&s.inner));
from_dict!(PySession, Session, session_to_py);

// ---------------------------------------------------------------- message

model! {
    /// One message in a session.
    final "Message"("_Model") for PyMessage { inner: Message }
    |m, py| {
        /// The message's id, e.g. `msg_xyz789`.
        id: str = m.id;
        /// The session it belongs to.
        session_id: opt_str = m.session_id;
        /// The conversation it belongs to.
        conversation_id: opt_str = m.conversation_id;
        /// The organization owning it.
        organization_id: opt_str = m.organization_id;
        /// `"user"` or `"assistant"` (or a role this SDK version does not know).
        role: opt_enum_str = m.role;
        /// What it says; one `MessageContent` subclass per `type`.
        content: model(content_to_py) = m.content => "_Content";
        /// The channel's id for it.
        provider_message_id: opt_str = m.provider_message_id;
        /// The channel's id of the message it replies to.
        replied_provider_message_id: opt_str = m.replied_provider_message_id;
        /// The AI run that produced it.
        run_id: opt_str = m.run_id;
        /// When it was created.
        created_at: opt_time = m.created_at;
        /// How far it got on the channel: `"pending"` (when absent), `"sent"`,
        /// `"delivered"`, `"read"` or `"failed"`.
        delivery_status: enum_str = m.delivery_status;
        /// The channel's error code when delivery failed (e.g. WhatsApp's 131047).
        delivery_error_code: opt_int = m.delivery_error_code;
        /// The channel's error message when delivery failed.
        delivery_error_message: opt_str = m.delivery_error_message;
        /// When the channel delivered it.
        delivered_at: opt_time = m.delivered_at;
        /// When it last changed.
        updated_at: opt_time = m.updated_at;
        /// Whether a channel must deliver it: a pending assistant message with
        /// content a user may see.
        is_outbound: bool = antonnia_core::channel::is_outbound(m);
    }
    methods [
        "@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> Message: ...",
    ]
}
common_methods!(PyMessage, |s| to_value(&s.inner));
from_dict!(PyMessage, Message, message_to_py);

// ---------------------------------------------------------------- surveys, schedules

model! {
    /// A satisfaction survey sent when a session finished.
    final "SurveySubmission"("_Model") for PySurveySubmission { inner: SurveySubmission }
    |s, py| {
        /// The submission's id.
        id: str = s.id;
        /// The survey answered.
        survey_id: opt_str = s.survey_id;
        /// The session it follows.
        session_id: opt_str = s.session_id;
        /// The organization owning it.
        organization_id: opt_str = s.organization_id;
        /// `"pending"`, `"finished"` or `"cancelled"` (or a status this SDK version does not know).
        status: opt_enum_str = s.status;
        /// When it was created.
        created_at: opt_time = s.created_at;
        /// When it stops accepting answers.
        expires_at: opt_time = s.expires_at;
        /// When it was answered.
        finished_at: opt_time = s.finished_at;
        /// When it last changed.
        updated_at: opt_time = s.updated_at;
    }
    methods [
        "@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> SurveySubmission: ...",
    ]
}
common_methods!(PySurveySubmission, |s| to_value(&s.inner));
from_dict!(PySurveySubmission, SurveySubmission, |py, v| Ok(
    Bound::new(py, PySurveySubmission { inner: v })?
        .into_any()
        .unbind()
));

model! {
    /// An action scheduled on a session.
    final "SessionSchedule"("_Model") for PySessionSchedule { inner: SessionSchedule }
    |s, py| {
        /// The schedule's id.
        id: str = s.id;
        /// The session it acts on.
        session_id: opt_str = s.session_id;
        /// The organization owning it.
        organization_id: opt_str = s.organization_id;
        /// When it runs.
        scheduled_for: opt_time = s.scheduled_for;
        /// What it does, as a dict: `{"type": "message", "message": {...}}` or
        /// `{"type": "node", "node_id": "..."}`.
        config: opt_json = s.config;
        /// Where it stands, e.g. `"pending"` (as sent).
        status: opt_enum_str = s.status;
        /// When it was created.
        created_at: opt_time = s.created_at;
    }
    methods [
        "@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> SessionSchedule: ...",
    ]
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

/// An event's `data`, as the subclass of `EventData` for its type.
fn event_data(py: Python<'_>, e: &Arc<WebhookEvent>) -> PyResult<Obj> {
    let base = PyClassInitializer::from(PyEventData { inner: e.clone() });
    Ok(match &e.payload {
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

/// `data.object`: a `Message`, a `Session`, or a dict for app connections and
/// unknown events.
fn event_object(py: Python<'_>, payload: &EventPayload) -> PyResult<Obj> {
    Ok(match payload {
        EventPayload::MessageCreated(m) => message_to_py(py, (**m).clone())?,
        EventPayload::SessionCreated(s) | EventPayload::SessionTransferred(s) => {
            session_to_py(py, (**s).clone())?
        }
        EventPayload::SessionFinished { session, .. } => session_to_py(py, (**session).clone())?,
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

/// `data.action` of a `session.finished`.
fn finished_action(payload: &EventPayload) -> Option<&str> {
    match payload {
        EventPayload::SessionFinished { action, .. } => action.as_deref(),
        _ => None,
    }
}

model! {
    /// A webhook event; one subclass per `type` (`MessageCreated`, ...).
    disjoint_base "Event"("") for PyEvent { inner: Arc<WebhookEvent> }
    |e, py| {
        /// The event's id (absent in some deliveries, such as the Quick Start's sample).
        id: opt_str = e.id;
        /// When the event happened.
        created_at: opt_time = e.created_at;
        /// The event's type, e.g. `"message.created"`.
        r#type: str = e.event_type();
        /// The event's payload: `data.object` (and `data.action` for `session.finished`).
        data: py = event_data(py, e) => "EventData";
    }
    methods [
        "def outbound_message(self) -> Optional[Message]: ...",
        "def to_dict(self) -> Dict[str, Any]: ...",
        "def __eq__(self, other: object, /) -> bool: ...",
    ]
}

#[pymethods]
impl PyEvent {
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

/// Declares the subclasses of `Event` and of `EventData` for each known type,
/// with what they narrow for type checkers.
macro_rules! event_classes {
    ($($event:ident $ename:literal / $data:ident $dname:literal = $tag:literal, $object:literal;)*) => {$(
        model! {
            final $dname("EventData") for $data extends PyEventData |_, py| {}
            narrow { object: $object }
        }
        model! {
            final $ename("Event") for $event extends PyEvent |_, py| {}
            narrow { r#type: concat!("Literal[\"", $tag, "\"]"), data: $dname }
        }
    )*};
}

event_classes! {
    MessageCreated "MessageCreated" / MessageCreatedData "MessageCreatedData" = "message.created", "Message";
    SessionCreated "SessionCreated" / SessionCreatedData "SessionCreatedData" = "session.created", "Session";
    SessionTransferred "SessionTransferred" / SessionTransferredData "SessionTransferredData" =
        "session.transferred", "Session";
    SessionFinished "SessionFinished" / SessionFinishedData "SessionFinishedData" = "session.finished", "Session";
    AppConnectionCreated "AppConnectionCreated" / AppConnectionCreatedData "AppConnectionCreatedData" =
        "app.connection.created", "Dict[str, Any]";
}

model! {
    /// An event of a `type` this SDK version does not know; `to_dict()` keeps it whole.
    final "UnknownEvent"("Event") for UnknownEvent extends PyEvent |_, py| {}
}

model! {
    /// The `data` of an event.
    disjoint_base "EventData"("") for PyEventData { inner: Arc<WebhookEvent> }
    |d, py| {
        /// The resource the event is about: a `Message`, a `Session`, or a dict
        /// for app connections and unknown events.
        object: py = event_object(py, &d.payload) => "Any";
        /// For `session.finished`: `"expired"` when closed for inactivity, else None.
        action: opt_str = finished_action(&d.payload);
    }
    methods ["def to_dict(self) -> Dict[str, Any]: ..."]
}

#[pymethods]
impl PyEventData {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let all = self.inner.to_json();
        json_to_py(py, all.get("data").unwrap_or(&Value::Object(Map::new())))
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let name = slf.get_type().name()?.to_string();
        let obj = event_object(py, &slf.get().inner.payload)?;
        let r = obj.bind(py).repr()?;
        Ok(format!("{name}(object={})", r.to_cow()?))
    }
}

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

classes!(
    PyContent,
    ContentText,
    ContentImage,
    ContentVideo,
    ContentAudio,
    ContentFile,
    ContentFunctionCall,
    ContentFunctionResult,
    ContentThought,
    ContentUnknown,
    PyAgent,
    AIAgent,
    HumanAgent,
    UnknownAgent,
    PySession,
    PyMessage,
    PySurveySubmission,
    PySessionSchedule,
    PyEventData,
    MessageCreatedData,
    SessionCreatedData,
    SessionTransferredData,
    SessionFinishedData,
    AppConnectionCreatedData,
    PyEvent,
    MessageCreated,
    SessionCreated,
    SessionTransferred,
    SessionFinished,
    AppConnectionCreated,
    UnknownEvent,
);
