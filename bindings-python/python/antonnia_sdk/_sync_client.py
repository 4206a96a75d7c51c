"""The synchronous client, on ``httpx.Client``.

GENERATED from ``_async_client.py`` by ``scripts/unasync.py``: do not edit.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime
from time import monotonic
from types import TracebackType
from typing import Any, Iterator, Callable, Dict, List, Mapping, Optional, Tuple, Type, TypeVar, Union

import httpx

from . import _core
from ._common import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    AttemptFailed,
    Capture,
    ContentLike,
    RawResponse,
    args,
    attempt_seconds,
    call_args,
    capture,
    bounded_timeout,
    check_max_items,
    check_token,
    check_total_timeout,
    checked_base_url,
    checked_headers,
    checked_max_retries,
    checked_text,
    describe,
    new_request_id,
    not_a_call,
)
from .exceptions import AntonniaError, ClientClosedError, InvalidRequestError, TransportError
from .types import (
    Agent,
    AgentType,
    Message,
    MessageDeliveryStatus,
    MessageRole,
    ScheduleConfigLike,
    Session,
    SessionSchedule,
    SessionStatus,
    SurveySubmission,
)

__all__ = ["Client"]

# Each attempt and its outcome are logged at DEBUG in the core's words (call,
# method, URL, status, request id): never a header value or a body.
_log = logging.getLogger("antonnia_sdk")

_T = TypeVar("_T")


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


class Client:
    """A client of the Antonnia Conversations API.

    ``token`` is the API token (``sk_live_...``); ``base_url`` the API root
    (default: production); ``http_client`` an ``httpx`` client of your own
    (proxies, mounts, event hooks), which the SDK then never closes;
    ``max_retries`` how many times a failed call is sent again when the core
    deems it safe (429 and, for calls without side effects, 5xx and network
    failures), honouring ``Retry-After``; ``headers`` extra headers sent with
    every request.

    Deadlines: ``timeout`` (seconds, or an ``httpx.Timeout`` whose largest
    value counts) bounds each attempt from sending the request to the last
    byte of the answer, so a server that drips its body cannot stretch it;
    ``total_timeout`` (seconds, default 120; None leaves only the per-attempt
    bound) bounds the whole call, retries and the waits between them
    included — an attempt gets at most what is left, and a retry that would
    end past it is not made. Responses over
    ``max_response_bytes`` (default 10 MiB) are refused with
    ``PayloadTooLargeError``.

    ``max_retries`` takes any int >= 0; values above ``MAX_RETRIES_CAP``
    (2**32 - 1) mean the same as it: retry for as long as the core deems it
    safe. ``base_url`` must not carry credentials (``user:pw@host``): httpx
    would send them as Basic auth in place of the token.

    Each call sends a fresh ``x-request-id`` (``req_`` + 32 hex digits);
    every ``AntonniaError`` a call raises has ``request_id``: the server's id
    for the request when it named one, else that one. Set ``ANTONNIA_LOG=debug``
    (or configure the ``antonnia_sdk`` logger) to see each attempt.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: Union[float, httpx.Timeout, None] = DEFAULT_TIMEOUT,
        http_client: Optional[httpx.Client] = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Optional[Mapping[str, str]] = None,
        *,
        total_timeout: Optional[float] = DEFAULT_TOTAL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if isinstance(timeout, (httpx.Client, httpx.Client)):
            # The vendor's third positional parameter is http_client.
            raise TypeError("pass the HTTP client by keyword: http_client=...")
        if http_client is not None and not isinstance(http_client, httpx.Client):
            # The other flavour would be accepted and fail at the first call
            # (a coroutine never awaited, or a blocking call in an event loop).
            raise TypeError(
                f"{type(self).__name__} needs http_client to be an httpx.Client, not {type(http_client).__name__}"
            )
        check_token(token)
        self._config = _core.Config(token, checked_base_url(base_url), checked_headers(headers))
        self._policy = _core.RetryPolicy(checked_max_retries(max_retries))
        if timeout is None:
            raise InvalidRequestError(
                "timeout: None would let a call hang forever; pass seconds or an httpx.Timeout",
                field="timeout",
            )
        self._total_timeout = check_total_timeout(total_timeout)
        self._max_response_bytes = max_response_bytes
        self._closed = False
        self._owns_client = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout)
        # An injected client keeps its own timeout unless one was asked for.
        self._timeout = httpx.Timeout(
            self._http.timeout if (http_client is not None and timeout is DEFAULT_TIMEOUT) else timeout
        )
        self._attempt_seconds = attempt_seconds(self._timeout)
        self.sessions = Sessions(self)
        self.agents = Agents(self)

    @property
    def base_url(self) -> str:
        """The API root requests are sent to."""
        return self._config.base_url

    def __repr__(self) -> str:
        # Safe on a client whose __init__ raised (tracebacks repr `self`).
        config = getattr(self, "_config", None)
        if config is None:
            return f"{type(self).__name__}(<not initialised>)"
        return f"{type(self).__name__}(base_url={config.base_url!r})"

    def close(self) -> None:
        """Closes the HTTP client, unless it was passed in; later calls raise
        ``ClientClosedError``."""
        self._closed = True
        if self._owns_client:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def with_raw_response(self, method: Callable[..., _T], *args: Any, **kwargs: Any) -> RawResponse[_T]:
        """Calls ``method(*args, **kwargs)`` — a method of this client that
        makes one API call, e.g. ``client.sessions.get`` — and returns its
        result with the HTTP response it came from::

            raw = client.with_raw_response(client.sessions.get, "sess_123")
            raw.status_code, raw.headers["content-type"], raw.request_id
            session = raw.data
        """
        holder = Capture()
        reset_to = capture.set(holder)
        try:
            result = method(*args, **kwargs)
            if hasattr(result, "__anext__") or hasattr(result, "__next__"):
                raise not_a_call(method)
            data = result
        finally:
            capture.reset(reset_to)
        return holder.response(data, method)

    def _request(self, name: str, arguments: Dict[str, Any]) -> Any:
        return self._send(_core.Call(name, arguments))

    def _send(self, call: _core.Call) -> Any:
        """One call to its end: the core's exchange decides each attempt's
        limit, retries and the final error; this loop only sends and sleeps."""
        if self._closed:
            raise ClientClosedError(f"{call.name}: the client is closed")
        logging_on = _log.isEnabledFor(logging.DEBUG)
        exchange = _core.Exchange(
            call,
            self._config,
            self._policy,
            self._attempt_seconds,
            self._total_timeout,
            self._max_response_bytes,
            request_id=new_request_id(),
            log=logging_on,
        )
        started = monotonic()
        while True:
            if logging_on:
                _log.debug(exchange.log_attempt())
            try:
                status, headers, body = self._attempt(exchange, exchange.attempt_timeout(monotonic() - started))
            except AttemptFailed as failed:
                try:
                    wait = exchange.on_failure(
                        failed.kind, failed.detail, monotonic() - started, random.random(), failed.received
                    )
                except Exception as final:
                    if logging_on:
                        _log.debug("%s (%s)", exchange.last_log, failed.detail)
                    raise final from failed.__cause__
                if logging_on:
                    _log.debug("%s (%s)", exchange.last_log, failed.detail)
            else:
                try:
                    done, value = exchange.on_response(status, headers, body, monotonic() - started, random.random())
                finally:
                    if logging_on:
                        _log.debug(exchange.last_log)
                if done:
                    holder = capture.get()
                    if holder is not None:
                        holder.status_code = status
                        holder.headers = headers
                        holder.request_id = exchange.response_request_id(headers)
                    return value
                wait = value
            _sleep(wait)

    def _attempt(self, exchange: _core.Exchange, limit: float) -> Tuple[int, List[Tuple[str, str]], bytes]:
        """Sends the exchange's request once and reads the whole body within
        ``limit`` seconds and the size cap; failures become ``AttemptFailed``."""
        deadline = monotonic() + limit
        cap = exchange.max_response_bytes
        method, url, body = exchange.target()
        timeout = self._timeout if limit >= self._attempt_seconds else bounded_timeout(self._timeout, limit)
        try:
            request = self._http.build_request(method, url, headers=exchange.headers(), content=body, timeout=timeout)
            response = self._http.send(request, stream=True)
            try:
                chunks: List[bytes] = []
                received = 0
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > cap:
                        raise AttemptFailed("body_too_large", "", received)
                    if monotonic() > deadline:
                        raise AttemptFailed("timed_out", f"the body was still arriving after {limit:g} s")
                    chunks.append(chunk)
            finally:
                response.close()
            return response.status_code, response.headers.multi_items(), b"".join(chunks)
        except httpx.TimeoutException as exc:
            # A connect timeout means the server never saw the request.
            kind = "connect_failed" if isinstance(exc, httpx.ConnectTimeout) else "timed_out"
            raise AttemptFailed(kind, describe(exc)) from exc
        except httpx.ConnectError as exc:
            raise AttemptFailed("connect_failed", describe(exc)) from exc
        except httpx.RequestError as exc:
            raise AttemptFailed("transport_failed", describe(exc)) from exc
        except httpx.InvalidURL as exc:
            raise InvalidRequestError(
                f"{exchange.name}: the URL is not valid: {exc}", field="base_url", request_id=exchange.request_id
            ) from exc
        except RuntimeError as exc:
            # httpx refuses a closed client, and anyio a client whose
            # connections belong to another event loop.
            if self._http.is_closed:
                raise ClientClosedError(
                    f"{exchange.name}: the HTTP client is closed", request_id=exchange.request_id
                ) from exc
            raise TransportError(
                f"{exchange.name}: {exc} (an Client belongs to the event loop it was first used on)",
                request_id=exchange.request_id,
            ) from exc

    def _paginate(self, name: str, arguments: Dict[str, Any]) -> Iterator[Any]:
        call: Optional[_core.Call] = _core.Call(name, arguments)
        while call is not None:
            page = self._send(call)
            for item in page:
                yield item
            call = call.next_page(len(page))


