"""Type-checked with ``mypy --strict``: touches every call of both clients, the
models, the exceptions, webhooks and channel helpers. Not run by pytest (it
needs a server); ``test_typing.py`` runs mypy on it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Literal, Optional

import httpx

import antonnia_sdk
from antonnia_sdk import AsyncClient, Client, Conversations, channel, webhooks
from antonnia_sdk.exceptions import (
    AntonniaError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    DecodeError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TransportError,
    ValidationError,
    WebhookVerificationError,
)
from antonnia_sdk.types import (
    Agent,
    DeliveryFields,
    AIAgent,
    HumanAgent,
    Message,
    MessageContent,
    MessageContentAudio,
    MessageContentFile,
    MessageContentFunctionCall,
    MessageContentFunctionResult,
    MessageContentImage,
    MessageContentText,
    MessageContentThought,
    MessageContentVideo,
    ScheduledMessageConfig,
    ScheduledNodeConfig,
    Session,
    SessionSchedule,
    SurveySubmission,
)


def sync_usage(token: str) -> None:
    with Client(token, base_url="http://127.0.0.1:1/v1", timeout=5.0, max_retries=1, headers={"x-a": "b"}) as client:
        session: Session = client.sessions.create(
            contact_id="u", contact_name="Jane", agent_id="agent_abc", status="open", metadata={"channel_type": "x"}
        )
        sid: str = session.id
        created: Optional[datetime] = session.created_at
        meta: Dict[str, Any] = session.metadata
        session = client.sessions.get(sid)
        session = client.sessions.update(sid, fields={"status": "closed"})
        session = client.sessions.update(sid, metadata={"a": 1})
        session = client.sessions.transfer(sid, agent_id=None, auto_reply=True)
        session = client.sessions.finish(sid, ending_survey_id="s")
        session = client.sessions.reply(sid, debounce_time=3, starting_node_id="n")
        sessions: List[Session] = client.sessions.search(contact_id="u", status="open", metadata={"a": 1}, offset=0, limit=10)
        for s in client.sessions.iter_search(limit=50):
            print(s.id)
        schedule: SessionSchedule = client.sessions.schedule(
            sid, scheduled_for=datetime.now(timezone.utc), config=ScheduledNodeConfig(node_id="n1")
        )
        schedule = client.sessions.schedule(
            sid, scheduled_for="2030-01-01T00:00:00Z", config=ScheduledMessageConfig(message=MessageContentText(text="x"))
        )
        message: Message = client.sessions.messages.create(
            sid, content=MessageContentText(type="text", text="hi"), role="user", provider_message_id="p"
        )
        message = client.sessions.messages.create(sid, {"type": "text", "text": "hi"})
        if isinstance(message.content, MessageContentText):
            text: str = message.content.text
        message = client.sessions.messages.get(sid, message.id)
        message = client.sessions.messages.update(
            sid,
            message.id,
            provider_message_id="p2",
            delivery_status="failed",
            delivery_error_code=131047,
            delivery_error_message="x",
            delivered_at=datetime.now(timezone.utc),
        )
        message = client.sessions.messages.update(sid, message.id, **channel.sent("p3"))
        messages: List[Message] = client.sessions.messages.search(session_id=sid, role="assistant", limit=5)
        messages = client.sessions.messages.search(provider_message_id="p")
        for m in client.sessions.messages.iter_search(session_id=sid):
            print(m.delivery_status)
        for m in client.sessions.messages.stream(sid, poll_interval=2.0, from_start=True):
            if m.role == "assistant":
                break
        for m in client.sessions.messages.stream(sid, after=message.id):
            break
        raw: antonnia_sdk.RawResponse[Session] = client.with_raw_response(client.sessions.get, sid)
        raw_id: Optional[str] = raw.request_id
        raw_status: int = raw.status_code
        raw_type: Optional[str] = raw.headers.get("content-type")
        session = raw.data
        session = raw.parse()
        print(raw_id, raw_status, raw_type)
        sub: SurveySubmission = client.sessions.survey_submissions.get(session_id=sid, survey_submission_id="x")
        sub = client.sessions.survey_submissions.reply(session_id=sid, survey_submission_id="x")
        sub = client.sessions.survey_submissions.cancel(session_id=sid, survey_submission_id="x")
        agent: Agent = client.agents.create(name="Bot", type="ai", assistant_id="a")
        if isinstance(agent, AIAgent):
            assistant: Optional[str] = agent.assistant_id
        elif isinstance(agent, HumanAgent):
            profile: Optional[str] = agent.profile_id
        agent = client.agents.get(agent.id)
        agent = client.agents.update(agent.id, name="Bot 2")
        agents: List[Agent] = client.agents.search(type="ai", limit=10, offset=0)
        for a in client.agents.iter_search(type="human"):
            print(a.name)
        client.agents.delete(agent.id)
        print(session, sessions, schedule, messages, sub, agents, created, meta, text, assistant, profile)


async def async_usage(token: str) -> None:
    http = httpx.AsyncClient(proxy=None)
    async with AsyncClient(token, http_client=http) as client:
        session = await client.sessions.create(contact_id="u", contact_name="Jane")
        session = await client.sessions.get(session.id)
        session = await client.sessions.update(session.id, fields={"thread_id": "t"})
        session = await client.sessions.transfer(session.id, agent_id="agent_abc")
        session = await client.sessions.finish(session.id)
        session = await client.sessions.reply(session.id)
        found: List[Session] = await client.sessions.search(contact_id="u")
        async for s in client.sessions.iter_search(contact_id="u"):
            print(s.status)
        schedule = await client.sessions.schedule(
            session.id, datetime.now(timezone.utc), {"type": "node", "node_id": "n"}
        )
        message = await client.sessions.messages.create(session.id, MessageContentImage(url="https://x/y.png"))
        message = await client.sessions.messages.get(session.id, message.id)
        message = await client.sessions.messages.update(session.id, message.id, delivery_status="read")
        msgs = await client.sessions.messages.search(session_id=session.id)
        araw: antonnia_sdk.RawResponse[List[Message]] = await client.with_raw_response(
            client.sessions.messages.search, session_id=session.id
        )
        msgs = araw.data
        async for m in client.sessions.messages.iter_search():
            print(m.id)
        sub = await client.sessions.survey_submissions.get(session.id, "x")
        sub = await client.sessions.survey_submissions.reply(session.id, "x")
        sub = await client.sessions.survey_submissions.cancel(session.id, "x")
        agent = await client.agents.create(name="Ana", type="human", profile_id="p")
        agent = await client.agents.get(agent.id)
        agent = await client.agents.update(agent.id, profile_id="p2")
        agents = await client.agents.search()
        async for a in client.agents.iter_search():
            print(a.id)
        await client.agents.delete(agent.id)
        print(found, schedule, msgs, sub, agents)
    vendor_style: AsyncClient = Conversations(token="t")
    await vendor_style.close()


def models_and_helpers(client: Client, body: bytes, headers: Dict[str, str]) -> None:
    contents: List[MessageContent] = [
        MessageContentText(type="text", text="hi", template_id="t", template_parameters={"a": 1}),
        MessageContentImage(url="u"),
        MessageContentVideo(url="u"),
        MessageContentAudio(url="u", transcript="t"),
        MessageContentFile(url="u", mime_type="application/pdf", name="f.pdf"),
        MessageContentFunctionCall(id="c", name="f", input="{}"),
        MessageContentFunctionResult(id="c", name="f", output="ok"),
        MessageContentThought(thought="hmm"),
    ]
    as_dicts: List[Dict[str, Any]] = [c.to_dict() for c in contents]
    event = webhooks.parse(body, headers, secret="whsec_x", tolerance=300)
    if isinstance(event, webhooks.MessageCreated):
        msg: Message = event.data.object
        print(msg.content.type, event.id, event.created_at, event.type)
    elif isinstance(event, webhooks.SessionFinished):
        action: Optional[str] = event.data.action
        finished: Session = event.data.object
        print(action, finished)
    outbound: Optional[Message] = channel.outbound_message(event)
    if outbound is not None and channel.is_outbound(outbound):
        kwargs: DeliveryFields = channel.failed(131047)
        print(kwargs, channel.delivered("p"), channel.read("p"), channel.whatsapp_error_description(131047))
        # The TypedDict unpacks into messages.update's keywords, checked by mypy.
        client.sessions.messages.update("s", outbound.id, **channel.sent("p"))
        out = channel.deliverable(outbound)
        kind: Literal["text", "image", "video", "audio", "file", "unknown"] = out.kind
        url: Optional[str] = out.media_url
        print(kind, url, out.text, out.mime_type, out.filename, out.transcript, out.content.to_dict())
    receiver = webhooks.WebhookReceiver(secret="whsec_x")
    print(receiver.receive(body, headers).to_dict(), as_dicts, antonnia_sdk.__version__)


def errors() -> None:
    try:
        Client("t").sessions.get("s")
    except RateLimitError as e:
        wait: Optional[float] = e.retry_after
        print(wait)
    except (AuthenticationError, PermissionDeniedError, NotFoundError, ConflictError, ValidationError) as e:
        status: Optional[int] = e.status_code
        print(status, e.message, e.response_data, e.problems)
    except APIError as e:
        print(e.status_code)
    except (InvalidRequestError, APITimeoutError, TransportError, DecodeError, WebhookVerificationError) as e:
        print(e.kind, e.field, e.reason, e.path)
    except AntonniaError as e:
        request_id: Optional[str] = e.request_id
        print(e, request_id)


async def relay_usage(raw_body: bytes, headers: Dict[str, str]) -> None:
    from antonnia_sdk.relay import (
        ChannelRelay,
        Contact,
        DeliveryAttempt,
        DeliveryError,
        Received,
        RedisStore,
        StoreUnavailableError,
        SyncChannelRelay,
        SyncMemoryStore,
        SyncRedisStore,
        WebhookReply,
    )
    from antonnia_sdk.types import Message

    async def send_on_my_channel(message: Message, contact: Contact, attempt: DeliveryAttempt) -> Optional[str]:
        if attempt.redelivery:
            print(attempt.idempotency_key)
        if contact.channel_user_id == "blocked":
            raise DeliveryError(131047, "re-engagement window closed")
        return "wamid.2"

    client = AsyncClient(token="sk_test_sandbox")
    relay = ChannelRelay(client, channel_type="whatsapp", agent_id="agent_abc",
                         deliver=send_on_my_channel, webhook_secret="whsec_x",
                         store=RedisStore.from_url("redis://127.0.0.1:6379/0"))
    session: Received = await relay.receive(channel_user_id="ext_user_456", contact_name="Jane",
                                            text="Hello", provider_message_id="wamid.1")
    print(session.session_id, session.message_id, session.duplicate)
    try:
        status, body = await relay.handle_webhook(raw_body, headers)
        reply: WebhookReply = await relay.handle_webhook(raw_body, headers)
        print(status + 1, body.decode(), reply.headers, reply.outcome)
    except StoreUnavailableError:
        pass
    await relay.report(provider_message_id="wamid.2", status="delivered")

    def send_sync(message: Message, contact: Contact, attempt: DeliveryAttempt) -> Optional[str]:
        return None

    # Redis Sentinel: the master of a service, found through any of its sentinels.
    behind_sentinels = RedisStore.from_sentinel([("10.0.0.5", 26379), ("10.0.0.6", 26379)], "mymaster",
                                                password="secret", sentinel_kwargs={"socket_timeout": 1.0})
    await behind_sentinels.close()
    SyncRedisStore.from_sentinel([("10.0.0.5", 26379)], "mymaster", master_check_interval=1.0).close()
    sync = SyncChannelRelay(Client("t"), "whatsapp", deliver=send_sync, store=SyncMemoryStore(), verify=False)
    print(sync.receive("u", "hi", provider_message_id="p").session_id)
