"""Type stubs of the Rust module ``antonnia_sdk._core`` (see ``src/``)."""

from datetime import datetime
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final

from typing_extensions import disjoint_base

__all__ = [
    "__version__",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT_SECONDS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TOTAL_TIMEOUT_SECONDS",
    "DEFAULT_TOLERANCE_SECONDS",
    "DEFAULT_MAX_BODY_BYTES",
    "Config",
    "Call",
    "RetryPolicy",
    "Exchange",
    "MessageStream",
    "WebhookReceiver",
    "parse_event",
    "sign_webhook",
    "delivery_fields",
    "call_arguments",
    "call_names",
    "RelayKeys",
    "RelayRun",
    "RelayStats",
    "RelayMemory",
    "RELAY_METRICS",
    "relay_decide",
    "relay_classify",
    "relay_decode_record",
    "relay_encode_record",
    "RELAY_CLAIM_LUA",
    "RELAY_FINISH_LUA",
    "RELAY_EXTEND_LUA",
    "RELAY_UNLOCK_LUA",
    "RELAY_FORGET_LUA",
    "RELAY_DEFAULT_PREFIX",
    "whatsapp_error_description",
    "WHATSAPP_ERRORS",
    "MessageContent",
    "MessageContentText",
    "MessageContentImage",
    "MessageContentVideo",
    "MessageContentAudio",
    "MessageContentFile",
    "MessageContentFunctionCall",
    "MessageContentFunctionResult",
    "MessageContentThought",
    "MessageContentUnknown",
    "Agent",
    "AIAgent",
    "HumanAgent",
    "UnknownAgent",
    "Session",
    "Message",
    "SurveySubmission",
    "SessionSchedule",
    "Event",
    "MessageCreated",
    "SessionCreated",
    "SessionTransferred",
    "SessionFinished",
    "AppConnectionCreated",
    "UnknownEvent",
    "EventData",
    "MessageCreatedData",
    "SessionCreatedData",
    "SessionTransferredData",
    "SessionFinishedData",
    "AppConnectionCreatedData",
]

__version__: str
DEFAULT_BASE_URL: str
DEFAULT_TIMEOUT_SECONDS: float
DEFAULT_MAX_RESPONSE_BYTES: int
DEFAULT_TOTAL_TIMEOUT_SECONDS: float
DEFAULT_TOLERANCE_SECONDS: float
DEFAULT_MAX_BODY_BYTES: int
WHATSAPP_ERRORS: Dict[int, str]

_Headers = Sequence[Tuple[str, str]]

@final
class Config:
    def __new__(cls, token: str, base_url: Optional[str] = None, headers: Optional[_Headers] = None) -> Config: ...
    @property
    def base_url(self) -> str: ...
    @property
    def user_agent(self) -> str: ...

@final
class Call:
    def __new__(cls, name: str, args: Optional[Mapping[str, Any]] = None) -> Call: ...
    @property
    def name(self) -> str: ...
    @property
    def idempotent(self) -> bool: ...
    def build(self, config: Config) -> Tuple[str, str, List[Tuple[str, str]], Optional[bytes]]: ...
    def parse(self, status: int, body: bytes, headers: Optional[_Headers] = None) -> Any: ...
    def next_page(self, returned: int) -> Optional[Call]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class RetryPolicy:
    def __new__(
        cls,
        max_retries: int = 2,
        *,
        initial_backoff: Optional[float] = None,
        max_backoff: Optional[float] = None,
        max_retry_after: Optional[float] = None,
    ) -> RetryPolicy: ...
    @property
    def max_attempts(self) -> int: ...
    def decide(
        self, idempotent: bool, attempt: int, outcome: Union[int, str, Dict[str, Any]], jitter: float = 0.5
    ) -> Optional[float]: ...

