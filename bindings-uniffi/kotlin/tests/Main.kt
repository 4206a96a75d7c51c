// The Kotlin suite: every shared vector through the public API (Vectors.kt),
// then end to end against antonnia-sandbox over real HTTP (E2e.kt). A plain
// runner: each test prints PASS/FAIL; any failure exits non-zero.
// Usage: java ... MainKt [vectors|e2e|NAME-SUBSTRING]...
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking

object Results {
    var passed = 0
    val failed = mutableListOf<String>()
}

class Failure(message: String) : AssertionError(message)

fun check(cond: Boolean, message: () -> String) {
    if (!cond) throw Failure(message())
}

fun <T> eq(got: T, want: T, what: String = "value") {
    if (got != want) throw Failure("$what: got <$got>, want <$want>")
}

var filters: List<String> = emptyList()

suspend fun test(name: String, body: suspend () -> Unit): Boolean {
    if (filters.isNotEmpty() && filters.none { name.contains(it) }) return true
    return try {
        body()
        if (!name.contains(".json:")) println("PASS $name")
        Results.passed++
        true
    } catch (e: Throwable) {
        Results.failed.add(name)
        println("FAIL $name: $e")
        false
    }
}

fun main(args: Array<String>) {
    val parts = args.filter { it == "vectors" || it == "e2e" }.ifEmpty { listOf("vectors", "e2e") }
    filters = args.filter { it != "vectors" && it != "e2e" }
    runBlocking {
        if ("vectors" in parts) replayVectors()
        if ("e2e" in parts) {
            endToEnd()
            deadlineTests()
        }
    }
    println("\n${Results.passed} passed, ${Results.failed.size} failed")
    Results.failed.forEach { println("  FAILED $it") }
    System.out.flush()
    // Exit at once: the JNA cleaner and coroutine threads are daemons anyway.
    exitProcess(if (Results.failed.isEmpty()) 0 else 1)
}
