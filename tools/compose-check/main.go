// compose-check loads a Compose file with compose-go (the loader `docker compose` itself uses, with
// the Compose Specification schema) and checks what this project promises about it: images pinned
// to a version, health-gated dependencies, one-shot setup jobs, a named volume. No Docker engine is
// needed, which is the point: none runs on the machines this project is built on.
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
	opts, err := cli.NewProjectOptions([]string{os.Args[1]}, cli.WithName("compose-check"))
	if err != nil {
		fail("options: %v", err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail("invalid compose file: %v", err)
	}

	var problems []string
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		svc := project.Services[name]
		ref := svc.Image
		colon := strings.LastIndex(ref, ":")
		if colon < 0 || strings.Contains(ref[colon:], "/") || ref[colon+1:] == "latest" {
			problems = append(problems, fmt.Sprintf("%s: image %q is not pinned to a version", name, ref))
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
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "compose-check:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("compose-check: %s is valid (%d services: %s; volumes: %d)\n", os.Args[1], len(names), strings.Join(names, ", "), len(project.Volumes))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "compose-check: "+format+"\n", args...)
	os.Exit(1)
}
