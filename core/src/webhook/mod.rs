//! Events Antonnia POSTs to the integration's endpoint: parsing and,
//! optionally, signature verification.

mod base64;
mod signature;

use std::borrow::Cow;
use std::time::Duration;

use serde::de::{DeserializeOwned, Error as _, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

pub use signature::{SIGNATURE_HEADERS, WebhookHeaders, WebhookSecret};

use crate::error::Error;
use crate::json;
use crate::ops::{Decode, decode_json, decode_shaped, decode_shaped_with};
use crate::schema;
use crate::time::Timestamp;
use crate::types::{Message, Session, Text};

/// The largest webhook body accepted by default: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// How far a signed webhook's timestamp may be from `now`, either way, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The event `type`s this version of the SDK parses into their own
/// [`EventPayload`] variants; any other type is kept as
/// [`EventPayload::Unknown`]. Bindings whose type systems narrow on `type`
/// take the list from here instead of keeping a copy.
pub const KNOWN_EVENT_TYPES: &[&str] = &[
    "message.created",
    "session.created",
    "session.transferred",
    "session.finished",
    "app.connection.created",
];

/// One webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The event's id (absent in some deliveries, such as the Quick Start's sample).
    pub id: Option<String>,
    /// When the event happened.
    pub created_at: Option<Timestamp>,
    /// What happened.
    pub payload: EventPayload,
}

/// What a webhook reports, by its `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum EventPayload {
    /// `message.created`: a message was added (by the contact or the agent).
    MessageCreated(Box<Message>),
    /// `session.created`.
    SessionCreated(Box<Session>),
    /// `session.transferred`: the session has a new agent (or none).
    SessionTransferred(Box<Session>),
    /// `session.finished`: the session was closed.
    SessionFinished {
        /// The closed session.
        session: Box<Session>,
        /// Why, when not closed by a call: `"expired"` after inactivity.
        action: Option<String>,
    },
    /// `app.connection.created`, with the connection as sent (its shape is not specified).
    AppConnectionCreated(Value),
    /// Any other `type`, kept whole.
    Unknown {
        /// The `type` as sent.
        event_type: String,
        /// The whole body as sent.
        raw: Value,
    },
}

impl WebhookEvent {
    /// The event's `type` as sent on the wire.
    pub fn event_type(&self) -> &str {
        match &self.payload {
            EventPayload::MessageCreated(_) => "message.created",
            EventPayload::SessionCreated(_) => "session.created",
            EventPayload::SessionTransferred(_) => "session.transferred",
            EventPayload::SessionFinished { .. } => "session.finished",
            EventPayload::AppConnectionCreated(_) => "app.connection.created",
            EventPayload::Unknown { event_type, .. } => event_type,
        }
    }

    /// The message, for `message.created`.
    pub fn message(&self) -> Option<&Message> {
        match &self.payload {
            EventPayload::MessageCreated(m) => Some(m),
            _ => None,
        }
    }

    /// The session, for the `session.*` events.
    pub fn session(&self) -> Option<&Session> {
        match &self.payload {
            EventPayload::SessionCreated(s) | EventPayload::SessionTransferred(s) => Some(s),
            EventPayload::SessionFinished { session, .. } => Some(session),
            _ => None,
        }
    }

    /// The event as JSON, in its wire envelope.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for WebhookEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Data<'a, T: Serialize> {
            object: &'a T,
            #[serde(skip_serializing_if = "Option::is_none")]
            action: Option<&'a str>,
        }
        if let EventPayload::Unknown { raw, .. } = &self.payload {
            return raw.serialize(s);
        }
        let mut map = s.serialize_map(None)?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        if let Some(at) = &self.created_at {
            map.serialize_entry("created_at", at)?;
        }
        map.serialize_entry("type", self.event_type())?;
        match &self.payload {
            EventPayload::MessageCreated(m) => map.serialize_entry(
                "data",
                &Data {
                    object: m.as_ref(),
                    action: None,
                },
            )?,
            EventPayload::SessionCreated(x) | EventPayload::SessionTransferred(x) => map
                .serialize_entry(
                    "data",
                    &Data {
                        object: x.as_ref(),
                        action: None,
                    },
                )?,
            EventPayload::SessionFinished { session, action } => map.serialize_entry(
                "data",
                &Data {
                    object: session.as_ref(),
                    action: action.as_deref(),
                },
            )?,
            EventPayload::AppConnectionCreated(v) => map.serialize_entry(
                "data",
                &Data {
                    object: v,
                    action: None,
                },
            )?,
            EventPayload::Unknown { .. } => {}
        }
        map.end()
    }
}

