//! The transcoder against the typed path, for the tests and the `transcode`
//! fuzz target: both must give the same canonical JSON, or errors of the
//! same kind at the same path.

use serde::Deserialize;
use serde::de::{self, Visitor};

use super::{AGENT, MESSAGE, Root, SESSION, SESSION_SCHEDULE, SURVEY_SUBMISSION, transcode};
use crate::error::Error;
use crate::ops::{Typed, decode_shaped_with};
use crate::types::{Agent, Message, Session, SessionSchedule, SurveySubmission};

/// What the typed path makes of `body`: its canonical JSON, or its error's
/// kind and path.
fn typed<T: for<'de> Deserialize<'de> + serde::Serialize>(
    open: u8,
    body: &[u8],
) -> Result<String, (String, String)> {
    let what = if open == b'{' {
        "an object"
    } else {
        "an array"
    };
    decode_shaped_with(body, open, what, Typed::<T>(std::marker::PhantomData))
        .map(|v| serde_json::to_string(&v).expect("typed values serialize"))
        .map_err(|e| kind_path(&e))
}

fn kind_path(e: &Error) -> (String, String) {
    let info = e.info();
    (info.kind.to_string(), info.path.clone().unwrap_or_default())
}

/// Both paths on one body; `Err` describes a disagreement.
pub fn compare(root: Root, body: &[u8]) -> Result<(), String> {
    let want = match root {
        Root::One(s) if *s == SESSION => typed::<Session>(b'{', body),
        Root::One(s) if *s == MESSAGE => typed::<Message>(b'{', body),
        Root::One(s) if *s == AGENT => typed::<Agent>(b'{', body),
        Root::One(s) if *s == SURVEY_SUBMISSION => typed::<SurveySubmission>(b'{', body),
        Root::One(s) if *s == SESSION_SCHEDULE => typed::<SessionSchedule>(b'{', body),
        Root::List(s) if *s == SESSION => typed::<Vec<Session>>(b'[', body),
        Root::List(s) if *s == MESSAGE => typed::<Vec<Message>>(b'[', body),
        Root::List(s) if *s == AGENT => typed::<Vec<Agent>>(b'[', body),
        other => return Err(format!("no typed path for {other:?}")),
    };
    let got = transcode(root, body).map_err(|e| kind_path(&e));
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "body {}: typed {want:?}, transcoded {got:?}",
            String::from_utf8_lossy(body)
        ))
    }
}

/// Both webhook parsers on one body (with the default size limit).
pub fn compare_event(body: &[u8]) -> Result<(), String> {
    use crate::webhook::{DEFAULT_MAX_BODY_BYTES, parse_event_canonical, parse_event_with_limit};
    let want = parse_event_with_limit(body, DEFAULT_MAX_BODY_BYTES)
        .map(|e| serde_json::to_string(&e).expect("events serialize"))
        .map_err(|e| kind_path(&e));
    let got = parse_event_canonical(body, DEFAULT_MAX_BODY_BYTES).map_err(|e| kind_path(&e));
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "event {}: typed {want:?}, transcoded {got:?}",
            String::from_utf8_lossy(body)
        ))
    }
}

/// The field list a serde-derived struct hands its deserializer, captured by
/// a deserializer that records it and stops: how a test pins a binding's own
/// record (uniffi's, say) to the schema.
pub fn derived_fields<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
    struct Recorder(Vec<&'static str>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> de::Deserializer<'de> for &mut Recorder {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0 = fields.to_vec();
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut recorder = Recorder(Vec::new());
    let _ = T::deserialize(&mut recorder);
    recorder.0
}

/// Both request builders on one call's arguments: the typed [`Call`]
/// (serde derive and each call's checks) and the schema's
/// [`DynamicCall`]. They must build the same request (method, URL, headers
/// and body bytes), or fail with the same error: kind, field and message.
///
/// [`Call`]: crate::Call
/// [`DynamicCall`]: crate::ops::DynamicCall
pub fn compare_call(
    name: &str,
    arguments: &serde_json::Value,
    config: &crate::Config,
) -> Result<(), String> {
    use crate::ops::{Call, Callable, DynamicCall};
    fn outcome(r: Result<crate::HttpRequest, Error>) -> Result<String, (String, String)> {
        r.map(|req| {
            format!(
                "{} {} {:?} {}",
                req.method.as_str(),
                req.url,
                req.headers,
                String::from_utf8_lossy(req.body.as_deref().unwrap_or(b"-"))
            )
        })
        .map_err(|e| {
            let info = e.info();
            let field = info.field.clone().unwrap_or_default();
            (info.kind.to_string(), format!("{field}: {}", info.message))
        })
    }
    // Reading alone, then reading and building: each step fails alike.
    let typed = Call::from_json(name, arguments.clone());
    let dynamic = DynamicCall::from_json(name, arguments.clone());
    if typed.is_ok() != dynamic.is_ok() {
        return Err(format!(
            "{name} {arguments}: reading: typed {:?}, schema {:?}",
            typed.map(|_| ()),
            dynamic.map(|_| ())
        ));
    }
    let want = outcome(typed.and_then(|c| c.build(config)));
    let got = outcome(dynamic.and_then(|c| c.build(config)));
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{name} {arguments}: typed {want:?}, schema {got:?}"
        ))
    }
}

/// `value` as the core's own writer writes it (every JSON the web build
/// writes from a `Value`), for the `json` fuzz target to hold against
/// serde_json's writer.
pub fn value_text(value: &serde_json::Value) -> String {
    crate::json::value_text(value)
}
