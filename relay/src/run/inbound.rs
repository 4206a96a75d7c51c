//! A user message from the channel as one sans-IO run: [`InboundRun`].
//!
//! `receive` takes the contact's lock (waiting, with backoff, up to
//! `lock_wait_ms`), then follows [`next_inbound`]'s steps: read what the
//! store has, find or create the contact's session, post the message once
//! per `provider_message_id`, ask for a reply (a closed session is forgotten
//! and replaced), record it posted, release the lock. The host performs the
//! effects (store calls, API calls); the message's content stays with the
//! host, which adds it to [`Effect::PostMessage`].

use serde_json::json;

use antonnia_core::error::Error;

use super::{Answer, Effect, HostError, RunConfig, RunFailure, check_fits};
use crate::{
    InboundFacts, InboundRecord, InboundState, InboundStep, Keys, RECORD_VERSION, SessionRecord,
    decode_record, encode_record, next_inbound,
};

// The first pause between attempts at a held lock, and the longest, ms.
const FIRST_PAUSE_MS: u64 = 5;
const LONGEST_PAUSE_MS: u64 = 100;

#[derive(Debug, Clone)]
enum State {
    Acquiring,
    Sleeping,
    Reading,
    FindingPosted,
    Searching,
    Creating,
    RememberingSession(String),
    RememberingContact,
    PuttingPosting(String),
    Posting,
    Replying(String),
    CheckingClosed,
    Forgetting,
    PuttingPosted(Effect),
    // The lock is being released; then the run ends with this effect.
    Releasing(Effect),
}

/// One user message's posting in progress: see the [module
/// documentation](self). Driven like [`super::WebhookRun`].
#[derive(Clone)]
pub struct InboundRun {
    config: RunConfig,
    lock_key: String,
    session_key: String,
    inbound_key: String,
    keys: Keys,
    token: String,
    channel_user_id: String,
    provider_message_id: String,
    contact_name: Option<String>,
    facts: InboundFacts,
    pause_ms: u64,
    state: State,
    pending: Effect,
}

// The token is the lock's credential: Debug names the run, not it.
impl std::fmt::Debug for InboundRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboundRun")
            .field("channel_user_id", &self.channel_user_id)
            .field("provider_message_id", &self.provider_message_id)
            .finish_non_exhaustive()
    }
}

impl InboundRun {
    /// A run for the message `provider_message_id` of `channel_user_id` on
    /// the relay's channel. `token` is fresh randomness from the host (the
    /// lock's holder). Refused: a bad prefix, an empty channel type, token,
    /// contact or message id.
    pub fn new(
        config: RunConfig,
        token: &str,
        channel_user_id: &str,
        provider_message_id: &str,
        contact_name: Option<&str>,
    ) -> Result<InboundRun, Error> {
        let keys = Keys::new(&config.prefix)?;
        for (name, value) in [
            ("channel_type", config.channel_type.as_str()),
            ("token", token),
            ("channel_user_id", channel_user_id),
            ("provider_message_id", provider_message_id),
        ] {
            if value.is_empty() {
                return Err(Error::invalid(name, "must not be empty"));
            }
        }
        let ct = &config.channel_type;
        let lock_key = keys.lock(ct, channel_user_id);
        let pending = Effect::Acquire {
            key: lock_key.clone(),
            token: token.to_string(),
            lease_ms: config.lock_lease_ms,
        };
        Ok(InboundRun {
            session_key: keys.session(ct, channel_user_id),
            inbound_key: keys.inbound(ct, channel_user_id, provider_message_id),
            keys,
            lock_key,
            token: token.to_string(),
            channel_user_id: channel_user_id.to_string(),
            provider_message_id: provider_message_id.to_string(),
            contact_name: contact_name.map(str::to_string),
            facts: InboundFacts::default(),
            pause_ms: FIRST_PAUSE_MS,
            state: State::Acquiring,
            pending,
            config,
        })
    }

    /// The effect to perform now.
    pub fn next(&self) -> Effect {
        self.pending.clone()
    }

    /// The effect to perform now, borrowed.
    pub fn pending(&self) -> &Effect {
        &self.pending
    }

