package runtimes

import (
	"errors"
	"os"
	"os/exec"
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
	for _, rt := range []string{"", "python3.8", "python2.7", "nodejs16.x", "java8", "ruby3.4", "python3", "nodejs", "Provided"} {
		if Supported(rt) {
			t.Errorf("Supported(%q) = true", rt)
		}
	}
	want := map[string]Kind{"provided": KindProvided, "provided.al2023": KindProvided, "python3.13": KindPython, "python3.14": KindPython,
		"nodejs22.x": KindNode, "nodejs24.x": KindNode, "go1.x": KindGo, "java25": KindJava, "java8.al2": KindJava, "java8": KindUnknown, "ruby3.3": KindUnknown, "python3.8": KindUnknown}
	for rt, k := range want {
		if got := KindOf(rt); got != k {
			t.Errorf("KindOf(%q) = %v, want %v", rt, got, k)
		}
	}
	// Runtimes returns a copy.
	Runtimes()[0] = "mutated"
	if Runtimes()[0] == "mutated" {
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
	nodeArgv := func(rt string) []string {
		t.Helper()
		r, err := s.Resolve(rt)
		if err != nil {
			t.Fatal(err)
		}
		argv := []string{r.Path, filepath.Join(s.Dir(), "node", "bootstrap.mjs")}
		if !r.Exact {
			argv = append(argv, "--nubo-init=INIT_START Runtime Version: "+rt+" (nubo: "+r.Note()+")")
		}
		return argv
	}
	goRoot := t.TempDir()
	if err := os.WriteFile(filepath.Join(goRoot, "main"), []byte("#!/bin/sh\n"), 0o755); err != nil {
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
		"node":             {"nodejs22.x", "index.handler", root, nodeArgv("nodejs22.x"), ""},
		"node-nested":      {"nodejs20.x", "src/fns/app.obj.handler", root, nodeArgv("nodejs20.x"), ""},
		"go1.x":            {"go1.x", "main", goRoot, []string{filepath.Join(goRoot, "main")}, ""},
		"go1.x-missing":    {"go1.x", "other", goRoot, nil, "no executable named by the handler"},
		"go1.x-escape":     {"go1.x", "../main", goRoot, nil, "want the name of the executable"},
		"retired":          {"python3.8", "app.handler", root, nil, "not supported"},
		"node-dotdot":      {"nodejs20.x", "../index.handler", root, nil, "'..' is not allowed"},
		"node-no-export":   {"nodejs20.x", "src/index", root, nil, "want file.export"},
		"node-empty-file":  {"nodejs20.x", "src/.handler", root, nil, "no file name"},
		"node-long":        {"nodejs20.x", strings.Repeat("a", 125) + ".abc", root, nil, "limit is 128"},
		"unsupported":      {"ruby3.4", "x.y", root, nil, "not supported"},
		"java-bad-method":  {"java21", "example.Handler::", root, nil, "is not a Java method name"},
		"java-bad-class":   {"java17", "example/Handler", root, nil, "want a class name"},
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

// isolate makes PATH and every place Resolve looks (version managers, nubo's
// cache) empty temporary directories, and returns the PATH directory.
// Tests that call it cannot run in parallel.
func isolate(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	for _, k := range []string{"HOME", "PYENV_ROOT", "ASDF_DATA_DIR", "MISE_DATA_DIR", "NVM_DIR", "NUBO_CACHE_DIR"} {
		t.Setenv(k, t.TempDir())
	}
	return bin
}

// stub writes an executable shell script.
func stub(t *testing.T, path, script string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestInterpreter_Missing(t *testing.T) {
	isolate(t)
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
	dir := isolate(t)
	write := func(name, script string) { stub(t, filepath.Join(dir, name), script) }
	write("python3.12", "echo 'pyenv: python3.12: command not found' >&2; exit 127")
	write("python3", "echo 3.10")
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

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		runtime, warn, err string // substrings; "" for none
	}{
		{"python3.14", "", ""},
		{"nodejs24.x", "", ""},
		{"provided.al2023", "", ""},
		{"python3.9", "deprecated python3.9", ""},
		{"go1.x", "deprecated go1.x", ""},
		{"python3.8", "", "The runtime parameter of python3.8 is no longer supported for creating or updating AWS Lambda functions."},
		{"nodejs16.x", "", "no longer supported"},
		{"java21", "", ""},
		{"java11", "java11 runs on Amazon Linux 2", ""},
		{"java8", "", "The runtime parameter of java8 is no longer supported"},
		{"dotnet8", "", "The runtime parameter of dotnet8 is valid on AWS Lambda, but nubo has no .NET runtime yet"},
		{"ruby3.4", "", "no Ruby runtime yet"},
		{"cobol", "", "The runtime parameter of cobol is not supported. Valid runtimes: go1.x, java11, java17, java21, java25, java8.al2, nodejs18.x"},
		{"", "", "is not supported"},
	}
	for _, tc := range tests {
		w, err := Check(tc.runtime)
		if (tc.warn == "") != (w == "") || !strings.Contains(w, tc.warn) {
			t.Errorf("Check(%q) warning = %q, want %q", tc.runtime, w, tc.warn)
		}
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("Check(%q) error = %v, want %q", tc.runtime, err, tc.err)
		}
	}
	// Every identifier is listed once, with a kind when nubo runs it.
	seen := map[string]bool{}
	for _, in := range Catalog() {
		if seen[in.ID] {
			t.Errorf("%s listed twice", in.ID)
		}
		seen[in.ID] = true
		if runs := in.Status == StatusCurrent || in.Status == StatusDeprecated; runs != (in.Kind != KindUnknown) {
			t.Errorf("%s: status %v with kind %v", in.ID, in.Status, in.Kind)
		}
	}
}

func TestResolve_ExactOrNearest(t *testing.T) {
	bin := isolate(t)
	// Stubs print a version and no executable: the candidate's own path is used.
	stub(t, filepath.Join(bin, "python3"), "echo 3.11.2")
	stub(t, filepath.Join(bin, "python3.13"), "echo 3.13.1")
	stub(t, filepath.Join(os.Getenv("PYENV_ROOT"), "versions", "3.10.4", "bin", "python3"), "echo 3.10.4")
	stub(t, filepath.Join(bin, "node"), "printf 20.1.0")
	nodeCache := filepath.Join(os.Getenv("NUBO_CACHE_DIR"), "node", "v24.3.0", "bin", "node")
	stub(t, nodeCache, "printf 24.3.0")
	stub(t, filepath.Join(os.Getenv("NVM_DIR"), "versions", "node", "v16.0.0", "bin", "node"), "printf 16.0.0")

	tests := []struct {
		runtime, path, version, where string
		exact                         bool
	}{
		{"python3.13", filepath.Join(bin, "python3.13"), "3.13.1", "PATH", true},
		{"python3.11", filepath.Join(bin, "python3"), "3.11.2", "PATH", true},
		{"python3.10", filepath.Join(os.Getenv("PYENV_ROOT"), "versions", "3.10.4", "bin", "python3"), "3.10.4", "pyenv", true},
		{"python3.14", filepath.Join(bin, "python3.13"), "3.13.1", "PATH", false},
		{"python3.12", filepath.Join(bin, "python3.13"), "3.13.1", "PATH", false}, // a tie goes to the newer
		{"python3.9", filepath.Join(os.Getenv("PYENV_ROOT"), "versions", "3.10.4", "bin", "python3"), "3.10.4", "pyenv", false},
		{"nodejs24.x", nodeCache, "24.3.0", "nubo cache", true},
		{"nodejs20.x", filepath.Join(bin, "node"), "20.1.0", "PATH", true},
		{"nodejs22.x", nodeCache, "24.3.0", "nubo cache", false},
		{"nodejs18.x", filepath.Join(bin, "node"), "20.1.0", "PATH", false}, // 16 is too old
	}
	for _, tc := range tests {
		r, err := Resolve(tc.runtime)
		if err != nil {
			t.Errorf("Resolve(%s): %v", tc.runtime, err)
			continue
		}
		want := Resolved{Runtime: tc.runtime, Path: tc.path, Version: tc.version, Where: tc.where, Exact: tc.exact}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("Resolve(%s) (-want +got):\n%s", tc.runtime, diff)
		}
		if note := r.Note(); tc.exact != (note == "") {
			t.Errorf("Resolve(%s).Note() = %q", tc.runtime, note)
		}
	}
	r, _ := Resolve("python3.14")
	if want := "Python 3.14 is not installed here: python3.14 runs on Python 3.13.1"; !strings.Contains(r.Note(), want) {
		t.Errorf("note %q lacks %q", r.Note(), want)
	}

	// A set warns about a substitute, or under Strict refuses it, both at
	// deploy time (Check) and at instance start (Command).
	s := testSet(t)
	root := t.TempDir()
	w, err := s.Check("python3.14")
	if err != nil || len(w) != 1 || !strings.Contains(w[0], "runs on Python 3.13.1") {
		t.Errorf("Check(python3.14) = %q, %v", w, err)
	}
	argv, err := s.Command("python3.14", "app.handler", root)
	if err != nil || len(argv) != 3 || !strings.HasPrefix(argv[2], "--nubo-init=INIT_START Runtime Version: python3.14 (nubo: Python 3.14 is not installed here") {
		t.Errorf("Command(python3.14) = %q, %v", argv, err)
	}
	if w, err := s.Check("python3.13"); err != nil || len(w) != 0 {
		t.Errorf("Check(python3.13) = %q, %v", w, err)
	}
	s.Strict(true)
	if _, err := s.Check("python3.14"); err == nil || !strings.Contains(err.Error(), "--strict-runtimes") {
		t.Errorf("strict Check(python3.14) = %v", err)
	}
	if _, err := s.Command("python3.14", "app.handler", root); err == nil || !strings.Contains(err.Error(), "--strict-runtimes") {
		t.Errorf("strict Command(python3.14) = %v", err)
	}
	if argv, err := s.Command("python3.13", "app.handler", root); err != nil || len(argv) != 2 {
		t.Errorf("strict Command(python3.13) = %q, %v", argv, err)
	}
}

// TestSubstituteLogsInitLine runs a real function on a substitute
// interpreter: its first log line says so.
func TestSubstituteLogsInitLine(t *testing.T) {
	t.Run("python", func(t *testing.T) { testSubstitute(t, "python") })
	t.Run("node", func(t *testing.T) { testSubstitute(t, "node") })
}

func testSubstitute(t *testing.T, lang string) {
	for _, tc := range []struct{ lang, real, handler, dir, want string }{
		{"python", "python3", "echo.handler", "testdata/python", `{"k": 1}`},
		{"node", "node", "cjs/index.handler", "testdata/node", `{"echo":{"k":1},"module":"object"}`},
	} {
		if tc.lang != lang {
			continue
		}
		// The interpreter's own executable, not a version manager's shim.
		out, err := exec.Command(tc.real, "-e", "console.log(process.execPath)").Output()
		if tc.lang == "python" {
			out, err = exec.Command(tc.real, "-c", "import sys; print(sys.executable)").Output()
		}
		if err != nil {
			t.Fatalf("%s: %v (scripts/test.sh installs it)", tc.real, err)
		}
		real := strings.TrimSpace(string(out))
		bin := isolate(t)
		if err := os.Symlink(real, filepath.Join(bin, tc.real)); err != nil {
			t.Fatal(err)
		}
		// The one runtime of the family that the machine's interpreter is not.
		var rt string
		for _, cand := range []string{"python3.14", "python3.9", "nodejs24.x", "nodejs18.x"} {
			if r, err := Resolve(cand); err == nil && !r.Exact && strings.HasPrefix(cand, tc.lang[:2]) {
				rt = cand
				break
			}
		}
		if rt == "" {
			t.Fatalf("%s: no runtime is substituted with only %s on PATH", tc.lang, real)
		}
		in := startInstance(t, testSet(t), rt, tc.handler, tc.dir)
		if o := in.invoke(in.newEvent(`{"k":1}`)); o.Kind != "response" || string(o.Body) != tc.want {
			t.Errorf("%s on a substitute: %v", rt, o)
		}
		log := in.waitOutput("INIT_START")
		if first, _, _ := strings.Cut(log, "\n"); !strings.HasPrefix(first, "INIT_START Runtime Version: "+rt+" (nubo: ") {
			t.Errorf("%s: first line %q", rt, first)
		}
	}
}
