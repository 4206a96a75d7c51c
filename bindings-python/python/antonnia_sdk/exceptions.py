"""Exceptions raised by the SDK, named as in the vendor's ``antonnia-conversations``.

``AntonniaError`` is the root. Errors the server answered with carry
``status_code``, ``message`` (the ``detail`` text) and ``response_data`` (the
error body as JSON, ``{}`` when it was not JSON). Errors raised on this side of
the wire (``InvalidRequestError``, ``TransportError``, ``APITimeoutError``,
``DecodeError``, ``WebhookVerificationError``) have ``status_code`` None.

Every exception also has ``kind``, the language-neutral name shared by all the
SDK's bindings (``"not_found"``, ``"rate_limit"``, ...), and ``request_id``:
for an error of a call, the server's id for the request when it named one
(``x-request-id``), else the ``x-request-id`` the SDK sent — quote it to
support. None for errors raised before a request existed.
"""

from __future__ import annotations

import builtins
from typing import Any, Dict, List, Optional

__all__ = [
    "AntonniaError",
    "APIError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "InvalidRequestError",
    "TransportError",
    "APITimeoutError",
    "DecodeError",
    "PayloadTooLargeError",
    "WebhookVerificationError",
    "ClientClosedError",
    "RelayError",
]


class AntonniaError(Exception):
    """Base exception for all Antonnia SDK errors."""

    kind: str = "antonnia"

    def __init__(
        self,
        message: str,
        status_code: Optional[int] = None,
        response_data: Optional[Dict[str, Any]] = None,
        **extra: Any,
    ) -> None:
        description = extra.pop("description", None) or message
        super().__init__(description)
        self.message: str = message
        self.status_code: Optional[int] = status_code
        self.response_data: Any = response_data if response_data is not None else {}
        self.kind = extra.pop("kind", type(self).kind)
        #: FastAPI-style validation problems: ``[{"loc": [...], "msg": ..., "type": ...}]``.
        self.problems: List[Dict[str, Any]] = extra.pop("problems", None) or []
        #: The raw error body (first 8 KiB), when the server answered.
        self.body: Optional[str] = extra.pop("body", None)
        #: For ``InvalidRequestError``: the argument at fault.
        self.field: Optional[str] = extra.pop("field", None)
        #: For ``DecodeError``: where in the document parsing failed.
        self.path: Optional[str] = extra.pop("path", None)
        #: For ``WebhookVerificationError``: why (``"no_matching_signature"``, ...).
        self.reason: Optional[str] = extra.pop("reason", None)
        #: The request's id: the server's when it named one, else the SDK's.
        self.request_id: Optional[str] = extra.pop("request_id", None)
        if not hasattr(self, "retry_after"):
            self.retry_after: Optional[float] = extra.pop("retry_after", None)
        else:
            extra.pop("retry_after", None)

    def __repr__(self) -> str:
        request_id = f", request_id={self.request_id!r}" if self.request_id else ""
        return f"{type(self).__name__}({str(self)!r}, status_code={self.status_code!r}{request_id})"


class APIError(AntonniaError):
    """Any other non-2xx answer (5xx, and 4xx without a class of its own)."""

    kind = "api"


class AuthenticationError(APIError):
    """401: the token is missing, malformed or revoked."""

    kind = "authentication"


class PermissionDeniedError(APIError):
    """403: the token lacks access to this resource."""

    kind = "permission_denied"


class NotFoundError(APIError):
    """404: no such session, message, agent or survey submission."""

    kind = "not_found"


class ConflictError(APIError):
    """409: a conflict, such as a duplicate ``provider_message_id``."""

    kind = "conflict"


class ValidationError(APIError):
    """422: the server rejected the request's content (see ``problems``)."""

    kind = "validation"


class RateLimitError(APIError):
    """429: too many requests; ``retry_after`` is the wait the server asked for, in seconds."""

    kind = "rate_limit"

    def __init__(self, message: str, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class InvalidRequestError(AntonniaError, ValueError):
    """The arguments were refused before anything was sent (``field`` names the culprit)."""

    kind = "invalid_request"


class TransportError(AntonniaError):
    """The HTTP client failed before a response arrived (DNS, connection, TLS...)."""

    kind = "transport"


class APITimeoutError(TransportError, builtins.TimeoutError):
    """No response arrived in time. Also a built-in ``TimeoutError``."""

    kind = "timeout"


class DecodeError(AntonniaError):
    """A 2xx response, or a webhook, whose body is not what the API describes (see ``path``)."""

    kind = "decode"


class PayloadTooLargeError(APIError):
    """A body over a size limit: a request the server refused with 413
    (``status_code`` 413), or a webhook or response body over this side's
    limit (``status_code`` None)."""

    kind = "payload_too_large"


class WebhookVerificationError(AntonniaError):
    """A webhook whose signature does not verify (see ``reason``)."""

    kind = "webhook_verification"


class ClientClosedError(AntonniaError, RuntimeError):
    """A call on a client after ``close()`` (or whose injected HTTP client was
    closed). Also a built-in ``RuntimeError``."""

    kind = "client_closed"


class RelayError(AntonniaError):
    """The root of the channel relay's own errors (``antonnia_sdk.relay``:
    ``StoreUnavailableError``, ``LockTimeoutError``). Being an
    ``AntonniaError``, one ``except AntonniaError`` around ``relay.receive``
    catches everything to answer the channel with a retryable 503."""

    kind = "relay"


_BY_KIND = {
    cls.kind: cls
    for cls in (
        APIError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        ValidationError,
        RateLimitError,
        InvalidRequestError,
        TransportError,
        APITimeoutError,
        DecodeError,
        PayloadTooLargeError,
        WebhookVerificationError,
    )
}


def _from_core(info: Dict[str, Any]) -> AntonniaError:
    """Builds the exception for a core error from its flat info (called from Rust).

    The class is chosen by ``kind`` alone; ``message`` is the server's
    ``detail`` for errors it answered with, else the whole description.
    """
    kind = info["kind"]
    cls = _BY_KIND.get(kind, AntonniaError)
    detail = info.get("detail")
    return cls(
        detail if detail is not None else info["message"],
        status_code=info.get("status"),
        response_data=info.get("data"),
        description=info["message"],
        kind=kind,
        retry_after=info.get("retry_after"),
        problems=info.get("problems"),
        body=info.get("body"),
        field=info.get("field"),
        path=info.get("path"),
        reason=info.get("reason"),
        request_id=info.get("request_id"),
    )
