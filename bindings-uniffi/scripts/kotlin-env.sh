# The Kotlin/JVM toolchain, sourced by the scripts that build and test the
# Kotlin side. Everything comes from a registry and is cached outside the
# repo (/root/.cache/antonnia-sdk, or $ANTONNIA_CACHE): kotlinc, the Kotlin
# stdlib and kotlinx-coroutines from npm's kotlin-compiler package, JNA from
# Debian. Sets KOTLINC, KOTLIN_STDLIB, COROUTINES, JNA.
KOTLIN_VERSION=2.4.20
ANTONNIA_CACHE="${ANTONNIA_CACHE:-/root/.cache/antonnia-sdk}"
KOTLIN_HOME="$ANTONNIA_CACHE/kotlin/kotlinc-$KOTLIN_VERSION"

ensure_kotlin() {
  command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null; }
  if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
    command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null && tar xzf kotlin-compiler-*.tgz)
    mkdir -p "$(dirname "$KOTLIN_HOME")"
    rm -rf "$KOTLIN_HOME"
    mv "$tmp/package" "$KOTLIN_HOME"
    rm -rf "$tmp"
  fi
  if [ ! -f /usr/share/java/jna.jar ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java >/dev/null
  fi
  KOTLINC="$KOTLIN_HOME/bin/kotlinc"
  KOTLIN_STDLIB="$KOTLIN_HOME/lib/kotlin-stdlib.jar"
  COROUTINES="$(ls "$KOTLIN_HOME"/lib/kotlinx-coroutines-core-jvm*.jar | head -1)"
  JNA=/usr/share/java/jna.jar
}
