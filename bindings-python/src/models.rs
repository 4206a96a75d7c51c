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
                    crate::convert::to_pyerr(py, &antonnia_core::Error::decode("", e.to_string()))
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
struct StubProp {
    name: &'static str,
    ty: &'static str,
    doc: &'static str,
}

/// One class of the module, as `_core.pyi` declares it.
struct StubClass {
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
    // Anything else: `$f(py, &value)` gives a `PyResult` of a convertible value.
    (with($f:path), $py:ident, $e:expr) => {
        $f($py, &$e)?.into_bound_py_any($py)
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
///     #[class(final, "PyName", "StubBase" [, name: "narrowed stub type"]*)]
///     RustStruct |binding: CoreType| {     // or `RustStruct: RustParent |pattern on the parent's inner|`
///         /// Attribute doc.
///         name: kind [= expression] [=> "stub type"];  // reads `binding.name` (in a
///     }                                                // subclass: `name`) unless told
///     [from_dict(core_to_py) [-> "stub type"];]        // `from_dict()`, from `to_dict()`'s form
///     [methods ["stub text of a method declared by hand"]]
/// }
/// ```
///
/// `final` classes cannot be subclassed; `disjoint_base` ones are the bases of
/// the per-`type` subclasses. A class whose stub base is `"_Model"` also gets
/// `to_dict()`, `==`, `hash()`, `repr()` and pickling from its wire JSON.
macro_rules! model {
    (
        $(#[doc = $cdoc:literal])*
        #[class($deco:ident, $pyname:literal, $base:tt $(, $nname:ident : $nty:expr)* $(,)?)]
        $ty:ident |$v:ident : $inner:ty| {
            $( $(#[doc = $doc:literal])* $name:ident : $kind:ident $(($f:path))? $(= $e:expr)? $(=> $pyty:literal)? ; )*
        }
        $(from_dict($to_py:path) $(-> $fd_ret:literal)?;)?
        $(methods [ $($m:expr),* $(,)? ])?
    ) => {
        model!(@struct $deco, $pyname, [$($cdoc)*], $ty, { pub inner: $inner });
        model!(@common $base, $ty);
        $(from_dict!($ty, $inner, $to_py);)?
        model!(@class $ty, $pyname, $base, $deco, [$($cdoc)*], slf, py,
            [$( [$($doc)*] $name, {
                    let $v = &slf.get().inner;
                    read!($kind $(($f))?, py, model!(@read $v.$name $(, $e)?))
                },
                stub_type!($kind $(($f))? $(, $pyty)?); )*],
            [$( [$nname, $nty] )*],
            [$(concat!(
                "@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> ",
                model!(@or $($fd_ret)?, $pyname), ": ...",
            ),)? $($($m,)*)?]);
    };
    (
        $(#[doc = $cdoc:literal])*
        #[class($deco:ident, $pyname:literal, $base:tt $(, $nname:ident : $nty:expr)* $(,)?)]
        $ty:ident : $parent:ident |$v:pat_param| {
            $( $(#[doc = $doc:literal])* $name:ident : $kind:ident $(($f:path))? $(= $e:expr)? $(=> $pyty:literal)? ; )*
        }
        $(methods [ $($m:expr),* $(,)? ])?
    ) => {
        $(#[doc = $cdoc])*
        #[pyclass(extends = $parent, frozen, module = "antonnia_sdk._core", name = $pyname)]
        pub struct $ty;
        model!(@class $ty, $pyname, $base, $deco, [$($cdoc)*], slf, py,
            [$( [$($doc)*] $name, {
                    // A subclass is only made for its parent's matching variant.
                    #[allow(irrefutable_let_patterns)]
                    let $v = &slf.as_super().get().inner else {
                        return Err(pyo3::exceptions::PyAttributeError::new_err("another variant"));
                    };
                    read!($kind $(($f))?, py, model!(@read $name $(, $e)?))
                },
                stub_type!($kind $(($f))? $(, $pyty)?); )*],
            [$( [$nname, $nty] )*], [$($($m,)*)?]);
    };
    // The getters and the stub of a class.
    (@class $ty:ident, $pyname:literal, $base:tt, $deco:ident, [$($cdoc:literal)*],
        $slf:ident, $py:ident,
        [$( [$($doc:literal)*] $name:ident, $body:expr, $pyty:expr; )*],
        [$( [$nname:ident, $nty:expr] )*], [$($m:expr,)*]) => {
        #[pymethods]
        impl $ty {
            $(
                $(#[doc = $doc])*
                #[getter]
                fn $name<'py>($slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                    let $py = $slf.py();
                    $body
                }
            )*
        }
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
    (@common "_Model", $ty:ident) => {
        common_methods!($ty, |s| to_value(&s.inner));
    };
    (@common $base:tt, $ty:ident) => {};
    // What a getter reads: the field of its name, unless the line says otherwise.
    (@read $field:expr) => { $field };
    (@read $field:expr, $e:expr) => { $e };
    (@or $given:literal, $default:literal) => { $given };
    (@or , $default:literal) => { $default };
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
    #[class(disjoint_base, "MessageContent", "_Model")]
    PyContent |c: MessageContent| {
        /// The `type` tag.
        r#type: str = c.content_type();
        /// Whether a channel should show it to the user (not a thought or function call).
        is_deliverable: bool = c.is_deliverable();
    }
    methods ["@staticmethod\ndef from_dict(data: Mapping[str, Any]) -> MessageContent: ..."]
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

/// A constructor argument's Rust type, by the kind of the attribute it sets.
macro_rules! arg_type {
    (str) => { String };
    (opt_str) => { Option<String> };
    (opt_map) => { Option<Bound<'_, PyAny>> };
}

/// A constructor argument's stub type.
macro_rules! arg_stub {
    (str) => {
        "str"
    };
    (opt_str) => {
        "Optional[str]"
    };
    (opt_map) => {
        "Optional[Mapping[str, Any]]"
    };
}

/// A constructor argument as the core's field.
macro_rules! arg_value {
    (str, $py:ident, $name:ident) => {
        $name
    };
    (opt_str, $py:ident, $name:ident) => {
        $name
    };
    (opt_map, $py:ident, $name:ident) => {
        dict_arg($py, stringify!($name), $name)?
    };
}

/// An optional dict argument as a JSON object (None stays None).
fn dict_arg(
    py: Python<'_>,
    field: &str,
    v: Option<Bound<'_, PyAny>>,
) -> PyResult<Option<Map<String, Value>>> {
    match v {
        Some(p) if !p.is_none() => match py_to_json(&p, field, 0)? {
            Value::Object(m) => Ok(Some(m)),
            _ => Err(invalid(py, field, "must be a dict")),
        },
        _ => Ok(None),
    }
}

/// Declares the content subclasses: one a `type`, each attribute also a
/// keyword of its constructor (the vendor's), required before the `;`,
/// optional (default None) after it.
macro_rules! content_classes {
    ($(
        $(#[doc = $cdoc:literal])*
        #[content($pyname:literal, $tag:literal)]
        $rust:ident : $variant:ident($core:ident) {
            $( $(#[doc = $doc:literal])* $req:ident : $rkind:ident, )*
            $(; $( $(#[doc = $odoc:literal])* $opt:ident : $okind:ident, )*)?
        }
    )*) => {$(
        model! {
            $(#[doc = $cdoc])*
            #[class(final, $pyname, "MessageContent", r#type: concat!("Literal[\"", $tag, "\"]"))]
            $rust: PyContent |MessageContent::$variant(c)| {
                $( $(#[doc = $doc])* $req: $rkind = c.$req; )*
                $($( $(#[doc = $odoc])* $opt: $okind = c.$opt; )*)?
            }
            methods [concat!(
                "def __new__(cls, *, ",
                $(stringify!($req), ": ", arg_stub!($rkind), ", ",)*
                $($(stringify!($opt), ": ", arg_stub!($okind), " = None, ",)*)?
                "type: Literal[\"", $tag, "\"] = ...) -> ", $pyname, ": ...",
            )]
        }

        #[pymethods]
        impl $rust {
            #[new]
            #[pyo3(signature = (*, $($req,)* $($($opt = None,)*)? r#type = $tag))]
            fn new(
                py: Python<'_>,
                $($req: arg_type!($rkind),)*
                $($($opt: arg_type!($okind),)*)?
                r#type: &str,
            ) -> PyResult<PyClassInitializer<Self>> {
                check_type(py, r#type, $tag)?;
                let inner = MessageContent::$variant($core {
                    $($req: arg_value!($rkind, py, $req),)*
                    $($($opt: arg_value!($okind, py, $opt),)*)?
                });
                Ok(PyClassInitializer::from(PyContent { inner }).add_subclass($rust))
            }
        }
    )*};
}

content_classes! {
    /// A text message.
    #[content("MessageContentText", "text")]
    ContentText: Text(TextContent) {
        // --- generated from core/src/schema (content text) by core/tests/generated.rs: begin ---
        /// The text.
        text: str,
        ;
        /// The template it was rendered from (WhatsApp templates).
        template_id: opt_str,
        /// The template's parameters.
        template_parameters: opt_map,
        // --- generated from core/src/schema (content text) by core/tests/generated.rs: end ---
    }

    /// An image, by URL.
    #[content("MessageContentImage", "image")]
    ContentImage: Image(ImageContent) {
        // --- generated from core/src/schema (content image) by core/tests/generated.rs: begin ---
        /// Where the image can be downloaded.
        url: str,
        // --- generated from core/src/schema (content image) by core/tests/generated.rs: end ---
    }

    /// A video, by URL.
    #[content("MessageContentVideo", "video")]
    ContentVideo: Video(VideoContent) {
        // --- generated from core/src/schema (content video) by core/tests/generated.rs: begin ---
        /// Where the video can be downloaded.
        url: str,
        // --- generated from core/src/schema (content video) by core/tests/generated.rs: end ---
    }

    /// A voice note or audio file, by URL.
    #[content("MessageContentAudio", "audio")]
    ContentAudio: Audio(AudioContent) {
        // --- generated from core/src/schema (content audio) by core/tests/generated.rs: begin ---
        /// Where the audio can be downloaded.
        url: str,
        ;
        /// What was said, when transcribed.
        transcript: opt_str,
        // --- generated from core/src/schema (content audio) by core/tests/generated.rs: end ---
    }

    /// A document, by URL.
    #[content("MessageContentFile", "file")]
    ContentFile: File(FileContent) {
        // --- generated from core/src/schema (content file) by core/tests/generated.rs: begin ---
        /// Where the file can be downloaded.
        url: str,
        /// Its MIME type, e.g. `application/pdf`.
        mime_type: str,
        /// Its file name.
        name: str,
        // --- generated from core/src/schema (content file) by core/tests/generated.rs: end ---
    }

    /// A tool call made by the AI (not for the user's eyes).
    #[content("MessageContentFunctionCall", "function_call")]
    ContentFunctionCall: FunctionCall(FunctionCallContent) {
        // --- generated from core/src/schema (content function_call) by core/tests/generated.rs: begin ---
        /// The call's id, matched by the result.
        id: str,
        /// The function's name.
        name: str,
        /// The arguments, a JSON document as a string.
        input: str,
        // --- generated from core/src/schema (content function_call) by core/tests/generated.rs: end ---
    }

    /// What a tool call returned (not for the user's eyes).
    #[content("MessageContentFunctionResult", "function_result")]
    ContentFunctionResult: FunctionResult(FunctionResultContent) {
        // --- generated from core/src/schema (content function_result) by core/tests/generated.rs: begin ---
        /// The id of the call answered.
        id: str,
        /// The function's name.
        name: str,
        /// The result, as a string.
        output: str,
        // --- generated from core/src/schema (content function_result) by core/tests/generated.rs: end ---
    }

    /// The AI's reasoning (not for the user's eyes).
    #[content("MessageContentThought", "thought")]
    ContentThought: Thought(ThoughtContent) {
        // --- generated from core/src/schema (content thought) by core/tests/generated.rs: begin ---
        /// The reasoning.
        thought: str,
        // --- generated from core/src/schema (content thought) by core/tests/generated.rs: end ---
    }
}

model! {
    /// Content of a `type` this SDK version does not know, kept whole (see `to_dict()`).
    #[class(final, "MessageContentUnknown", "MessageContent")]
    ContentUnknown: PyContent |MessageContent::Unknown(UnknownContent { raw, .. })| {
        /// Every field as sent, `type` included.
        raw: map;
    }
}

// ---------------------------------------------------------------- agents

model! {
    /// An agent; `AIAgent`, `HumanAgent` or `UnknownAgent` by `type`.
    #[class(disjoint_base, "Agent", "_Model")]
    PyAgent |a: Agent| {
        // --- generated from core/src/schema (Agent) by core/tests/generated.rs: begin ---
        /// The agent's id, e.g. `agent_abc`.
        id: str;
        /// `ai` or `human` (or a type this SDK version does not know).
        r#type: enum_str = a.agent_type();
        /// The organization owning it.
        organization_id: opt_str;
        /// Its display name.
        name: opt_str;
        /// When it was created.
        created_at: opt_time;
        // --- generated from core/src/schema (Agent) by core/tests/generated.rs: end ---
    }
    from_dict(agent_to_py) -> "_Agent";
}

model! {
    /// An AI agent (`type == "ai"`).
    #[class(final, "AIAgent", "Agent", r#type: "Literal[\"ai\"]")]
    AIAgent: PyAgent |Agent { kind: AgentKind::Ai { assistant_id }, .. }| {
        // --- generated from core/src/schema (Agent, type ai) by core/tests/generated.rs: begin ---
        /// The AI assistant behind an `ai` agent.
        assistant_id: opt_str;
        // --- generated from core/src/schema (Agent, type ai) by core/tests/generated.rs: end ---
    }
}

model! {
    /// A human agent (`type == "human"`).
    #[class(final, "HumanAgent", "Agent", r#type: "Literal[\"human\"]")]
    HumanAgent: PyAgent |Agent { kind: AgentKind::Human { profile_id }, .. }| {
        // --- generated from core/src/schema (Agent, type human) by core/tests/generated.rs: begin ---
        /// The person's profile, for a `human` agent.
        profile_id: opt_str;
        // --- generated from core/src/schema (Agent, type human) by core/tests/generated.rs: end ---
    }
}

model! {
    /// An agent of a `type` this SDK version does not know.
    #[class(final, "UnknownAgent", "Agent")]
    UnknownAgent: PyAgent |_| {}
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
    #[class(final, "Session", "_Model")]
    PySession |s: Session| {
        // --- generated from core/src/schema (Session) by core/tests/generated.rs: begin ---
        /// The session's id, e.g. `sess_abc123`.
        id: str;
        /// The integrator's id for the contact.
        contact_id: opt_str;
        /// The organization owning the session.
        organization_id: opt_str;
        /// The conversation the session belongs to.
        conversation_id: opt_str;
        /// An optional thread id.
        thread_id: opt_str;
        /// `open` or `closed` (or a status this SDK version does not know).
        status: opt_enum_str;
        /// The agent in charge, if any.
        agent: opt_model(agent_to_py) => "Optional[_Agent]";
        /// The satisfaction survey started when the session finished.
        ending_survey_submission_id: opt_str;
        /// Free-form data; channels keep `channel_type` and `channel_user_id` here.
        metadata: map;
        /// When it was created.
        created_at: opt_time;
        /// When it last changed.
        updated_at: opt_time;
        // --- generated from core/src/schema (Session) by core/tests/generated.rs: end ---
        /// `metadata["channel_type"]`, by the channel-integration convention.
        channel_type: opt_str = s.channel_type();
        /// `metadata["channel_user_id"]`, by the channel-integration convention.
        channel_user_id: opt_str = s.channel_user_id();
    }
    from_dict(session_to_py);
}

// ---------------------------------------------------------------- message

model! {
    /// One message in a session.
    #[class(final, "Message", "_Model")]
    PyMessage |m: Message| {
        // --- generated from core/src/schema (Message) by core/tests/generated.rs: begin ---
        /// The message's id, e.g. `msg_xyz789`.
        id: str;
        /// The session it belongs to.
        session_id: opt_str;
        /// The conversation it belongs to.
        conversation_id: opt_str;
        /// The organization owning it.
        organization_id: opt_str;
        /// `user` or `assistant` (or a role this SDK version does not know).
        role: opt_enum_str;
        /// What it says: one content kind per `type`.
        content: model(content_to_py) => "_Content";
        /// The channel's id for it.
        provider_message_id: opt_str;
        /// The channel's id of the message it replies to.
        replied_provider_message_id: opt_str;
        /// The AI run that produced it.
        run_id: opt_str;
        /// When it was created.
        created_at: opt_time;
        /// How far it got on the channel: `pending` (also when absent), `sent`, `delivered`, `read`, `failed` or `rejected`.
        delivery_status: enum_str;
        /// The channel's error code when delivery failed (e.g. WhatsApp's 131047).
        delivery_error_code: opt_int;
        /// The channel's error message when delivery failed.
        delivery_error_message: opt_str;
        /// When the channel delivered it.
        delivered_at: opt_time;
        /// When it last changed.
        updated_at: opt_time;
        // --- generated from core/src/schema (Message) by core/tests/generated.rs: end ---
        /// Whether a channel must deliver it: a pending assistant message with
        /// content a user may see.
        is_outbound: bool = antonnia_core::channel::is_outbound(m);
    }
    from_dict(message_to_py);
}

// ---------------------------------------------------------------- surveys, schedules

model! {
    /// A satisfaction survey sent when a session finished.
    #[class(final, "SurveySubmission", "_Model")]
    PySurveySubmission |s: SurveySubmission| {
        // --- generated from core/src/schema (SurveySubmission) by core/tests/generated.rs: begin ---
        /// The submission's id.
        id: str;
        /// The survey answered.
        survey_id: opt_str;
        /// The session it follows.
        session_id: opt_str;
        /// The organization owning it.
        organization_id: opt_str;
        /// `pending`, `finished` or `cancelled` (or a status this SDK version does not know).
        status: opt_enum_str;
        /// When it was created.
        created_at: opt_time;
        /// When it stops accepting answers.
        expires_at: opt_time;
        /// When it was answered.
        finished_at: opt_time;
        /// When it last changed.
        updated_at: opt_time;
        // --- generated from core/src/schema (SurveySubmission) by core/tests/generated.rs: end ---
    }
    from_dict(survey_submission_to_py);
}

model! {
    /// An action scheduled on a session.
    #[class(final, "SessionSchedule", "_Model")]
    PySessionSchedule |s: SessionSchedule| {
        // --- generated from core/src/schema (SessionSchedule) by core/tests/generated.rs: begin ---
        /// The schedule's id.
        id: str;
        /// The session it acts on.
        session_id: opt_str;
        /// The organization owning it.
        organization_id: opt_str;
        /// When it runs.
        scheduled_for: opt_time;
        /// What it does.
        config: opt_json;
        /// `scheduled`, `completed` or `failed` (or a status this SDK version does not know).
        status: opt_enum_str;
        /// When it was created.
        created_at: opt_time;
        // --- generated from core/src/schema (SessionSchedule) by core/tests/generated.rs: end ---
    }
    from_dict(session_schedule_to_py);
}

pub fn session_to_py(py: Python<'_>, s: Session) -> PyResult<Obj> {
    Ok(Bound::new(py, PySession { inner: s })?.into_any().unbind())
}

pub fn message_to_py(py: Python<'_>, m: Message) -> PyResult<Obj> {
    Ok(Bound::new(py, PyMessage { inner: m })?.into_any().unbind())
}

fn survey_submission_to_py(py: Python<'_>, s: SurveySubmission) -> PyResult<Obj> {
    Ok(Bound::new(py, PySurveySubmission { inner: s })?
        .into_any()
        .unbind())
}

fn session_schedule_to_py(py: Python<'_>, s: SessionSchedule) -> PyResult<Obj> {
    Ok(Bound::new(py, PySessionSchedule { inner: s })?
        .into_any()
        .unbind())
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
    #[class(disjoint_base, "Event", "")]
    PyEvent |e: Arc<WebhookEvent>| {
        /// The event's id (absent in some deliveries, such as the Quick Start's sample).
        id: opt_str;
        /// When the event happened.
        created_at: opt_time;
        /// The event's type, e.g. `"message.created"`.
        r#type: str = e.event_type();
        /// The event's payload: `data.object` (and `data.action` for `session.finished`).
        data: with(event_data) = e => "EventData";
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
            #[class(final, $dname, "EventData", object: $object)]
            $data: PyEventData |_| {}
        }
        model! {
            #[class(final, $ename, "Event", r#type: concat!("Literal[\"", $tag, "\"]"), data: $dname)]
            $event: PyEvent |_| {}
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
    #[class(final, "UnknownEvent", "Event")]
    UnknownEvent: PyEvent |_| {}
}

model! {
    /// The `data` of an event.
    #[class(disjoint_base, "EventData", "")]
    PyEventData |d: Arc<WebhookEvent>| {
        /// The resource the event is about: a `Message`, a `Session`, or a dict
        /// for app connections and unknown events.
        object: with(event_object) = d.payload => "_EventObject";
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