def _capped(items: Iterator[Any], max_items: Optional[int]) -> Iterator[Any]:
    """``items``, stopping after ``max_items`` (None: all) without asking for another page."""
    if max_items == 0:
        return
    count = 0
    for item in items:
        yield item
        count += 1
        if max_items is not None and count >= max_items:
            return


class Sessions:
    """``client.sessions``: conversations between a contact and an agent."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self.messages = Messages(client)
        self.survey_submissions = SurveySubmissions(client)

    def create(
        self,
        contact_id: str,
        contact_name: str,
        agent_id: Optional[str] = None,
        status: Optional[SessionStatus] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Session:
        """Creates a session (``status`` defaults to ``"open"`` on the server)."""
        return self._client._request(  # type: ignore[no-any-return]
            "sessions.create",
            call_args(locals()),
        )

    def get(self, session_id: str) -> Session:
        """Fetches a session."""
        return self._client._request("sessions.get", call_args(locals()))  # type: ignore[no-any-return]

    def update(
        self,
        session_id: str,
        fields: Optional[Mapping[str, Any]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Session:
        """Changes a session's ``fields`` (``thread_id``, ``status``, ``agent_id``,
        ``ending_survey_submission_id``, ``metadata``). ``metadata=`` is the
        vendor's deprecated shortcut for ``fields={"metadata": ...}``."""
        if fields is not None and not isinstance(fields, Mapping):
            raise TypeError(f"fields must be a mapping of field names to values, not {type(fields).__name__}")
        merged: Dict[str, Any] = dict(fields or {})
        if metadata is not None:
            merged["metadata"] = metadata
        return self._client._request(  # type: ignore[no-any-return]
            "sessions.update", args(session_id=session_id, fields=merged)
        )

    def transfer(
        self,
        session_id: str,
        agent_id: Optional[str] = None,
        auto_reply: Optional[bool] = None,
    ) -> Session:
        """Hands the session to another agent; ``agent_id=None`` removes the agent."""
        arguments = call_args(locals())
        arguments["agent_id"] = agent_id
        return self._client._request("sessions.transfer", arguments)  # type: ignore[no-any-return]

    def finish(self, session_id: str, ending_survey_id: Optional[str] = None) -> Session:
        """Closes the session, optionally starting a satisfaction survey."""
        return self._client._request(  # type: ignore[no-any-return]
            "sessions.finish", call_args(locals())
        )

    def reply(
        self,
        session_id: str,
        debounce_time: int = 12,
        starting_node_id: Optional[str] = None,
    ) -> Session:
        """Asks the AI agent to answer after ``debounce_time`` seconds (0..=60), so
        that a burst of user messages gets one answer."""
        return self._client._request(  # type: ignore[no-any-return]
            "sessions.reply",
            call_args(locals()),
        )

    def search(
        self,
        contact_id: Optional[str] = None,
        status: Optional[SessionStatus] = None,
        metadata: Optional[Mapping[str, Union[str, int, float]]] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> List[Session]:
        """One page of sessions (``metadata`` keys may be dotted paths)."""
        return self._client._request(  # type: ignore[no-any-return]
            "sessions.search",
            call_args(locals()),
        )

    def iter_search(
        self,
        contact_id: Optional[str] = None,
        status: Optional[SessionStatus] = None,
        metadata: Optional[Mapping[str, Union[str, int, float]]] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> Iterator[Session]:
        """Every matching session, fetching page after page.

        ``limit`` is the page size (how many sessions each request asks for),
        not a cap on the results: ``max_items`` stops after that many."""
        check_max_items(max_items)
        arguments = call_args(locals(), "max_items")
        for item in _capped(self._client._paginate("sessions.search", arguments), max_items):
            yield item

    def schedule(
        self,
        session_id: str,
        scheduled_for: Union[datetime, str],
        config: ScheduleConfigLike,
    ) -> SessionSchedule:
        """Schedules a message (``{"type": "message", "message": content}``) or a
        flow node (``{"type": "node", "node_id": ...}``) for later."""
        return self._client._request(  # type: ignore[no-any-return]
            "sessions.schedule", call_args(locals())
        )


class Messages:
    """``client.sessions.messages``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(
        self,
        session_id: str,
        content: ContentLike,
        role: MessageRole = "user",
        provider_message_id: Optional[str] = None,
        replied_provider_message_id: Optional[str] = None,
        run_id: Optional[str] = None,
    ) -> Message:
        """Records a message (``content`` is a ``MessageContent*`` or its dict form)."""
        return self._client._request(  # type: ignore[no-any-return]
            "messages.create",
            call_args(locals()),
        )

    def get(self, session_id: str, message_id: str) -> Message:
        """Fetches a message."""
        return self._client._request(  # type: ignore[no-any-return]
            "messages.get", call_args(locals())
        )

    def update(
        self,
        session_id: str,
        message_id: str,
        provider_message_id: Optional[str] = None,
        replied_provider_message_id: Optional[str] = None,
        delivery_status: Optional[MessageDeliveryStatus] = None,
        delivery_error_code: Optional[int] = None,
        delivery_error_message: Optional[str] = None,
        delivered_at: Optional[Union[datetime, str]] = None,
    ) -> Message:
        """Reports what became of a message on the channel (see ``antonnia_sdk.channel``)."""
        return self._client._request(  # type: ignore[no-any-return]
            "messages.update",
            call_args(locals()),
        )

    def search(
        self,
        session_id: Optional[str] = None,
        provider_message_id: Optional[str] = None,
        replied_provider_message_id: Optional[str] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        role: Optional[MessageRole] = None,
    ) -> List[Message]:
        """One page of messages, in one session or (without ``session_id``) across all."""
        return self._client._request(  # type: ignore[no-any-return]
            "messages.search",
            call_args(locals()),
        )

    def iter_search(
        self,
        session_id: Optional[str] = None,
        provider_message_id: Optional[str] = None,
        replied_provider_message_id: Optional[str] = None,
        offset: Optional[int] = None,
        limit: Optional[int] = None,
        role: Optional[MessageRole] = None,
        max_items: Optional[int] = None,
    ) -> Iterator[Message]:
        """Every matching message, page after page.

        ``limit`` is the page size (how many messages each request asks for),
        not a cap on the results: ``max_items`` stops after that many."""
        check_max_items(max_items)
        arguments = call_args(locals(), "max_items")
        for item in _capped(self._client._paginate("messages.search", arguments), max_items):
            yield item

    def stream(
        self,
        session_id: str,
        poll_interval: float = 1.0,
        max_poll_interval: float = 30.0,
        from_start: bool = False,
        after: Optional[str] = None,
    ) -> Iterator[Message]:
        """Each new message of the session, once and in order, as it arrives:
        the agent's replies without a webhook endpoint (a chat window, a
        script). It polls the session's message search — every
        ``poll_interval`` seconds while messages keep coming, backing off to
        ``max_poll_interval`` while the session is idle, honouring
        ``Retry-After`` — and runs until you stop iterating. Messages the
        session holds at the first poll are skipped unless ``from_start``, or
        unless they follow the message ``after`` (an id): pass the id of the
        message you just sent and the answer comes out even if it arrived
        before the first poll. A poll that fails
        for good (a bad token, an unknown session) ends it with that error;
        rate limits and server or network trouble only delay it."""
        if isinstance(session_id, str):
            checked_text("session_id", session_id)
        cursor = _core.MessageStream(session_id, poll_interval, max_poll_interval, 100, from_start)
        if after is not None:
            cursor.start_after(checked_text("after", after) if isinstance(after, str) else after)
        while True:
            try:
                page = self._client._send(cursor.next_call())
            except AntonniaError as exc:
                wait = cursor.on_failed_poll(exc.kind, exc.status_code, exc.retry_after)
                if wait is None:
                    raise
            else:
                fresh, wait = cursor.on_page(page)
                for message in fresh:
                    yield message
            _sleep(wait)


class SurveySubmissions:
    """``client.sessions.survey_submissions``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def get(self, session_id: str, survey_submission_id: str) -> SurveySubmission:
        """Fetches a survey submission."""
        return self._client._request(  # type: ignore[no-any-return]
            "survey_submissions.get", call_args(locals())
        )

    def reply(self, session_id: str, survey_submission_id: str) -> SurveySubmission:
        """Asks the agent to (re)send the survey."""
        return self._client._request(  # type: ignore[no-any-return]
            "survey_submissions.reply", call_args(locals())
        )

    def cancel(self, session_id: str, survey_submission_id: str) -> SurveySubmission:
        """Cancels a pending survey."""
        return self._client._request(  # type: ignore[no-any-return]
            "survey_submissions.cancel", call_args(locals())
        )


class Agents:
    """``client.agents``: AI and human agents."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(
        self,
        name: str,
        type: AgentType,
        assistant_id: Optional[str] = None,
        profile_id: Optional[str] = None,
    ) -> Agent:
        """Creates an agent (``type`` ``"ai"`` needs ``assistant_id``, ``"human"`` ``profile_id``)."""
        return self._client._request(  # type: ignore[no-any-return]
            "agents.create", call_args(locals())
        )

    def get(self, agent_id: str) -> Agent:
        """Fetches an agent."""
        return self._client._request("agents.get", call_args(locals()))  # type: ignore[no-any-return]

    def update(
        self,
        agent_id: str,
        name: Optional[str] = None,
        assistant_id: Optional[str] = None,
        profile_id: Optional[str] = None,
    ) -> Agent:
        """Changes an agent's fields."""
        return self._client._request(  # type: ignore[no-any-return]
            "agents.update",
            call_args(locals()),
        )

    def delete(self, agent_id: str) -> None:
        """Deletes an agent."""
        self._client._request("agents.delete", call_args(locals()))

    def search(
        self,
        type: Optional[AgentType] = None,
        assistant_id: Optional[str] = None,
        profile_id: Optional[str] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> List[Agent]:
        """One page of agents."""
        return self._client._request(  # type: ignore[no-any-return]
            "agents.search",
            call_args(locals()),
        )

    def iter_search(
        self,
        type: Optional[AgentType] = None,
        assistant_id: Optional[str] = None,
        profile_id: Optional[str] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        max_items: Optional[int] = None,
    ) -> Iterator[Agent]:
        """Every matching agent, page after page.

        ``limit`` is the page size (how many agents each request asks for),
        not a cap on the results: ``max_items`` stops after that many."""
        check_max_items(max_items)
        arguments = call_args(locals(), "max_items")
        for item in _capped(self._client._paginate("agents.search", arguments), max_items):
            yield item
