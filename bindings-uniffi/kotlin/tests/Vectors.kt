// Replays every file of tests/fixtures/ through the Kotlin API, as
// bindings-wasm/tests/vectors.test.mjs does for JavaScript: requests,
// responses, webhooks and channel helpers through the client (over a fake
// transport) and the exported functions; retry, exchange and stream through
// the core's step-by-step objects that the client's own loop drives. With
// PARITY_DIR set, each vector's outcome goes to $PARITY_DIR/kotlin.jsonl.
import com.antonnia.sdk.*
import java.io.File
import java.util.Base64
import kotlinx.coroutines.flow.first

val FIXTURES = File(System.getenv("ANTONNIA_FIXTURES") ?: "tests/fixtures")

@Suppress("UNCHECKED_CAST")
fun obj(v: Any?): Map<String, Any?> = v as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
fun list(v: Any?): List<Any?> = v as List<Any?>

fun load(name: String): Pair<Map<String, Any?>, List<Map<String, Any?>>> {
    val doc = obj(Json.parse(File(FIXTURES, name).readText()))
    val vectors = list(doc["vectors"]).map(::obj)
    check(vectors.map { it["name"] }.toSet().size == vectors.size) { "$name: duplicate vector names" }
    return obj(doc["defaults"] ?: emptyMap<String, Any?>()) to vectors
}

fun num(v: Any?): Double = (v as Number).toDouble()

/** JSON trees equal, numbers by value (1 == 1.0). */
fun jsonEq(a: Any?, b: Any?): Boolean = when {
    a is Number && b is Number -> a.toDouble() == b.toDouble()
    a is Map<*, *> && b is Map<*, *> -> a.keys == b.keys && a.keys.all { jsonEq(a[it], b[it]) }
    a is List<*> && b is List<*> -> a.size == b.size && a.indices.all { jsonEq(a[it], b[it]) }
    else -> a == b
}

fun jsonCheck(got: Any?, want: Any?, what: String) =
    check(jsonEq(got, want)) { "$what: got ${Json.write(got)}, want ${Json.write(want)}" }

fun bodyOf(v: Map<String, Any?>): ByteArray = when {
    "body" in v -> (v["body"] as String).toByteArray()
    "body_json" in v -> Json.write(v["body_json"]).toByteArray()
    "body_base64" in v -> Base64.getDecoder().decode(v["body_base64"] as String)
    "body_repeat" in v -> obj(v["body_repeat"]).let { (it["text"] as String).repeat(num(it["count"]).toInt()) }.toByteArray()
    else -> ByteArray(0)
}

fun headersOf(v: Any?): List<HttpHeader> =
    (v as? Map<*, *>)?.map { (k, x) -> HttpHeader(k.toString(), x.toString()) } ?: emptyList()

/** The error is the SDK's, of the vector's kind, with every field the vector pins. */
fun checkError(e: Throwable, want: Map<String, Any?>) {
    check(e is AntonniaException) { "threw $e, want ${Json.write(want)}" }
    e as AntonniaException
    eq(e.kind, want["kind"], "kind (${e.message})")
    val message = e.message ?: ""
    if ("field" in want) eq((e as InvalidRequestException).field, want["field"], "field ($message)")
    if ("path" in want) eq((e as DecodeException).path, want["path"], "path ($message)")
    if ("path_prefix" in want) check((e as DecodeException).path.startsWith(want["path_prefix"] as String)) { e.path }
    if ("reason" in want) eq((e as WebhookVerificationException).reason, want["reason"], "reason ($message)")
    if ("message_contains" in want) check(message.contains(want["message_contains"] as String)) { "message: $message" }
    if ("status" in want) eq(e.httpStatus, num(want["status"]).toInt(), "status")
    if ("request_id" in want) eq(e.requestId, want["request_id"], "requestId")
    if ("message" in want) {
        val detail = when (e) {
            is AntonniaException.Authentication -> e.detail
            is AntonniaException.PermissionDenied -> e.detail
            is AntonniaException.NotFound -> e.detail
            is AntonniaException.Conflict -> e.detail
            is AntonniaException.Validation -> e.detail
            is AntonniaException.RateLimit -> e.detail
            is AntonniaException.Api -> e.detail
            is AntonniaException.PayloadTooLarge -> e.detail ?: message
            else -> message
        }
        eq(detail, want["message"], "message")
    }
    if ("retry_after" in want) eq((e as RateLimitException).retryAfter, (want["retry_after"] as Number?)?.toDouble(), "retryAfter")
    if ("problems" in want) {
        val got = (e as ValidationException).problems.map { mapOf("loc" to it.loc, "msg" to it.msg, "type" to it.kind) }
        jsonCheck(got, want["problems"], "problems")
    }
    if ("data" in want) {
        val data = when (e) {
            is AntonniaException.Authentication -> e.dataJson
            is AntonniaException.Validation -> e.dataJson
            is AntonniaException.Api -> e.dataJson
            is AntonniaException.NotFound -> e.dataJson
            is AntonniaException.RateLimit -> e.dataJson
            else -> null
        }
        jsonCheck(data?.let(Json::parse), want["data"], "data")
    }
}

