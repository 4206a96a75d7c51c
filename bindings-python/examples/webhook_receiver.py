"""A webhook receiver on the standard library's http.server: the outbound half
of the Quick Start.

Antonnia POSTs ``message.created`` when the AI answers. This server verifies
the signature (when ANTONNIA_WEBHOOK_SECRET is set), delivers each pending
assistant message at most once on "the channel" (here: printed), then
reports it ``sent`` with the channel's id for it.

    ANTONNIA_TOKEN=sk_live_... ANTONNIA_WEBHOOK_SECRET=whsec_... \\
        python examples/webhook_receiver.py --port 8000

Against the local sandbox:

    antonnia-sandbox --port 0 --webhook-url http://127.0.0.1:8000/webhooks \\
        --webhook-secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
    ANTONNIA_TOKEN=sk_test_sandbox ANTONNIA_BASE_URL=<the URL it prints> \\
    ANTONNIA_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw \\
        python examples/webhook_receiver.py --port 8000
"""

from __future__ import annotations

import argparse
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Set

import antonnia_sdk
from antonnia_sdk import AntonniaError, channel, webhooks
from antonnia_sdk.types import Message, MessageContentText

MAX_BODY = 1024 * 1024


class Deliverer:
    """Delivers each outbound message once (webhooks may repeat or reorder)."""

    def __init__(self, client: antonnia_sdk.Client) -> None:
        self.client = client
        self.seen: Set[str] = set()
        self.lock = threading.Lock()

    def deliver(self, message: Message) -> None:
        with self.lock:
            if message.id in self.seen:
                return
            self.seen.add(message.id)
        text = message.content.text if isinstance(message.content, MessageContentText) else message.content.to_dict()
        provider_id = f"demo_{uuid.uuid4().hex[:12]}"  # what a real channel would answer
        print(f"deliver to session {message.session_id}: {text!r} -> {provider_id}", flush=True)
        if message.session_id:
            self.client.sessions.messages.update(message.session_id, message.id, **channel.sent(provider_id))


def make_handler(receiver: webhooks.WebhookReceiver, deliverer: Deliverer) -> Any:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self.answer(413)
                return
            body = self.rfile.read(length)
            try:
                event = receiver.receive(body, self.headers)
            except antonnia_sdk.WebhookVerificationError as exc:
                print(f"refused: {exc.reason}", flush=True)
                self.answer(401)
                return
            except AntonniaError as exc:
                print(f"unreadable webhook: {exc}", flush=True)
                self.answer(400)
                return
            # Answer quickly; deliver in the background.
            self.answer(204)
            message: Optional[Message] = channel.outbound_message(event)
            if message is not None:
                threading.Thread(target=deliverer.deliver, args=(message,), daemon=True).start()
            else:
                print(f"{event.type} ({event.id}): nothing to deliver", flush=True)

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    client = antonnia_sdk.Client(
        os.environ.get("ANTONNIA_TOKEN", "sk_test_sandbox"),
        base_url=os.environ.get("ANTONNIA_BASE_URL", antonnia_sdk.DEFAULT_BASE_URL),
    )
    receiver = webhooks.WebhookReceiver(secret=os.environ.get("ANTONNIA_WEBHOOK_SECRET"))
    server = ThreadingHTTPServer((args.host, args.port), make_handler(receiver, Deliverer(client)))
    print(f"listening on http://{args.host}:{server.server_address[1]}/webhooks", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        client.close()


if __name__ == "__main__":
    main()
