suspend fun endToEnd() {}