/** A transport answering every request with [respond], recording what was sent. */
class FakeTransport(val respond: (HttpRequest) -> HttpResponse) : HttpTransport {
    val sent = mutableListOf<HttpRequest>()
    override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse {
        synchronized(sent) { sent.add(request) }
        return respond(request)
    }
}


fun fakeClient(token: String?, baseUrl: String?, respond: (HttpRequest) -> HttpResponse): Pair<Client, FakeTransport> {
    val t = FakeTransport(respond)
    val c = Client(t, CoroutineSleeper, ClientOptions(baseUrl = baseUrl, maxRetries = 0), token)
    return c to t
}

fun response(v: Map<String, Any?>) = HttpResponse(num(v["status"]).toInt(), headersOf(v["headers"]), bodyOf(v))

/** Arguments a typed Kotlin signature cannot carry (wrong JSON type, unknown name). */
class NoFit(what: String) : Exception(what)

class Args(m: Map<String, Any?>) {
    private val rest = m.toMutableMap()
    fun str(k: String): String? = rest.remove(k)?.let { it as? String ?: throw NoFit("$k is not a string") }
    fun req(k: String): String = str(k) ?: throw NoFit("$k is missing")
    fun long(k: String): Long? = rest.remove(k)?.let { (it as? Long) ?: throw NoFit("$k is not an integer") }
    fun bool(k: String): Boolean? = rest.remove(k)?.let { it as? Boolean ?: throw NoFit("$k is not a boolean") }
    fun json(k: String): String? = if (k in rest) Json.write(rest.remove(k)) else null
    fun raw(k: String): Any? = rest.remove(k)
    fun done() { if (rest.isNotEmpty()) throw NoFit("no parameter for ${rest.keys}") }
}

fun sessionStatus(s: String?) = s?.let { when (it) { "open" -> SessionStatus.Open; "closed" -> SessionStatus.Closed; else -> SessionStatus.Other(it) } }
fun messageRole(s: String?) = s?.let { when (it) { "user" -> MessageRole.User; "assistant" -> MessageRole.Assistant; else -> MessageRole.Other(it) } }
fun agentType(s: String?) = s?.let { when (it) { "ai" -> AgentType.Ai; "human" -> AgentType.Human; else -> AgentType.Other(it) } }
fun deliveryStatus(s: String?) = s?.let {
    when (it) {
        "pending" -> DeliveryStatus.Pending; "sent" -> DeliveryStatus.Sent; "delivered" -> DeliveryStatus.Delivered
        "read" -> DeliveryStatus.Read; "failed" -> DeliveryStatus.Failed; "rejected" -> DeliveryStatus.Rejected
        else -> DeliveryStatus.Other(it)
    }
}

fun scheduleConfig(v: Any?): ScheduleConfig {
    val m = v as? Map<*, *> ?: throw NoFit("config is not an object")
    return when (m["type"]) {
        "node" -> ScheduleConfig.Node(m["node_id"] as? String ?: throw NoFit("node_id"))
        "message" -> ScheduleConfig.Message(messageContentFromJson(Json.write(m["message"])))
        else -> ScheduleConfig.Unknown(m["type"].toString(), Json.write(m))
    }
}

/**
 * The public method for a vector's call and arguments, as a suspend lambda
 * returning the result's canonical JSON; null when the Kotlin signature has
 * no place for an argument (like Python's TypeError, only right for
 * invalid_request vectors). `all` walks a search through its Flow instead.
 */
