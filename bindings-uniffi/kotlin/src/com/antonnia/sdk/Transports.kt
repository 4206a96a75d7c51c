// The platform's HTTP clients as transports. The SDK's core decides what to
// send, how long an attempt may take and what to retry; a transport sends
// the bytes, reads at most maxResponseBytes + 1 of the body, and reports
// how it failed. Cancelling the calling coroutine aborts the request.
package com.antonnia.sdk

import java.io.IOException
import java.io.InputStream
import java.net.ConnectException
import java.net.HttpURLConnection
import java.net.NoRouteToHostException
import java.net.SocketTimeoutException
import java.net.URI
import java.net.UnknownHostException
import java.net.http.HttpClient
import java.net.http.HttpConnectTimeoutException
import java.net.http.HttpTimeoutException
import java.time.Duration
import java.util.concurrent.CompletionException
import kotlin.coroutines.EmptyCoroutineContext
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit

/**
 * The default: `java.net.HttpURLConnection` on Android (which sends every
 * method the API uses); on a desktop/server JVM, whose HttpURLConnection
 * refuses `PATCH`, `java.net.http.HttpClient`.
 */
fun defaultTransport(): HttpTransport = sharedDefault

/** One for every client that does not bring its own: one pool, one set of threads. */
private val sharedDefault: HttpTransport by lazy {
    if (isAndroid) HttpUrlConnectionTransport() else JdkHttpClientTransport()
}

/** The HttpClient of every JdkHttpClientTransport made without one. */
private val sharedHttpClient: HttpClient by lazy {
    HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(30))
        .build()
}

private val isAndroid: Boolean =
    runCatching { Class.forName("android.os.Build") }.isSuccess

/**
 * Whether a blocking request may still go out. A call that failed (its
 * coroutine was cancelled: the SDK's deadline passed, or the caller gave up)
 * must never reach the wire afterwards, even when its block only gets a
 * thread of a saturated IO pool later: the block asks [mayStart] before it
 * connects and again before it writes a byte, and [cancel] (from the
 * coroutine's cancellation) makes both answer no and aborts what is under way.
 */
private class Gate(private val abort: () -> Unit) {
    private var cancelled = false

    /** False once cancelled; checked under the same lock as [cancel]. */
    fun mayStart(): Boolean = synchronized(this) { !cancelled }

    fun cancel() {
        synchronized(this) { cancelled = true }
        runCatching(abort)
    }
}

/** The call was given up before its request went out. */
private class NotSent : IOException("the call ended before its request was sent")

/**
 * A blocking [block] on Dispatchers.IO; cancelling the coroutine closes the
 * [Gate] given to the block (which must ask it before sending) and aborts it.
 */
private suspend fun <T> onIo(abort: () -> Unit, block: (Gate) -> T): T =
    suspendCancellableCoroutine { cont ->
        val gate = Gate(abort)
        cont.invokeOnCancellation { gate.cancel() }
        Dispatchers.IO.dispatch(EmptyCoroutineContext, Runnable {
            // A block that comes to run after its call has ended does nothing.
            if (!gate.mayStart()) return@Runnable
            cont.resumeWith(runCatching { block(gate) })
        })
    }

/** The host's exception as the SDK's transport failure (connect: nothing was sent). */
internal fun classify(e: Throwable): HttpTransportException {
    val cause = if (e is CompletionException && e.cause != null) e.cause!! else e
    val text = cause.toString()
    return when (cause) {
        is HttpTransportException -> cause
        is ConnectException, is UnknownHostException, is NoRouteToHostException,
        is HttpConnectTimeoutException -> HttpTransportException.Connect(text)
        is SocketTimeoutException, is HttpTimeoutException -> HttpTransportException.Timeout(text)
        else -> HttpTransportException.Io(text)
    }
}

private fun readCapped(input: InputStream, max: Long): ByteArray {
    val cap = if (max >= Int.MAX_VALUE - 1) Int.MAX_VALUE - 1 else (max + 1).toInt()
    return input.readNBytes(cap)
}

