package runtimes

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Minimum interpreter versions the shims run on.
const (
	minPythonMinor = 9  // python 3.9
	minNodeMajor   = 18 // node 18
	minJavaMajor   = 8  // the Java bootstrap's source level
)

// probeTimeout bounds one interpreter version probe.
const probeTimeout = 15 * time.Second

// ErrNoInterpreter: no usable interpreter for a runtime was found.
var ErrNoInterpreter = errors.New("no usable interpreter")

// Resolved is the interpreter chosen for a runtime.
type Resolved struct {
	Runtime string // the identifier asked for, e.g. python3.14
	Path    string // the interpreter's executable
	Version string // the version it reports, e.g. 3.11.7 or 24.2.0
	Where   string // where it was found: PATH, pyenv, asdf, mise, nvm, nubo cache, ...
	Exact   bool   // it is the version the runtime names
}

// Note says, for a substituted interpreter, what runs instead of what; ""
// when the version is the one the runtime names.
func (r Resolved) Note() string {
	if r.Exact {
		return ""
	}
	in, _ := Lookup(r.Runtime)
	lang := language(in.Kind)
	return fmt.Sprintf("%s %s is not installed here: %s runs on %s %s (%s, from %s); %s, or serve with --strict-runtimes to refuse substitutes",
		lang, in.Version, r.Runtime, lang, r.Version, r.Path, r.Where, r.Hint())
}

// Hint says how to get the exact version a runtime names.
func (r Resolved) Hint() string {
	in, _ := Lookup(r.Runtime)
	switch in.Kind {
	case KindNode:
		return "run `nubo runtimes install " + r.Runtime + "`"
	case KindJava:
		return "install a JDK " + in.Version + " (openjdk-" + in.Version + "-jdk-headless, SDKMAN!, asdf or mise)"
	}
	return "install Python " + in.Version + " (pyenv, asdf, mise or your distribution)"
}

// language names a runtime family in messages.
func language(k Kind) string {
	switch k {
	case KindNode:
		return "Node.js"
	case KindJava:
		return "Java"
	}
	return "Python"
}

// Interpreter finds the program that runs runtime's shim (see Resolve).
func Interpreter(runtime string) (string, error) {
	r, err := Resolve(runtime)
	return r.Path, err
}

// Resolve finds the interpreter for a Python, Node.js or Java runtime: the
// exact version the runtime names when this machine has it (on PATH, in
// pyenv, asdf, mise, nvm or nubo's own cache; for Java in JAVA_HOME, on
// PATH, in /usr/lib/jvm, SDKMAN!, asdf or mise), else the nearest version the shims
// run on (Exact false: the caller warns, or refuses under
// --strict-runtimes). Each candidate is run once to read its version: a
// PATH entry can be a shim, such as pyenv's, that exists but cannot run.
func Resolve(runtime string) (Resolved, error) {
	in, ok := Lookup(runtime)
	switch {
	case !ok || !Supported(runtime):
		return Resolved{}, fmt.Errorf("runtime %q: not supported (supported: %s)", runtime, strings.Join(Runtimes(), ", "))
	case in.Kind == KindPython:
		return resolve(in, pythonCandidates(in.Version), runProbe(pythonProbe), minPythonMinor, "install Python "+in.Version+" (or python3 >= 3.9)")
	case in.Kind == KindNode:
		return resolve(in, nodeCandidates(), runProbe(nodeProbe), minNodeMajor, fmt.Sprintf("install Node.js %d or later, or run `nubo runtimes install %s`", minNodeMajor, runtime))
	case in.Kind == KindJava:
		return resolve(in, javaCandidates(), javaProbe, minJavaMajor, "install a JDK "+in.Version+" (or any JDK 8 or later: openjdk-"+in.Version+"-jdk-headless, SDKMAN!, asdf or mise)")
	default:
		return Resolved{}, fmt.Errorf("runtime %s: runs the function's own bootstrap, it has no interpreter", runtime)
	}
}

// candidate is one place an interpreter may be.
type candidate struct {
	name  string // a PATH name (looked up) or an absolute path
	where string
}

var (
	pythonProbe = []string{"-c", "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)"}
	nodeProbe   = []string{"-e", "process.stdout.write(process.versions.node + '\\n' + process.execPath)"}
)

