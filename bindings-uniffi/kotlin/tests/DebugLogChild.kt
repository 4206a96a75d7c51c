package debuglogchild

// Run as a child JVM by the ANTONNIA_LOG=debug test (E2e.kt): makes a good
// call and a failing one (with a body) so that the parent can read stderr.
import com.antonnia.sdk.*
import kotlinx.coroutines.runBlocking

fun main(args: Array<String>) {
  runBlocking {
    val client = Client(token = "sk_test_sandbox", baseUrl = args[0])
    client.agents.get("agent_abc")
    try {
        client.sessions.messages.create("sess_missing_debug", MessageContent.Text(text = "secret body text"))
    } catch (e: AntonniaException) {
        println("failed as expected: ${e.kind}")
    }
  }
}