/// `data`, read straight away when `type` came before it (the usual
/// order), or kept raw until the end of the envelope when it did not.
enum DataSlot<'a, T> {
    Absent,
    Raw(&'a str),
    Read(T),
    Skipped,
}

/// A known event's typed `data`.
enum Typed {
    Message(Data<Message>),
    Session(Data<Session>),
    Object(Data<Value>),
}

impl Typed {
    /// Reads a known event's `data` once its type is known.
    fn read<'de, A: MapAccess<'de>>(map: &mut A, event_type: &str) -> Result<Self, A::Error> {
        Ok(match event_type {
            "message.created" => Typed::Message(map.next_value()?),
            "app.connection.created" => Typed::Object(map.next_value()?),
            _ => Typed::Session(map.next_value()?),
        })
    }
}

/// A webhook envelope as read: a known event's `data` typed ([`Typed`]) or
/// written as canonical JSON after the envelope's head ([`Head`]), with
/// `created_at` as a [`Timestamp`] (the typed path) or with its text too.
struct Envelope<'a, T, C = Timestamp> {
    id: Option<Cow<'a, str>>,
    created_at: Option<C>,
    event_type: Cow<'a, str>,
    data: DataSlot<'a, T>,
}

/// Reads the typed envelope (a [`Decode`] run twice when the first run
/// fails, to name the path).
struct EnvelopeReader;

