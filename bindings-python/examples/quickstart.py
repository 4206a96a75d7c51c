"""The Quick Start end to end with antonnia_sdk: create a session, send the
user's message, ask the AI to reply, receive the ``message.created`` webhook,
deliver it, report the delivery.

Without ANTONNIA_TOKEN it starts a local antonnia-sandbox (the binary named by
ANTONNIA_SANDBOX_BIN, as ``make demo`` does) and a webhook receiver on the
standard library's http.server. With ANTONNIA_TOKEN (and optionally
ANTONNIA_BASE_URL) it talks to the real API; the real service posts webhooks
to your organization's endpoint, so the answer is read back with a search.

    make demo                                  # against the sandbox
    ANTONNIA_TOKEN=sk_live_... make demo       # against the real API
"""

from __future__ import annotations

import base64
import os
import queue
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Set, Tuple

from antonnia_sdk import Client, channel, webhooks
from antonnia_sdk.types import Message, MessageContentText, Session

DEBOUNCE_SECONDS = 3
MAX_BODY = 1024 * 1024


class WebhookReceiver:
    """Receives deliveries on 127.0.0.1, verifies them, queues the events."""

    def __init__(self, secret: str) -> None:
        self.events: "queue.Queue[webhooks.Event]" = queue.Queue()
        self.refused: List[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_BODY:
                    self.send_response(413)
                    self.end_headers()
                    return
                body = self.rfile.read(length)
                try:
                    event = webhooks.parse(body, self.headers, secret=secret)
                except Exception as exc:  # a bad signature or body: refuse it, say why
                    receiver.refused.append(str(exc))
                    self.send_response(400)
                    self.end_headers()
                    return
                receiver.events.put(event)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class LocalSandbox:
    """The antonnia-sandbox binary, started on a free port and stopped on exit."""

    def __init__(self, binary: str, webhook_url: str, secret: str) -> None:
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--webhook-url", webhook_url, "--webhook-secret", secret],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        match = re.search(r"listening on (\S+)", line)
        if not match:
            self.stop()
            raise SystemExit(f"antonnia-sandbox did not start (it printed {line!r})")
        self.base_url = match.group(1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def main() -> int:
    token = os.environ.get("ANTONNIA_TOKEN")
    if token:
        base_url = os.environ.get("ANTONNIA_BASE_URL", "https://services.antonnia.com/conversations/v2/api/v1")
        print(f"Antonnia Quick Start (Python) against {base_url}\n")
        with Client(token=token, base_url=base_url) as client:
            run(client, None)
    else:
        binary = os.environ.get("ANTONNIA_SANDBOX_BIN")
        if not binary:
            raise SystemExit("set ANTONNIA_SANDBOX_BIN to the antonnia-sandbox binary (make demo does), or ANTONNIA_TOKEN")
        secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
        receiver = WebhookReceiver(secret)
        sandbox = LocalSandbox(binary, receiver.url, secret)
        try:
            print(f"Antonnia Quick Start (Python) against the local sandbox at {sandbox.base_url}")
            print(f"(webhooks go to {receiver.url}; set ANTONNIA_TOKEN to use the real API)\n")
            with Client(token="sk_test_sandbox", base_url=sandbox.base_url) as client:
                run(client, receiver)
        finally:
            sandbox.stop()
            receiver.stop()
    print("\nDone: the Quick Start ran end to end.")
    return 0


def run(client: Client, receiver: Optional[WebhookReceiver]) -> None:
    step(1, "Create a session for the channel's user", "POST /sessions")
    session = client.sessions.create(
        contact_id="user_123",
        contact_name="Jane Doe",
        agent_id="agent_abc",
        metadata={"channel_type": "my_channel", "channel_user_id": "ext_user_456"},
    )
    agent = session.agent.name if session.agent is not None else "none"
    print(f"   -> {session.id} (status {session.status}, agent {agent})")

    step(2, "Record the user's message", f"POST /sessions/{session.id}/messages")
    message = client.sessions.messages.create(
        session_id=session.id,
        content=MessageContentText(type="text", text="Hello, I need help with my order"),
        role="user",
        provider_message_id=f"ext_msg_{os.getpid()}",
    )
    print(f'   -> {message.id} "Hello, I need help with my order"')

    step(3, f"Ask the AI to reply (debounce {DEBOUNCE_SECONDS} s)", f"POST /sessions/{session.id}/reply")
    client.sessions.reply(session_id=session.id, debounce_time=DEBOUNCE_SECONDS)

    step(4, "Wait for the assistant's message.created webhook", "")
    answer = receive_answer(receiver, session) if receiver else poll_answer(client, session)
    print(f"   -> {answer.id} from the assistant, delivery_status {answer.delivery_status}:")
    text = answer.content.text if isinstance(answer.content, MessageContentText) else f"[{answer.content.type}]"
    print(f'      "{text}"')

    metadata: Dict[str, Any] = session.metadata
    step(5, "Deliver it on the channel", f"-> {metadata.get('channel_user_id')} on {metadata.get('channel_type')}")
    provider_id = f"ext_msg_{os.getpid()}_reply"

    step(6, "Report the delivery", f"PATCH /sessions/{session.id}/messages/{answer.id}")
    reported = client.sessions.messages.update(
        session_id=session.id, message_id=answer.id, **channel.sent(provider_id)
    )
    print(f"   -> delivery_status {reported.delivery_status}, provider_message_id {reported.provider_message_id}")


def step(number: int, title: str, wire: str) -> None:
    print(f"{number}. {title:<50} {wire}".rstrip())


def receive_answer(receiver: WebhookReceiver, session: Session) -> Message:
    """Reads webhooks until this session's outbound message arrives; each
    message id is delivered at most once (webhooks can repeat)."""
    deadline = time.monotonic() + 30 + DEBOUNCE_SECONDS
    delivered: Set[str] = set()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit(f"no webhook with the AI's answer arrived in time (refused: {receiver.refused})")
        try:
            event = receiver.events.get(timeout=left)
        except queue.Empty:
            continue
        role = getattr(event.data.object, "role", None)
        print(f"   <- {event.type} (signature verified){f', role {role}' if role else ''}")
        outbound = channel.outbound_message(event)
        if outbound is not None and outbound.session_id == session.id and outbound.id not in delivered:
            delivered.add(outbound.id)
            return outbound


def poll_answer(client: Client, session: Session) -> Message:
    """Against the real API the webhooks go to your configured endpoint, so the
    demo looks the answer up instead."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in client.sessions.messages.search(session_id=session.id, role="assistant"):
            if channel.is_outbound(message):
                print("   (read back with a message search: the real API sends webhooks to your endpoint)")
                return message
        time.sleep(1)
    raise SystemExit("the AI agent did not answer within 60 s")


if __name__ == "__main__":
    sys.exit(main())
