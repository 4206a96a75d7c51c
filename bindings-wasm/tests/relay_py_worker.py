"""A Python relay worker for the cross-language test (relay-cross.test.mjs):
antonnia_sdk.relay's ChannelRelay on a RedisStore, behind a minimal asyncio
HTTP server on loopback. POST /webhooks answers with handle_webhook; POST
/receive takes {"channel_user_id", "text", "provider_message_id",
"contact_name"} and answers what receive did. Each message handed to deliver
is printed as one JSON line on stdout; the first line announces the address.

    python relay_py_worker.py PORT BASE_URL TOKEN WEBHOOK_SECRET REDIS_URL PREFIX
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Dict

from antonnia_sdk import AsyncClient
from antonnia_sdk.relay import ChannelRelay, Contact, DeliveryAttempt, RedisStore
from antonnia_sdk.types import Message


async def main() -> None:
    port, base_url, token, secret, redis_url, prefix = sys.argv[1:7]
    client = AsyncClient(token=token, base_url=base_url)

    async def deliver(message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
        line = {"delivered": message.id, "user": contact.channel_user_id, "redelivery": attempt.redelivery}
        print(json.dumps(line), flush=True)
        return f"py.{message.id}"

    relay = ChannelRelay(client, "whatsapp", "agent_abc", deliver, secret, RedisStore.from_url(redis_url), prefix=prefix)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            path = head[0].split(" ")[1]
            headers: Dict[str, str] = {}
            for line in head[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if path == "/webhooks":
                reply = await relay.handle_webhook(body, headers)
                status, out = reply.status, reply.body
            elif path == "/receive":
                p = json.loads(body)
                r = await relay.receive(channel_user_id=p["channel_user_id"], text=p["text"],
                                        provider_message_id=p["provider_message_id"], contact_name=p.get("contact_name"))
                status = 200
                out = json.dumps({"session_id": r.session_id, "message_id": r.message_id, "duplicate": r.duplicate}).encode()
            else:
                status, out = 404, b"{}"
        except Exception as exc:  # the test sees a 500 and its cause on stderr
            print(f"worker error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            status, out = 500, b"{}"
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len(out)}\r\n"
                     "connection: close\r\n\r\n".encode() + out)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", int(port))
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
