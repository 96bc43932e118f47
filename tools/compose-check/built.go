package main

// Checks of the services the Compose file builds from this repository (the workers): they scale
// with `docker compose up --scale <service>=N`, wait for the Temporal they talk to, keep secrets
// out of the file, report health, and their image passes checkImage.

import (
	"fmt"
	"net"
	"regexp"

	"github.com/compose-spec/compose-go/v2/types"
)

// Variables that hold secrets: set in the env file, never in `environment:` (which would also
// override the env file's value, even when left empty).
var secretVariable = regexp.MustCompile(`(KEY|KEYS|SECRET|PASSWORD|TOKEN)$`)

func checkBuiltService(project *types.Project, name string, svc types.ServiceConfig) []string {
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	if svc.ContainerName != "" {
		fail("container_name %q: a fixed name allows one container, not --scale %s=N", svc.ContainerName, name)
	}
	for _, p := range svc.Ports {
		if p.Published != "" {
			fail("publishes host port %s: replicas would compete for it (--scale %s=N)", p.Published, name)
		}
	}
	if svc.HealthCheck != nil && svc.HealthCheck.Disable {
		fail("healthcheck disabled: Docker would not know a worker that stopped polling")
	}
	for key, value := range svc.Environment {
		if secretVariable.MatchString(key) {
			shown := "unset"
			if value != nil {
				shown = "set"
			}
			fail("environment names %s (%s): secrets go in the env file, not in this file", key, shown)
		}
	}

	// TEMPORAL_ADDRESS names a service of this project, and the service waits until it is healthy.
	address := svc.Environment["TEMPORAL_ADDRESS"]
	if address == nil || *address == "" {
		fail("no TEMPORAL_ADDRESS in environment: it would look for Temporal on its own localhost")
	} else if host, _, err := net.SplitHostPort(*address); err != nil {
		fail("TEMPORAL_ADDRESS %q is not host:port", *address)
	} else if target, ok := project.Services[host]; !ok {
		fail("TEMPORAL_ADDRESS %q: no service %s in this file", *address, host)
	} else if !waitsHealthy(project, name, host, map[string]bool{}) {
		fail("does not wait (depends_on, directly or through its dependencies) for %s to be healthy", host)
	} else if target.HealthCheck == nil || len(target.HealthCheck.Test) == 0 {
		fail("waits for %s, which has no healthcheck", host)
	}

	if svc.Build == nil {
		return problems
	}
	if svc.Build.DockerfileInline != "" {
		return append(problems, name+": dockerfile_inline: keep the Dockerfile in the repository, where it is checked")
	}
	return append(problems, checkImage(name, svc.Build.Context, svc.Build.Dockerfile)...)
}

// waitsHealthy: some depends_on chain from `from` reaches `target` with condition service_healthy.
func waitsHealthy(project *types.Project, from, target string, seen map[string]bool) bool {
	if seen[from] {
		return false
	}
	seen[from] = true
	for dep, cfg := range project.Services[from].DependsOn {
		if dep == target && cfg.Condition == types.ServiceConditionHealthy {
			return true
		}
		if dep != target && waitsHealthy(project, dep, target, seen) {
			return true
		}
	}
	return false
}
