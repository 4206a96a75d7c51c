#!/usr/bin/env bash
# Fails if antonnia-core's normal (non-dev) dependency tree contains an HTTP
# client, an async runtime or a clock crate: the core must stay pure.
set -euo pipefail
cd "$(dirname "$0")/../.."
forbidden='^(reqwest|hyper|hyper-util|ureq|isahc|surf|curl|attohttpc|http-body|h2|tokio|async-std|smol|futures|futures-util|futures-executor|mio|async-io|gloo-net|chrono)$'
deps=$(cargo tree -p antonnia-core -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
bad=$(printf '%s\n' "$deps" | grep -E "$forbidden" || true)
if [ -n "$bad" ]; then
  echo "antonnia-core must stay sans-IO, but depends on: $bad" >&2
  exit 1
fi
echo "antonnia-core normal dependencies ($(printf '%s\n' "$deps" | wc -l)): $(printf '%s\n' "$deps" | tr '\n' ' ')"