fun invoke(client: Client, call: String, args: Map<String, Any?>, all: Boolean = false): (suspend () -> Any?)? {
    val a = Args(args)
    fun j(x: String) = Json.parse(x)
    val s = client.sessions
    val run: suspend () -> Any? = try {
        when (call) {
            "sessions.create" -> { val cid = a.req("contact_id"); val n = a.req("contact_name"); val ag = a.str("agent_id"); val st = sessionStatus(a.str("status")); val md = a.json("metadata"); a.done()
                suspend { j(s.create(cid, n, agentId = ag, status = st, metadata = md).toJson()) } }
            "sessions.get" -> { val id = a.req("session_id"); a.done(); suspend { j(s.get(id).toJson()) } }
            "sessions.update" -> {
                val id = a.req("session_id")
                @Suppress("UNCHECKED_CAST")
                val f = Args(a.raw("fields") as? Map<String, Any?> ?: throw NoFit("fields is not an object"))
                val thread = f.str("thread_id"); val st = sessionStatus(f.str("status")); val ag = f.str("agent_id")
                val ending = f.str("ending_survey_submission_id"); val md = f.json("metadata"); f.done(); a.done()
                suspend { j(s.update(id, threadId = thread, status = st, agentId = ag, endingSurveySubmissionId = ending, metadata = md).toJson()) }
            }
            "sessions.transfer" -> { val id = a.req("session_id"); val ag = a.str("agent_id"); val ar = a.bool("auto_reply"); a.done()
                suspend { j(s.transfer(id, agentId = ag, autoReply = ar).toJson()) } }
            "sessions.finish" -> { val id = a.req("session_id"); val e = a.str("ending_survey_id"); a.done(); suspend { j(s.finish(id, endingSurveyId = e).toJson()) } }
            "sessions.reply" -> { val id = a.req("session_id"); val d = a.long("debounce_time"); val n = a.str("starting_node_id"); a.done()
                suspend { j(s.reply(id, debounceTime = d, startingNodeId = n).toJson()) } }
            "sessions.search" -> { val c = a.str("contact_id"); val st = sessionStatus(a.str("status")); val md = a.json("metadata"); val o = a.long("offset"); val l = a.long("limit"); a.done()
                if (all) suspend { j(s.iterSearch(c, st, md, o, l).first().toJson()) }
                else suspend { s.search(c, st, md, o, l).map { j(it.toJson()) } } }
            "sessions.schedule" -> { val id = a.req("session_id"); val at = a.req("scheduled_for"); val cfg = a.raw("config"); a.done()
                suspend { j(s.schedule(id, at, scheduleConfig(cfg)).toJson()) } }
            "messages.create" -> { val id = a.req("session_id"); val c = a.raw("content") ?: throw NoFit("content"); val r = messageRole(a.str("role"))
                val p = a.str("provider_message_id"); val rp = a.str("replied_provider_message_id"); val run = a.str("run_id"); a.done()
                suspend { j(s.messages.create(id, messageContentFromJson(Json.write(c)), role = r, providerMessageId = p, repliedProviderMessageId = rp, runId = run).toJson()) } }
            "messages.get" -> { val id = a.req("session_id"); val m = a.req("message_id"); a.done(); suspend { j(s.messages.get(id, m).toJson()) } }
            "messages.update" -> { val id = a.req("session_id"); val m = a.req("message_id"); val p = a.str("provider_message_id"); val rp = a.str("replied_provider_message_id")
                val ds = deliveryStatus(a.str("delivery_status")); val code = a.long("delivery_error_code"); val em = a.str("delivery_error_message"); val at = a.str("delivered_at"); a.done()
                suspend { j(s.messages.update(id, m, providerMessageId = p, repliedProviderMessageId = rp, deliveryStatus = ds, deliveryErrorCode = code, deliveryErrorMessage = em, deliveredAt = at).toJson()) } }
            "messages.search" -> { val id = a.str("session_id"); val p = a.str("provider_message_id"); val rp = a.str("replied_provider_message_id"); val r = messageRole(a.str("role")); val o = a.long("offset"); val l = a.long("limit"); a.done()
                if (all) suspend { j(s.messages.iterSearch(id, p, rp, r, o, l).first().toJson()) }
                else suspend { s.messages.search(id, p, rp, r, o, l).map { j(it.toJson()) } } }
            "agents.create" -> { val n = a.req("name"); val t = agentType(a.req("type"))!!; val ai = a.str("assistant_id"); val pr = a.str("profile_id"); a.done()
                suspend { j(client.agents.create(n, t, assistantId = ai, profileId = pr).toJson()) } }
            "agents.get" -> { val id = a.req("agent_id"); a.done(); suspend { j(client.agents.get(id).toJson()) } }
            "agents.update" -> { val id = a.req("agent_id"); val n = a.str("name"); val ai = a.str("assistant_id"); val pr = a.str("profile_id"); a.done()
                suspend { j(client.agents.update(id, name = n, assistantId = ai, profileId = pr).toJson()) } }
            "agents.delete" -> { val id = a.req("agent_id"); a.done(); suspend { client.agents.delete(id); null } }
            "agents.search" -> { val t = agentType(a.str("type")); val ai = a.str("assistant_id"); val pr = a.str("profile_id"); val o = a.long("offset"); val l = a.long("limit"); a.done()
                if (all) suspend { j(client.agents.iterSearch(t, ai, pr, o, l).first().toJson()) }
                else suspend { client.agents.search(t, ai, pr, o, l).map { j(it.toJson()) } } }
            "survey_submissions.get", "survey_submissions.reply", "survey_submissions.cancel" -> {
                val id = a.req("session_id"); val sub = a.req("survey_submission_id"); a.done()
                val ss = s.surveySubmissions
                when (call) {
                    "survey_submissions.get" -> suspend { j(ss.get(id, sub).toJson()) }
                    "survey_submissions.reply" -> suspend { j(ss.reply(id, sub).toJson()) }
                    else -> suspend { j(ss.cancel(id, sub).toJson()) }
                }
            }
            else -> throw Failure("no method for $call")
        }
    } catch (e: NoFit) {
        return null
    }
    return run
}

