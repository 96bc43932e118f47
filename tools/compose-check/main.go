// compose-check loads a Compose file with compose-go (the loader `docker compose` itself uses, with
// the Compose Specification schema) and checks what this project promises about it: images pinned
// to a version, health-gated dependencies, one-shot setup jobs, a named volume; and for each
// service built from the repository (the workers), that it scales and waits for Temporal
// (built.go) and what its Dockerfile and .dockerignore promise (image.go, with BuildKit's own
// Dockerfile parser). No Docker engine is needed, which is the point: none runs on the machines
// this project is built on.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose.yml>")
		os.Exit(2)
	}
	summary, problems, err := checkFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "compose-check:", err)
		os.Exit(1)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "compose-check:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("compose-check: %s is valid (%s)\n", os.Args[1], summary)
}

// checkFile loads the Compose file and returns a summary of it and what breaks the rules.
func checkFile(file string) (string, []string, error) {
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithName("compose-check"))
	if err != nil {
		return "", nil, fmt.Errorf("options: %w", err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return "", nil, fmt.Errorf("invalid compose file: %w", err)
	}

	var problems []string
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		svc := project.Services[name]
		if !pinned(svc.Image) {
			problems = append(problems, fmt.Sprintf("%s: image %q is not pinned to a version", name, svc.Image))
		}
		if svc.Build != nil {
			problems = append(problems, checkBuiltService(project, name, svc)...)
		}
		for dep, cfg := range svc.DependsOn {
			target, ok := project.Services[dep]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: depends on unknown service %s", name, dep))
				continue
			}
			switch cfg.Condition {
			case types.ServiceConditionHealthy:
				if target.HealthCheck == nil || target.HealthCheck.Disable || len(target.HealthCheck.Test) == 0 {
					problems = append(problems, fmt.Sprintf("%s: waits for %s to be healthy, but %s has no healthcheck", name, dep, dep))
				}
			case types.ServiceConditionCompletedSuccessfully:
				if target.Restart == types.RestartPolicyAlways || target.Restart == types.RestartPolicyUnlessStopped {
					problems = append(problems, fmt.Sprintf("%s: waits for one-shot %s, which never completes (restart: %s)", name, dep, target.Restart))
				}
			default:
				problems = append(problems, fmt.Sprintf("%s: depends on %s without a health or completion condition", name, dep))
			}
		}
	}
	if len(project.Volumes) == 0 {
		problems = append(problems, "no named volume: the database would not survive a re-create")
	}
	summary := fmt.Sprintf("%d services: %s; volumes: %d", len(names), strings.Join(names, ", "), len(project.Volumes))
	return summary, problems, nil
}
