// The Quick Start in Kotlin: a user writes on your channel → a session, the
// user's message, a debounced AI reply; Antonnia POSTs the answer as a
// signed webhook → verify, parse, deliver, report. Runs against the sandbox
// or, with ANTONNIA_TOKEN, the real API:
//   ANTONNIA_BASE_URL=http://127.0.0.1:41234/conversations/v2/api/v1 \
//   ANTONNIA_WEBHOOK_SECRET=whsec_... WEBHOOK_PORT=9000 java -cp ... QuickstartKt
import com.antonnia.sdk.*
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking

fun main() = runBlocking {
    val client = Client(
        token = System.getenv("ANTONNIA_TOKEN") ?: "sk_test_sandbox",
        baseUrl = System.getenv("ANTONNIA_BASE_URL"), // production when unset
    )

    // Your webhook endpoint (any HTTP server: Ktor, Spring, the JDK's own).
    val events = LinkedBlockingQueue<WebhookEvent>()
    val receiver = WebhookReceiver(secret = System.getenv("ANTONNIA_WEBHOOK_SECRET"))
    val server = HttpServer.create(InetSocketAddress("127.0.0.1", (System.getenv("WEBHOOK_PORT") ?: "9000").toInt()), 0)
    server.createContext("/webhooks") { exchange ->
        val body = exchange.requestBody.readBytes()
        val status = try {
            events.add(receiver.receive(body, webhookHeaders(exchange.requestHeaders)))
            204
        } catch (e: WebhookVerificationException) {
            401
        }
        exchange.sendResponseHeaders(status, -1)
        exchange.close()
    }
    server.start()

    try {
        // Inbound: a user writes on your channel.
        val session = client.sessions.create(
            contactId = "user_123",
            contactName = "Jane Doe",
            agentId = "agent_abc",
            metadata = metadataOf("channel_type" to "my_channel", "channel_user_id" to "ext_user_456"),
        )
        client.sessions.messages.create(
            sessionId = session.id,
            content = MessageContent.Text(text = "Hello, I need help with my order"),
            role = MessageRole.User,
            providerMessageId = "ext_msg_001",
        )
        client.sessions.reply(session.id, debounceTime = 3) // one answer for a burst of messages

        // Outbound: in your webhook endpoint, with the raw body and headers.
        while (true) {
            val event = events.poll(60, TimeUnit.SECONDS) ?: error("no webhook within 60 s")
            val message = outboundMessage(event) ?: continue // a pending assistant message, or null
            val sessionId = message.sessionId ?: continue
            val out = deliverable(message) // text, image, video, audio or file, in one shape
            val providerId = "my_channel_${message.id}" // = myChannel.send(out.text, out.mediaUrl, ...)
            println("deliver to ext_user_456: ${out.text ?: out.mediaUrl}")
            val updated = client.sessions.messages.reportDelivery(sessionId, message.id, DeliveryReport.Sent(providerMessageId = providerId))
            println("reported ${updated.deliveryStatus} for ${updated.id} in session $sessionId")
            break
        }
    } finally {
        server.stop(0)
    }
}