fun checkRequest(r: HttpRequest, want: Map<String, Any?>) {
    eq(r.method, want["method"], "method")
    eq(r.url, want["url"], "url")
    val headers = r.headers.groupBy({ it.name.lowercase() }, { it.value })
    for ((k, v) in obj(want["headers"])) eq(headers[k.lowercase()]?.singleOrNull(), v, "header $k")
    check(headers["user-agent"]?.single()?.startsWith("antonnia-sdk/") == true) { "user-agent ${headers["user-agent"]}" }
    val body = r.body
    eq(headers.containsKey("content-type"), body != null && body.isNotEmpty(), "content-type present")
    jsonCheck(body?.let { Json.parse(String(it)) }, want["body"], "body")
}

var parityOut: File? = System.getenv("PARITY_DIR")?.let { File(it).apply { mkdirs() }.resolve("kotlin.jsonl") }

suspend fun vector(file: String, v: Map<String, Any?>, body: suspend () -> Unit) {
    val name = v["name"] as String
    val ok = test("$file:$name", body)
    parityOut?.appendText(Json.write(mapOf("file" to file, "name" to name, "ok" to ok)) + "\n")
}

/** Runs [f] expecting it to throw; returns the throwable, or null if it returned. */
suspend fun thrown(f: suspend () -> Unit): Throwable? = try { f(); null } catch (e: Throwable) { e }

val SAFETY_ARGS = mapOf(
    "sessions.get" to """{"session_id":"s"}""",
    "messages.update" to """{"session_id":"s","message_id":"m"}""",
    "agents.delete" to """{"agent_id":"a"}""",
    "messages.create" to """{"session_id":"s","content":{"type":"text","text":"x"}}""",
    "sessions.reply" to """{"session_id":"s"}""",
    "sessions.create" to """{"contact_id":"c","contact_name":"n"}""",
    "agents.create" to """{"name":"n","type":"ai"}""",
    "survey_submissions.cancel" to """{"session_id":"s","survey_submission_id":"x"}""",
)

fun settings(p: Map<String, Any?>) = RetrySettings(num(p["max_attempts"]).toInt().toUInt(), num(p["initial_backoff"]), num(p["max_backoff"]), num(p["max_retry_after"]))