@final
class Exchange:
    def __new__(
        cls,
        call: Call,
        config: Config,
        policy: RetryPolicy,
        timeout: float,
        total_timeout: Optional[float] = None,
        max_response_bytes: int = ...,
        *,
        request_id: Optional[str] = None,
        log: bool = False,
    ) -> Exchange: ...
    @property
    def request_id(self) -> Optional[str]: ...
    def response_request_id(self, headers: List[Tuple[str, str]]) -> Optional[str]: ...
    def log_attempt(self) -> str: ...
    @property
    def last_log(self) -> Optional[str]: ...
    def target(self) -> Tuple[str, str, Optional[bytes]]: ...
    def headers(self) -> List[Tuple[str, str]]: ...
    @property
    def name(self) -> str: ...
    @property
    def attempt(self) -> int: ...
    @property
    def max_response_bytes(self) -> int: ...
    def attempt_timeout(self, elapsed: float) -> float: ...
    def on_response(
        self,
        status: int,
        headers: List[Tuple[str, str]],
        body: bytes,
        elapsed: float,
        jitter: float,
        now: Optional[float] = None,
    ) -> Tuple[bool, Any]: ...
    def on_failure(self, failure: str, detail: str, elapsed: float, jitter: float, received: int = 0) -> float: ...

@final
class MessageStream:
    def __new__(
        cls,
        session_id: str,
        poll_interval: float = 1.0,
        max_poll_interval: float = 30.0,
        page_size: int = 100,
        from_start: bool = False,
    ) -> MessageStream: ...
    def start_after(self, message_id: str) -> None: ...
    def next_call(self) -> Call: ...
    def on_page(self, page: List[Message]) -> Tuple[List[Message], float]: ...
    def on_failed_poll(
        self, kind: str, status: Optional[int] = None, retry_after: Optional[float] = None
    ) -> Optional[float]: ...

@final
class WebhookReceiver:
    def __new__(
        cls,
        secret: Optional[str] = None,
        tolerance: float = ...,
        max_body_bytes: int = ...,
        verify: bool = True,
    ) -> WebhookReceiver: ...
    @property
    def verifies(self) -> bool: ...
    def receive(self, body: bytes, headers: Optional[_Headers] = None, now: Optional[float] = None) -> Event: ...

def parse_event(body: bytes) -> Event: ...
def sign_webhook(secret: str, id: str, timestamp: int, body: bytes) -> str: ...
def delivery_fields(
    status: str,
    provider_message_id: Optional[str] = None,
    at: Optional[Union[datetime, str]] = None,
    code: Optional[int] = None,
    message: Optional[str] = None,
) -> Dict[str, Any]: ...
def whatsapp_error_description(code: int) -> Optional[str]: ...
def call_names() -> List[str]: ...
def call_arguments(name: str) -> List[Tuple[str, bool]]: ...

@final
class RelayKeys:
    def __new__(cls, prefix: str) -> RelayKeys: ...
    @property
    def prefix(self) -> str: ...
    def lock(self, channel_type: str, channel_user_id: str) -> str: ...
    def session(self, channel_type: str, channel_user_id: str) -> str: ...
    def inbound(self, channel_type: str, channel_user_id: str, provider_message_id: str) -> str: ...
    def contact(self, session_id: str) -> str: ...
    def queue(self, session_id: str) -> str: ...
    def outbound(self, session_id: str, message_id: str) -> str: ...
    def session_base(self, session_id: str) -> str: ...
    def pending(self, channel_type: str) -> str: ...
    def pending_member(self, session_id: str, message_id: str) -> str: ...
    def pending_outbound(self, member: str) -> Optional[str]: ...

@final
class RelayRun:
    def __new__(cls, kind: str, input: Mapping[str, Any]) -> RelayRun: ...
    def next(self) -> Dict[str, Any]: ...
    def resume(self, answer: Any) -> Dict[str, Any]: ...

