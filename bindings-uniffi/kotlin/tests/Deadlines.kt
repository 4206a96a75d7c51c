// Deadlines and late sends on the shipped transports, against loopback
// servers of our own: a call that has failed never reaches the wire
// afterwards, even when the transport's thread pool is saturated. Every
// server started here is stopped here.
import com.antonnia.sdk.*
import java.net.InetAddress
import java.net.ServerSocket
import java.util.concurrent.atomic.AtomicLong
import kotlin.concurrent.thread
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

/**
 * A server that reads each request's head, records when it arrived, and
 * never answers (the connection stays open
 * until the client closes it).
 */
class CountingStalledServer : AutoCloseable {
    private val socket = ServerSocket(0, 2000, InetAddress.getLoopbackAddress())
    /** System.nanoTime() when each request head arrived. */
    val arrivals = java.util.concurrent.ConcurrentLinkedQueue<Long>()
    val lastArrival = AtomicLong(0)
    val url = "http://127.0.0.1:${socket.localPort}/conversations/v2/api/v1"
    init {
        thread(isDaemon = true) {
            while (!socket.isClosed) {
                val c = runCatching { socket.accept() }.getOrNull() ?: break
                thread(isDaemon = true) {
                    c.use {
                        val input = c.getInputStream()
                        val head = StringBuilder()
                        val buf = ByteArray(4096)
                        while (true) {
                            val n = runCatching { input.read(buf) }.getOrDefault(-1)
                            if (n < 0) break
                            head.append(String(buf, 0, n, Charsets.ISO_8859_1))
                            val end = head.indexOf("\r\n\r\n")
                            if (end >= 0) {
                                val now = System.nanoTime()
                                arrivals.add(now)
                                lastArrival.set(now)
                                head.setLength(0)
                            }
                        }
                    }
                }
            }
        }
    }
    override fun close() = socket.close()
}

suspend fun deadlineTests() {
    for ((name, transport) in listOf("HttpURLConnection" to HttpUrlConnectionTransport(), "java.net.http" to JdkHttpClientTransport())) {
        test("deadlines: no request reaches the wire after its call failed, pool saturated ($name)") {
            CountingStalledServer().use { server ->
                val calls = 1000
                val c = Client(baseUrl = server.url, timeoutMs = 300, maxRetries = 0, transport = transport)
                val t0 = System.nanoTime()
                val kinds = coroutineScope {
                    // The app keeps Dispatchers.IO busy for a while (64 threads blocked for 1.5 s).
                    val busy = (0 until 64).map { launch(Dispatchers.IO) { Thread.sleep(1_500) } }
                    val results = (0 until calls).map { async(Dispatchers.Default) { try { c.agents.get("a"); "ok" } catch (e: AntonniaException) { e.kind } } }.awaitAll()
                    busy.forEach { it.cancel() }
                    results
                }
                val allFailed = System.nanoTime()
                eq(kinds.toSet(), setOf("timeout"), "every call timed out")
                // Wait until the server has had nothing new for a second (at most 15 s).
                val until = System.nanoTime() + 15_000_000_000
                while (System.nanoTime() < until && System.nanoTime() - maxOf(server.lastArrival.get(), allFailed) < 1_000_000_000) delay(100)
                // A request written just before its call failed may be read by the server a little later.
                val late = server.arrivals.count { it > allFailed + 100_000_000 }
                println("  $name: every call failed within ${(allFailed - t0) / 1_000_000} ms; ${server.arrivals.size} of $calls requests reached the server, $late more than 0.1 s after that")
                eq(late, 0, "requests sent after their call failed")
            }
        }
    }
}