    /// Takes the answer to the pending effect and gives the next effect; an
    /// answer of the wrong kind is refused and changes nothing.
    pub fn resume(&mut self, answer: Answer) -> Result<Effect, Error> {
        check_fits(&self.pending, &answer)?;
        let state = std::mem::replace(&mut self.state, State::Acquiring);
        self.pending = self.step(state, answer);
        Ok(self.pending.clone())
    }

    fn metadata(&self) -> serde_json::Value {
        json!({"channel_type": self.config.channel_type, "channel_user_id": self.channel_user_id})
    }

    fn put(&self, key: &str, value: String) -> Effect {
        Effect::Put {
            key: key.to_string(),
            value,
            ttl_ms: self.config.retention_ms,
        }
    }

    // Ends the run with `end`, releasing the lock first when it is held.
    fn end(&mut self, end: Effect) -> Effect {
        if !self.facts.locked {
            return end;
        }
        self.state = State::Releasing(end);
        Effect::Release {
            key: self.lock_key.clone(),
            token: self.token.clone(),
        }
    }

    fn step(&mut self, state: State, answer: Answer) -> Effect {
        match (state, answer) {
            (State::Acquiring, Answer::Acquired { acquired: true, .. }) => {
                self.facts.locked = true;
                self.advance()
            }
            (State::Acquiring, Answer::Acquired { waited_ms, .. }) => {
                if waited_ms >= self.config.lock_wait_ms {
                    return Effect::Failed {
                        error: RunFailure::LockTimeout,
                        detail: Some(format!(
                            "the contact's lock stayed held for {} s",
                            crate::seconds(self.config.lock_wait_ms)
                        )),
                        cause: None,
                    };
                }
                let ms = self.pause_ms;
                self.pause_ms = (ms * 2).min(LONGEST_PAUSE_MS);
                self.state = State::Sleeping;
                Effect::Sleep { ms }
            }
            (State::Sleeping, Answer::Ok) => {
                self.state = State::Acquiring;
                Effect::Acquire {
                    key: self.lock_key.clone(),
                    token: self.token.clone(),
                    lease_ms: self.config.lock_lease_ms,
                }
            }
            (State::Reading, Answer::Values { values }) => {
                match self.read(
                    values.first().cloned().flatten(),
                    values.get(1).cloned().flatten(),
                ) {
                    Ok(()) => self.advance(),
                    Err(e) => self.end(Effect::Failed {
                        error: RunFailure::BadRecord,
                        detail: Some(e.info().message.clone()),
                        cause: None,
                    }),
                }
            }
            (State::FindingPosted, Answer::FoundMessage { message_id }) => {
                self.facts.found_posted = Some(message_id);
                self.advance()
            }
            (State::Searching, Answer::Sessions { sessions }) => {
                self.facts.searched = Some(sessions);
                self.advance()
            }
            (State::Creating, Answer::Created { id }) => {
                self.facts.created = Some(id);
                self.advance()
            }
            (State::RememberingSession(session_id), Answer::Ok) => {
                let record = crate::ContactRecord {
                    v: RECORD_VERSION,
                    channel_type: self.config.channel_type.clone(),
                    channel_user_id: self.channel_user_id.clone(),
                    contact_name: self.contact_name.clone(),
                };
                self.state = State::RememberingContact;
                self.put(&self.keys.contact(&session_id), encode_record(&record))
            }
            (State::RememberingContact, Answer::Ok) => {
                self.facts.remembered = true;
                self.advance()
            }
            (State::PuttingPosting(session_id), Answer::Ok) => {
                self.state = State::Posting;
                Effect::PostMessage {
                    session_id,
                    role: "user".into(),
                    provider_message_id: self.provider_message_id.clone(),
                }
            }
            (State::Posting, Answer::Created { id }) => {
                self.facts.posted = Some(id);
                self.advance()
            }
            (State::Replying(_), Answer::Ok) => {
                self.facts.replied = true;
                self.advance()
            }
            // Refused as invalid: the session may have been closed; if it
            // was, it is replaced, else the refusal is the caller's error.
            (State::Replying(session_id), Answer::Error(HostError::Rejected)) => {
                self.state = State::CheckingClosed;
                Effect::FetchSession { session_id }
            }
            (State::CheckingClosed, Answer::Session { status, .. }) => {
                if status == "closed" {
                    self.facts.closed = true;
                    self.advance()
                } else {
                    self.end(Effect::failed(RunFailure::Host, Some(HostError::Rejected)))
                }
            }
            (State::Forgetting, Answer::Ok) => {
                self.facts = InboundFacts {
                    locked: true,
                    read: true,
                    ..InboundFacts::default()
                };
                self.advance()
            }
            (State::PuttingPosted(end), Answer::Ok) => self.end(end),
            // A release that failed in the store is left to the lease.
            (State::Releasing(end), Answer::Ok | Answer::Error(HostError::StoreUnavailable)) => end,
            (State::Releasing(_), answer) => Effect::failed(RunFailure::Host, cause(&answer)),
            // Any other failure ends the run: the host raises it again once
            // the lock is released.
            (_, answer) => {
                let end = Effect::failed(RunFailure::Host, cause(&answer));
                self.end(end)
            }
        }
    }

