#!/usr/bin/env bash
# The whole-process overhead harness (benchmarks/README.md, "Whole-process overhead"):
#
#   bash benchmarks/overhead/run.sh [rounds] [--jdk DIR] [--no-build] [harness options ...]
#
# Builds agent/target/opsagent.jar and the harness, fetches the OpenTelemetry Java agent and wrk
# if missing, then runs the same small JDK HTTP server with no agent, opsagent and the OTel agent,
# interleaved, [rounds] times (default 3), all exporting to one local OTLP receiver, and prints a
# markdown report (also in benchmarks/overhead/target/results/<time>/report.md, with each JVM's
# standard error, GC log and command line). --jdk runs the server on another JDK, e.g.
# --jdk /usr/lib/jvm/temurin-25-jdk-amd64. Other options go to the harness (Options.java), e.g.
# --duration 10 --warmup 5 --connections 16 --no-sustained --export-connections 2,4,8.
set -euo pipefail
cd "$(dirname "$0")/../.."

OTEL_AGENT_VERSION=2.33.1
rounds=3
jdk=""
build=1
harness_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    [0-9]*) rounds="$1" ;;
    --jdk) jdk="$2"; shift ;;
    --no-build) build=0 ;;
    --no-sustained) harness_args+=("$1") ;;
    --*) harness_args+=("$1" "$2"); shift ;;
    *) echo "usage: $0 [rounds] [--jdk DIR] [--no-build] [harness options ...]" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "[overhead] $*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk (Debian package)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q wrk >&2
fi

repo="${MAVEN_REPO:-$HOME/.m2/repository}"
otel_jar="$repo/io/opentelemetry/javaagent/opentelemetry-javaagent/$OTEL_AGENT_VERSION/opentelemetry-javaagent-$OTEL_AGENT_VERSION.jar"
if [ ! -f "$otel_jar" ]; then
  say "fetching io.opentelemetry.javaagent:opentelemetry-javaagent:$OTEL_AGENT_VERSION"
  mvn -B -q dependency:get -Dtransitive=false \
    -Dartifact="io.opentelemetry.javaagent:opentelemetry-javaagent:$OTEL_AGENT_VERSION" >&2
fi

if [ "$build" -eq 1 ]; then
  say "building agent/target/opsagent.jar and the harness"
  # Offline first; online once if an artifact is missing (a fresh machine).
  mvn -B -o -q -DskipTests package -pl agent,benchmarks/overhead -am >&2 \
    || mvn -B -q -DskipTests package -pl agent,benchmarks/overhead -am >&2
fi

app_java="$(command -v java)"
[ -n "$jdk" ] && app_java="$jdk/bin/java"
classes="benchmarks/overhead/target/classes"
classpath="$classes:$(cat benchmarks/overhead/target/harness.classpath)"

# The harness stops every process it started when it ends, also on SIGINT/SIGTERM (its shutdown
# hook); the trap makes sure it is told to when this script is interrupted.
harness_pid=""
stop_harness() {
  if [ -n "$harness_pid" ] && kill -0 "$harness_pid" 2>/dev/null; then
    kill -TERM "$harness_pid" 2>/dev/null || true
    wait "$harness_pid" 2>/dev/null || true
  fi
}
trap stop_harness EXIT
trap 'stop_harness; exit 130' INT TERM

java -cp "$classpath" dev.opsagent.overhead.OverheadHarness \
  --rounds "$rounds" --java "$app_java" --app-classes "$classes" \
  --opsagent agent/target/opsagent.jar --otel "$otel_jar" ${harness_args[@]+"${harness_args[@]}"} &
harness_pid=$!
wait "$harness_pid"