/** On `java.net.HttpURLConnection` (Android, or any JVM for calls without PATCH). */
class HttpUrlConnectionTransport : HttpTransport {
    override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse {
        val conn = try {
            URI(request.url).toURL().openConnection() as HttpURLConnection
        } catch (e: Exception) {
            throw HttpTransportException.Connect(e.toString())
        }
        return try {
            onIo({ conn.disconnect() }) { gate ->
                val t = timeoutMs.coerceIn(1, Int.MAX_VALUE.toLong()).toInt()
                conn.connectTimeout = t
                conn.readTimeout = t
                conn.useCaches = false
                conn.instanceFollowRedirects = false
                conn.requestMethod = request.method
                for (h in request.headers) conn.setRequestProperty(h.name, h.value)
                val body = request.body
                if (body != null) {
                    conn.doOutput = true
                    conn.setFixedLengthStreamingMode(body.size)
                }
                // Connected (no byte of the request written yet): a call that
                // ended meanwhile stops here instead of sending.
                conn.connect()
                if (!gate.mayStart()) {
                    conn.disconnect()
                    throw NotSent()
                }
                if (body != null) conn.outputStream.use { it.write(body) }
                val status = conn.responseCode
                val stream = if (status >= 400) conn.errorStream else conn.inputStream
                val bytes = stream?.use { readCapped(it, request.maxResponseBytes) } ?: ByteArray(0)
                val headers = conn.headerFields.flatMap { (name, values) ->
                    if (name == null) emptyList() else values.map { HttpHeader(name, it) }
                }
                conn.disconnect()
                HttpResponse(status, headers, bytes)
            }
        } catch (e: kotlinx.coroutines.CancellationException) {
            throw e
        } catch (e: Throwable) {
            throw classify(e)
        }
    }
}

/**
 * On `java.net.http.HttpClient` (JVM 11+). Without a [client], every such
 * transport shares one (no redirects, 30 s connect timeout); pass your own for
 * other settings.
 *
 * At most [maxConcurrentRequests] requests (default 64, as OkHttp's
 * dispatcher) are handed to the `HttpClient` at once; more calls wait their
 * turn here, where a call that ends while it waits sends nothing. Handed
 * thousands at once, `HttpClient` opens thousands of sockets and may still
 * write a request whose call it was told to cancel (it checks the
 * cancellation only at some steps of its exchange), after the call failed.
 */
class JdkHttpClientTransport(
    private val client: HttpClient = sharedHttpClient,
    maxConcurrentRequests: Int = 64,
) : HttpTransport {
    init {
        require(maxConcurrentRequests >= 1) { "maxConcurrentRequests must be at least 1, got $maxConcurrentRequests" }
    }

    private val inFlight = Semaphore(maxConcurrentRequests)

    override suspend fun send(request: HttpRequest, timeoutMs: Long): HttpResponse =
        inFlight.withPermit { sendNow(request, timeoutMs) }

    private suspend fun sendNow(request: HttpRequest, timeoutMs: Long): HttpResponse {
        try {
            val body = request.body
            val b = java.net.http.HttpRequest.newBuilder(URI(request.url))
                .timeout(Duration.ofMillis(timeoutMs.coerceAtLeast(1)))
                .method(
                    request.method,
                    if (body == null) java.net.http.HttpRequest.BodyPublishers.noBody()
                    else java.net.http.HttpRequest.BodyPublishers.ofByteArray(body),
                )
            for (h in request.headers) {
                // HttpClient sets a few headers itself (Host, Content-Length...) and refuses them.
                try { b.header(h.name, h.value) } catch (_: IllegalArgumentException) {}
            }
            val future = client.sendAsync(b.build()) { CappedBody(request.maxResponseBytes) }
            // cancel(true), not await()'s cancel(false): only that aborts the exchange (JDK 16+).
            val response = suspendCancellableCoroutine { cont ->
                cont.invokeOnCancellation { future.cancel(true) }
                future.whenComplete { r, e -> if (e != null) cont.resumeWith(Result.failure(e)) else cont.resumeWith(Result.success(r)) }
            }
            val bytes = response.body()
            val headers = response.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
            return HttpResponse(response.statusCode(), headers, bytes)
        } catch (e: kotlinx.coroutines.CancellationException) {
            throw e
        } catch (e: Throwable) {
            throw classify(e)
        }
    }
}

/** The body, read whole as it arrives, up to [max] + 1 bytes (then the stream is cancelled). */
private class CappedBody(private val max: Long) : java.net.http.HttpResponse.BodySubscriber<ByteArray> {
    private val out = java.io.ByteArrayOutputStream()
    private val result = java.util.concurrent.CompletableFuture<ByteArray>()
    private var subscription: java.util.concurrent.Flow.Subscription? = null

    override fun getBody(): java.util.concurrent.CompletionStage<ByteArray> = result

    override fun onSubscribe(s: java.util.concurrent.Flow.Subscription) {
        subscription = s
        s.request(Long.MAX_VALUE)
    }

    override fun onNext(item: List<java.nio.ByteBuffer>) {
        if (result.isDone) return
        for (b in item) {
            val bytes = ByteArray(b.remaining())
            b.get(bytes)
            out.write(bytes)
        }
        if (out.size() > max) {
            subscription?.cancel()
            result.complete(out.toByteArray())
        }
    }

    override fun onError(throwable: Throwable) {
        result.completeExceptionally(throwable)
    }

    override fun onComplete() {
        result.complete(out.toByteArray())
    }
}
