"""Seeds every fuzz target's corpus from the shared vectors (tests/fixtures/).

Usage: python3 core/fuzz/seed_corpus.py CORPUS_DIR   (run from the repository root)

Each target reads its input in its own layout (see the top of each target's
source); the seeds are the vectors written in that layout, so that fuzzing
starts from inputs that reach deep into the code. Files are named by their
content's hash: seeding twice adds nothing.
"""

import base64
import hashlib
import json
import pathlib
import re
import struct
import sys

root = pathlib.Path(sys.argv[1])
fx = pathlib.Path("tests/fixtures")
TARGETS = ("webhook", "response", "signature", "build_request", "transcode", "arguments", "json")
for target in TARGETS:
    (root / target).mkdir(parents=True, exist_ok=True)


def body(v):
    if "body" in v:
        return v["body"].encode()
    if "body_json" in v:
        return json.dumps(v["body_json"]).encode()
    if "body_base64" in v:
        return base64.b64decode(v["body_base64"])
    return b""


def put(target, data):
    (root / target / hashlib.sha1(data).hexdigest()).write_bytes(data)


def vectors(name):
    return json.loads((fx / name).read_text())["vectors"]


# webhook: the body alone.
for v in vectors("webhooks.json"):
    if "body_repeat" not in v and "sign" not in v:
        put("webhook", body(v))

# response: status (2 bytes LE), call, Retry-After, newline, body.
for v in vectors("responses.json"):
    r = v["response"]
    if "body_repeat" in r:
        continue
    retry_after = r.get("headers", {}).get("Retry-After", "").encode()
    put("response", r["status"].to_bytes(2, "little") + b"\x00" + retry_after + b"\n" + body(r))


# transcode: the root's index (in the target's ROOTS; 8 is a webhook), then
# the body. Each 2xx response body goes to every root, so each shape meets
# every other's.
for v in vectors("responses.json"):
    r = v["response"]
    if "body_repeat" in r or not 200 <= r["status"] < 300:
        continue
    for shape in range(8):
        put("transcode", bytes([shape]) + body(r))
for v in vectors("webhooks.json"):
    if "body_repeat" not in v:
        put("transcode", bytes([8]) + body(v))

# json: any document, as it came; every response and webhook body.
for v in vectors("responses.json"):
    if "body_repeat" not in v["response"]:
        put("json", body(v["response"]))
for v in vectors("webhooks.json"):
    if "body_repeat" not in v:
        put("json", body(v))
# Numbers at the edges of the core's own float reading and writing: the
# fast path's limits, subnormals, halfway cases, overflow, long tails.
for number in ("0.1", "-0", "-0.0", "1e22", "1e23", "123456789012345678", "18446744073709551616",
               "9007199254740993", "2.2250738585072011e-308", "4.9406564584124654e-324",
               "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623159e308",
               "1e-400", "0.000001", "1e16", "1.5e-7", "9" * 40 + "e-50", "1." + "0" * 800 + "1"):
    put("json", ('{"metadata":{"n":%s},"list":[%s]}' % (number, number)).encode())


# signature: a 29-byte head (mode, tolerance u64, body limit u16, now i64,
# skew i64, flip u16), then secret \n id \n timestamp \n signature \n body.
def signature_seed(mode, tolerance, now, secret, id_, timestamp, signature, payload, present=0):
    head = struct.pack("<BQHqqH", mode, tolerance, 0, now, 0, (present << 8) | 1)
    rest = b"\n".join(x.encode() for x in (secret, id_, str(timestamp), signature)) + b"\n" + payload
    return head + rest


for v in vectors("webhooks.json"):
    if "secret" not in v or "body_repeat" in v:
        continue
    if v.get("sign"):
        now, headers = v["timestamp"], {
            "webhook-id": v["id"],
            "webhook-timestamp": str(v["timestamp"]),
            "webhook-signature": v["signature"],
        }
    else:
        now = v.get("now", 0)
        headers = {k.lower(): x for k, x in v.get("headers", {}).items()}
    present = sum(
        bit
        for bit, name in ((1, "webhook-id"), (2, "webhook-timestamp"), (4, "webhook-signature"))
        if name not in headers
    )
    mode, tolerance = (0x10, v["tolerance"]) if "tolerance" in v else (0, 0)
    fields = (
        v["secret"],
        headers.get("webhook-id", ""),
        headers.get("webhook-timestamp", ""),
        headers.get("webhook-signature", ""),
        body(v),
    )
    put("signature", signature_seed(mode, tolerance, now, *fields, present=present))
    # The same delivery with the secret field read as a raw key.
    put("signature", signature_seed(mode | 0x01, tolerance, now, *fields, present=present))

# build_request: call index, configuration, JSON arguments, NUL, exchange script.
registry = pathlib.Path("core/src/ops/registry.rs").read_text()
names = re.findall(r'^\s+\w+ = "([a-z_.]+)":', registry, re.M)
assert len(names) >= 20, names


def build_seed(call, args, config=0):
    if call not in names:
        return
    script = hashlib.sha256(call.encode() + json.dumps(args).encode()).digest() * 2
    put("build_request", bytes([names.index(call), config]) + json.dumps(args).encode() + b"\x00" + script)
    # arguments: call index, flags (low bit set: keep every argument), JSON arguments.
    put("arguments", bytes([names.index(call), 1 | config]) + json.dumps(args).encode())


for v in vectors("requests.json"):
    if "call" in v:
        build_seed(v["call"], v.get("args", {}))
        build_seed(v["call"], v.get("args", {}), config=0x31)
for v in vectors("exchange.json"):
    build_seed(v["call"], v.get("args", {}))
