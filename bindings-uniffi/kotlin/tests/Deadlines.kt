// Deadlines and late sends on the shipped transports, against loopback
// servers of our own: a call that has failed never reaches the wire
// afterwards, even when the transport's thread pool is saturated. Every
// server started here is stopped here.
import com.antonnia.sdk.*
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

suspend fun deadlineTests() {
    for ((name, transport) in listOf("HttpURLConnection" to HttpUrlConnectionTransport(), "java.net.http" to JdkHttpClientTransport())) {
        test("deadlines: no request reaches the wire after its call failed, pool saturated ($name)") {
            StalledServer().use { server ->
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
        test("deadlines: 300 concurrent calls to a stalled server each fail with ApiTimeoutException within 1 s + 1.5 s ($name)") {
            StalledServer().use { server ->
                val c = Client(baseUrl = server.url, timeoutMs = 1_000, maxRetries = 0, transport = transport)
                val took = coroutineScope {
                    (0 until 300).map {
                        async(Dispatchers.Default) {
                            val t0 = System.nanoTime()
                            val e = try { c.agents.get("a"); null } catch (e: AntonniaException) { e }
                            check(e is ApiTimeoutException) { "want ApiTimeoutException, got $e" }
                            (System.nanoTime() - t0) / 1e9
                        }
                    }.awaitAll()
                }.sorted()
                println("  $name: 300 calls with a 1 s timeout: median %.2f s, slowest %.2f s".format(took[150], took.last()))
                check(took.first() >= 0.95) { "a call ended before its timeout: ${took.first()} s" }
                check(took.last() <= 2.5) { "the slowest call took ${took.last()} s, want at most 1 s + 1.5 s" }
            }
        }
    }
}