@final
class RelayMemory:
    def __new__(cls) -> RelayMemory: ...
    def get_many(self, keys: List[str], now: int) -> List[Optional[str]]: ...
    def put(self, key: str, value: str, ttl_ms: Optional[int], now: int) -> None: ...
    def acquire(self, key: str, token: str, lease_ms: int, now: int) -> bool: ...
    def release(self, key: str, token: str, now: int) -> bool: ...
    def forget(self, key: str, session_id: str, now: int) -> bool: ...
    def index_put(self, key: str, member: str, due_ms: int) -> None: ...
    def index_due(self, key: str, now: int, limit: int) -> List[Tuple[str, int]]: ...
    def index_drop(self, key: str, members: List[str]) -> None: ...
    def claim(self, args: Mapping[str, Any], now: int) -> Dict[str, Any]: ...
    def extend(self, outbound_key: str, token: str, lease_ms: int, now: int) -> bool: ...
    def finish(
        self, outbound_key: str, queue_key: str, message_id: str, token: str, state: str,
        outcome: Optional[Mapping[str, Any]], retention_ms: int, now: int,
    ) -> bool: ...

@final
class RelayStats:
    def __new__(cls, channel_type: str) -> RelayStats: ...
    def respond(self, outcome: str, retry_after: Optional[int] = None) -> Dict[str, Any]: ...
    def add(self, run: RelayRun) -> None: ...
    def snapshot(self) -> Dict[str, Any]: ...
    def samples(self) -> List[Tuple[int, List[Tuple[str, str]], float]]: ...
    def prometheus_text(self) -> str: ...

#: Each counter's (Prometheus name, OpenTelemetry name, unit, description).
RELAY_METRICS: List[Tuple[str, str, str, str]]

def relay_decide(kind: str, input: Any) -> Any: ...
def relay_classify(event: Event) -> Dict[str, Any]: ...
def relay_decode_record(record_type: str, text: str) -> Dict[str, Any]: ...
def relay_encode_record(record_type: str, record: Mapping[str, Any]) -> str: ...

RELAY_CLAIM_LUA: str
RELAY_FINISH_LUA: str
RELAY_EXTEND_LUA: str
RELAY_UNLOCK_LUA: str
RELAY_FORGET_LUA: str
RELAY_DEFAULT_PREFIX: str

# What `data.object` can be on the base class: each event class narrows it
# (MessageCreated: Message, Session*: Session, AppConnectionCreated: dict);
# an UnknownEvent carries whatever JSON was sent. Not Any, so that code
# reading `.object` of an event it has not narrowed fails type-checking.
_EventObject = Union[Message, Session, Dict[str, Any], List[Any], str, int, float, bool, None]

# --- generated by scripts/gen_stubs.py: begin ---
def _model_stubs() -> str: ...

class _Model:
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

_Content = Union[
    MessageContentText,
    MessageContentImage,
    MessageContentVideo,
    MessageContentAudio,
    MessageContentFile,
    MessageContentFunctionCall,
    MessageContentFunctionResult,
    MessageContentThought,
    MessageContentUnknown,
]
_Agent = Union[AIAgent, HumanAgent, UnknownAgent]

@disjoint_base
class MessageContent(_Model):
    """The content of a message; one subclass per `type`."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> MessageContent: ...
    @property
    def type(self) -> str:
        """The `type` tag."""
    @property
    def is_deliverable(self) -> bool:
        """Whether a channel should show it to the user (not a thought or function call)."""

@final
class MessageContentText(MessageContent):
    """A text message."""
    def __new__(
        cls,
        *,
        text: str,
        template_id: Optional[str] = None,
        template_parameters: Optional[Mapping[str, Any]] = None,
        type: Literal["text"] = ...,
    ) -> MessageContentText: ...
    @property
    def text(self) -> str:
        """The text."""
    @property
    def template_id(self) -> Optional[str]:
        """The template it was rendered from (WhatsApp templates)."""
    @property
    def template_parameters(self) -> Optional[Dict[str, Any]]:
        """The template's parameters."""
    @property
    def type(self) -> Literal["text"]: ...

