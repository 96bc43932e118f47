package main

// Checks of an image the Compose file builds: its Dockerfile, read with BuildKit's own parser (the
// one `docker build` uses), and the build context's .dockerignore, read with the matcher BuildKit
// uses. What the project promises about the worker image: built in stages, the runtime stage
// made only of the build's output with production dependencies, run as a user that is not root,
// started and health-checked with compiled JavaScript that has a source in the repository, and a
// build context that never carries secrets or local state.

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Paths that must stay out of every build context: credentials, the development keys and the
// dev server's state, and what the build makes itself.
var mustIgnore = []string{".env", "codec/.env.local", ".temporal/data-protection.json", "node_modules/x", "dist/x", ".git/config"}

// Installs that leave development dependencies out of node_modules.
var prunesDevDependencies = regexp.MustCompile(`npm (prune|ci|install)\b[^&;|]*(--omit[= ]dev|--production)`)

// checkImage returns the problems of the image built from contextDir with dockerfile (relative to it).
func checkImage(service, contextDir, dockerfile string) []string {
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s: ", service, dockerfile)+fmt.Sprintf(format, args...))
	}
	f, err := os.Open(filepath.Join(contextDir, dockerfile))
	if err != nil {
		fail("cannot read: %v", err)
		return problems
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		fail("does not parse: %v", err)
		return problems
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		fail("does not parse: %v", err)
		return problems
	}
	if len(stages) < 2 {
		fail("one stage: build in one stage and run in another, so build tools and sources stay out of the image")
	}
	byName := map[string]int{}
	for i, st := range stages {
		if st.Name != "" {
			byName[strings.ToLower(st.Name)] = i
		}
		if _, earlier := byName[strings.ToLower(st.BaseName)]; !earlier && !pinned(st.BaseName) {
			fail("FROM %s is not pinned to a version", st.BaseName)
		}
	}
	if len(stages) == 0 {
		return problems
	}
	final := stages[len(stages)-1]
	var user string
	var cmd, entrypoint, health []string
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.CmdCommand:
			cmd = execForm(c.ShellDependantCmdLine)
		case *instructions.EntrypointCommand:
			entrypoint = execForm(c.ShellDependantCmdLine)
		case *instructions.HealthCheckCommand:
			health = nil
			if c.Health != nil && len(c.Health.Test) > 1 && c.Health.Test[0] == "CMD" {
				health = c.Health.Test[1:]
			}
		case *instructions.CopyCommand:
			if c.From == "" {
				fail("the runtime stage copies %s from the build context: it should take only the build stage's output", strings.Join(c.SourcePaths, " "))
			} else if i, ok := byName[strings.ToLower(c.From)]; ok && copiesNodeModules(c) && !stageRuns(stages[i], prunesDevDependencies) {
				fail("node_modules comes from stage %q, which does not leave the development dependencies out (npm prune --omit=dev)", c.From)
			}
		}
	}
	if u := strings.SplitN(user, ":", 2)[0]; u == "" || u == "root" || u == "0" {
		fail("the runtime stage runs as root: add USER with an unprivileged user (node in the Node images)")
	}
	if entrypoint != nil {
		fail("ENTRYPOINT is set: the checks expect the command in CMD (exec form)")
	}
	checkNodeCommand(fail, contextDir, "CMD", cmd)
	if health == nil {
		fail("no HEALTHCHECK in exec form (HEALTHCHECK CMD [\"node\", ...]) in the runtime stage")
	} else {
		checkNodeCommand(fail, contextDir, "HEALTHCHECK", health)
	}
	problems = append(problems, checkContext(service, contextDir, stages)...)
	return problems
}

// pinned says whether an image reference names a version (a tag other than latest, or a digest).
func pinned(ref string) bool {
	if strings.Contains(ref, "@sha256:") {
		return true
	}
	colon := strings.LastIndex(ref, ":")
	return colon >= 0 && !strings.Contains(ref[colon:], "/") && ref[colon+1:] != "latest"
}

// execForm is the JSON form's argument list; nil for the shell form (a shell that may not forward signals).
func execForm(c instructions.ShellDependantCmdLine) []string {
	if c.PrependShell {
		return nil
	}
	return c.CmdLine
}

// checkNodeCommand: `node <script>.js` under dist/, compiled from a TypeScript source that exists.
func checkNodeCommand(fail func(string, ...any), contextDir, what string, argv []string) {
	if len(argv) == 0 {
		fail("%s is missing or in shell form: use the exec form [\"node\", \"dist/....js\"]", what)
		return
	}
	if path.Base(argv[0]) != "node" {
		fail("%s runs %s, not node with compiled JavaScript", what, argv[0])
		return
	}
	var script string
	for _, a := range argv[1:] {
		if strings.Contains(a, "tsx") || strings.HasSuffix(a, ".ts") {
			fail("%s runs TypeScript (%s): the image runs compiled JavaScript", what, a)
			return
		}
		if !strings.HasPrefix(a, "-") && script == "" {
			script = a
		}
	}
	if !strings.HasPrefix(script, "dist/") || !strings.HasSuffix(script, ".js") {
		fail("%s runs %q, not compiled JavaScript under dist/", what, script)
		return
	}
	source := strings.TrimSuffix(strings.TrimPrefix(script, "dist/"), ".js") + ".ts"
	if _, err := os.Stat(filepath.Join(contextDir, source)); err != nil {
		fail("%s runs %s, but there is no %s it would be compiled from", what, script, source)
	}
}

func copiesNodeModules(c *instructions.CopyCommand) bool {
	for _, s := range c.SourcePaths {
		if strings.Contains(s, "node_modules") {
			return true
		}
	}
	return false
}

func stageRuns(st instructions.Stage, pattern *regexp.Regexp) bool {
	for _, c := range st.Commands {
		if r, ok := c.(*instructions.RunCommand); ok && pattern.MatchString(strings.Join(r.CmdLine, " ")) {
			return true
		}
	}
	return false
}

// checkContext: the .dockerignore keeps secrets and local state out, and lets in what COPY takes.
func checkContext(service, contextDir string, stages []instructions.Stage) []string {
	var problems []string
	f, err := os.Open(filepath.Join(contextDir, ".dockerignore"))
	if err != nil {
		return []string{fmt.Sprintf("%s: no .dockerignore in %s: the whole folder (.env, .temporal, node_modules) would be sent to the build", service, contextDir)}
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return []string{fmt.Sprintf("%s: .dockerignore: %v", service, err)}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return []string{fmt.Sprintf("%s: .dockerignore: %v", service, err)}
	}
	for _, p := range mustIgnore {
		if ignored, _ := pm.MatchesOrParentMatches(p); !ignored {
			problems = append(problems, fmt.Sprintf("%s: .dockerignore lets %s into the build context", service, p))
		}
	}
	for _, st := range stages {
		for _, c := range st.Commands {
			copy, ok := c.(*instructions.CopyCommand)
			if !ok || copy.From != "" {
				continue
			}
			for _, src := range copy.SourcePaths {
				src = path.Clean(strings.TrimPrefix(src, "./"))
				if _, err := os.Stat(filepath.Join(contextDir, src)); err != nil {
					problems = append(problems, fmt.Sprintf("%s: COPY %s: not in the build context", service, src))
				} else if ignored, _ := pm.MatchesOrParentMatches(src); ignored {
					problems = append(problems, fmt.Sprintf("%s: COPY %s: excluded by .dockerignore", service, src))
				}
			}
		}
	}
	return problems
}
