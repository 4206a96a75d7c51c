// A small JSON reader and writer for the SDK's JSON-text fields (metadata,
// template parameters, unknown content): Kotlin has none in its standard
// library and the SDK takes no dependency for it.
package com.antonnia.sdk

/** JSON text ⇄ Kotlin values: objects are `Map<String, Any?>`, arrays `List<Any?>`, numbers `Long` or `Double`. */
object Json {
    /** Reads JSON text; throws [IllegalArgumentException] on malformed input. */
    fun parse(text: String): Any? {
        val r = Reader(text)
        val v = r.value()
        r.ws()
        require(r.i == text.length) { "trailing characters at ${r.i}" }
        return v
    }

    /** Writes a value as compact JSON text. */
    fun write(value: Any?): String = StringBuilder().also { write(value, it) }.toString()

    private fun write(v: Any?, out: StringBuilder) {
        when (v) {
            null -> out.append("null")
            is String -> string(v, out)
            is Boolean -> out.append(v)
            is Double -> { require(v.isFinite()) { "JSON has no $v" }; out.append(if (v == Math.floor(v) && Math.abs(v) < 1e15) v.toLong().toString() + ".0" else v.toString()) }
            is Float -> write(v.toDouble(), out)
            is Number -> out.append(v.toString())
            is Map<*, *> -> {
                out.append('{')
                var first = true
                for ((k, x) in v) {
                    if (!first) out.append(',')
                    first = false
                    string(k.toString(), out)
                    out.append(':')
                    write(x, out)
                }
                out.append('}')
            }
            is Iterable<*> -> {
                out.append('[')
                v.forEachIndexed { i, x -> if (i > 0) out.append(','); write(x, out) }
                out.append(']')
            }
            else -> throw IllegalArgumentException("cannot write a ${v::class.simpleName} as JSON")
        }
    }

    private fun string(s: String, out: StringBuilder) {
        out.append('"')
        for (c in s) when {
            c == '"' -> out.append("\\\"")
            c == '\\' -> out.append("\\\\")
            c == '\n' -> out.append("\\n")
            c == '\r' -> out.append("\\r")
            c == '\t' -> out.append("\\t")
            c < ' ' -> out.append(String.format("\\u%04x", c.code))
            else -> out.append(c)
        }
        out.append('"')
    }

    private class Reader(val s: String) {
        var i = 0
        var depth = 0

        fun ws() { while (i < s.length && s[i] in " \t\r\n") i++ }

        fun fail(what: String): Nothing = throw IllegalArgumentException("$what at $i")

        fun value(): Any? {
            ws()
            if (i >= s.length) fail("unexpected end")
            return when (s[i]) {
                '{' -> nest { obj() }
                '[' -> nest { arr() }
                '"' -> str()
                't' -> lit("true", true)
                'f' -> lit("false", false)
                'n' -> lit("null", null)
                else -> num()
            }
        }

        fun <T> nest(f: () -> T): T {
            if (++depth > 128) fail("nesting deeper than 128")
            return f().also { depth-- }
        }

        fun lit(word: String, v: Any?): Any? {
            if (!s.startsWith(word, i)) fail("unexpected character")
            i += word.length
            return v
        }

        fun num(): Any {
            val start = i
            while (i < s.length && s[i] in "+-0123456789.eE") i++
            val t = s.substring(start, i)
            if (t.isEmpty()) fail("unexpected character")
            return if (t.any { it in ".eE" }) t.toDoubleOrNull() ?: fail("bad number") else t.toLongOrNull() ?: t.toDoubleOrNull() ?: fail("bad number")
        }

        fun str(): String {
            i++
            val b = StringBuilder()
            while (true) {
                if (i >= s.length) fail("unterminated string")
                val c = s[i++]
                when (c) {
                    '"' -> return b.toString()
                    '\\' -> {
                        if (i >= s.length) fail("unterminated string")
                        when (val e = s[i++]) {
                            'n' -> b.append('\n'); 't' -> b.append('\t'); 'r' -> b.append('\r')
                            'b' -> b.append('\b'); 'f' -> b.append('\u000c'); '/' -> b.append('/')
                            '\\' -> b.append('\\'); '"' -> b.append('"')
                            'u' -> {
                                if (i + 4 > s.length) fail("bad escape")
                                b.append(s.substring(i, i + 4).toIntOrNull(16)?.toChar() ?: fail("bad escape"))
                                i += 4
                            }
                            else -> fail("bad escape \\$e")
                        }
                    }
                    else -> b.append(c)
                }
            }
        }

        fun obj(): Map<String, Any?> {
            i++
            val m = LinkedHashMap<String, Any?>()
            ws()
            if (i < s.length && s[i] == '}') { i++; return m }
            while (true) {
                ws()
                if (i >= s.length || s[i] != '"') fail("expected a key")
                val k = str()
                ws()
                if (i >= s.length || s[i] != ':') fail("expected ':'")
                i++
                m[k] = value()
                ws()
                if (i >= s.length) fail("unterminated object")
                when (s[i++]) { ',' -> continue; '}' -> return m; else -> fail("expected ',' or '}'") }
            }
        }

        fun arr(): List<Any?> {
            i++
            val l = ArrayList<Any?>()
            ws()
            if (i < s.length && s[i] == ']') { i++; return l }
            while (true) {
                l.add(value())
                ws()
                if (i >= s.length) fail("unterminated array")
                when (s[i++]) { ',' -> continue; ']' -> return l; else -> fail("expected ',' or ']'") }
            }
        }
    }
}
