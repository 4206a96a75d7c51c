// The Kotlin SDK's overhead on the JVM (bindings-uniffi/scripts/bench-kotlin.sh):
// one webhook parse and one build+parse round trip across the FFI, then a
// full sessions.get against the release sandbox next to the same call made
// raw with the same HTTP client and a JSON parse. Prints a median per row
// (medians of several rounds, after warm-up).
import com.antonnia.sdk.*
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.time.Duration
import kotlinx.coroutines.runBlocking

fun median(xs: List<Double>) = xs.sorted()[xs.size / 2]

/** Median over [rounds] of the mean µs per op over [n] ops. */
inline fun bench(n: Int, rounds: Int = 7, op: () -> Unit): Double {
    repeat(n) { op() } // warm-up
    return median((1..rounds).map {
        val t0 = System.nanoTime()
        repeat(n) { op() }
        (System.nanoTime() - t0) / 1e3 / n
    })
}

/** A session read by hand from the raw JSON, as an app without the SDK would. */
data class RawSession(val id: String, val contactId: String?, val status: String?, val metadata: Map<*, *>?)

fun main(args: Array<String>) = runBlocking {
    val fixtures = File(System.getenv("ANTONNIA_FIXTURES") ?: "tests/fixtures")
    val body = File(fixtures, "message_created_410.json").readBytes()
    check(body.size == 410)
    val receiver = WebhookReceiver(null, verify = false)
    val secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    val now = 1_736_937_000L
    val signed = mapOf("webhook-id" to "msg_1", "webhook-timestamp" to "$now", "webhook-signature" to signWebhook(secret, "msg_1", now, body))
    val verifier = WebhookReceiver(secret)
    val empty = emptyMap<String, String>()

    val parse = bench(20_000) { receiver.receive(body, empty, 1.0) }
    val verify = bench(20_000) { verifier.receive(body, signed, now.toDouble()) }
    val rawParse = bench(20_000) { Json.parse(String(body)) }
    println("webhook parse (410 B, verify=false) across the FFI: %.2f µs   (hand JSON parse alone: %.2f µs)".format(parse, rawParse))
    println("webhook verify + parse (410 B) across the FFI: %.2f µs".format(verify))

    // build + parse with no I/O: the core's exchange, synchronous.
    val call = """{"session_id":"s","content":{"type":"text","text":"Hello, I need help with my order"},"provider_message_id":"ext_msg_001"}"""
    val answer = """{"id":"msg_1","session_id":"s","role":"user","content":{"type":"text","text":"Hello, I need help with my order"},"provider_message_id":"ext_msg_001","created_at":"2025-01-15T10:30:00Z","delivery_status":"pending"}""".toByteArray()
    val settings = RetrySettings(3u, 0.5, 8.0, 60.0)
    val roundTrip = bench(20_000) {
        val ex = CallExchange(ApiCall("messages.create", call), "sk_test_bench", null, settings, 60.0, null, 10_000_000)
        ex.onResponse(200, emptyList(), answer, 0.0, 0.0, 0.5)
    }
    println("messages.create build + parse across the FFI (CallExchange, no I/O): %.2f µs".format(roundTrip))

    // The whole client call over a transport that answers at once: typed
    // arguments in, the async loop, the host callback, a typed record out.
    val canned = HttpResponse(200, emptyList(), answer)
    val instant = object : HttpTransport { override suspend fun send(request: HttpRequest, timeoutMs: Long) = canned }
    val offline = Client(token = "sk_test_bench", transport = instant)
    val messages = offline.sessions.messages
    val content = MessageContent.Text(text = "Hello, I need help with my order")
    val clientRoundTrip = bench(5_000) { runBlocking { messages.create("s", content, providerMessageId = "ext_msg_001") } }
    println("client.sessions.messages.create, in-process transport (async loop + callback): %.2f µs".format(clientRoundTrip))

    val baseUrl = args.firstOrNull() ?: return@runBlocking
    val client = Client(token = "sk_test_sandbox", baseUrl = baseUrl)
    val sessions = client.sessions
    val id = sessions.create(contactId = "bench", contactName = "Bench", metadata = metadataOf("channel_type" to "bench")).id
    val http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
    val uri = URI("$baseUrl/sessions/$id")
    val raw = suspend {
        val req = java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer sk_test_sandbox").header("Accept", "application/json").GET().build()
        val r = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofByteArray())
        check(r.statusCode() == 200)
        val m = Json.parse(String(r.body())) as Map<*, *>
        RawSession(m["id"] as String, m["contact_id"] as String?, m["status"] as String?, m["metadata"] as Map<*, *>?)
    }
    val sdk = suspend { sessions.get(id) }
    // Interleaved rounds, so that drift in the machine's load hits both alike.
    repeat(300) { raw(); sdk() }
    val rawT = mutableListOf<Double>()
    val sdkT = mutableListOf<Double>()
    repeat(9) {
        var t0 = System.nanoTime(); repeat(300) { raw() }; rawT.add((System.nanoTime() - t0) / 1e3 / 300)
        t0 = System.nanoTime(); repeat(300) { sdk() }; sdkT.add((System.nanoTime() - t0) / 1e3 / 300)
    }
    val s = median(sdkT)
    val r = median(rawT)
    println("sessions.get over loopback (release sandbox): SDK %.1f µs vs raw java.net.http + JSON parse %.1f µs: %.3fx".format(s, r, s / r))

    // The same with HttpURLConnection (Android's client) on both sides.
    val urlSessions = Client(token = "sk_test_sandbox", baseUrl = baseUrl, transport = HttpUrlConnectionTransport()).sessions
    val rawUrl = {
        val c = uri.toURL().openConnection() as java.net.HttpURLConnection
        c.setRequestProperty("Authorization", "Bearer sk_test_sandbox")
        c.setRequestProperty("Accept", "application/json")
        check(c.responseCode == 200)
        val m = Json.parse(String(c.inputStream.use { it.readBytes() })) as Map<*, *>
        RawSession(m["id"] as String, m["contact_id"] as String?, m["status"] as String?, m["metadata"] as Map<*, *>?)
    }
    repeat(300) { rawUrl(); urlSessions.get(id) }
    val rawU = mutableListOf<Double>()
    val sdkU = mutableListOf<Double>()
    repeat(9) {
        var t0 = System.nanoTime(); repeat(300) { rawUrl() }; rawU.add((System.nanoTime() - t0) / 1e3 / 300)
        t0 = System.nanoTime(); repeat(300) { urlSessions.get(id) }; sdkU.add((System.nanoTime() - t0) / 1e3 / 300)
    }
    val su = median(sdkU)
    val ru = median(rawU)
    println("sessions.get over loopback (release sandbox): SDK on HttpURLConnection %.1f µs vs raw HttpURLConnection + JSON parse %.1f µs: %.3fx".format(su, ru, su / ru))
}