@final
class MessageContentImage(MessageContent):
    """An image, by URL."""
    def __new__(cls, *, url: str, type: Literal["image"] = ...) -> MessageContentImage: ...
    @property
    def url(self) -> str:
        """Where the image can be downloaded."""
    @property
    def type(self) -> Literal["image"]: ...

@final
class MessageContentVideo(MessageContent):
    """A video, by URL."""
    def __new__(cls, *, url: str, type: Literal["video"] = ...) -> MessageContentVideo: ...
    @property
    def url(self) -> str:
        """Where the video can be downloaded."""
    @property
    def type(self) -> Literal["video"]: ...

@final
class MessageContentAudio(MessageContent):
    """A voice note or audio file, by URL."""
    def __new__(
        cls,
        *,
        url: str,
        transcript: Optional[str] = None,
        type: Literal["audio"] = ...,
    ) -> MessageContentAudio: ...
    @property
    def url(self) -> str:
        """Where the audio can be downloaded."""
    @property
    def transcript(self) -> Optional[str]:
        """What was said, when transcribed."""
    @property
    def type(self) -> Literal["audio"]: ...

@final
class MessageContentFile(MessageContent):
    """A document, by URL."""
    def __new__(cls, *, url: str, mime_type: str, name: str, type: Literal["file"] = ...) -> MessageContentFile: ...
    @property
    def url(self) -> str:
        """Where the file can be downloaded."""
    @property
    def mime_type(self) -> str:
        """Its MIME type, e.g. `application/pdf`."""
    @property
    def name(self) -> str:
        """Its file name."""
    @property
    def type(self) -> Literal["file"]: ...

@final
class MessageContentFunctionCall(MessageContent):
    """A tool call made by the AI (not for the user's eyes)."""
    def __new__(
        cls,
        *,
        id: str,
        name: str,
        input: str,
        type: Literal["function_call"] = ...,
    ) -> MessageContentFunctionCall: ...
    @property
    def id(self) -> str:
        """The call's id, matched by the result."""
    @property
    def name(self) -> str:
        """The function's name."""
    @property
    def input(self) -> str:
        """The arguments, a JSON document as a string."""
    @property
    def type(self) -> Literal["function_call"]: ...

@final
class MessageContentFunctionResult(MessageContent):
    """What a tool call returned (not for the user's eyes)."""
    def __new__(
        cls,
        *,
        id: str,
        name: str,
        output: str,
        type: Literal["function_result"] = ...,
    ) -> MessageContentFunctionResult: ...
    @property
    def id(self) -> str:
        """The id of the call answered."""
    @property
    def name(self) -> str:
        """The function's name."""
    @property
    def output(self) -> str:
        """The result, as a string."""
    @property
    def type(self) -> Literal["function_result"]: ...

@final
class MessageContentThought(MessageContent):
    """The AI's reasoning (not for the user's eyes)."""
    def __new__(cls, *, thought: str, type: Literal["thought"] = ...) -> MessageContentThought: ...
    @property
    def thought(self) -> str:
        """The reasoning."""
    @property
    def type(self) -> Literal["thought"]: ...

@final
class MessageContentUnknown(MessageContent):
    """Content of a `type` this SDK version does not know, kept whole (see `to_dict()`)."""
    @property
    def raw(self) -> Dict[str, Any]:
        """Every field as sent, `type` included."""

@disjoint_base
class Agent(_Model):
    """An agent; `AIAgent`, `HumanAgent` or `UnknownAgent` by `type`."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> _Agent: ...
    @property
    def id(self) -> str:
        """The agent's id, e.g. `agent_abc`."""
    @property
    def type(self) -> str:
        """`ai` or `human` (or a type this SDK version does not know)."""
    @property
    def organization_id(self) -> Optional[str]:
        """The organization owning it."""
    @property
    def name(self) -> Optional[str]:
        """Its display name."""
    @property
    def created_at(self) -> Optional[datetime]:
        """When it was created."""

