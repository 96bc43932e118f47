#!/usr/bin/env bash
# Provisions the two Temporal servers this project runs on, into .temporal/ (git-ignored):
#   - the Temporal CLI (dev server + Web UI), built from source with `go install`, because the
#     SDK's own download host is not reachable from every machine this project runs on;
#   - the time-skipping test server from Maven Central, behind an `exec java` wrapper.
# Idempotent: a second run reuses what the first built. A user's own binaries win:
#   TEMPORAL_CLI_PATH, then `temporal` on PATH; TEMPORAL_TEST_SERVER_PATH.
set -euo pipefail

CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
# v1.5.1 is the newest tag whose go.mod has no `replace` directive, so `go install` accepts it.
CLI_VERSION="v1.5.1"
TEST_SERVER_VERSION="1.38.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TDIR="$ROOT/.temporal"
QUIET_IF_READY=0
[[ "${1:-}" == "--quiet-if-ready" ]] && QUIET_IF_READY=1

say() { echo "[provision] $*" >&2; }
die() { echo "[provision] ERROR: $*" >&2; exit 1; }

provision_cli() {
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_CLI_PATH" ]] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
    say "Temporal CLI: using TEMPORAL_CLI_PATH ($TEMPORAL_CLI_PATH)"
    return
  fi
  if command -v temporal >/dev/null 2>&1; then
    say "Temporal CLI: using $(command -v temporal) from PATH ($(temporal --version 2>/dev/null | head -1))"
    return
  fi
  local bin="$TDIR/bin/temporal" stamp="$TDIR/bin/temporal.version"
  if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$CLI_VERSION" ]]; then
    [[ $QUIET_IF_READY == 1 ]] || say "Temporal CLI: $bin ($CLI_VERSION) already built"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    say "WARNING: no Temporal CLI found and no Go toolchain to build one."
    say "  Install Go (https://go.dev/doc/install) and re-run 'npm run provision', or set TEMPORAL_CLI_PATH."
    say "  Until then the SDK will try to download the dev server itself (needs internet access)."
    return
  fi
  say "Temporal CLI: building $CLI_MODULE@$CLI_VERSION with $(go version | cut -d' ' -f3) (first time: several minutes)..."
  mkdir -p "$TDIR/bin"
  local started=$SECONDS
  ( GOBIN="$TDIR/bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install -x "$CLI_MODULE@$CLI_VERSION" 2>&1 ) |
    awk -v start="$started" '/^go: downloading/ { n++; if (n % 25 == 1) { print "[provision]   downloading modules (" n ")..."; fflush() } }
         /(^|\/)compile /{ c++; if (c % 100 == 1) { print "[provision]   compiling (" c " packages so far)..."; fflush() } }
         /^go: / && !/downloading/ { print "[provision]   " $0; fflush() }' >&2
  [[ -x "$bin" ]] || die "go install did not produce $bin (see the output above)"
  echo "$CLI_VERSION" > "$stamp"
  say "Temporal CLI: built in $((SECONDS - started))s: $("$bin" --version | head -1)"
}

provision_test_server() {
  if [[ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_TEST_SERVER_PATH" ]] || die "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file"
    say "Test server: using TEMPORAL_TEST_SERVER_PATH ($TEMPORAL_TEST_SERVER_PATH)"
    return
  fi
  local dir="$TDIR/test-server" wrapper="$TDIR/test-server/temporal-test-server"
  command -v java >/dev/null 2>&1 || die "Java is needed for the time-skipping test server: install a JDK 17+ (e.g. apt-get install default-jdk-headless), or set TEMPORAL_TEST_SERVER_PATH."
  local want_stamp
  want_stamp="$TEST_SERVER_VERSION $(java -version 2>&1 | head -1)"
  if [[ -x "$wrapper" && -f "$dir/stamp" && "$(cat "$dir/stamp")" == "$want_stamp" ]]; then
    [[ $QUIET_IF_READY == 1 ]] || say "Test server: $wrapper ($TEST_SERVER_VERSION) already provisioned"
    return
  fi
  command -v mvn >/dev/null 2>&1 || die "Maven is needed to fetch io.temporal:temporal-test-server: install it (e.g. apt-get install maven), or set TEMPORAL_TEST_SERVER_PATH."
  say "Test server: fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION and its dependencies with Maven..."
  rm -rf "$dir" && mkdir -p "$dir"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.provision</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  (cd "$dir" && mvn -B -ntp -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime) |
    grep -E 'BUILD|ERROR' | sed -E 's/^/[provision]   /' >&2 || true
  ls "$dir"/lib/temporal-test-server-*.jar >/dev/null 2>&1 || die "Maven did not fetch temporal-test-server (see the output above)"

  # An explicit, ordered class path: class-data sharing only trusts an archive made from the same one.
  local cp
  cp=$(cd "$dir/lib" && ls -1 *.jar | sort | sed 's#^#$DIR/lib/#' | paste -sd: -)
  cat > "$wrapper" <<WRAP
#!/bin/sh
# Generated by scripts/provision-temporal.sh. The SDK gives the test server about 5 s to answer,
# so start the JVM lean: C1 only, serial GC, and a class-data-sharing archive of the server's classes.
# exec: the SDK stops the server by signalling this process, which must then be the JVM itself.
DIR=\$(cd "\$(dirname "\$0")" && pwd)
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:SharedArchiveFile="\$DIR/classes.jsa" \\
  -Xlog:cds=off -Xlog:cds+dynamic=off \\
  -cp "$cp" io.temporal.testserver.TestServer "\$@"
WRAP
  chmod +x "$wrapper"

  say "Test server: recording a class-data-sharing archive (training start)..."
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # Same flags as the wrapper, plus ArchiveClassesAtExit, so the archive matches what the wrapper runs.
  sed 's#-XX:SharedArchiveFile="$DIR/classes.jsa"#-XX:ArchiveClassesAtExit="$DIR/classes.jsa"#' "$wrapper" > "$dir/train.sh"
  sh "$dir/train.sh" "$port" >"$dir/train.log" 2>&1 &
  local pid=$! waited=0
  until (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    sleep 0.2; waited=$((waited + 1))
    [[ $waited -lt 150 ]] || { kill "$pid" 2>/dev/null; die "the test server did not start within 30 s (see $dir/train.log)"; }
  done
  sleep 2
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$dir/train.sh"
  [[ -f "$dir/classes.jsa" ]] || say "WARNING: no class-data-sharing archive was written; the test server will start slower"

  local t0 t1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  t0=$(date +%s%N)
  "$wrapper" "$port" >/dev/null 2>&1 &
  pid=$!
  until (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.05; done
  t1=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "$want_stamp" > "$dir/stamp"
  say "Test server: ready; measured start-up $(((t1 - t0) / 1000000)) ms (the SDK waits ~5000 ms)"
}

mkdir -p "$TDIR"
provision_cli
provision_test_server
