"""The channel relay: the Quick Start loop as one object, safe across
concurrent calls and many worker processes sharing Redis.

    from antonnia_sdk import AsyncClient
    from antonnia_sdk.relay import ChannelRelay, DeliveryError, RedisStore

    async def send_on_my_channel(message, contact, attempt):
        out = channel.deliverable(message)            # text / media, one shape
        return await whatsapp.send(contact.channel_user_id, out.text,
                                   idempotency_key=attempt.idempotency_key)  # -> provider message id

    relay = ChannelRelay(client, channel_type="whatsapp", agent_id="agent_abc",
                         deliver=send_on_my_channel, webhook_secret="whsec_...",
                         store=RedisStore.from_url("redis://127.0.0.1:6379/0"))  # default: MemoryStore()
    received = await relay.receive(channel_user_id="ext_user_456", contact_name="Jane",
                                   text="Hello", provider_message_id="wamid.1")
    reply = await relay.handle_webhook(raw_body, headers)   # your webhook endpoint: answer with
    # reply.status, reply.body and reply.headers (Retry-After on a 503)
    asyncio.create_task(relay.run_sweeper(5))   # on one or more workers: what a worker that died
    # mid-send held goes out without waiting for a webhook retry (or relay.recover() yourself)
    await relay.report(provider_message_id="wamid.2", status="delivered")
    relay.stats()                                # counters: webhooks by outcome, deliveries, waits, ...
    prometheus_client.REGISTRY.register(prometheus_collector(relay))  # or observe_with_opentelemetry(relay, meter)

``SyncChannelRelay`` (with ``SyncMemoryStore`` / ``SyncRedisStore`` and a
sync ``Client``) is the same without ``await``. The guarantees, the store's
key and record format (shared with other languages' relays), and what the
integrator still owns: ``docs/relay.md``.
"""

from ._async_relay import ChannelRelay, MemoryStore, RedisStore
from ._relay_common import (
    DEFAULT_PREFIX,
    Recovered,
    AsyncDeliver,
    Contact,
    Deliver,
    DeliveryAttempt,
    DeliveryError,
    LockTimeoutError,
    Received,
    RelayError,
    RelayKeys,
    RelayStatsSnapshot,
    StoreUnavailableError,
    WebhookReply,
    decode_record,
    encode_record,
    observe_with_opentelemetry,
    prometheus_collector,
)
from ._sync_relay import SyncChannelRelay, SyncMemoryStore, SyncRedisStore

__all__ = [
    "ChannelRelay",
    "MemoryStore",
    "RedisStore",
    "SyncChannelRelay",
    "SyncMemoryStore",
    "SyncRedisStore",
    "Contact",
    "DeliveryAttempt",
    "DeliveryError",
    "RelayError",
    "StoreUnavailableError",
    "RelayStatsSnapshot",
    "prometheus_collector",
    "observe_with_opentelemetry",
    "LockTimeoutError",
    "Received",
    "Recovered",
    "WebhookReply",
    "RelayKeys",
    "AsyncDeliver",
    "Deliver",
    "decode_record",
    "encode_record",
    "DEFAULT_PREFIX",
]
