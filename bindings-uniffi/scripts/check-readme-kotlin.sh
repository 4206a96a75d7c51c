#!/usr/bin/env bash
# Compiles the Kotlin Quick Start snippets of README.md and
# bindings-uniffi/README.md against the SDK jar, so that they cannot rot.
# `body`, `headers` and `myChannel` are the reader's: stubbed here.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/ci/lib.sh
source bindings-uniffi/scripts/kotlin-env.sh
ensure_kotlin
OUT="$(bash bindings-uniffi/scripts/build-kotlin.sh)"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
python3 - "$DIR" README.md bindings-uniffi/README.md <<'PY'
import re, sys
out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    text = open(path).read()
    section = text[text.index("Quick Start\n", text.index("Kotlin")):]
    snippet = re.search(r"```kotlin\n(.*?)```", section, re.S).group(1)
    imports = "\n".join(l for l in snippet.splitlines() if l.startswith("import "))
    body = "\n".join("    " + l for l in snippet.splitlines() if not l.startswith("import "))
    open(f"{out}/Readme{i}.kt", "w").write(f"""{imports}
import com.antonnia.sdk.*
private object myChannel{i} {{ fun send(text: String?, mediaUrl: String?, mimeType: String?, filename: String?): String = "p" }}
@Suppress("UNUSED_VARIABLE")
suspend fun readme{i}(body: ByteArray, headers: Map<String, String>) {{
    val myChannel = myChannel{i}
{body}
}}
""")
PY
"$KOTLINC" -Werror -jvm-target 17 -cp "$OUT/antonnia-kotlin.jar:$JNA:$COROUTINES" -d "$DIR/out" "$DIR"/Readme*.kt
echo "the README Kotlin snippets compile"
