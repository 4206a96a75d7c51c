"""One worker of a channel integration built on antonnia_sdk.relay.

Run several of these behind a load balancer (or, as here, each receiving
every webhook): they share one Redis (or one Redis Cluster, with
--redis-cluster-url; or the master behind Redis Sentinel, with
--redis-sentinel and --redis-service), so each contact has one session and each answer goes
out once, in order, even when a worker dies.

    python worker.py --port 8001 --redis-url redis://127.0.0.1:6379/0 \\
        --base-url http://127.0.0.1:41234/conversations/v2/api/v1 --token sk_test_sandbox \\
        --webhook-secret whsec_...

Endpoints (plain standard library HTTP, one thread per request):
  POST /webhooks  Antonnia's webhooks → relay.handle_webhook
  POST /inbound   the channel's inbound messages, as JSON
                  {"channel_user_id", "text", "provider_message_id", "contact_name"?} → relay.receive
  GET  /health

The "channel" is fake: it prints what it sends (and, with --log, appends one
JSON line per send to that file), and returns an id as a real one would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional

from antonnia_sdk import Client, channel
from antonnia_sdk.relay import Contact, DeliveryAttempt, SyncChannelRelay, SyncMemoryStore, SyncRedisStore
from antonnia_sdk.types import Message


class FakeChannel:
    """Stands in for WhatsApp & co: prints each message it is asked to send."""

    def __init__(self, name: str, log: Optional[str], delay: float) -> None:
        self.name = name
        self.log = log
        self.delay = delay
        self.lock = threading.Lock()

    def send(self, message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
        out = channel.deliverable(message)
        line = {
            "worker": self.name,
            "message_id": message.id,
            "session_id": contact.session_id,
            "to": contact.channel_user_id,
            "text": out.text or out.media_url,
            "redelivery": attempt.redelivery,
            "idempotency_key": attempt.idempotency_key,
            "at": time.time(),
        }
        if self.log:
            # One write per line with O_APPEND: lines from several processes never interleave.
            fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (json.dumps(line) + "\n").encode())
            finally:
                os.close(fd)
        else:
            flag = " (redelivery)" if attempt.redelivery else ""
            with self.lock:
                print(f"[{self.name}] → {contact.channel_user_id}: {out.text or out.media_url}{flag}", flush=True)
        if self.delay:
            time.sleep(self.delay)  # the channel's answer takes a while: the message is out, not yet reported
        return f"fake.{uuid.uuid4().hex[:12]}"


def serve(relay: SyncChannelRelay, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: bytes, headers: Optional[Dict[str, str]] = None) -> None:
            self.send_response(status)
            for k, v in (headers or {"content-type": "application/json"}).items():
                self.send_header(k, v)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(200, b'{"ok":true}')

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path == "/webhooks":
                reply = relay.handle_webhook(body, self.headers)
                self._answer(reply.status, reply.body, reply.headers)
            elif self.path == "/inbound":
                try:
                    m: Any = json.loads(body)
                    r = relay.receive(
                        channel_user_id=m["channel_user_id"],
                        text=m["text"],
                        provider_message_id=m["provider_message_id"],
                        contact_name=m.get("contact_name"),
                    )
                    out = {"session_id": r.session_id, "message_id": r.message_id, "duplicate": r.duplicate}
                    self._answer(200, json.dumps(out).encode())
                except Exception as exc:  # the channel retries its inbound webhook
                    self._answer(503, json.dumps({"error": type(exc).__name__}).encode())
            else:
                self._answer(404, b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--name", default=f"worker-{os.getpid()}")
    p.add_argument("--redis-url", help="shared store; without it, MemoryStore (one process only)")
    p.add_argument("--redis-cluster-url", help="shared store on a Redis Cluster: any one node's redis:// URL")
    p.add_argument("--redis-sentinel", help="shared store behind Redis Sentinel: host:port,host:port,... of the sentinels")
    p.add_argument("--redis-service", default="mymaster", help="the master's name the sentinels watch (with --redis-sentinel)")
    p.add_argument("--base-url", default=os.environ.get("ANTONNIA_BASE_URL"))
    p.add_argument("--token", default=os.environ.get("ANTONNIA_TOKEN", "sk_test_sandbox"))
    p.add_argument("--webhook-secret", default=os.environ.get("ANTONNIA_WEBHOOK_SECRET"))
    p.add_argument("--channel-type", default="whatsapp")
    p.add_argument("--agent-id", default="agent_abc")
    p.add_argument("--debounce", type=int, default=3)
    p.add_argument("--claim-lease", type=float, default=30.0)
    p.add_argument("--lock-lease", type=float, default=30.0)
    p.add_argument("--log", help="append one JSON line per send here instead of printing")
    p.add_argument("--send-delay", type=float, default=0.0)
    a = p.parse_args()

    client = Client(token=a.token, base_url=a.base_url) if a.base_url else Client(token=a.token)
    store: Any
    if a.redis_cluster_url:
        store = SyncRedisStore.from_cluster_url(a.redis_cluster_url)
    elif a.redis_sentinel:
        sentinels = [(h, int(port)) for h, _, port in (x.rpartition(":") for x in a.redis_sentinel.split(","))]
        store = SyncRedisStore.from_sentinel(sentinels, a.redis_service)
    elif a.redis_url:
        store = SyncRedisStore.from_url(a.redis_url)
    else:
        store = SyncMemoryStore()
    fake = FakeChannel(a.name, a.log, a.send_delay)
    relay = SyncChannelRelay(
        client,
        channel_type=a.channel_type,
        agent_id=a.agent_id,
        deliver=fake.send,
        webhook_secret=a.webhook_secret,
        store=store,
        debounce=a.debounce,
        claim_lease=a.claim_lease,
        lock_lease=a.lock_lease,
    )
    server = serve(relay, a.port)
    print(f"relay worker {a.name} listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        relay.close()
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
