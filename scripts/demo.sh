#!/usr/bin/env bash
# The Quick Start end to end: a local sandbox, a webhook receiver, and the
# six steps (session, user message, reply, webhook, delivery, report).
# Set ANTONNIA_TOKEN (and ANTONNIA_BASE_URL) to run it against the real API.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet -p antonnia-sandbox --example quickstart