suspend fun replayVectors() {
    val files = listOf("requests.json", "responses.json", "webhooks.json", "retry.json", "exchange.json", "stream.json", "channel.json")
    test("every vector file is replayed") {
        // A file that names its languages (the relay's, for Python and Node) is not due here.
        fun dueInKotlin(f: File) = obj(Json.parse(f.readText()))["languages"]?.let { "kotlin" in list(it) } ?: true
        val onDisk = FIXTURES.listFiles()!!
            .filter { it.name.endsWith(".json") && it.name != "message_created_410.json" && dueInKotlin(it) }
            .map { it.name }.toSet()
        eq(onDisk, files.toSet(), "vector files")
        eq(File(FIXTURES, "message_created_410.json").readBytes().size, 410, "benchmark body size")
    }
    test("every call the core knows has a client method") {
        val (client, _) = fakeClient("t", null) { HttpResponse(599, emptyList(), ByteArray(0)) }
        for (name in callNames()) check(name in SIGNATURE_SAMPLES && invoke(client, name, obj(Json.parse(SIGNATURE_SAMPLES[name]!!))) != null) { "no Kotlin method for $name" }
    }

    val (reqDefaults, requests) = load("requests.json")
    for (v in requests) vector("requests.json", v) {
        val config = obj(reqDefaults["config"]) + obj(v["config"] ?: emptyMap<String, Any?>())
        if ("config_error" in v) {
            val e = thrown { Client(token = config["token"] as String?, baseUrl = config["base_url"] as String?) }
            checkError(e ?: throw Failure("no error"), obj(v["config_error"]))
            return@vector
        }
        val modes = if ((v["call"] as String).endsWith(".search")) listOf(false, true) else listOf(false)
        for (all in modes) {
            val (client, t) = fakeClient(config["token"] as String?, config["base_url"] as String?) { HttpResponse(599, emptyList(), "captured".toByteArray()) }
            val run = invoke(client, v["call"] as String, obj(v["args"]), all)
            if (run == null) {
                eq(obj(v["error"] ?: emptyMap<String, Any?>())["kind"], "invalid_request", "the Kotlin signature has no place for an argument")
                continue
            }
            val e = thrown { run() }
            if ("error" in v) {
                eq(t.sent.size, 0, "requests sent")
                checkError(e ?: throw Failure("no error"), obj(v["error"]))
            } else {
                check(t.sent.size == 1) { "nothing sent: $e" }
                checkRequest(t.sent[0], obj(v["request"]))
            }
        }
    }

    val (_, responses) = load("responses.json")
    for (v in responses) vector("responses.json", v) {
        val (client, _) = fakeClient("sk_test_vectors", "https://api.test/v1") { response(obj(v["response"])) }
        val run = invoke(client, v["call"] as String, obj(v["args"])) ?: throw Failure("valid arguments must fit the signature")
        val got = try { run() } catch (e: AntonniaException) {
            check("error" in v) { "threw ${e.message}, want ${Json.write(v["result"])}" }
            checkError(e, obj(v["error"]))
            return@vector
        }
        check("result" in v) { "parsed ${Json.write(got)}, want an error" }
        jsonCheck(got, v["result"], "result")
    }

    val (whDefaults, webhooks) = load("webhooks.json")
    for (v in webhooks) vector("webhooks.json", v) {
        if ("sign" in v) {
            eq(signWebhook(v["secret"] as String, v["id"] as String, num(v["timestamp"]).toLong(), (v["body"] as String).toByteArray()), v["signature"], "signature")
            return@vector
        }
        val verify = v["verify"] as Boolean? ?: ("secret" in v)
        val headers = (v["headers"] as Map<*, *>?)?.map { (k, x) -> k.toString() to x.toString() }?.toMap() ?: emptyMap()
        val event = try {
            WebhookReceiver(v["secret"] as String?, verify, num(v["tolerance"] ?: whDefaults["tolerance"]).toLong(), num(v["max_body_bytes"] ?: whDefaults["max_body_bytes"]).toLong())
                .receive(bodyOf(v), headers, num(v["now"] ?: 0L))
        } catch (e: AntonniaException) {
            check("error" in v) { "threw ${e.message}" }
            checkError(e, obj(v["error"]))
            return@vector
        }
        check("event" in v) { "parsed ${event.toJson()}, want ${Json.write(v["error"])}" }
        jsonCheck(Json.parse(event.toJson()), v["event"], "event")
        if ("outbound" in v) eq(outboundMessage(event) != null, v["outbound"], "outbound")
    }

    val (rDefaults, retries) = load("retry.json")
    for (v in retries) vector("retry.json", v) {
        val policy = settings(obj(rDefaults["policy"]) + obj(v["policy"] ?: emptyMap<String, Any?>()))
        val idempotent = if ("safety" in v) v["safety"] == "idempotent" else ApiCall(v["call"] as String, SAFETY_ARGS[v["call"]] ?: "{}").idempotent()
        val outcome = when (val o = v["outcome"]) { is Number -> Json.write(mapOf("status" to o)); else -> Json.write(o) }
        val got = retryDecision(policy, idempotent, num(v["attempt"]).toInt().toUInt(), outcome, num(v["jitter"]))
        if (v["decision"] == "stop") eq(got, null, "decision")
        else check(got != null && Math.abs(got - num(obj(v["decision"])["retry_after"])) < 1e-9) { "decision $got, want ${Json.write(v["decision"])}" }
    }

    val (xDefaults, exchanges) = load("exchange.json")
    for (v in exchanges) vector("exchange.json", v) {
        val config = obj(xDefaults["config"]) + obj(v["config"] ?: emptyMap<String, Any?>())
        val limits = obj(xDefaults["limits"]) + obj(v["limits"] ?: emptyMap<String, Any?>())
        val ex = CallExchange(
            ApiCall(v["call"] as String, Json.write(v["args"])), config["token"] as String?, config["base_url"] as String?,
            settings(obj(xDefaults["policy"]) + obj(v["policy"] ?: emptyMap<String, Any?>())),
            num(limits["timeout"]), (limits["total_timeout"] as Number?)?.toDouble(), num(limits["max_response_bytes"]).toLong(),
        )
        (v["request_id"] as String?)?.let { ex.setRequestId(it) }
        val steps = list(v["steps"]).map(::obj)
        steps.forEachIndexed { i, step ->
            val last = i + 1 == steps.size
            fun field(k: String) = num(if (k in step) step[k] else xDefaults[k])
            if ("attempt_timeout" in step) {
                val got = ex.attemptTimeout(field("elapsed"))
                check(Math.abs(got - num(step["attempt_timeout"])) < 1e-6) { "step $i: attempt timeout $got" }
            }
            val want = obj(step["expect"])
            val result = try {
                if ("response" in step) {
                    val r = obj(step["response"])
                    ex.onResponse(num(r["status"]).toInt(), headersOf(r["headers"]), bodyOf(r), field("elapsed"), field("now"), field("jitter"))
                } else {
                    ex.onFailure(step["failure"] as String, step["detail"] as String? ?: "", field("elapsed"), field("jitter"), (step["received"] as Number?)?.toLong() ?: 0L)
                }
            } catch (e: AntonniaException) {
                check(last && "error" in want) { "step $i: threw ${e.message}, want ${Json.write(want)}" }
                checkError(e, obj(want["error"]))
                return@forEachIndexed
            }
            when (result) {
                is ExchangeStep.Done -> { check(last && "result" in want) { "step $i: done, want ${Json.write(want)}" }; jsonCheck(Json.parse(result.resultJson), want["result"], "step $i result") }
                is ExchangeStep.Retry -> {
                    check(!last && "retry_after" in want) { "step $i: retry, want ${Json.write(want)}" }
                    check(Math.abs(result.afterSeconds - num(want["retry_after"])) < 1e-9) { "step $i: wait ${result.afterSeconds}" }
                }
            }
        }
    }

    val (sDefaults, streams) = load("stream.json")
    for (v in streams) vector("stream.json", v) {
        val o = obj(sDefaults["options"]) + obj(v["options"] ?: emptyMap<String, Any?>())
        val cursor = try {
            MessageCursor((v["session_id"] ?: sDefaults["session_id"]) as String, num(o["poll_interval"]), num(o["max_poll_interval"]), num(o["page_size"]).toLong(), o["from_start"] as Boolean)
                .also { c -> (v["after"] as String?)?.let { c.startAfter(it) } }
        } catch (e: AntonniaException) {
            check("start_error" in v) { "threw ${e.message}" }
            checkError(e, obj(v["start_error"]))
            return@vector
        }
        check("start_error" !in v) { "no start error" }
        list(v["steps"]).map(::obj).forEachIndexed { i, step ->
            eq(cursor.nextCall(), ApiCall("messages.search", Json.write(step["call"])), "step $i: call")
            val want = obj(step["expect"])
            if ("page" in step) {
                val poll = cursor.onPage(Json.write(step["page"]))
                jsonCheck(poll.messageIds, want["messages"], "step $i messages")
                check(Math.abs(poll.waitSeconds - num(want["wait"])) < 1e-9) { "step $i: wait ${poll.waitSeconds}" }
                return@forEachIndexed
            }
            val e = obj(step["error"])
            val failure: AntonniaException = if ("failure" in e) {
                TransportException("transport error: connection reset", null)
            } else {
                val ex = CallExchange(ApiCall("sessions.get", """{"session_id":"s"}"""), "sk_test", null, RetrySettings(1u, 0.5, 8.0, 60.0), 60.0, null, 10_000_000)
                (thrown { ex.onResponse(num(e["status"]).toInt(), headersOf(e["headers"]), bodyOf(e), 0.0, 0.0, 0.5) } as? AntonniaException) ?: throw Failure("step $i: no error")
            }
            val got = cursor.onFailedPoll(failure)
            if ("stop" in want) { eq(got, null, "step $i: wait"); checkError(failure, obj(want["stop"])) }
            else check(got != null && Math.abs(got - num(want["wait"])) < 1e-9) { "step $i: wait $got" }
        }
    }

    val (cDefaults, channel) = load("channel.json")
    val known = whatsappErrors().associate { it.code to it.description }
    for (v in channel) vector("channel.json", v) {
        when (v["kind"]) {
            "whatsapp" -> {
                val code = num(v["code"]).toLong()
                eq(whatsappErrorDescription(code), v["description"], "description")
                if (v["description"] != null) eq(known[code], v["description"], "table")
            }
            "delivery" -> {
                val r = obj(v["report"])
                val pid = r["provider_message_id"] as String?
                val at = r["at"] as String?
                val report = when (r["status"]) {
                    "sent" -> DeliveryReport.Sent(pid, at)
                    "delivered" -> DeliveryReport.Delivered(pid, at)
                    "read" -> DeliveryReport.Read(pid, at)
                    else -> DeliveryReport.Failed((r["code"] as Number?)?.toLong(), r["message"] as String?)
                }
                val config = obj(cDefaults["config"]) + obj(v["config"] ?: emptyMap<String, Any?>())
                val (client, t) = fakeClient(config["token"] as String?, config["base_url"] as String?) { HttpResponse(599, emptyList(), "captured".toByteArray()) }
                thrown { client.sessions.messages.reportDelivery(v["session_id"] as String, v["message_id"] as String, report) }
                eq(t.sent.size, 1, "requests sent")
                checkRequest(t.sent[0], obj(v["request"]))
            }
            "next_page" -> {
                val next = ApiCall(v["call"] as String, Json.write(v["args"])).nextPage(num(v["returned"]).toLong())
                if (v["next_args"] == null) eq(next, null, "next page")
                else eq(next, ApiCall(v["call"] as String, Json.write(v["next_args"])), "next page")
            }
            else -> throw Failure("unknown kind ${v["kind"]}")
        }
    }
}

