#!/usr/bin/env bash
# Checks docker-compose.temporal.yml without a Docker engine: compose-go (the loader `docker compose`
# uses) validates it against the Compose Specification, plus the project's own rules (tools/compose-check).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v go >/dev/null 2>&1 || { echo "check-compose: Go is needed (https://go.dev/doc/install)" >&2; exit 1; }
cd "$ROOT/tools/compose-check"
go run . "$ROOT/docker-compose.temporal.yml"
