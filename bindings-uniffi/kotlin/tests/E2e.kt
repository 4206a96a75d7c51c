// End to end against antonnia-sandbox over real HTTP, with the shipped
// transports: the Quick Start, every call, errors by status, injected
// 429/503 with retries, pagination, the message stream, cancellation, a
// stalled server, 200 concurrent calls, and malformed input of every kind
// followed by a good call on the same client. Every server started here is
// stopped here.
import com.antonnia.sdk.*
import com.sun.net.httpserver.HttpServer
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.time.Instant
import java.util.UUID
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

const val WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
const val TOKEN = "sk_test_sandbox"

fun uid() = UUID.randomUUID().toString().replace("-", "").take(10)

/** A webhook endpoint on the JDK's HTTP server, recording every delivery. */
class WebhookSink : AutoCloseable {
    val received = LinkedBlockingQueue<Pair<ByteArray, Map<String, String>>>()
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0).apply {
        createContext("/webhooks") { ex ->
            received.add(ex.requestBody.readBytes() to webhookHeaders(ex.requestHeaders))
            ex.sendResponseHeaders(204, -1)
            ex.close()
        }
        start()
    }
    val url = "http://127.0.0.1:${server.address.port}/webhooks"
    override fun close() = server.stop(0)
}

/** antonnia-sandbox on a free loopback port (--port 0), stopped by close(). */
class Sandbox(vararg args: String) : AutoCloseable {
    private val proc: Process = ProcessBuilder(listOf(System.getenv("ANTONNIA_SANDBOX_BIN") ?: error("ANTONNIA_SANDBOX_BIN is not set"), "--port", "0") + args)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start()
    val baseUrl: String
    init {
        val first = BufferedReader(InputStreamReader(proc.inputStream)).readLine() ?: run { proc.destroy(); error("the sandbox exited") }
        baseUrl = Regex("listening on (\\S+)").find(first)?.groupValues?.get(1) ?: run { proc.destroy(); error("unexpected: $first") }
        thread(isDaemon = true) { proc.inputStream.readAllBytes() }
    }
    override fun close() {
        proc.destroy()
        proc.waitFor(10, TimeUnit.SECONDS)
    }
}

/**
 * A loopback server that accepts connections, reads requests and never
 * answers (each connection stays open until the client closes it). The one
 * stalled server of the suite: `accepted` completes at the first connection,
 * `closed` when a client closes one (a cancelled or timed-out call must),
 * and each request head's arrival time (System.nanoTime()) is recorded.
 */
class StalledServer : AutoCloseable {
    private val socket = ServerSocket(0, 2000, java.net.InetAddress.getLoopbackAddress())
    val accepted = CompletableDeferred<Unit>()
    val closed = CompletableDeferred<Unit>()
    /** When each request head arrived. */
    val arrivals = java.util.concurrent.ConcurrentLinkedQueue<Long>()
    val lastArrival = java.util.concurrent.atomic.AtomicLong(0)
    val url = "http://127.0.0.1:${socket.localPort}/conversations/v2/api/v1"
    init {
        thread(isDaemon = true) {
            while (!socket.isClosed) {
                val c = runCatching { socket.accept() }.getOrNull() ?: break
                thread(isDaemon = true) {
                    accepted.complete(Unit)
                    c.use {
                        val input = c.getInputStream()
                        val head = StringBuilder()
                        val buf = ByteArray(4096)
                        while (true) {
                            val n = runCatching { input.read(buf) }.getOrDefault(-1)
                            if (n < 0) break
                            head.append(String(buf, 0, n, Charsets.ISO_8859_1))
                            if (head.indexOf("\r\n\r\n") >= 0) {
                                val now = System.nanoTime()
                                arrivals.add(now)
                                lastArrival.set(now)
                                head.setLength(0)
                            }
                        }
                        closed.complete(Unit)
                    }
                }
            }
        }
    }
    override fun close() = socket.close()
}

inline fun <reified E : Throwable> expect(what: String, f: () -> Unit): E {
    try {
        f()
    } catch (e: Throwable) {
        if (e is E) return e
        throw Failure("$what: threw $e, want ${E::class.simpleName}")
    }
    throw Failure("$what: no ${E::class.simpleName}")
}

suspend inline fun <reified E : Throwable> expectS(what: String, crossinline f: suspend () -> Unit): E {
    try {
        f()
    } catch (e: Throwable) {
        if (e is E) return e
        throw Failure("$what: threw $e, want ${E::class.simpleName}")
    }
    throw Failure("$what: no ${E::class.simpleName}")
}