    fn read(&mut self, cached: Option<String>, inbound: Option<String>) -> Result<(), Error> {
        if let Some(text) = cached {
            self.facts.cached = Some(decode_record::<SessionRecord>(&text)?.session_id);
        }
        if let Some(text) = inbound {
            self.facts.inbound = Some(decode_record::<InboundRecord>(&text)?);
        }
        self.facts.read = true;
        Ok(())
    }

    // The effect for the next of `next_inbound`'s steps.
    fn advance(&mut self) -> Effect {
        match next_inbound(&self.facts) {
            // Unreachable once locked; an end rather than a panic.
            InboundStep::Lock => self.end(Effect::failed(RunFailure::Host, None)),
            InboundStep::Read => {
                self.state = State::Reading;
                Effect::GetMany {
                    keys: vec![self.session_key.clone(), self.inbound_key.clone()],
                }
            }
            InboundStep::FindPosted { session_id } => {
                self.state = State::FindingPosted;
                Effect::FindPosted {
                    session_id,
                    provider_message_id: self.provider_message_id.clone(),
                }
            }
            InboundStep::Search => {
                self.state = State::Searching;
                Effect::SearchSessions {
                    status: "open".into(),
                    metadata: self.metadata(),
                }
            }
            InboundStep::Create => {
                self.state = State::Creating;
                Effect::CreateSession {
                    contact_id: self.channel_user_id.clone(),
                    contact_name: self
                        .contact_name
                        .clone()
                        .unwrap_or_else(|| self.channel_user_id.clone()),
                    agent_id: self.config.agent_id.clone(),
                    metadata: self.metadata(),
                }
            }
            InboundStep::Remember { session_id } => {
                let record = SessionRecord {
                    v: RECORD_VERSION,
                    session_id: session_id.clone(),
                };
                let effect = self.put(&self.session_key, encode_record(&record));
                self.state = State::RememberingSession(session_id);
                effect
            }
            InboundStep::Post { session_id } => {
                let record = InboundRecord {
                    v: RECORD_VERSION,
                    state: InboundState::Posting,
                    session_id: session_id.clone(),
                    message_id: None,
                };
                let effect = self.put(&self.inbound_key, encode_record(&record));
                self.state = State::PuttingPosting(session_id);
                effect
            }
            InboundStep::Reply { session_id } => {
                self.state = State::Replying(session_id.clone());
                Effect::Reply {
                    session_id,
                    debounce_time: self.config.debounce,
                }
            }
            InboundStep::Replace { session_id } => {
                self.state = State::Forgetting;
                Effect::Forget {
                    key: self.session_key.clone(),
                    session_id,
                }
            }
            InboundStep::Finish {
                session_id,
                message_id,
                duplicate,
            } => {
                let end = Effect::Received {
                    session_id: session_id.clone(),
                    message_id: message_id.clone(),
                    duplicate,
                };
                if duplicate {
                    return self.end(end);
                }
                let record = InboundRecord {
                    v: RECORD_VERSION,
                    state: InboundState::Posted,
                    session_id,
                    message_id,
                };
                let effect = self.put(&self.inbound_key, encode_record(&record));
                self.state = State::PuttingPosted(end);
                effect
            }
        }
    }
}

// The host's failure an answer reports, if it is one.
fn cause(answer: &Answer) -> Option<HostError> {
    match answer {
        Answer::Error(e) => Some(*e),
        _ => None,
    }
}
