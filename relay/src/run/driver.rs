//! Every relay run behind one JSON interface, for bindings: [`RunDriver`].
//!
//! A binding's relay has one loop for every procedure: make a driver of a
//! kind (`webhook`, `sweep`, `inbound`, `recover`, `forget`), perform the
//! effect [`RunDriver::next`] names, hand its answer to
//! [`RunDriver::resume`], until the run ends. The driver also keeps the
//! run's [`Tally`] (what was delivered, how long it waited), which the
//! relay's [`crate::stats::Stats`] adds up.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use antonnia_core::error::Error;

use super::inbound::InboundRun;
use super::recover::{ForgetRun, RecoverRun};
use super::{Answer, Effect, RunConfig, RunKind, WebhookRun, answer_from_json};
use crate::Delivery;

/// What one run did, for the relay's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Messages handed to `deliver` for the first time and sent.
    pub delivered: u64,
    /// Messages handed to `deliver` again (a claim lapsed) and sent.
    pub redelivered: u64,
    /// Messages `deliver` refused (reported `failed`).
    pub failed: u64,
    /// `deliver` calls that raised (the claim released, answered 503).
    pub crashed: u64,
    /// Milliseconds slept waiting for a claim another worker held.
    pub claim_wait_ms: u64,
    /// Milliseconds slept waiting for a contact's lock.
    pub lock_wait_ms: u64,
}

#[derive(Debug, Clone)]
enum AnyRun {
    Webhook(Box<WebhookRun>),
    Inbound(Box<InboundRun>),
    Recover(Box<RecoverRun>),
    Forget(Box<ForgetRun>),
}

/// Any relay run with JSON in and out: see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct RunDriver {
    kind: RunKind,
    run: AnyRun,
    tally: Tally,
}

/// [`RunDriver::new`]'s input (no `Debug`: it holds the run's token).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DriverInput {
    #[serde(default)]
    config: RunConfig,
    #[serde(default)]
    token: String,
    #[serde(default)]
    session_id: String,
    message: Option<String>,
    #[serde(default)]
    created_at_ms: i64,
    channel_user_id: Option<String>,
    provider_message_id: Option<String>,
    contact_name: Option<String>,
    limit: Option<u32>,
}

fn required(value: Option<String>, name: &str) -> Result<String, Error> {
    value.ok_or_else(|| Error::invalid(name, "is required"))
}

impl RunDriver {
    /// A run of `kind` from its input, JSON text: always `{"config":
    /// RunConfig, "token"}`, and by kind: `webhook` and `sweep`
    /// `"session_id", "message": <its JSON text>, "created_at_ms"`;
    /// `inbound` `"channel_user_id", "provider_message_id", "contact_name"?`;
    /// `recover` `"limit"?` (default 100); `forget` `"session_id"`.
    pub fn new(kind: &str, input_json: &str) -> Result<RunDriver, Error> {
        // Straight into the input's shape, not through a `Value`: this runs
        // once per webhook.
        let input: DriverInput =
            serde_json::from_str(input_json).map_err(|e| Error::invalid("input", e.to_string()))?;
        RunDriver::from_input(kind, input)
    }

    /// [`RunDriver::new`] with the input as a JSON value (for bindings that
    /// convert their own objects).
    pub fn from_value(kind: &str, input: Value) -> Result<RunDriver, Error> {
        let input: DriverInput =
            serde_json::from_value(input).map_err(|e| Error::invalid("input", e.to_string()))?;
        RunDriver::from_input(kind, input)
    }

    fn from_input(kind: &str, i: DriverInput) -> Result<RunDriver, Error> {
        let webhook = |kind| -> Result<AnyRun, Error> {
            let message = required(i.message.clone(), "message")?;
            let run = WebhookRun::new(
                kind,
                i.config.clone(),
                &i.token,
                &i.session_id,
                &message,
                i.created_at_ms,
            )?;
            Ok(AnyRun::Webhook(Box::new(run)))
        };
        let (kind, run) = match kind {
            "webhook" => (RunKind::Webhook, webhook(RunKind::Webhook)?),
            "sweep" => (RunKind::Sweep, webhook(RunKind::Sweep)?),
            "inbound" => {
                let run = InboundRun::new(
                    i.config,
                    &i.token,
                    &required(i.channel_user_id, "channel_user_id")?,
                    &required(i.provider_message_id, "provider_message_id")?,
                    i.contact_name.as_deref(),
                )?;
                (RunKind::Inbound, AnyRun::Inbound(Box::new(run)))
            }
            "recover" => {
                let run = RecoverRun::new(i.config, &i.token, i.limit.unwrap_or(100))?;
                (RunKind::Recover, AnyRun::Recover(Box::new(run)))
            }
            "forget" => (
                RunKind::Forget,
                AnyRun::Forget(Box::new(ForgetRun::new(&i.config, &i.session_id)?)),
            ),
            other => {
                return Err(Error::invalid(
                    "kind",
                    format!("unknown run {other:?}: webhook, sweep, inbound, recover or forget"),
                ));
            }
        };
        Ok(RunDriver {
            kind,
            run,
            tally: Tally::default(),
        })
    }