impl<'de> Decode<'de> for EnvelopeReader {
    type Output = Envelope<'de, Typed>;
    fn run<D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<Self::Output, D::Error> {
        d.deserialize_map(EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope<'de, Typed>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a webhook envelope object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id = None;
        let mut created_at = None;
        let mut event_type: Option<Cow<'de, str>> = None;
        let mut data = DataSlot::Absent;
        // A signed body must mean one thing: a repeated key is refused
        // rather than read as its first or last occurrence.
        let mut seen = [false; 3];
        let mut first = |i: usize, name: &'static str| {
            if std::mem::replace(&mut seen[i], true) {
                Err(A::Error::duplicate_field(name))
            } else {
                Ok(())
            }
        };
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match key.as_ref() {
                "id" => {
                    first(0, "id")?;
                    id = map.next_value::<Option<String>>()?.map(Cow::Owned);
                }
                "created_at" => {
                    first(1, "created_at")?;
                    created_at = map.next_value()?;
                }
                "type" if event_type.is_some() => {
                    return Err(A::Error::duplicate_field("type"));
                }
                "type" => event_type = Some(map.next_value::<Text<'de>>()?.0),
                "data" => {
                    first(2, "data")?;
                    data = match event_type.as_deref() {
                        None => DataSlot::Raw(map.next_value::<&'de RawValue>()?.get()),
                        Some(t) if KNOWN_EVENT_TYPES.contains(&t) => {
                            DataSlot::Read(Typed::read(&mut map, t)?)
                        }
                        // Unknown events are kept whole from the body instead.
                        Some(_) => {
                            map.next_value::<IgnoredAny>()?;
                            DataSlot::Skipped
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let event_type = event_type.ok_or_else(|| A::Error::missing_field("type"))?;
        Ok(Envelope {
            id,
            created_at,
            event_type,
            data,
        })
    }
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: DeserializeOwned"))]
struct Data<T> {
    // Boxed as it is read, so the large resource is not copied again as the
    // envelope is assembled and returned.
    object: Box<T>,
    #[serde(default)]
    action: Option<String>,
}

fn prefixed(prefix: &str, e: Error) -> Error {
    match e {
        Error::Decode {
            path,
            message,
            request_id,
        } => Error::Decode {
            path: if path.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{path}")
            },
            message,
            request_id,
        },
        other => other,
    }
}

/// The typed `data` of a known event, wherever it came in the envelope.
fn data_of<T: DeserializeOwned>(
    slot: DataSlot<'_, Typed>,
    typed: impl FnOnce(Typed) -> Option<Data<T>>,
) -> Result<Data<T>, Error> {
    match slot {
        DataSlot::Absent => Err(Error::decode("data", "missing field `data`")),
        DataSlot::Raw(raw) => decode_shaped::<Data<T>>(raw.as_bytes(), b'{', "an object")
            .map_err(|e| prefixed("data", e)),
        DataSlot::Read(read) => {
            typed(read).ok_or_else(|| Error::decode("data", "does not match the event type"))
        }
        DataSlot::Skipped => Err(Error::decode("data", "does not match the event type")),
    }
}

/// Parses a webhook body without checking a signature, refusing bodies over
/// [`DEFAULT_MAX_BODY_BYTES`].
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent, Error> {
    parse_event_with_limit(body, DEFAULT_MAX_BODY_BYTES)
}

/// Parses a webhook body without checking a signature, refusing bodies over
/// `max_body_bytes`.
pub fn parse_event_with_limit(body: &[u8], max_body_bytes: usize) -> Result<WebhookEvent, Error> {
    as_webhook(body, max_body_bytes, parse_envelope)
}

/// Runs `parse` on a body within the size limit, its decode errors said of
/// the webhook body rather than of "a response", so that the message points
/// at the right thing.
fn as_webhook<T>(
    body: &[u8],
    max_body_bytes: usize,
    parse: impl FnOnce(&[u8]) -> Result<T, Error>,
) -> Result<T, Error> {
    if body.len() > max_body_bytes {
        return Err(Error::PayloadTooLarge {
            size: body.len(),
            limit: max_body_bytes,
        });
    }
    parse(body).map_err(|e| match e {
        Error::Decode { path, message, .. } => Error::WebhookDecode { path, message },
        other => other,
    })
}

fn parse_envelope(body: &[u8]) -> Result<WebhookEvent, Error> {
    let envelope = decode_shaped_with(body, b'{', "an object", EnvelopeReader)?;
    let data = envelope.data;
    let payload = match envelope.event_type.as_ref() {
        "message.created" => EventPayload::MessageCreated(
            data_of(data, |d| match d {
                Typed::Message(m) => Some(m),
                _ => None,
            })?
            .object,
        ),
        kind @ ("session.created" | "session.transferred" | "session.finished") => {
            let d = data_of(data, |d| match d {
                Typed::Session(s) => Some(s),
                _ => None,
            })?;
            let session = d.object;
            match kind {
                "session.created" => EventPayload::SessionCreated(session),
                "session.transferred" => EventPayload::SessionTransferred(session),
                _ => EventPayload::SessionFinished {
                    session,
                    action: d.action,
                },
            }
        }
        "app.connection.created" => EventPayload::AppConnectionCreated(
            *data_of(data, |d| match d {
                Typed::Object(o) => Some(o),
                _ => None,
            })?
            .object,
        ),
        other => EventPayload::Unknown {
            event_type: other.to_string(),
            raw: decode_json(body)?,
        },
    };
    Ok(WebhookEvent {
        id: envelope.id.map(Cow::into_owned),
        created_at: envelope.created_at,
        payload,
    })
}

/// [`parse_event_with_limit`], with the event as canonical JSON text (what
/// [`WebhookEvent::to_json`] writes) read by the [schema]'s one
/// generic decoder: for bindings that hand JSON to their host.
pub fn parse_event_canonical(body: &[u8], max_body_bytes: usize) -> Result<String, Error> {
    let mut out = Vec::with_capacity(body.len() + 32);
    parse_event_canonical_into(body, max_body_bytes, &mut out)?;
    schema::into_text(out)
}

/// [`parse_event_canonical`], appending the event's canonical JSON to
/// `out`, which is left as it was on an error: for a binding that keeps one
/// buffer for every delivery (the web build's, in its memory that JS reads).
pub fn parse_event_canonical_into(
    body: &[u8],
    max_body_bytes: usize,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let start = out.len();
    let parsed = as_webhook(body, max_body_bytes, |body| canonical_envelope(body, out));
    if parsed.is_err() {
        out.truncate(start);
    }
    parsed
}

/// Appends the event's canonical JSON to `out`.
fn canonical_envelope(body: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let start = out.len();
    out.reserve(body.len() + 32);
    let envelope = json::read_shaped(body, b'{', "an object", |r| read_canonical_envelope(r, out))?;
    let Some(shape) = schema::event_data(&envelope.event_type) else {
        json::write_value(out, &json::parse_value(body)?);
        return Ok(());
    };
    match envelope.data {
        DataSlot::Absent => return Err(Error::decode("data", "missing field `data`")),
        DataSlot::Raw(raw) => {
            write_envelope_head(
                out,
                envelope.id.as_ref(),
                envelope.created_at.as_ref(),
                &envelope.event_type,
            );
            schema::transcode_into(schema::Root::One(shape), raw.as_bytes(), out)
                .map_err(|e| prefixed("data", e))?
        }
        // Written after the head as it was when `data` came: the usual
        // order. An `id` or `created_at` after `data` changes the head,
        // which is then written again, before a copy of the data.
        DataSlot::Read(head) => {
            if (head.id, head.created_at) != (envelope.id.is_some(), envelope.created_at.is_some())
            {
                let data = out[head.data_at..].to_vec();
                out.truncate(start);
                write_envelope_head(
                    out,
                    envelope.id.as_ref(),
                    envelope.created_at.as_ref(),
                    &envelope.event_type,
                );
                out.extend_from_slice(&data);
            }
        }
        DataSlot::Skipped => {
            return Err(Error::decode("data", "does not match the event type"));
        }
    }
    out.push(b'}');
    Ok(())
}

/// What the envelope's head held when a known event's `data` was written
/// after it, and where the data starts.
struct Head {
    id: bool,
    created_at: bool,
    data_at: usize,
}

/// The envelope up to its data, as WebhookEvent's Serialize writes it: id,
/// created_at, type, data.
fn write_envelope_head(
    out: &mut Vec<u8>,
    id: Option<&Cow<'_, str>>,
    created_at: Option<&schema::TimestampText<'_>>,
    event_type: &str,
) -> usize {
    out.push(b'{');
    if let Some(id) = id {
        out.extend_from_slice(b"\"id\":");
        json::write_read_str(out, id);
        out.push(b',');
    }
    if let Some(at) = created_at {
        out.extend_from_slice(b"\"created_at\":");
        at.write_json(out);
        out.push(b',');
    }
    out.extend_from_slice(b"\"type\":");
    json::write_str(out, event_type);
    out.extend_from_slice(b",\"data\":");
    out.len()
}

/// The envelope as [`EnvelopeVisitor`] reads it (the same keys, repeats and
/// paths), with a known event's `data` written as canonical JSON.
fn read_canonical_envelope<'a>(
    r: &mut json::Reader<'a>,
    out: &mut Vec<u8>,
) -> Result<Envelope<'a, Head, schema::TimestampText<'a>>, json::ReadError> {
    use json::{ReadError, Step, at};
    r.enter()?;
    let mut id = None;
    let mut created_at = None;
    let mut event_type: Option<Cow<'a, str>> = None;
    let mut data = DataSlot::Absent;
    let mut seen = [false; 3];
    let mut first_key = true;
    // The keys in the order WebhookEvent writes them, each with the comma
    // before it: in that order (the usual one) each is taken whole, as the
    // transcoder takes a shape's fields.
    const KEYS: [(&str, &str); 4] = [
        ("id", ",\"id\":"),
        ("created_at", ",\"created_at\":"),
        ("type", ",\"type\":"),
        ("data", ",\"data\":"),
    ];
    for read in 0.. {
        let key = match KEYS.get(read) {
            Some((name, written))
                if r.skip_exact(&written.as_bytes()[usize::from(first_key)..]) =>
            {
                Cow::Borrowed(*name)
            }
            _ => match r.key(first_key)? {
                Some(key) => key,
                None => break,
            },
        };
        first_key = false;
        let mut once = |i: usize, name: &'static str| {
            if std::mem::replace(&mut seen[i], true) {
                Err(ReadError::duplicate(name))
            } else {
                Ok(())
            }
        };
        match key.as_ref() {
            "id" => {
                once(0, "id")?;
                let read = r.nullable(json::Reader::str);
                id = at(|| Step::Field("id"), read)?;
            }
            "created_at" => {
                once(1, "created_at")?;
                created_at = at(
                    || Step::Field("created_at"),
                    r.nullable(schema::TimestampText::read),
                )?;
            }
            "type" if event_type.is_some() => return Err(ReadError::duplicate("type")),
            "type" => event_type = Some(at(|| Step::Field("type"), r.str())?),
            "data" => {
                once(2, "data")?;
                data = match event_type.as_deref() {
                    None => DataSlot::Raw(at(|| Step::Field("data"), r.skip())?),
                    Some(t) if KNOWN_EVENT_TYPES.contains(&t) => {
                        let shape = schema::event_data(t)
                            .ok_or_else(|| ReadError::new("no data shape for this event type"))?;
                        let data_at = write_envelope_head(out, id.as_ref(), created_at.as_ref(), t);
                        let head = Head {
                            id: id.is_some(),
                            created_at: created_at.is_some(),
                            data_at,
                        };
                        at(|| Step::Field("data"), schema::write_object(r, shape, out))?;
                        DataSlot::Read(head)
                    }
                    // Unknown events are kept whole from the body instead.
                    Some(_) => {
                        at(|| Step::Field("data"), r.skip())?;
                        DataSlot::Skipped
                    }
                }
            }
            _ => {
                at(|| Step::Key(key.into_owned()), r.skip())?;
            }
        }
    }
    r.end_object()?;
    let event_type = event_type.ok_or_else(|| ReadError::missing("type"))?;
    Ok(Envelope {
        id,
        created_at,
        event_type,
        data,
    })
}
/// Receives webhooks: checks the size, verifies the signature, then parses.
///
/// Verification is skipped only when asked for by name
/// ([`WebhookReceiver::unverified`], or `verify: false` in
/// [`WebhookReceiver::from_options`]): a secret that is missing — an unset
/// environment variable in production — is an error, never a silent skip, so
/// that a forged body carrying signature headers cannot pass for a real one.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    secret: Option<WebhookSecret>,
    tolerance: Duration,
    max_body_bytes: usize,
}

impl WebhookReceiver {
    /// A receiver that requires a valid Standard Webhooks signature made with
    /// this secret (`whsec_` followed by base64), with the default limits.
    pub fn new(secret: &str) -> Result<WebhookReceiver, Error> {
        Ok(WebhookReceiver {
            secret: Some(WebhookSecret::new(secret)?),
            ..WebhookReceiver::unverified()
        })
    }

    /// A receiver that parses without verifying signatures: for bodies whose
    /// origin is already established (a trusted relay, a test).
    pub fn unverified() -> WebhookReceiver {
        WebhookReceiver {
            secret: None,
            tolerance: DEFAULT_TOLERANCE,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The rule every binding's options follow: with `verify`, a secret is
    /// required (its absence is [`WebhookVerificationError::MissingSecret`](crate::WebhookVerificationError::MissingSecret));
    /// without it, the secret is not used.
    pub fn from_options(secret: Option<&str>, verify: bool) -> Result<WebhookReceiver, Error> {
        match (verify, secret) {
            (false, _) => Ok(WebhookReceiver::unverified()),
            (true, Some(secret)) => WebhookReceiver::new(secret),
            (true, None) => Err(crate::WebhookVerificationError::MissingSecret.into()),
        }
    }

    /// Whether signatures are verified.
    pub fn verifies(&self) -> bool {
        self.secret.is_some()
    }

    /// How far the signed timestamp may be from `now`, either way.
    pub fn with_tolerance(mut self, tolerance: Duration) -> WebhookReceiver {
        self.tolerance = tolerance;
        self
    }

    /// The largest body accepted.
    pub fn with_max_body_bytes(mut self, max_body_bytes: usize) -> WebhookReceiver {
        self.max_body_bytes = max_body_bytes;
        self
    }

    /// Checks and parses one delivery. `headers` are the request's headers
    /// (names matched case-insensitively); `now` is the receiver's clock.
    pub fn receive(
        &self,
        body: &[u8],
        headers: &[(String, String)],
        now: Timestamp,
    ) -> Result<WebhookEvent, Error> {
        self.receive_from(body, &WebhookHeaders::from_pairs(headers), now)
    }

    /// [`receive`](Self::receive), with the three signature headers already
    /// picked out (as [`WebhookHeaders::from_lines`] does without
    /// allocating).
    pub fn receive_from(
        &self,
        body: &[u8],
        headers: &WebhookHeaders<'_>,
        now: Timestamp,
    ) -> Result<WebhookEvent, Error> {
        self.check(body, |secret, tolerance| {
            secret.verify(headers, body, now, tolerance)
        })?;
        parse_event_with_limit(body, self.max_body_bytes)
    }

    /// [`receive_from`](Self::receive_from), appending the event to `out`
    /// as canonical JSON ([`parse_event_canonical_into`]): the web build's,
    /// into the buffer its JS reads.
    pub fn receive_canonical_into(
        &self,
        body: &[u8],
        headers: &WebhookHeaders<'_>,
        now: Timestamp,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        self.check(body, |secret, tolerance| {
            secret.verify(headers, body, now, tolerance)
        })?;
        parse_event_canonical_into(body, self.max_body_bytes, out)
    }

    /// [`receive_from`](Self::receive_from), with the HMAC's inner hash
    /// computed by the host's SHA-256
    /// ([`WebhookSecret::verify_hashing_with`]): the web build's relay.
    pub fn receive_from_hashing_with(
        &self,
        body: &[u8],
        headers: &WebhookHeaders<'_>,
        now: Timestamp,
        scratch: &mut Vec<u8>,
        inner_sha256: impl FnOnce(&[u8]) -> Option<[u8; 32]>,
    ) -> Result<WebhookEvent, Error> {
        self.check(body, |secret, tolerance| {
            secret.verify_hashing_with(headers, body, now, tolerance, scratch, inner_sha256)
        })?;
        parse_event_with_limit(body, self.max_body_bytes)
    }

    /// [`receive_canonical_into`](Self::receive_canonical_into), with the
    /// HMAC's inner hash computed by the host's SHA-256
    /// ([`WebhookSecret::verify_hashing_with`], which says when that pays
    /// and what `scratch` holds).
    pub fn receive_canonical_into_hashing_with(
        &self,
        body: &[u8],
        headers: &WebhookHeaders<'_>,
        now: Timestamp,
        out: &mut Vec<u8>,
        scratch: &mut Vec<u8>,
        inner_sha256: impl FnOnce(&[u8]) -> Option<[u8; 32]>,
    ) -> Result<(), Error> {
        self.check(body, |secret, tolerance| {
            secret.verify_hashing_with(headers, body, now, tolerance, scratch, inner_sha256)
        })?;
        parse_event_canonical_into(body, self.max_body_bytes, out)
    }

    /// The size limit, then, when verifying, the signature: `verify` with
    /// the secret and the tolerance (the core's whole HMAC, or with the
    /// host's inner hash).
    fn check(
        &self,
        body: &[u8],
        verify: impl FnOnce(&WebhookSecret, Duration) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if body.len() > self.max_body_bytes {
            return Err(Error::PayloadTooLarge {
                size: body.len(),
                limit: self.max_body_bytes,
            });
        }
        match &self.secret {
            Some(secret) => verify(secret, self.tolerance),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUICKSTART: &str = r#"{"type":"message.created","data":{"object":{"id":"msg_xyz789","session_id":"sess_abc123","role":"assistant","content":{"type":"text","text":"I'd be happy to help with your order. Could you share your order number?"},"delivery_status":"pending"}}}"#;

    #[test]
    fn every_known_type_has_its_own_payload() {
        for t in KNOWN_EVENT_TYPES {
            let object = r#"{"id":"x","content":{"type":"text","text":"hi"}}"#;
            let body = format!(r#"{{"type":"{t}","data":{{"object":{object}}}}}"#);
            let e = parse_event(body.as_bytes()).unwrap();
            assert!(!matches!(e.payload, EventPayload::Unknown { .. }), "{t}");
            assert_eq!(e.event_type(), *t);
        }
    }

    #[test]
    fn quick_start_sample_parses() {
        let e = parse_event(QUICKSTART.as_bytes()).unwrap();
        assert_eq!(e.event_type(), "message.created");
        assert_eq!(e.id, None);
        let m = e.message().unwrap();
        assert_eq!(m.id, "msg_xyz789");
        assert_eq!(m.session_id.as_deref(), Some("sess_abc123"));
    }

    #[test]
    fn unknown_types_are_kept() {
        let e = parse_event(br#"{"type":"survey.answered","data":{"x":1}}"#).unwrap();
        assert_eq!(e.event_type(), "survey.answered");
        assert_eq!(e.to_json()["data"]["x"], 1);
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_event(
            br#"{"type":"message.created","data":{"object":{"id":"m","content":{"type":7}}}}"#,
        )
        .unwrap_err();
        match e {
            Error::WebhookDecode { path, .. } => assert_eq!(path, "data.object.content"),
            other => panic!("{other:?}"),
        }
        let e = parse_event(&vec![b' '; DEFAULT_MAX_BODY_BYTES + 1]).unwrap_err();
        assert_eq!(e.kind(), "payload_too_large");
    }
}
