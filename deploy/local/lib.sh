# Shared by deploy/local/{up,down,status} and .ci/run. Source it; it defines functions and settings only.

POLYMUX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Everything the local stack keeps: data, logs, pid files. Survives `down`; delete it to start from scratch.
POLYMUX_STATE="${POLYMUX_STATE_DIR:-$POLYMUX_ROOT/.polymux/local}"
# Shifts every port of the local stack, for machines where the defaults are taken (README, "Port clashes").
POLYMUX_PORT_OFFSET="${POLYMUX_PORT_OFFSET:-0}"

# name http-port management-port database
POLYMUX_SERVICES=(
  "registry-service 8181 9281 polymux_registry"
  "oauth-service 8182 9282 polymux_oauth"
  "vault-service 8183 9283 polymux_vault"
  "dispatch-service 8184 9284 -"
  "console 8185 9285 -"
)
KAFKA_PORT=$((9092 + POLYMUX_PORT_OFFSET))
KAFKA_CONTROLLER_PORT=$((9093 + POLYMUX_PORT_OFFSET))
EMBEDDED_PG_PORT=$((15432 + POLYMUX_PORT_OFFSET))
# The local token endpoint (LocalTokens serve): each service's own token, client-credentials grant, on 127.0.0.1 only.
TOKEN_ENDPOINT_PORT=$((8186 + POLYMUX_PORT_OFFSET))

say() { printf '%s\n' "$*"; }
die() { printf 'polymux: %s\n' "$*" >&2; exit 1; }

java_major() { # JAVA executable -> major version
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# Exports JAVA_HOME of a JDK >= 21: $JAVA_HOME if it is one, else `java` on the PATH, else the newest under /usr/lib/jvm.
select_jdk() {
  local candidate major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  if command -v java >/dev/null 2>&1 && [ "$(java_major java)" -ge 21 ] 2>/dev/null; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    export JAVA_HOME
    return 0
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ /opt/java/*/ 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/bin/javac" ]; then
      major="$(java_major "$candidate/bin/java")"
      if [ "${major:-0}" -ge 21 ] 2>/dev/null; then
        JAVA_HOME="${candidate%/}"
        export JAVA_HOME
        return 0
      fi
    fi
  done
  die "Polymux needs a JDK 21 or newer; none found (JAVA_HOME, java on the PATH, /usr/lib/jvm). Install one and set JAVA_HOME."
}

pid_file() { printf '%s/run/%s.pid' "$POLYMUX_STATE" "$1"; }
log_file() { printf '%s/logs/%s.log' "$POLYMUX_STATE" "$1"; }

# The pid of a component `up` started and that still runs, or nothing. Checks the command line too, so a
# recycled pid is never mistaken for ours.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-Dpolymux.local.component=$1 "; then
    printf '%s' "$pid"
    return 0
  fi
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts a JVM in the background with its log in the state folder and records its pid.
start_jvm() { # component, then java arguments
  local component="$1"; shift
  mkdir -p "$POLYMUX_STATE/run" "$POLYMUX_STATE/logs"
  printf '\n=== %s starting at %s ===\n' "$component" "$(date -u +%FT%TZ)" >> "$(log_file "$component")"
  nohup "$JAVA_HOME/bin/java" "-Dpolymux.local.component=$component" "$@" >> "$(log_file "$component")" 2>&1 < /dev/null &
  printf '%s' "$!" > "$(pid_file "$component")"
}

service_ports() { # service -> "http management"
  local entry name http management db
  for entry in "${POLYMUX_SERVICES[@]}"; do
    read -r name http management db <<< "$entry"
    if [ "$name" = "$1" ]; then
      printf '%s %s' $((http + POLYMUX_PORT_OFFSET)) $((management + POLYMUX_PORT_OFFSET))
      return 0
    fi
  done
  return 1
}
