#!/usr/bin/env bash
# Fails if the normal (non-dev) dependency tree of antonnia-core or of
# antonnia-relay (the channel relay's shared pieces, on the core) contains an
# HTTP client, an async runtime or a clock crate: both must stay pure.
set -euo pipefail
cd "$(dirname "$0")/../.."
forbidden='^(reqwest|hyper|hyper-util|ureq|isahc|surf|curl|attohttpc|http-body|h2|tokio|async-std|smol|futures|futures-util|futures-executor|mio|async-io|gloo-net|chrono)$'
for crate in antonnia-core antonnia-relay; do
  deps=$(cargo tree -p "$crate" -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
  bad=$(printf '%s\n' "$deps" | grep -E "$forbidden" || true)
  if [ -n "$bad" ]; then
    echo "$crate must stay sans-IO, but depends on: $bad" >&2
    exit 1
  fi
  echo "$crate normal dependencies ($(printf '%s\n' "$deps" | wc -l)): $(printf '%s\n' "$deps" | tr '\n' ' ')"
done
