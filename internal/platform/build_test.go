package platform

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildStack deploys functions that need `sam build`: Python with a
// requirements.txt (a local wheel: PyPI is not reached), Node.js with a
// package.json dependency, TypeScript bundled by esbuild. All answer.
func TestBuildStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pip, npm and esbuild")
	}
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	dir := copyDir(t, "testdata/build-stack")
	writeWheel(t, filepath.Join(dir, "py", "wheels", "greet-1.0-py3-none-any.whl"))

	plan, res := deployStack(t, p, dir, nil)
	if len(plan.Builds) != 3 {
		t.Errorf("the first plan reports %d builds, want 3: %q", len(plan.Builds), plan.Builds)
	}
	for _, b := range plan.Builds {
		if !strings.HasPrefix(b, "built hello/") {
			t.Errorf("build line %q", b)
		}
	}
	for id, want := range map[string]string{
		"Py":   `"hello Ada from a wheel"`,
		"Node": `"hello Ada from npm"`,
		"Ts":   `"hello Ada from TypeScript"`,
	} {
		if got := invokeString(t, lc, res.Outputs[id], `{"name":"Ada"}`); got != want {
			t.Errorf("%s answered %s, want %s", id, got, want)
		}
	}
	// Unchanged sources: nothing rebuilt, nothing planned.
	plan, _ = deployStack(t, p, dir, nil)
	if len(plan.Builds) != 0 {
		t.Errorf("unchanged sources built again: %q", plan.Builds)
	}
	if !plan.Empty() {
		var b strings.Builder
		plan.Render(&b)
		t.Errorf("redeploy planned changes:\n%s", b.String())
	}
}

// writeWheel writes a minimal pure-Python wheel of package greet.
func writeWheel(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for name, content := range map[string]string{
		"greet/__init__.py":            "def hello(name):\n    return 'hello ' + name + ' from a wheel'\n",
		"greet-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n",
		"greet-1.0.dist-info/WHEEL":    "Wheel-Version: 1.0\nGenerator: nubo-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
		"greet-1.0.dist-info/RECORD":   "greet/__init__.py,,\ngreet-1.0.dist-info/METADATA,,\ngreet-1.0.dist-info/WHEEL,,\ngreet-1.0.dist-info/RECORD,,\n",
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
