package runtimes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSupported(t *testing.T) {
	t.Parallel()
	for _, rt := range Runtimes() {
		if !Supported(rt) {
			t.Errorf("Supported(%q) = false for a listed runtime", rt)
		}
		if KindOf(rt) == KindUnknown {
			t.Errorf("KindOf(%q) = unknown", rt)
		}
	}
	for _, rt := range []string{"", "python3.8", "python2.7", "nodejs16.x", "java21", "go1.x", "python3", "nodejs", "Provided"} {
		if Supported(rt) {
			t.Errorf("Supported(%q) = true", rt)
		}
	}
	want := map[string]Kind{"provided": KindProvided, "provided.al2023": KindProvided, "python3.13": KindPython, "nodejs22.x": KindNode, "ruby3.3": KindUnknown}
	for rt, k := range want {
		if got := KindOf(rt); got != k {
			t.Errorf("KindOf(%q) = %v, want %v", rt, got, k)
		}
	}
	// Runtimes returns a copy.
	Runtimes()[0] = "mutated"
	if Runtimes()[0] != "provided" {
		t.Error("Runtimes shares its slice")
	}
}

func TestInstall_IdempotentAndAtomic(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "shims")
	s, err := Install(dir)
	if err != nil {
		t.Fatal(err)
	}
	py := filepath.Join(dir, "python", "bootstrap.py")
	node := filepath.Join(dir, "node", "bootstrap.mjs")
	for _, p := range []string{py, node} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", p, err)
		}
	}
	if s.Dir() != dir {
		t.Errorf("Dir() = %q", s.Dir())
	}
	st1, _ := os.Stat(py)

	// A second install leaves matching files alone.
	if _, err := Install(dir); err != nil {
		t.Fatal(err)
	}
	st2, _ := os.Stat(py)
	if !os.SameFile(st1, st2) || !st1.ModTime().Equal(st2.ModTime()) {
		t.Error("reinstall rewrote an up-to-date shim")
	}

	// A stale or damaged shim is replaced, and no temporary files remain.
	if err := os.WriteFile(node, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(dir); err != nil {
		t.Fatal(err)
	}
	want, _ := shims.ReadFile(nodeShim)
	got, _ := os.ReadFile(node)
	if string(got) != string(want) {
		t.Error("stale shim not replaced")
	}
	for _, sub := range []string{"python", "node"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		if len(entries) != 1 {
			t.Errorf("%s holds %d entries, want only the shim", sub, len(entries))
		}
	}

	if _, err := Install(""); err == nil {
		t.Error("Install(\"\") succeeded")
	}
	// A file where the directory should be.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(blocker); err == nil {
		t.Error("Install over a file succeeded")
	}
}

func TestCommand(t *testing.T) {
	t.Parallel()
	s := testSet(t)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "bootstrap"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	noExec := t.TempDir()
	if err := os.WriteFile(filepath.Join(noExec, "bootstrap"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pyRT := pythonRuntime(t)
	py, err := Interpreter(pyRT)
	if err != nil {
		t.Fatal(err)
	}
	needNode(t)
	node, err := Interpreter("nodejs18.x")
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		runtime, handler, root string
		want                   []string
		err                    string // substring of the error
	}{
		"provided":         {"provided.al2023", "anything.goes", root, []string{filepath.Join(root, "bootstrap")}, ""},
		"provided-al2":     {"provided.al2", "", root, []string{filepath.Join(root, "bootstrap")}, ""},
		"provided-missing": {"provided", "x", t.TempDir(), nil, "no bootstrap file"},
		"provided-noexec":  {"provided", "x", noExec, nil, "not executable"},
		"python":           {pyRT, "app.handler", root, []string{py, filepath.Join(s.Dir(), "python", "bootstrap.py")}, ""},
		"python-nested":    {pyRT, "pkg/sub/mod.fn", root, []string{py, filepath.Join(s.Dir(), "python", "bootstrap.py")}, ""},
		"python-no-dot":    {pyRT, "handler", root, nil, "want module.function"},
		"python-empty-fn":  {pyRT, "app.", root, nil, "no function name"},
		"python-abs":       {pyRT, "/etc/app.handler", root, nil, "relative to the task root"},
		"python-space":     {pyRT, "app.hand ler", root, nil, "whitespace"},
		"python-empty":     {pyRT, "", root, nil, "handler is empty"},
		"node":             {"nodejs22.x", "index.handler", root, []string{node, filepath.Join(s.Dir(), "node", "bootstrap.mjs")}, ""},
		"node-nested":      {"nodejs20.x", "src/fns/app.obj.handler", root, []string{node, filepath.Join(s.Dir(), "node", "bootstrap.mjs")}, ""},
		"node-dotdot":      {"nodejs20.x", "../index.handler", root, nil, "'..' is not allowed"},
		"node-no-export":   {"nodejs20.x", "src/index", root, nil, "want file.export"},
		"node-empty-file":  {"nodejs20.x", "src/.handler", root, nil, "no file name"},
		"node-long":        {"nodejs20.x", strings.Repeat("a", 125) + ".abc", root, nil, "limit is 128"},
		"unsupported":      {"java21", "x.y", root, nil, "not supported"},
		"no-task-root":     {"nodejs20.x", "index.handler", "", nil, "task root is empty"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Command(tc.runtime, tc.handler, tc.root)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInterpreter_Missing(t *testing.T) {
	// No t.Parallel: it changes PATH for this process.
	t.Setenv("PATH", t.TempDir())
	for _, rt := range []string{"python3.12", "nodejs20.x"} {
		_, err := Interpreter(rt)
		if !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), "not found on PATH") {
			t.Errorf("Interpreter(%s) with an empty PATH: %v", rt, err)
		}
	}
	if _, err := Interpreter("provided"); err == nil || !strings.Contains(err.Error(), "no interpreter") {
		t.Errorf("Interpreter(provided): %v", err)
	}
	if _, err := Interpreter("cobol"); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("Interpreter(cobol): %v", err)
	}
}

func TestInterpreter_BrokenShim(t *testing.T) {
	// A python3.X on PATH that cannot run (pyenv's shims do this for versions
	// not selected) is passed over for python3; an old python3 is refused.
	dir := t.TempDir()
	write := func(name, script string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("python3.12", "echo 'pyenv: python3.12: command not found' >&2; exit 127")
	write("python3", "echo 3.10")
	t.Setenv("PATH", dir)
	got, err := Interpreter("python3.12")
	if err != nil || got != filepath.Join(dir, "python3") { // prints no executable: the PATH entry
		t.Errorf("Interpreter(python3.12) = %q, %v; want the python3 fallback", got, err)
	}
	write("python3", "echo 3.8")
	if _, err := Interpreter("python3.12"); !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), "older than 3.9") {
		t.Errorf("old python3: %v", err)
	}
	write("node", "printf 16.20.0")
	if _, err := Interpreter("nodejs18.x"); !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), "need 18 or later") {
		t.Errorf("old node: %v", err)
	}
}
