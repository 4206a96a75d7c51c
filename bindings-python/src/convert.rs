//! JSON values and timestamps across the boundary, and core errors as the
//! package's exception classes.

use antonnia_core::{Error, Timestamp};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

/// How deeply nested a Python value may be before it is refused (no recursion
/// blow-ups on self-referencing dicts).
const MAX_DEPTH: u32 = 128;

pub fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

pub fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, json_to_py(py, v)?)?;
    }
    Ok(dict)
}

/// A Python value as JSON, for request arguments. `field` names the argument
/// in errors.
pub fn py_to_json(obj: &Bound<'_, PyAny>, field: &str, depth: u32) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        // Name the argument, not the 128-step path into it.
        let top = field.split('.').next().unwrap_or(field);
        return Err(invalid(
            obj.py(),
            top,
            format!("is nested more than {MAX_DEPTH} levels deep (does it contain itself?)"),
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(invalid(obj.py(), field, "is an integer too large for JSON"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let f = f.value();
        return serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| invalid(obj.py(), field, "is not a finite number"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(utf8(s, field)?));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| invalid(obj.py(), field, "has a key that is not a string"))?;
            let key = utf8(key, &format!("{field} (a key)"))?;
            // The call's own keywords are named as the caller wrote them
            // (`session_id`, not `arguments.session_id`).
            let sub = if depth == 0 && field == ARGUMENTS {
                key.clone()
            } else {
                format!("{field}.{key}")
            };
            let value = py_to_json(&v, &sub, depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(py_to_json(&item?, &format!("{field}.{i}"), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(c) = obj.cast::<crate::models::PyContent>() {
        return Ok(c.get().inner.to_json());
    }
    let py = obj.py();
    if obj.is_instance(datetime_class(py)?)? {
        let text: String = obj.call_method0("isoformat")?.extract()?;
        return Ok(Value::String(text));
    }
    if obj.hasattr("to_dict")? {
        let d = obj.call_method0("to_dict")?;
        return py_to_json(&d, field, depth + 1);
    }
    Err(invalid(
        py,
        field,
        format!(
            "cannot be sent as JSON (a {})",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ),
    ))
}

/// The name `call_from` gives the whole argument dict.
const ARGUMENTS: &str = "arguments";

/// A Python string as Rust text. Python strings may hold lone surrogates
/// (`"\udc80"`, e.g. from `os.fsdecode` or `surrogateescape`), which UTF-8
/// cannot carry: they are refused as a bad value of `field`, not leaked as a
/// `UnicodeEncodeError`.
fn utf8(s: &Bound<'_, PyString>, field: &str) -> PyResult<String> {
    s.to_cow().map(|c| c.into_owned()).map_err(|_| {
        invalid(
            s.py(),
            field,
            "is not valid Unicode text (it holds a lone surrogate such as \\udc80)",
        )
    })
}

static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static EXCEPTIONS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn datetime_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    DATETIME
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("datetime")?.getattr("datetime")?.unbind())
        })
        .map(|c| c.bind(py))
}

fn utc(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    UTC.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("timezone")?
                .getattr("utc")?
                .unbind(),
        )
    })
    .map(|c| c.bind(py))
}

/// A timestamp as a timezone-aware `datetime` in UTC (microsecond precision).
pub fn timestamp_to_py<'py>(py: Python<'py>, t: &Timestamp) -> PyResult<Bound<'py, PyAny>> {
    let (y, mo, d, h, mi, s) = t.to_utc_fields();
    let micros = t.subsec_nanos() / 1000;
    datetime_class(py)?
        .call1((y, mo, d, h, mi, s, micros, utc(py)?))
        .map_err(|_| {
            to_pyerr(
                py,
                &decode_error(format!("{t} is outside the range of Python's datetime")),
            )
        })
}

pub fn opt_timestamp<'py>(
    py: Python<'py>,
    t: &Option<Timestamp>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    t.as_ref().map(|t| timestamp_to_py(py, t)).transpose()
}

fn decode_error(message: String) -> Error {
    Error::decode("", message)
}

pub fn invalid(py: Python<'_>, field: &str, message: impl Into<String>) -> PyErr {
    to_pyerr(py, &Error::invalid(field, message))
}

/// A core error as the matching class of `antonnia_sdk.exceptions`.
pub fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    match build_exception(py, e) {
        Ok(err) => err,
        Err(err) => err,
    }
}

/// The exception is chosen and filled from the core's flat error info alone,
/// so that every binding maps errors the same way.
fn build_exception(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let factory = EXCEPTIONS
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("antonnia_sdk.exceptions")?
                    .getattr("_from_core")?
                    .unbind(),
            )
        })?
        .bind(py);
    let info = serde_json::to_value(e.info()).unwrap_or(Value::Null);
    let exc = factory.call1((json_to_py(py, &info)?,))?;
    Ok(PyErr::from_value(exc))
}
