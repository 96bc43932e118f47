package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The repository's own files pass; each rule is then broken once in a copy and must be reported.

var repoFiles = []string{"docker-compose.temporal.yml", "Dockerfile", ".dockerignore"}

// project copies the checked files into a temporary folder with stand-ins for what COPY takes,
// applies edit to one of them, and returns the compose file's path.
func project(t *testing.T, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range repoFiles {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if name == file {
			if !strings.Contains(text, old) {
				t.Fatalf("%s does not contain %q: the test is out of date", name, old)
			}
			text = strings.Replace(text, old, new, 1)
		}
		write(t, filepath.Join(dir, name), text)
	}
	for _, name := range []string{"package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"} {
		write(t, filepath.Join(dir, name), "{}")
	}
	for _, folder := range []string{"codec", "common", "workflows", "activities", "client", "simulators", "scripts", "drills"} {
		write(t, filepath.Join(dir, folder, "index.ts"), "")
	}
	write(t, filepath.Join(dir, "workers", "main.ts"), "")
	write(t, filepath.Join(dir, "workers", "health.ts"), "")
	return filepath.Join(dir, "docker-compose.temporal.yml")
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTheRepositoryFilesPass(t *testing.T) {
	_, problems, err := checkFile(project(t, "", "", ""))
	if err != nil || len(problems) > 0 {
		t.Fatalf("err %v, problems:\n%s", err, strings.Join(problems, "\n"))
	}
}

func TestEachBrokenRuleIsReported(t *testing.T) {
	cases := []struct{ name, file, old, new, want string }{
		{"root user", "Dockerfile", "USER node", "USER root", "runs as root"},
		{"no user", "Dockerfile", "USER node\n", "", "runs as root"},
		{"no healthcheck", "Dockerfile", "HEALTHCHECK --interval", "# HEALTHCHECK --interval", "no HEALTHCHECK"},
		{"shell-form healthcheck", "Dockerfile", `CMD ["node", "dist/workers/health.js"]`, "CMD node dist/workers/health.js", "no HEALTHCHECK in exec form"},
		{"TypeScript at run time", "Dockerfile", `CMD ["node", "dist/workers/main.js"]`, `CMD ["node", "--import", "tsx", "workers/main.ts"]`, "runs TypeScript"},
		{"not node", "Dockerfile", `CMD ["node", "dist/workers/main.js"]`, `CMD ["npm", "run", "worker"]`, "runs npm, not node"},
		{"shell form", "Dockerfile", `CMD ["node", "dist/workers/main.js"]`, `CMD node dist/workers/main.js`, "shell form"},
		{"no source for the script", "Dockerfile", `CMD ["node", "dist/workers/main.js"]`, `CMD ["node", "dist/workers/gone.js"]`, "no workers/gone.ts"},
		{"development dependencies kept", "Dockerfile", "npm prune --omit=dev", "npm dedupe", "development dependencies"},
		{"one stage", "Dockerfile", "FROM node:20-bookworm-slim\nENV", "ENV", "one stage"},
		{"unpinned base", "Dockerfile", "FROM node:20-bookworm-slim\n", "FROM node:latest\n", "not pinned"},
		{"sources copied into the runtime", "Dockerfile", "USER node", "COPY workers ./workers\nUSER node", "copies workers from the build context"},
		{"secrets in the context", ".dockerignore", "**/.env*\n", "", "lets codec/.env.local into the build context"},
		{"no allow-list", ".dockerignore", "*\n", "", "lets .temporal/data-protection.json"},
		{"copied folder ignored", ".dockerignore", "!workers/\n", "", "COPY workers: excluded"},
		{"fixed container name", "docker-compose.temporal.yml", "  worker:\n    <<: *worker-image\n", "  worker:\n    <<: *worker-image\n    container_name: the-worker\n", "container_name"},
		{"published port", "docker-compose.temporal.yml", "    stop_grace_period: 60s\n", "    stop_grace_period: 60s\n    ports: ['8081:8081']\n", "publishes host port 8081"},
		{"secret in the file", "docker-compose.temporal.yml", "  TEMPORAL_NAMESPACE: default\n", "  TEMPORAL_NAMESPACE: default\n  CANCELLATIONS_ID_HASH_KEY: ${CANCELLATIONS_ID_HASH_KEY:-}\n", "secrets go in the env file"},
		{"no Temporal address", "docker-compose.temporal.yml", "  TEMPORAL_ADDRESS: temporal:7233\n", "", "no TEMPORAL_ADDRESS"},
		{"address of no service", "docker-compose.temporal.yml", "  TEMPORAL_ADDRESS: temporal:7233\n", "  TEMPORAL_ADDRESS: temporal.example.com:7233\n", "no service temporal.example.com"},
		{"does not wait for Temporal", "docker-compose.temporal.yml", "      temporal:\n        condition: service_healthy\n      worker-setup:\n        condition: service_completed_successfully\n", "      postgresql:\n        condition: service_healthy\n", "worker: does not wait"},
		{"healthcheck switched off", "docker-compose.temporal.yml", "    stop_grace_period: 60s\n", "    stop_grace_period: 60s\n    healthcheck:\n      disable: true\n", "healthcheck disabled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, problems, err := checkFile(project(t, c.file, c.old, c.new))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				if strings.Contains(p, c.want) {
					return
				}
			}
			t.Fatalf("want a problem containing %q, got:\n%s", c.want, strings.Join(problems, "\n"))
		})
	}
}