/** Valid arguments for every call: each must fit a typed Kotlin method. */
val SIGNATURE_SAMPLES = mapOf(
    "sessions.create" to """{"contact_id":"c","contact_name":"n"}""",
    "sessions.get" to """{"session_id":"s"}""",
    "sessions.update" to """{"session_id":"s","fields":{"status":"open"}}""",
    "sessions.transfer" to """{"session_id":"s"}""",
    "sessions.finish" to """{"session_id":"s"}""",
    "sessions.reply" to """{"session_id":"s"}""",
    "sessions.search" to "{}",
    "sessions.schedule" to """{"session_id":"s","scheduled_for":"2025-01-01T00:00:00Z","config":{"type":"node","node_id":"n"}}""",
    "messages.create" to """{"session_id":"s","content":{"type":"text","text":"x"}}""",
    "messages.get" to """{"session_id":"s","message_id":"m"}""",
    "messages.update" to """{"session_id":"s","message_id":"m","delivery_status":"sent"}""",
    "messages.search" to "{}",
    "agents.create" to """{"name":"n","type":"ai","assistant_id":"a"}""",
    "agents.get" to """{"agent_id":"a"}""",
    "agents.update" to """{"agent_id":"a","name":"n"}""",
    "agents.delete" to """{"agent_id":"a"}""",
    "agents.search" to "{}",
    "survey_submissions.get" to """{"session_id":"s","survey_submission_id":"x"}""",
    "survey_submissions.reply" to """{"session_id":"s","survey_submission_id":"x"}""",
    "survey_submissions.cancel" to """{"session_id":"s","survey_submission_id":"x"}""",
)
