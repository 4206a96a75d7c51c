#!/usr/bin/env bash
# Compiles the Kotlin Quick Start snippets of README.md and
# bindings-uniffi/README.md against the SDK jar, so that they cannot rot, and
# runs the proxy snippet against a loopback backend that checks its header.
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
# The proxy pattern (no token, the app's own Authorization to your backend),
# run against a loopback server standing in for that backend, which checks
# that the app's header arrived.
text = open("bindings-uniffi/README.md").read()
proxy = [b for b in re.findall(r"```kotlin\n(.*?)```", text, re.S) if "appSessionToken" in b]
if len(proxy) != 1 or '"https://api.example.com/antonnia"' not in proxy[0]:
    sys.exit("check-readme-kotlin.sh: the README's Kotlin proxy snippet is missing or changed shape")
body = "\n".join("        " + l for l in proxy[0].replace('"https://api.example.com/antonnia"', "backendUrl").splitlines())
open(f"{out}/ReadmeProxy.kt", "w").write(f"""package readmeproxy
import com.antonnia.sdk.*
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import kotlinx.coroutines.runBlocking

fun main() {{
    val seen = java.util.concurrent.LinkedBlockingQueue<String>()
    val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    server.createContext("/") {{ ex ->
        seen.add(ex.requestHeaders.getFirst("Authorization") ?: "(none)")
        val body = \"\"\"{{"id":"agent_abc","type":"ai","name":"Bot"}}\"\"\".toByteArray()
        ex.sendResponseHeaders(200, body.size.toLong()); ex.responseBody.use {{ it.write(body) }}
    }}
    server.start()
    try {{
        val backendUrl = "http://127.0.0.1:${{server.address.port}}/antonnia"
        val appSessionToken = "app_session_123"
{body}
        val agent = runBlocking {{ client.agents.get("agent_abc") }}
        check(agent.name == "Bot") {{ "got $agent" }}
        val auth = seen.poll()
        check(auth == "Bearer app_session_123") {{ "the backend got Authorization: $auth" }}
        println("the README proxy snippet ran: the backend got the app's Authorization header")
    }} finally {{
        server.stop(0)
    }}
}}
""")
PY
"$KOTLINC" -Werror -jvm-target 17 -cp "$OUT/antonnia-kotlin.jar:$JNA:$COROUTINES" -d "$DIR/out" "$DIR"/Readme*.kt
echo "the README Kotlin snippets compile"
java -Djna.library.path="$OUT/native" -cp "$DIR/out:$OUT/antonnia-kotlin.jar:$KOTLIN_STDLIB:$COROUTINES:$JNA" readmeproxy.ReadmeProxyKt