@final
class AIAgent(Agent):
    """An AI agent (`type == "ai"`)."""
    @property
    def assistant_id(self) -> Optional[str]:
        """The AI assistant behind an `ai` agent."""
    @property
    def type(self) -> Literal["ai"]: ...

@final
class HumanAgent(Agent):
    """A human agent (`type == "human"`)."""
    @property
    def profile_id(self) -> Optional[str]:
        """The person's profile, for a `human` agent."""
    @property
    def type(self) -> Literal["human"]: ...

@final
class UnknownAgent(Agent):
    """An agent of a `type` this SDK version does not know."""

@final
class Session(_Model):
    """A conversation between one contact and an agent."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Session: ...
    @property
    def id(self) -> str:
        """The session's id, e.g. `sess_abc123`."""
    @property
    def contact_id(self) -> Optional[str]:
        """The integrator's id for the contact."""
    @property
    def organization_id(self) -> Optional[str]:
        """The organization owning the session."""
    @property
    def conversation_id(self) -> Optional[str]:
        """The conversation the session belongs to."""
    @property
    def thread_id(self) -> Optional[str]:
        """An optional thread id."""
    @property
    def status(self) -> Optional[str]:
        """`open` or `closed` (or a status this SDK version does not know)."""
    @property
    def agent(self) -> Optional[_Agent]:
        """The agent in charge, if any."""
    @property
    def ending_survey_submission_id(self) -> Optional[str]:
        """The satisfaction survey started when the session finished."""
    @property
    def metadata(self) -> Dict[str, Any]:
        """Free-form data; channels keep `channel_type` and `channel_user_id` here."""
    @property
    def created_at(self) -> Optional[datetime]:
        """When it was created."""
    @property
    def updated_at(self) -> Optional[datetime]:
        """When it last changed."""
    @property
    def channel_type(self) -> Optional[str]:
        """`metadata["channel_type"]`, by the channel-integration convention."""
    @property
    def channel_user_id(self) -> Optional[str]:
        """`metadata["channel_user_id"]`, by the channel-integration convention."""

@final
class Message(_Model):
    """One message in a session."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Message: ...
    @property
    def id(self) -> str:
        """The message's id, e.g. `msg_xyz789`."""
    @property
    def session_id(self) -> Optional[str]:
        """The session it belongs to."""
    @property
    def conversation_id(self) -> Optional[str]:
        """The conversation it belongs to."""
    @property
    def organization_id(self) -> Optional[str]:
        """The organization owning it."""
    @property
    def role(self) -> Optional[str]:
        """`user` or `assistant` (or a role this SDK version does not know)."""
    @property
    def content(self) -> _Content:
        """What it says: one content kind per `type`."""
    @property
    def provider_message_id(self) -> Optional[str]:
        """The channel's id for it."""
    @property
    def replied_provider_message_id(self) -> Optional[str]:
        """The channel's id of the message it replies to."""
    @property
    def run_id(self) -> Optional[str]:
        """The AI run that produced it."""
    @property
    def created_at(self) -> Optional[datetime]:
        """When it was created."""
    @property
    def delivery_status(self) -> str:
        """How far it got on the channel: `pending` (also when absent), `sent`, `delivered`, `read`, `failed` or `rejected`."""
    @property
    def delivery_error_code(self) -> Optional[int]:
        """The channel's error code when delivery failed (e.g. WhatsApp's 131047)."""
    @property
    def delivery_error_message(self) -> Optional[str]:
        """The channel's error message when delivery failed."""
    @property
    def delivered_at(self) -> Optional[datetime]:
        """When the channel delivered it."""
    @property
    def updated_at(self) -> Optional[datetime]:
        """When it last changed."""
    @property
    def is_outbound(self) -> bool:
        """Whether a channel must deliver it: a pending assistant message with
        content a user may see.
        """

