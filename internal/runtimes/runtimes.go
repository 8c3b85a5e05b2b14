package runtimes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Kind is the family a runtime identifier belongs to.
type Kind int

// The runtime families nubo can start.
const (
	KindUnknown Kind = iota
	KindProvided
	KindPython
	KindNode
)

// runtimeNames is every runtime identifier nubo accepts, in Lambda's spelling.
// A function returning a fresh slice keeps it immutable.
func runtimeNames() []string {
	return []string{
		"provided", "provided.al2", "provided.al2023",
		"python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
		"nodejs18.x", "nodejs20.x", "nodejs22.x",
	}
}

// Runtimes lists the supported runtime identifiers.
func Runtimes() []string { return runtimeNames() }

// Supported reports whether runtime is one nubo can start.
func Supported(runtime string) bool {
	for _, r := range runtimeNames() {
		if r == runtime {
			return true
		}
	}
	return false
}

// KindOf tells which family a supported runtime belongs to (KindUnknown for
// anything Supported rejects).
func KindOf(runtime string) Kind {
	switch {
	case !Supported(runtime):
		return KindUnknown
	case strings.HasPrefix(runtime, "provided"):
		return KindProvided
	case strings.HasPrefix(runtime, "python"):
		return KindPython
	default:
		return KindNode
	}
}

// Minimum interpreter versions the shims run on.
const (
	minPythonMinor = 9  // python 3.9
	minNodeMajor   = 18 // node 18
)

// probeTimeout bounds one interpreter version probe.
const probeTimeout = 15 * time.Second

// ErrNoInterpreter: no usable interpreter for a runtime was found on PATH.
var ErrNoInterpreter = errors.New("no usable interpreter")

// Interpreter finds the program that runs runtime's shim: for python3.X,
// python3.X if it runs and reports 3.X, else python3 if it is 3.9 or later;
// for nodejs*.x, node if it is 18 or later. It runs each candidate once to
// check its version (a PATH entry can be a shim, such as pyenv's, that exists
// but cannot run). provided runtimes need none and return an error.
func Interpreter(runtime string) (string, error) {
	switch KindOf(runtime) {
	case KindPython:
		want := strings.TrimPrefix(runtime, "python")
		var tried []string
		for _, name := range []string{"python" + want, "python3"} {
			path, v, err := probe(name, "-c", "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.executable)")
			if err != nil {
				tried = append(tried, err.Error())
				continue
			}
			minor, ok := pythonMinor(v)
			switch {
			case !ok:
				tried = append(tried, fmt.Sprintf("%s: unexpected version %q", name, v))
			case name != "python3" && v != want:
				tried = append(tried, fmt.Sprintf("%s: reports version %s", name, v))
			case minor < minPythonMinor:
				tried = append(tried, fmt.Sprintf("%s: version %s is older than 3.%d", name, v, minPythonMinor))
			default:
				return path, nil
			}
		}
		return "", fmt.Errorf("runtime %s: %w: install Python %s (or python3 >= 3.%d) on PATH (%s)",
			runtime, ErrNoInterpreter, want, minPythonMinor, strings.Join(tried, "; "))
	case KindNode:
		path, v, err := probe("node", "-e", "process.stdout.write(process.versions.node + '\\n' + process.execPath)")
		if err != nil {
			return "", fmt.Errorf("runtime %s: %w: install Node.js %d or later on PATH (%v)", runtime, ErrNoInterpreter, minNodeMajor, err)
		}
		major, _, _ := strings.Cut(v, ".")
		if n, err := strconv.Atoi(major); err != nil || n < minNodeMajor {
			return "", fmt.Errorf("runtime %s: %w: node at %s is version %q, need %d or later", runtime, ErrNoInterpreter, path, v, minNodeMajor)
		}
		return path, nil
	case KindProvided:
		return "", fmt.Errorf("runtime %s: runs the function's own bootstrap, it has no interpreter", runtime)
	default:
		return "", fmt.Errorf("runtime %q: not supported (supported: %s)", runtime, strings.Join(runtimeNames(), ", "))
	}
}

// probe looks name up on PATH and runs it with args, which print the
// version on a first line and, optionally, the interpreter's own executable
// on a second. It returns that executable (so a wrapper such as a pyenv shim
// is not paid for on every instance start), else the PATH entry, and the
// version.
func probe(name string, args ...string) (path, version string, err error) {
	path, err = exec.LookPath(name)
	if err != nil {
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

// pythonMinor parses "3.N".
func pythonMinor(v string) (int, bool) {
	major, minor, ok := strings.Cut(v, ".")
	if !ok || major != "3" {
		return 0, false
	}
	n, err := strconv.Atoi(minor)
	return n, err == nil
}
