# Sourced by ./countersign and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Run as `JDK_SH_PRINT=1 bash bin/jdk.sh` (by ./mvnw) it prints that JAVA_HOME instead.
# Looks at $JAVA_HOME, then the java on PATH, then the JDKs under /usr/lib/jvm and
# /opt; the newest wins among the system ones.

java_major() { # prints the feature version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1 | grep . || echo 0
}

find_jdk21() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]; then
    echo "$JAVA_HOME"; return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if [ "$(java_major "$candidate/bin/java")" -ge 21 ]; then echo "$candidate"; return 0; fi
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ /opt/*jdk*/ /opt/java/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    if [ -x "$candidate/bin/javac" ] && [ "$(java_major "$candidate/bin/java")" -ge 21 ]; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(find_jdk21); then
  echo "Countersign needs a JDK 21 or newer and found none: install one (Debian: apt-get install openjdk-21-jdk-headless, or any JDK 21+) or set JAVA_HOME to it." >&2
  exit 1
fi
if [ -n "${JDK_SH_PRINT:-}" ]; then
  echo "$JAVA_HOME"
  exit 0
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
