"""antonnia-sdk: a typed, fast client for the Antonnia Conversations API.

    from antonnia_sdk import Client

    with Client(token="sk_live_...") as client:
        session = client.sessions.create(contact_id="user_123", contact_name="Jane Doe")

``AsyncClient`` (alias ``Conversations``, the vendor's name) is the same on
``httpx.AsyncClient``. Requests are built and responses parsed by the SDK's
Rust core; httpx only carries the bytes.
"""

from . import channel, exceptions, types, webhooks
from ._async_client import AsyncClient
from ._common import DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, RawResponse
from ._core import __version__
from ._sync_client import Client
from .exceptions import (
    AntonniaError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    DecodeError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    TransportError,
    ValidationError,
    WebhookVerificationError,
)

#: The vendor package's name for the async client.
Conversations = AsyncClient

__all__ = [
    "Client",
    "AsyncClient",
    "Conversations",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "RawResponse",
    "__version__",
    "channel",
    "exceptions",
    "types",
    "webhooks",
    "AntonniaError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "ConflictError",
    "DecodeError",
    "InvalidRequestError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "TransportError",
    "ValidationError",
    "WebhookVerificationError",
]
