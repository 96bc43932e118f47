#!/usr/bin/env bash
# Checks docker-compose.temporal.yml, the worker's Dockerfile and .dockerignore without a Docker
# engine: compose-go (the loader `docker compose` uses) validates the Compose file against the
# Compose Specification, BuildKit's parser reads the Dockerfile, and tools/compose-check applies
# the project's own rules (its tests first: each rule, broken once, must be reported).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v go >/dev/null 2>&1 || { echo "check-compose: Go is needed (https://go.dev/doc/install)" >&2; exit 1; }
cd "$ROOT/tools/compose-check"
go test ./...
go run . "$ROOT/docker-compose.temporal.yml"