suspend fun endToEnd() {
    WebhookSink().use { sink ->
        Sandbox("--time-scale", "0.01", "--webhook-url", sink.url, "--webhook-secret", WEBHOOK_SECRET).use { sb ->
            sandboxTests(sb, sink)
        }
    }
    localServerTests()
}

suspend fun sandboxTests(sb: Sandbox, sink: WebhookSink) {
    val client = Client(token = TOKEN, baseUrl = sb.baseUrl)

    test("e2e: the Quick Start, webhook verified and delivery reported") {
        val session = client.sessions.create(
            contactId = "user_${uid()}", contactName = "Jane Doe", agentId = "agent_abc",
            metadata = metadataOf("channel_type" to "my_channel", "channel_user_id" to "ext_user_456"),
        )
        eq(session.metadataMap["channel_user_id"], "ext_user_456", "metadata")
        client.sessions.messages.create(
            sessionId = session.id, content = MessageContent.Text(text = "Hello, I need help with my order"),
            role = MessageRole.User, providerMessageId = "ext_msg_${uid()}",
        )
        client.sessions.reply(session.id, debounceTime = 3)
        val receiver = WebhookReceiver(secret = WEBHOOK_SECRET)
        val deadline = System.currentTimeMillis() + 20_000
        var delivered: Message? = null
        while (delivered == null) {
            val (body, headers) = sink.received.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS) ?: throw Failure("no webhook")
            val event = receiver.receive(body, headers)
            val m = outboundMessage(event) ?: continue
            if (m.sessionId != session.id) continue
            val out = deliverable(m)
            eq(out.kind, DeliverableKind.TEXT, "kind")
            check(out.text!!.contains("Hello, I need help")) { out.text!! }
            delivered = client.sessions.messages.reportDelivery(session.id, m.id, DeliveryReport.Sent(providerMessageId = "wa_${uid()}"))
        }
        eq(delivered.deliveryStatus, DeliveryStatus.Sent, "delivery status")
        // A forged delivery is refused.
        expect<WebhookVerificationException>("forged") {
            receiver.receive("""{"type":"message.created"}""".toByteArray(), mapOf("webhook-id" to "x", "webhook-timestamp" to "${Instant.now().epochSecond}", "webhook-signature" to "v1,AAAA"))
        }
    }

    test("e2e: every call") {
        val contact = "c_${uid()}"
        val s = client.sessions.create(contactId = contact, contactName = "Ana", metadata = """{"k":"v"}""")
        eq(client.sessions.get(s.id), s, "get")
        val s2 = client.sessions.update(s.id, metadata = """{"k":"w"}""", threadId = "t1")
        eq(s2.metadataMap, mapOf("k" to "w"), "metadata")
        eq(s2.threadId, "t1", "threadId")
        eq(client.sessions.transfer(s.id, agentId = "agent_abc", autoReply = false).agent?.id, "agent_abc", "transfer")
        client.sessions.reply(s.id, debounceTime = 0)
        eq(client.sessions.transfer(s.id).agent, null, "transfer to none")
        eq(client.sessions.search(contactId = contact).map { it.id }, listOf(s.id), "search")
        eq(client.sessions.search(contactId = contact, metadata = metadataOf("k" to "w")).map { it.id }, listOf(s.id), "search by metadata")
        val at = Instant.now().plusSeconds(3600).toString()
        val sched = client.sessions.schedule(s.id, at, ScheduleConfig.Message(MessageContent.Text(text = "ping")))
        eq(sched.sessionId, s.id, "schedule")
        check(Math.abs(Instant.parse(sched.scheduledFor!!).epochSecond - Instant.parse(at).epochSecond) <= 1) { sched.scheduledFor!! }
        val pid = "p_${uid()}"
        val m = client.sessions.messages.create(s.id, MessageContent.Text(text = "hi"), providerMessageId = pid)
        eq(m.role, MessageRole.User, "role")
        eq(client.sessions.messages.get(s.id, m.id), m, "messages.get")
        check(m.id in client.sessions.messages.search(sessionId = s.id).map { it.id }) { "in session" }
        eq(client.sessions.messages.search(providerMessageId = pid).map { it.id }, listOf(m.id), "across sessions")
        val upd = client.sessions.messages.update(s.id, m.id, deliveryStatus = DeliveryStatus.Delivered, deliveredAt = "2025-01-15T10:30:00Z")
        eq(upd.deliveryStatus, DeliveryStatus.Delivered, "delivery status")
        eq(upd.deliveredAtInstant, Instant.parse("2025-01-15T10:30:00Z"), "delivered at")
        val a = client.agents.create(name = "Bot", agentType = AgentType.Ai, assistantId = "asst_1")
        eq(a.assistantId, "asst_1", "assistant")
        val h = client.agents.create(name = "Ana", agentType = AgentType.Human, profileId = "prof_1")
        eq(client.agents.get(a.id).name, "Bot", "agents.get")
        eq(client.agents.update(a.id, name = "Bot 2").name, "Bot 2", "agents.update")
        check(h.id in client.agents.search(agentType = AgentType.Human, limit = 1000).map { it.id }) { "agents.search" }
        client.agents.delete(h.id)
        expectS<NotFoundException>("deleted agent") { client.agents.get(h.id) }
        val f = client.sessions.finish(s.id, endingSurveyId = "survey_1")
        eq(f.status, SessionStatus.Closed, "finish")
        val subId = f.endingSurveySubmissionId ?: throw Failure("no survey submission")
        val sub = client.sessions.surveySubmissions.get(s.id, subId)
        eq(sub.sessionId, s.id, "submission")
        client.sessions.surveySubmissions.reply(s.id, subId)
        eq(client.sessions.surveySubmissions.cancel(s.id, subId).status, SurveySubmissionStatus.Cancelled, "cancel")
    }

    test("e2e: errors by status, each its own exception with the server's fields") {
        val bad = Client(token = "sk_test_wrong_token_123", baseUrl = sb.baseUrl)
        val auth = expectS<AuthenticationException>("401") { bad.sessions.get("sess_x") }
        eq(auth.status, 401, "status")
        check(!auth.message.contains("sk_test_wrong_token_123") && !bad.toString().contains("sk_test_wrong")) { "token shown" }
        val nf = expectS<NotFoundException>("404") { client.sessions.get("sess_missing_${uid()}") }
        check(nf.message.contains("GET ${sb.baseUrl}/sessions/")) { nf.message }
        for ((status, check) in listOf<Pair<Int, (AntonniaException) -> Boolean>>(
            403 to { it is PermissionDeniedException }, 409 to { it is ConflictException },
            422 to { it is ValidationException }, 400 to { it is ApiException }, 500 to { it is ApiException },
            413 to { it is PayloadTooLargeException },
        )) {
            val c = Client(token = TOKEN, baseUrl = sb.baseUrl, maxRetries = 0, headers = mapOf("x-sandbox-fail" to "$status;id=${uid()}"))
            val e = expectS<AntonniaException>("$status") { c.agents.get("agent_abc") }
            check(check(e) && e.httpStatus == status) { "$status gave ${e::class.simpleName} ${e.httpStatus}: ${e.message}" }
        }
        val v = expectS<ValidationException>("real 422") { client.sessions.messages.create("sess_${uid()}", MessageContent.Unknown("bogus", """{"type":"bogus"}""")) }.let { it }
        check(v.problems.isNotEmpty() || v.status == 422) { "problems" }
    }

    test("e2e: injected 429 and 503 are retried by the core's policy (Retry-After honoured)") {
        val started = System.nanoTime()
        val c429 = Client(token = TOKEN, baseUrl = sb.baseUrl, headers = mapOf("x-sandbox-fail" to "429;times=2;retry-after=1;id=${uid()}"))
        eq(c429.agents.get("agent_abc").id, "agent_abc", "after two 429s")
        check((System.nanoTime() - started) / 1e6 >= 1_950) { "Retry-After not honoured" }
        val c503 = Client(token = TOKEN, baseUrl = sb.baseUrl, headers = mapOf("x-sandbox-fail" to "503;times=1;id=${uid()}"))
        eq(c503.agents.get("agent_abc").id, "agent_abc", "after a 503")
        // A create is not repeated after a 503 (the server may have acted) ...
        val c503c = Client(token = TOKEN, baseUrl = sb.baseUrl, headers = mapOf("x-sandbox-fail" to "503;times=1;id=${uid()}"))
        expectS<ApiException>("create after 503") { c503c.sessions.create(contactId = "c_${uid()}", contactName = "n") }
        // ... but is after a 429 (it certainly did not).
        val c429c = Client(token = TOKEN, baseUrl = sb.baseUrl, headers = mapOf("x-sandbox-fail" to "429;times=1;retry-after=0;id=${uid()}"))
        c429c.sessions.create(contactId = "c_${uid()}", contactName = "n")
        // Out of retries: the rate limit, with its Retry-After.
        val always = Client(token = TOKEN, baseUrl = sb.baseUrl, maxRetries = 1, headers = mapOf("x-sandbox-fail" to "429;times=5;retry-after=1;id=${uid()}"))
        eq(expectS<RateLimitException>("429 x5") { always.agents.get("agent_abc") }.retryAfter, 1.0, "retryAfter")
    }

    test("e2e: pagination, one page and every page as a Flow") {
        val contact = "c_${uid()}"
        val ids = (1..7).map { client.sessions.create(contactId = contact, contactName = "n$it").id }
        eq(client.sessions.search(contactId = contact, limit = 3).size, 3, "one page")
        eq(client.sessions.iterSearch(contactId = contact, limit = 3).toList().map { it.id }.sorted(), ids.sorted(), "every page")
        val s = ids[0]
        repeat(5) { client.sessions.messages.create(s, MessageContent.Text(text = "m$it")) }
        eq(client.sessions.messages.iterSearch(sessionId = s, limit = 2).toList().size, 5, "messages")
        check(client.agents.iterSearch(limit = 1).toList().isNotEmpty()) { "agents" }
    }

    test("e2e: the message stream yields each new message once, in order") {
        val s = client.sessions.create(contactId = "c_${uid()}", contactName = "n").id
        client.sessions.messages.create(s, MessageContent.Text(text = "before"))
        coroutineScope {
            val got = async { withTimeout(20_000) { client.sessions.messages.stream(s, pollIntervalMs = 50).take(3).toList() } }
            kotlinx.coroutines.delay(300)
            repeat(3) { client.sessions.messages.create(s, MessageContent.Text(text = "new$it")) }
            eq(got.await().map { (it.content as MessageContent.Text).text }, listOf("new0", "new1", "new2"), "stream")
        }
        val gone = Client(token = TOKEN, baseUrl = sb.baseUrl)
        expectS<NotFoundException>("stream of an unknown session") { gone.sessions.messages.stream("sess_missing_${uid()}", pollIntervalMs = 50).first() }
    }

    test("e2e: 200 concurrent calls on one client") {
        val s = client.sessions.create(contactId = "c_${uid()}", contactName = "n")
        val got = coroutineScope { (1..200).map { async(Dispatchers.Default) { client.sessions.get(s.id).id } }.awaitAll() }
        eq(got.toSet(), setOf(s.id), "results")
        eq(got.size, 200, "count")
    }

    test("e2e: the HttpURLConnection transport (Android's) sends and reads") {
        val c = Client(token = TOKEN, baseUrl = sb.baseUrl, transport = HttpUrlConnectionTransport())
        val s = c.sessions.create(contactId = "c_${uid()}", contactName = "n")
        eq(c.sessions.get(s.id).id, s.id, "get")
        expectS<NotFoundException>("404") { c.sessions.get("sess_missing_${uid()}") }
        val c429 = Client(token = TOKEN, baseUrl = sb.baseUrl, transport = HttpUrlConnectionTransport(), headers = mapOf("x-sandbox-fail" to "429;times=1;retry-after=0;id=${uid()}"))
        eq(c429.agents.get("agent_abc").id, "agent_abc", "retried")
    }

    test("e2e: malformed input of every kind, then a good call on the same client") {
        val s = client.sessions.create(contactId = "c_${uid()}", contactName = "n")
        val bad: List<Pair<String, suspend () -> Unit>> = listOf(
            "empty id" to { client.sessions.get("") },
            "blank id" to { client.sessions.get(" \t") },
            "huge id" to { client.sessions.get("s".repeat(100_000)) },
            "NUL in id" to { client.sessions.get("a\u0000b") },
            "metadata not JSON" to { client.sessions.create(contactId = "c", contactName = "n", metadata = "{nope") },
            "metadata not an object" to { client.sessions.create(contactId = "c", contactName = "n", metadata = "[1,2]") },
            "metadata nested deep" to { client.sessions.create(contactId = "c", contactName = "n", metadata = "[".repeat(100_000)) },
            "search metadata bool" to { client.sessions.search(metadata = """{"flag":true}""") },
            "negative limit" to { client.sessions.search(limit = -1) },
            "negative offset" to { client.agents.search(offset = Long.MIN_VALUE) },
            "debounce 61" to { client.sessions.reply(s.id, debounceTime = 61) },
            "debounce huge" to { client.sessions.reply(s.id, debounceTime = Long.MAX_VALUE) },
            "no fields" to { client.sessions.update(s.id) },
            "bad timestamp" to { client.sessions.messages.update(s.id, "m", deliveredAt = "2025-02-30T00:00:00Z") },
            "timestamp without offset" to { client.sessions.schedule(s.id, "2025-01-16T09:00:00", ScheduleConfig.Node("n")) },
            "unknown content raw not JSON" to { client.sessions.messages.create(s.id, MessageContent.Unknown("x", "{")) },
            "unknown content raw not an object" to { client.sessions.messages.create(s.id, MessageContent.Unknown("x", "42")) },
            "template parameters not JSON" to { client.sessions.messages.create(s.id, MessageContent.Text("hi", null, "{{")) },
            "content JSON garbage" to { messageContentFromJson("\u0000\uFFFF") },
            "content without type" to { messageContentFromJson("""{"text":"hi"}""") },
            "agent without assistant" to { client.agents.create("n", AgentType.Ai) },
            "schedule config raw garbage" to { client.sessions.schedule(s.id, "2030-01-01T00:00:00Z", ScheduleConfig.Unknown("x", "nope")) },
            "report with a bad time" to { client.sessions.messages.reportDelivery(s.id, "m", DeliveryReport.Read(at = "yesterday")) },
            "stream page size 0" to { client.sessions.messages.stream(s.id, pageSize = 0).first() },
            "stream poll interval 0" to { client.sessions.messages.stream(s.id, pollIntervalMs = 0).first() },
            "stream negative interval" to { client.sessions.messages.stream(s.id, pollIntervalMs = -5).first() },
            "record with metadata garbage" to { s.copy(metadata = "garbage").toJson() },
            "webhook garbage" to { WebhookReceiver(null, verify = false).receive(ByteArray(300) { (it * 7).toByte() }, emptyMap()) },
            "webhook huge" to { WebhookReceiver(null, verify = false).receive(ByteArray(2 shl 20) { '['.code.toByte() }, emptyMap()) },
            "webhook deep" to { WebhookReceiver(null, verify = false).receive("[".repeat(50_000).toByteArray(), emptyMap()) },
            "webhook without secret" to { WebhookReceiver(null) },
            "webhook bad secret" to { WebhookReceiver("whsec_!!!") },
            "webhook now NaN" to { WebhookReceiver(null, verify = false).receive("{}".toByteArray(), emptyMap(), Double.NaN) },
            "webhook negative tolerance" to { WebhookReceiver(WEBHOOK_SECRET, toleranceSeconds = -1) },
            "options negative timeout" to { Client(token = TOKEN, baseUrl = sb.baseUrl, timeoutMs = -1) },
            "options negative retries" to { Client(token = TOKEN, baseUrl = sb.baseUrl, maxRetries = -1) },
            "bad base URL" to { Client(token = TOKEN, baseUrl = "not a url") },
            "token with a newline" to { Client(token = "sk_\nx", baseUrl = sb.baseUrl) },
            "header with a newline" to { Client(token = TOKEN, baseUrl = sb.baseUrl, headers = mapOf("x-a" to "b\r\nx: y")) },
            "deliverable of a thought" to { deliverable(Message("m", null, null, null, MessageRole.Assistant, MessageContent.Thought("hmm"), null, null, null, null, DeliveryStatus.Pending, null, null, null, null)) },
            "sign with a bad secret" to { signWebhook("whsec_!!!", "id", 0, ByteArray(0)) },
            "next page of a negative count" to { check(ApiCall("sessions.search", "{}").nextPage(-1) == null) { "next page" } },
            "exchange with NaN" to { CallExchange(ApiCall("sessions.get", """{"session_id":"s"}"""), null, null, RetrySettings(1u, Double.NaN, 1.0, 1.0), 1.0, null, 1) },
            "cursor with garbage page" to { MessageCursor("s", 1.0, 1.0, 1, false).onPage("[{]") },
        )
        for ((what, f) in bad) {
            val e = try { f(); null } catch (e: AntonniaException) { e } catch (e: Throwable) { throw Failure("$what: threw a non-SDK $e") }
            // Only the one check-call above may succeed; everything else is refused with the SDK's error.
            if (e == null && what != "next page of a negative count") throw Failure("$what: accepted")
        }
        // Garbage from the transport itself.
        val transports: List<Pair<String, HttpTransport>> = listOf(
            "status 0" to FakeTransport { HttpResponse(0, emptyList(), ByteArray(0)) },
            "status 99999" to FakeTransport { HttpResponse(99999, emptyList(), ByteArray(0)) },
            "binary body" to FakeTransport { HttpResponse(200, emptyList(), ByteArray(1000) { it.toByte() }) },
            "bad Retry-After" to FakeTransport { HttpResponse(429, listOf(HttpHeader("retry-after", "\u0000soon")), ByteArray(0)) },
            "body over the cap" to FakeTransport { HttpResponse(200, emptyList(), ByteArray(2048)) },
            "throws a RuntimeException" to object : HttpTransport { override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse = throw IllegalStateException("the host blew up") },
        )
        for ((what, t) in transports) {
            val c = Client(t, CoroutineSleeper, ClientOptions(maxRetries = 0, maxResponseBytes = 1024, baseUrl = sb.baseUrl), TOKEN)
            val e = try { c.sessions.get(s.id); null } catch (e: AntonniaException) { e } catch (e: Throwable) { throw Failure("$what: threw a non-SDK $e") }
            check(e != null) { "$what: accepted" }
            if (what == "throws a RuntimeException") check(e is TransportException && e.message.contains("the host blew up")) { "$what: ${e?.message}" }
            if (what == "body over the cap") check(e is PayloadTooLargeException) { "$what: $e" }
        }
        // A string that is not Unicode (a lone surrogate) cannot be UTF-8:
        // the generated code refuses it before it reaches the SDK.
        expectS<java.nio.charset.CharacterCodingException>("lone surrogate") { client.sessions.get("a\uD800b") }
        eq(client.sessions.get(s.id).id, s.id, "a good call afterwards")
    }

    test("e2e: iterSearch and stream are cold: a second collection runs again") {
        val contact = "c_${uid()}"
        val ids = (1..5).map { client.sessions.create(contactId = contact, contactName = "n$it").id }.sorted()
        val flow = client.sessions.iterSearch(contactId = contact, limit = 2)
        eq(flow.toList().map { it.id }.sorted(), ids, "first collection")
        eq(flow.toList().map { it.id }.sorted(), ids, "second collection")
        val s = ids[0]
        client.sessions.messages.create(s, MessageContent.Text(text = "one"))
        val updates = client.sessions.messages.stream(s, pollIntervalMs = 50, fromStart = true)
        val first = withTimeout(20_000) { updates.first() }
        val again = withTimeout(20_000) { updates.first() }
        eq(again.id, first.id, "the stream restarts from the start")
    }

    test("e2e: withRawResponse: the parsed value with the response's status, headers and request id") {
        val raw = client.withRawResponse
        val created = raw.sessions.create(contactId = "c_${uid()}", contactName = "n")
        check(created.status in 200..299) { "status ${created.status}" }
        check(created.data.id.startsWith("sess_") || created.data.id.isNotEmpty()) { created.data.id }
        val got = raw.sessions.get(created.data.id)
        eq(got.status, 200, "status")
        eq(got.data, client.sessions.get(created.data.id), "the same value as the ordinary call")
        check(got.header("content-type")?.contains("application/json") == true) { "headers ${got.headers}" }
        check(got.requestId?.startsWith("req_") == true) { "requestId ${got.requestId}" }
        val page = raw.sessions.messages.search(sessionId = created.data.id, limit = 5)
        eq(page.status, 200, "search status")
        eq(raw.agents.get("agent_abc").data.id, "agent_abc", "agent")
        // Errors are the ordinary exceptions; the view keeps the client's retries.
        expectS<NotFoundException>("404 through the view") { raw.sessions.get("sess_missing_${uid()}") }
        val flaky = Client(token = TOKEN, baseUrl = sb.baseUrl, headers = mapOf("x-sandbox-fail" to "503;times=1;retry-after=0;id=${uid()}"))
        eq(flaky.withRawResponse.agents.get("agent_abc").status, 200, "the response the call ended with, after a retried 503")
        // The server's own id and headers, as received.
        val t = FakeTransport { HttpResponse(201, listOf(HttpHeader("X-Request-ID", "srv_7"), HttpHeader("x-ratelimit-remaining", "41")), """{"id":"a","type":"ai"}""".toByteArray()) }
        val r = Client(baseUrl = sb.baseUrl, transport = t).withRawResponse.agents.get("a")
        eq(r.status, 201, "status")
        eq(r.requestId, "srv_7", "the server's id")
        eq(r.header("X-RateLimit-Remaining"), "41", "header")
        eq(r.data.id, "a", "data")
        val deleted = Client(baseUrl = sb.baseUrl, transport = FakeTransport { HttpResponse(204, emptyList(), ByteArray(0)) }).withRawResponse.agents.delete("a")
        eq(deleted.status, 204, "delete status")
        eq(deleted.data, Unit, "delete data")
    }

    test("e2e: withRawResponse has every call of the client") {
        val views = mapOf("sessions" to RawSessions::class.java, "messages" to RawMessages::class.java, "survey_submissions" to RawSurveySubmissions::class.java, "agents" to RawAgents::class.java)
        for (name in callNames()) {
            val (group, call) = name.split(".")
            val method = call.split("_").mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar(Char::uppercase) }.joinToString("")
            val view = views[group] ?: throw Failure("no raw view for $group")
            check(view.methods.any { it.name == method }) { "no ${view.simpleName}.$method for $name" }
        }
    }

    test("e2e: time limits past 2^31-1 ms are refused by name (Long.MAX_VALUE used to overflow or wait forever)") {
        for ((what, make) in listOf<Pair<String, () -> Unit>>(
            "timeoutMs" to { Client(token = TOKEN, baseUrl = sb.baseUrl, timeoutMs = Long.MAX_VALUE) },
            "totalTimeoutMs" to { Client(token = TOKEN, baseUrl = sb.baseUrl, totalTimeoutMs = Long.MAX_VALUE) },
            "timeoutMs just past" to { Client(token = TOKEN, baseUrl = sb.baseUrl, timeoutMs = Int.MAX_VALUE.toLong() + 1) },
        )) {
            val e = expect<InvalidRequestException>(what) { make() }
            check(e.field.endsWith("timeout_ms") && e.message.contains("2147483647")) { "$what: ${e.field}: ${e.message}" }
        }
        expect<InvalidRequestException>("pollIntervalMs") { client.sessions.messages.stream("s", pollIntervalMs = Long.MAX_VALUE) }
        // The largest accepted limits work with both shipped transports.
        for (transport in listOf(JdkHttpClientTransport(), HttpUrlConnectionTransport())) {
            val c = Client(token = TOKEN, baseUrl = sb.baseUrl, timeoutMs = Int.MAX_VALUE.toLong(), totalTimeoutMs = Int.MAX_VALUE.toLong(), transport = transport)
            eq(withTimeout(10_000) { c.agents.get("agent_abc") }.id, "agent_abc", "a call with the largest limits")
        }
    }

    test("e2e: every error names its request id, the server's or the one sent") {
        val nf = expectS<NotFoundException>("404") { client.sessions.get("sess_missing_${uid()}") }
        check(nf.requestId?.startsWith("req_") == true) { "requestId ${nf.requestId}" }
        val seen = CompletableDeferred<HttpRequest>()
        val t = object : HttpTransport { override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse { seen.complete(request); return HttpResponse(404, listOf(HttpHeader("x-request-id", "srv_42")), ByteArray(0)) } }
        val e = expectS<NotFoundException>("fake 404") { Client(baseUrl = sb.baseUrl, transport = t).agents.get("a") }
        eq(e.requestId, "srv_42", "the server's id")
        check(seen.await().headers.any { it.name == "x-request-id" && it.value.startsWith("req_") }) { "x-request-id sent" }
        eq(expectS<InvalidRequestException>("bad id") { client.sessions.get("") }.requestId, null, "nothing sent")
    }

    test("e2e: a transport that throws an Error (TODO()) is a transport error naming it, not a timeout") {
        val t = object : HttpTransport { override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse = TODO("my transport") }
        val started = System.nanoTime()
        val e = expectS<TransportException>("TODO()") { Client(baseUrl = sb.baseUrl, transport = t, timeoutMs = 5_000, maxRetries = 0).agents.get("a") }
        check(e.message.contains("NotImplementedError") && e.message.contains("my transport")) { e.message }
        check((System.nanoTime() - started) / 1e6 < 2_000) { "took the whole timeout" }
    }

    test("e2e: a Sleeper that throws is the SDK's transport error") {
        val broken = object : Sleeper { override suspend fun sleep(millis: Long) = throw IllegalStateException("timer broke") }
        val c = Client(FakeTransport { HttpResponse(503, emptyList(), ByteArray(0)) }, broken, ClientOptions(baseUrl = sb.baseUrl), TOKEN)
        val e = expectS<AntonniaException>("broken timer") { c.agents.get("a") }
        check(e is TransportException && e.message.contains("timer broke")) { "$e" }
    }

    test("e2e: default clients share one HttpClient (300 clients do not make 300 pools)") {
        val before = Thread.getAllStackTraces().keys.count { it.name.startsWith("HttpClient") }
        val clients = (1..300).map { Client(token = TOKEN, baseUrl = sb.baseUrl) }
        coroutineScope { clients.map { c -> async(Dispatchers.Default) { c.agents.get("agent_abc") } }.awaitAll() }
        val after = Thread.getAllStackTraces().keys.count { it.name.startsWith("HttpClient") }
        println("  HttpClient threads: $before before, $after after 300 default clients")
        check(after - before < 50) { "$before -> $after HttpClient threads" }
    }

    test("e2e: ANTONNIA_LOG=debug logs each attempt on stderr, never a token or a body") {
        val java = java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java").toString()
        val pb = ProcessBuilder(java, "-Djna.library.path=${System.getProperty("jna.library.path")}", "-cp", System.getProperty("java.class.path"), "debuglogchild.DebugLogChildKt", sb.baseUrl)
        pb.environment()["ANTONNIA_LOG"] = "debug"
        val p = pb.start()
        val err = p.errorStream.readBytes().toString(Charsets.UTF_8)
        val out = p.inputStream.readBytes().toString(Charsets.UTF_8)
        check(p.waitFor(60, TimeUnit.SECONDS)) { "the child hung" }
        eq(p.exitValue(), 0, "child exit ($out $err)")
        println(err.lines().filter { it.isNotBlank() }.joinToString("\n") { "  | $it" })
        check(err.contains("agents.get GET ${sb.baseUrl}/agents/agent_abc attempt 1") && err.contains("HTTP 200") && err.contains("request id req_")) { err }
        check(err.contains("HTTP 404") && err.contains("failed: not_found")) { err }
        check(!err.contains(TOKEN) && !err.contains("Bearer") && !err.contains("secret body text")) { err }
    }

    test("e2e: proxy mode: no token, extra headers, nothing secret printed") {
        val anon = Client(baseUrl = sb.baseUrl, headers = mapOf("x-app-session" to "app_123"))
        expectS<AuthenticationException>("no token to the API itself") { anon.agents.get("agent_abc") }
        check(!Client(token = "sk_live_supersecret", baseUrl = sb.baseUrl).toString().contains("supersecret")) { "toString" }
        // What the transport is given carries the headers, and printing the request hides the token.
        val seen = CompletableDeferred<HttpRequest>()
        val t = object : HttpTransport { override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse { seen.complete(request); return HttpResponse(200, emptyList(), """{"id":"a","type":"ai"}""".toByteArray()) } }
        Client(token = "sk_live_supersecret", baseUrl = sb.baseUrl, headers = mapOf("x-app-session" to "app_123"), transport = t).agents.get("a")
        val r = seen.await()
        check(r.headers.any { it.name == "x-app-session" && it.value == "app_123" }) { "extra header" }
        check(!r.toString().contains("supersecret")) { r.toString() }
        val header = r.headers.first { it.name.equals("authorization", ignoreCase = true) }
        check(header.value.contains("supersecret")) { "the header carries the token" }
        check(!header.toString().contains("supersecret") && !listOf(header).toString().contains("supersecret")) { header.toString() }
    }
}