@final
class SurveySubmission(_Model):
    """A satisfaction survey sent when a session finished."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> SurveySubmission: ...
    @property
    def id(self) -> str:
        """The submission's id."""
    @property
    def survey_id(self) -> Optional[str]:
        """The survey answered."""
    @property
    def session_id(self) -> Optional[str]:
        """The session it follows."""
    @property
    def organization_id(self) -> Optional[str]:
        """The organization owning it."""
    @property
    def status(self) -> Optional[str]:
        """`pending`, `finished` or `cancelled` (or a status this SDK version does not know)."""
    @property
    def created_at(self) -> Optional[datetime]:
        """When it was created."""
    @property
    def expires_at(self) -> Optional[datetime]:
        """When it stops accepting answers."""
    @property
    def finished_at(self) -> Optional[datetime]:
        """When it was answered."""
    @property
    def updated_at(self) -> Optional[datetime]:
        """When it last changed."""

@final
class SessionSchedule(_Model):
    """An action scheduled on a session."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> SessionSchedule: ...
    @property
    def id(self) -> str:
        """The schedule's id."""
    @property
    def session_id(self) -> Optional[str]:
        """The session it acts on."""
    @property
    def organization_id(self) -> Optional[str]:
        """The organization owning it."""
    @property
    def scheduled_for(self) -> Optional[datetime]:
        """When it runs."""
    @property
    def config(self) -> Optional[Dict[str, Any]]:
        """What it does."""
    @property
    def status(self) -> Optional[str]:
        """`scheduled`, `completed` or `failed` (or a status this SDK version does not know)."""
    @property
    def created_at(self) -> Optional[datetime]:
        """When it was created."""

@disjoint_base
class EventData:
    """The `data` of an event."""
    def to_dict(self) -> Dict[str, Any]: ...
    @property
    def object(self) -> _EventObject:
        """The resource the event is about: a `Message`, a `Session`, or a dict
        for app connections and unknown events.
        """
    @property
    def action(self) -> Optional[str]:
        """For `session.finished`: `"expired"` when closed for inactivity, else None."""

@final
class MessageCreatedData(EventData):
    @property
    def object(self) -> Message: ...

@final
class SessionCreatedData(EventData):
    @property
    def object(self) -> Session: ...

@final
class SessionTransferredData(EventData):
    @property
    def object(self) -> Session: ...

@final
class SessionFinishedData(EventData):
    @property
    def object(self) -> Session: ...

@final
class AppConnectionCreatedData(EventData):
    @property
    def object(self) -> Dict[str, Any]: ...

@disjoint_base
class Event:
    """A webhook event; one subclass per `type` (`MessageCreated`, ...)."""
    def outbound_message(self) -> Optional[Message]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def id(self) -> Optional[str]:
        """The event's id (absent in some deliveries, such as the Quick Start's sample)."""
    @property
    def created_at(self) -> Optional[datetime]:
        """When the event happened."""
    @property
    def type(self) -> str:
        """The event's type, e.g. `"message.created"`."""
    @property
    def data(self) -> EventData:
        """The event's payload: `data.object` (and `data.action` for `session.finished`)."""

@final
class MessageCreated(Event):
    @property
    def type(self) -> Literal["message.created"]: ...
    @property
    def data(self) -> MessageCreatedData: ...

@final
class SessionCreated(Event):
    @property
    def type(self) -> Literal["session.created"]: ...
    @property
    def data(self) -> SessionCreatedData: ...

@final
class SessionTransferred(Event):
    @property
    def type(self) -> Literal["session.transferred"]: ...
    @property
    def data(self) -> SessionTransferredData: ...

@final
class SessionFinished(Event):
    @property
    def type(self) -> Literal["session.finished"]: ...
    @property
    def data(self) -> SessionFinishedData: ...

@final
class AppConnectionCreated(Event):
    @property
    def type(self) -> Literal["app.connection.created"]: ...
    @property
    def data(self) -> AppConnectionCreatedData: ...

@final
class UnknownEvent(Event):
    """An event of a `type` this SDK version does not know; `to_dict()` keeps it whole."""
# --- generated by scripts/gen_stubs.py: end ---