    /// Which procedure the run follows.
    pub fn kind(&self) -> RunKind {
        self.kind
    }

    /// What the run did so far.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// The effect to perform now.
    pub fn next_effect(&self) -> Effect {
        self.pending().clone()
    }

    /// The effect to perform now, borrowed.
    pub fn pending(&self) -> &Effect {
        pending(&self.run)
    }

    /// Takes the pending effect's typed answer and gives the next effect.
    pub fn resume_with(&mut self, answer: Answer) -> Result<Effect, Error> {
        // Counted once it is known to fit (a refused answer changes nothing).
        let pending = pending(&self.run);
        if pending.fits(&answer) {
            count(&mut self.tally, self.kind, pending, &answer);
        }
        match &mut self.run {
            AnyRun::Webhook(r) => r.resume(answer),
            AnyRun::Inbound(r) => r.resume(answer),
            AnyRun::Recover(r) => r.resume(answer),
            AnyRun::Forget(r) => r.resume(answer),
        }
    }

    /// The effect to perform now, as JSON text.
    pub fn next(&self) -> String {
        effect_json(self.pending())
    }

    /// Takes the pending effect's answer as JSON text ([`answer_from_json`];
    /// an error answer may add `"name"`, the class of the host's error, for
    /// a sweep's report) and gives the next effect as JSON text.
    pub fn resume(&mut self, answer_json: &str) -> Result<String, Error> {
        let v: Value = serde_json::from_str(answer_json)
            .map_err(|e| Error::invalid("answer", e.to_string()))?;
        Ok(effect_json(&self.resume_value_typed(v)?))
    }

    /// The effect to perform now, as a JSON value.
    pub fn next_value(&self) -> Value {
        effect_value(self.pending())
    }

    /// [`RunDriver::resume`] with JSON values.
    pub fn resume_value(&mut self, answer: Value) -> Result<Value, Error> {
        Ok(effect_value(&self.resume_value_typed(answer)?))
    }

    fn resume_value_typed(&mut self, v: Value) -> Result<Effect, Error> {
        if let (AnyRun::Recover(r), Some(name)) = (&mut self.run, v.get("name")) {
            if let Some(name) = name.as_str() {
                r.note_error(name);
            }
        }
        let answer = answer_from_json(self.pending(), v)?;
        self.resume_with(answer)
    }
}

fn pending(run: &AnyRun) -> &Effect {
    match run {
        AnyRun::Webhook(r) => r.pending(),
        AnyRun::Inbound(r) => r.pending(),
        AnyRun::Recover(r) => r.pending(),
        AnyRun::Forget(r) => r.pending(),
    }
}

// What an answer to `pending` adds to a run's tally.
fn count(t: &mut Tally, kind: RunKind, pending: &Effect, answer: &Answer) {
    match (pending, answer) {
        (Effect::Deliver { redelivery, .. }, Answer::Delivered(d)) => match d {
            Delivery::Sent { .. } if *redelivery => t.redelivered += 1,
            Delivery::Sent { .. } => t.delivered += 1,
            Delivery::Refused { .. } => t.failed += 1,
            Delivery::Crashed => t.crashed += 1,
        },
        (Effect::Sleep { ms }, Answer::Ok) if kind == RunKind::Inbound => {
            t.lock_wait_ms = t.lock_wait_ms.saturating_add(*ms);
        }
        (Effect::Sleep { ms }, Answer::Ok) => {
            t.claim_wait_ms = t.claim_wait_ms.saturating_add(*ms);
        }
        _ => {}
    }
}

fn effect_value(e: &Effect) -> Value {
    // As for `effect_json`: every field serializes.
    serde_json::to_value(e).unwrap_or_default()
}

fn effect_json(e: &Effect) -> String {
    // Every field serializes (strings, numbers, enums): this cannot fail; an
    // empty object would be refused by any host rather than misread.
    serde_json::to_string(e).unwrap_or_else(|_| "{}".into())
}