suspend fun localServerTests() {
    for ((name, transport) in listOf("java.net.http" to JdkHttpClientTransport(), "HttpURLConnection" to HttpUrlConnectionTransport())) {
        test("e2e: cancelling the coroutine aborts the HTTP call ($name)") {
            StalledServer().use { server ->
                val c = Client(token = TOKEN, baseUrl = server.url, transport = transport)
                coroutineScope {
                    val job = launch { c.sessions.get("sess_1") }
                    withTimeout(5_000) { server.accepted.await() }
                    val t0 = System.nanoTime()
                    job.cancel()
                    withTimeout(2_000) { job.join() }
                    withTimeout(5_000) { server.closed.await() } // the connection was closed by the client
                    check((System.nanoTime() - t0) / 1e6 < 2_000) { "cancellation took too long" }
                }
            }
        }
        test("e2e: a stalled server times out per attempt and per call ($name)") {
            StalledServer().use { server ->
                val c = Client(token = TOKEN, baseUrl = server.url, transport = transport, timeoutMs = 300, maxRetries = 0)
                val t0 = System.nanoTime()
                val e = expectS<ApiTimeoutException>("attempt timeout") { c.sessions.get("sess_1") }
                val ms = (System.nanoTime() - t0) / 1e6
                check(ms in 250.0..3_000.0) { "took $ms ms" }
                check(e.message.contains("0.3 s")) { e.message }
                withTimeout(5_000) { server.closed.await() }
                val total = Client(token = TOKEN, baseUrl = server.url, transport = transport, timeoutMs = 10_000, totalTimeoutMs = 400)
                val t1 = System.nanoTime()
                expectS<ApiTimeoutException>("total timeout") { total.agents.get("a") }
                check((System.nanoTime() - t1) / 1e6 < 3_000) { "total timeout took too long" }
            }
        }
    }
    test("e2e: nothing listening: a transport error with the client's words, after retries for a get") {
        val port = ServerSocket(0).use { it.localPort }
        val c = Client(token = TOKEN, baseUrl = "http://127.0.0.1:$port/conversations/v2/api/v1", maxRetries = 1)
        val e = expectS<TransportException>("refused") { c.sessions.get("s") }
        check(e.message.contains("sessions.get")) { e.message }
    }
}