// prober runs a candidate and reports the interpreter's own executable and
// its version.
type prober func(name string) (path, version string, err error)

// runProbe is a prober running the candidate with args (see probe).
func runProbe(args []string) prober {
	return func(name string) (string, string, error) { return probe(name, args...) }
}

// resolve probes the candidates and picks the exact version, else the
// nearest usable one (ties go to the newer).
func resolve(in Info, cands []candidate, probeFn prober, min int, get string) (Resolved, error) {
	want, _ := strconv.Atoi(lastPart(in.Version))
	var (
		tried []string
		found []Resolved
		seen  = map[string]bool{}
	)
	for _, c := range cands {
		path, v, err := probeFn(c.name)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		n, ok := versionNumber(in.Kind, v)
		switch {
		case !ok:
			tried = append(tried, fmt.Sprintf("%s: unexpected version %q", c.name, v))
		case n < min && in.Kind == KindPython:
			tried = append(tried, fmt.Sprintf("%s: version %s is older than 3.%d", c.name, v, min))
		case n < min:
			tried = append(tried, fmt.Sprintf("%s: %s at %s is version %q, need %d or later", c.name, language(in.Kind), path, v, min))
		default:
			r := Resolved{Runtime: in.ID, Path: path, Version: v, Where: c.where, Exact: n == want}
			if r.Exact {
				return r, nil
			}
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		return Resolved{}, fmt.Errorf("runtime %s: %w: %s (%s)", in.ID, ErrNoInterpreter, get, strings.Join(tried, "; "))
	}
	dist := func(r Resolved) int {
		n, _ := versionNumber(in.Kind, r.Version)
		if n > want {
			return 2*(n-want) - 1 // a newer one wins a tie
		}
		if in.Kind == KindJava {
			return 1000 + want - n // an older JVM cannot load newer class files: any newer one first
		}
		return 2 * (want - n)
	}
	return slices.MinFunc(found, func(a, b Resolved) int { return cmp.Compare(dist(a), dist(b)) }), nil
}

// versionNumber is the number that tells versions of one runtime apart: the
// minor of Python 3.N, the major of Node.js N, the feature release of Java
// (1.8.0_392 is 8, 17.0.15 is 17, 25 and 21-ea are 25 and 21).
func versionNumber(k Kind, v string) (int, bool) {
	parts := strings.Split(v, ".")
	if k == KindJava {
		if len(parts) > 1 && parts[0] == "1" {
			parts = parts[1:]
		}
		major, _, _ := strings.Cut(parts[0], "-")
		major, _, _ = strings.Cut(major, "+")
		n, err := strconv.Atoi(major)
		return n, err == nil && n > 0
	}
	if k == KindPython {
		if len(parts) < 2 || parts[0] != "3" {
			return 0, false
		}
		n, err := strconv.Atoi(parts[1])
		return n, err == nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(parts[0], "v"))
	return n, err == nil
}

func lastPart(v string) string {
	if i := strings.LastIndexByte(v, '.'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// pythonCandidates lists where Python may be, the exact version's places
// first: python3.X on PATH, version managers' installs of 3.X, then every
// other python3.N on PATH and in the version managers, then python3.
func pythonCandidates(version string) []candidate {
	exact := "python" + version
	cands := []candidate{{exact, "PATH"}}
	managed := managedInstalls("python")
	for _, m := range managed {
		if strings.HasPrefix(filepath.Base(m.dir), version+".") || filepath.Base(m.dir) == version {
			cands = append(cands, candidate{filepath.Join(m.dir, "bin", "python3"), m.where})
		}
	}
	for _, name := range pathNames(regexp.MustCompile(`^python3\.[0-9]+$`)) {
		if name != exact {
			cands = append(cands, candidate{name, "PATH"})
		}
	}
	for _, m := range managed {
		cands = append(cands, candidate{filepath.Join(m.dir, "bin", "python3"), m.where})
	}
	return append(cands, candidate{"python3", "PATH"})
}

// nodeCandidates lists where node may be: on PATH, in nubo's cache, then in
// version managers (every version: resolve picks by version).
func nodeCandidates() []candidate {
	cands := []candidate{{"node", "PATH"}}
	if dir, err := CacheDir(); err == nil {
		vs, _ := filepath.Glob(filepath.Join(dir, "node", "v*", "bin", "node"))
		for _, p := range vs {
			cands = append(cands, candidate{p, "nubo cache"})
		}
	}
	for _, m := range managedInstalls("node") {
		cands = append(cands, candidate{filepath.Join(m.dir, "bin", "node"), m.where})
	}
	return cands
}

type install struct{ dir, where string }

// managedInstalls lists the version directories that pyenv, asdf, mise, nvm
// and SDKMAN! keep for lang ("python", "node" or "java"), each holding bin/
// (SDKMAN!'s "current" link is skipped: the version it points to is listed).
func managedInstalls(lang string) []install {
	home, _ := os.UserHomeDir()
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	var roots []install
	if lang == "python" {
		roots = []install{
			{filepath.Join(env("PYENV_ROOT", filepath.Join(home, ".pyenv")), "versions"), "pyenv"},
			{filepath.Join(env("ASDF_DATA_DIR", filepath.Join(home, ".asdf")), "installs", "python"), "asdf"},
			{filepath.Join(env("MISE_DATA_DIR", filepath.Join(home, ".local", "share", "mise")), "installs", "python"), "mise"},
		}
	} else if lang == "java" {
		roots = []install{
			{filepath.Join(env("SDKMAN_DIR", filepath.Join(home, ".sdkman")), "candidates", "java"), "sdkman"},
			{filepath.Join(env("ASDF_DATA_DIR", filepath.Join(home, ".asdf")), "installs", "java"), "asdf"},
			{filepath.Join(env("MISE_DATA_DIR", filepath.Join(home, ".local", "share", "mise")), "installs", "java"), "mise"},
		}
	} else {
		roots = []install{
			{filepath.Join(env("NVM_DIR", filepath.Join(home, ".nvm")), "versions", "node"), "nvm"},
			{filepath.Join(env("ASDF_DATA_DIR", filepath.Join(home, ".asdf")), "installs", "nodejs"), "asdf"},
			{filepath.Join(env("MISE_DATA_DIR", filepath.Join(home, ".local", "share", "mise")), "installs", "node"), "mise"},
		}
	}
	var out []install
	for _, r := range roots {
		if home == "" && !filepath.IsAbs(r.dir) {
			continue
		}
		entries, err := os.ReadDir(r.dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.Name() == "current" && r.where == "sdkman" {
				continue
			}
			if e.IsDir() || e.Type()&os.ModeSymlink != 0 {
				out = append(out, install{filepath.Join(r.dir, e.Name()), r.where})
			}
		}
	}
	// Newest first, so ties and listings read naturally.
	slices.SortStableFunc(out, func(a, b install) int { return strings.Compare(filepath.Base(b.dir), filepath.Base(a.dir)) })
	return out
}

// pathNames lists the distinct program names on PATH matching re.
func pathNames(re *regexp.Regexp) []string {
	var names []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if re.MatchString(e.Name()) && !slices.Contains(names, e.Name()) {
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	return names
}

// probe looks name up on PATH (or takes it as a path) and runs it with args,
// which print the version on a first line and, optionally, the
// interpreter's own executable on a second. It returns that executable (so
// a wrapper such as a pyenv shim is not paid for on every instance start),
// else the PATH entry, and the version.
func probe(name string, args ...string) (path, version string, err error) {
	if filepath.IsAbs(name) {
		if _, err := os.Stat(name); err != nil {
			return "", "", fmt.Errorf("%s: not found", name)
		}
		path = name
	} else if path, err = exec.LookPath(name); err != nil {
		return "", "", fmt.Errorf("%s: not found on PATH", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	b, err := exec.CommandContext(ctx, path, args...).Output()
	if err != nil {
		return "", "", fmt.Errorf("%s: does not run: %w", path, err)
	}
	version, exe, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if exe = strings.TrimSpace(exe); filepath.IsAbs(exe) {
		if st, err := os.Stat(exe); err == nil && !st.IsDir() {
			path = exe
		}
	}
	return path, strings.TrimSpace(version), nil
}

// CacheDir is nubo's per-machine cache (interpreters it installed):
// $NUBO_CACHE_DIR, else the user's cache directory's nubo/.
func CacheDir() (string, error) {
	if d := os.Getenv("NUBO_CACHE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("runtimes: no cache directory (set NUBO_CACHE_DIR): %w", err)
	}
	return filepath.Join(d, "nubo"), nil
}
