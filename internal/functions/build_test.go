package functions

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// writeTree writes files (path => content; a path ending in "*" is made
// executable) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "*") {
			name, mode = strings.TrimSuffix(name, "*"), 0o755
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// wheel is a minimal pure-Python wheel of package greet: pip installs it
// from a path, with no index.
func wheel(t *testing.T, dir string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{
		"greet/__init__.py":                 "def hello(name):\n    return 'hello ' + name + ' from a wheel'\n",
		"greet-1.0.dist-info/METADATA":      "Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n",
		"greet-1.0.dist-info/WHEEL":         "Wheel-Version: 1.0\nGenerator: nubo-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
		"greet-1.0.dist-info/RECORD":        "greet/__init__.py,,\ngreet-1.0.dist-info/METADATA,,\ngreet-1.0.dist-info/WHEEL,,\ngreet-1.0.dist-info/RECORD,,\n",
		"greet-1.0.dist-info/top_level.txt": "greet\n",
	}
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "greet-1.0-py3-none-any.whl")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// zipNames lists a package's entries.
func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names
}

func hasEntry(names []string, want string) bool {
	for _, n := range names {
		if n == want {
			return true
		}
	}
	return false
}

// TestBuilds runs each of sam build's builders for real, checks what the
// package holds, and that the same inputs do not build twice.
func TestBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pip, npm, make and esbuild")
	}
	vendorDir := t.TempDir()
	whl := wheel(t, vendorDir)
	tests := []struct {
		name  string
		files map[string]string
		build Build
		want  []string // entries the package holds
		not   []string // entries it must not hold
	}{
		{
			name:  "python requirements.txt",
			files: map[string]string{"app.py": "import greet\n", "requirements.txt": whl + "\n"},
			build: Build{Runtime: "python3.12"},
			want:  []string{"app.py", "requirements.txt", "greet/__init__.py"},
		},
		{
			name:  "python layer",
			files: map[string]string{"requirements.txt": whl + "\n"},
			build: Build{Method: "python3.12", Layer: true},
			want:  []string{"python/greet/__init__.py"},
		},
		{
			name: "node package.json",
			files: map[string]string{
				"index.js":                    "module.exports.handler = async () => require('greet').hello('x');\n",
				"package.json":                `{"name":"fn","version":"1.0.0","dependencies":{"greet":"file:./vendor/greet"},"devDependencies":{"devonly":"file:./vendor/devonly"}}`,
				"vendor/greet/package.json":   `{"name":"greet","version":"1.0.0","main":"index.js"}`,
				"vendor/greet/index.js":       "exports.hello = (n) => 'hello ' + n;\n",
				"vendor/devonly/package.json": `{"name":"devonly","version":"1.0.0"}`,
				"node_modules/stale/index.js": "stale copy: a build starts without the source's node_modules",
			},
			build: Build{Runtime: "nodejs20.x"},
			want:  []string{"index.js", "node_modules/greet/index.js"},
			not:   []string{"node_modules/devonly/package.json", "node_modules/stale/index.js"},
		},
		{
			name: "makefile",
			files: map[string]string{
				"Makefile":   "build-Fn:\n\tcp handler.py $(ARTIFACTS_DIR)/app.py\n\techo built > $(ARTIFACTS_DIR)/marker.txt\n",
				"handler.py": "def handler(e, c):\n    return e\n",
			},
			build: Build{Method: "makefile", Runtime: "python3.12"},
			want:  []string{"app.py", "marker.txt"},
			not:   []string{"Makefile", "handler.py"},
		},
		{
			name: "esbuild typescript",
			files: map[string]string{
				"src/app.ts": "import { hello } from './lib';\nexport const handler = async (e: { name: string }) => hello(e.name);\n",
				"src/lib.ts": "export function hello(n: string): string { return `hello ${n}`; }\n",
			},
			build: Build{Method: "esbuild", Runtime: "nodejs20.x", Properties: map[string]any{"EntryPoints": []any{"src/app.ts"}, "Minify": false, "Target": "es2020", "Sourcemap": true}},
			want:  []string{"app.js", "app.js.map"},
			not:   []string{"src/app.ts", "lib.js"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPackager(t.TempDir())
			var mu sync.Mutex
			var lines []string
			p.SetProgress(func(m string) { mu.Lock(); lines = append(lines, m); mu.Unlock() })
			src := writeTree(t, tc.files)
			ctx := stacks.WithResource(context.Background(), "s", "Fn")
			sum, _, err := p.PackageBuild(ctx, "", src, tc.build)
			if err != nil {
				t.Fatal(err)
			}
			data, err := p.Load(sum)
			if err != nil {
				t.Fatal(err)
			}
			names := zipNames(t, data)
			for _, w := range tc.want {
				if !hasEntry(names, w) {
					t.Errorf("package lacks %s: %q", w, names)
				}
			}
			for _, n := range tc.not {
				if hasEntry(names, n) {
					t.Errorf("package holds %s: %q", n, names)
				}
			}
			// The same inputs: no build, the same package.
			again, _, err := p.PackageBuild(ctx, "", src, tc.build)
			if err != nil || again != sum {
				t.Errorf("second package: %s, %v; want %s", again, err, sum)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "building s/Fn (") || !strings.HasPrefix(lines[1], "built s/Fn in ") {
				t.Errorf("progress: %q (want one build, reported)", lines)
			}
		})
	}
}

// TestBuildErrors: a build that cannot run says what is missing.
func TestBuildErrors(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p := NewPackager(t.TempDir())
	ctx := stacks.WithResource(context.Background(), "s", "Fn")
	tests := []struct {
		name  string
		files map[string]string
		build Build
		want  string
	}{
		{"npm missing", map[string]string{"package.json": `{"dependencies":{"x":"1"}}`}, Build{Runtime: "nodejs20.x"}, "needs npm, which is not on PATH"},
		{"make missing", map[string]string{"Makefile": "build-Fn:\n"}, Build{Method: "makefile"}, "needs make, which is not on PATH"},
		{"cargo lambda", map[string]string{"Cargo.toml": ""}, Build{Method: "rust-cargolambda"}, "rust-cargolambda is not supported by nubo yet"},
		{"maven", map[string]string{"pom.xml": ""}, Build{Method: "java21", Runtime: "java21"}, "is not supported by nubo yet"},
		{"esbuild entry points", map[string]string{"a.ts": ""}, Build{Method: "esbuild"}, "needs BuildProperties.EntryPoints"},
	}
	for _, tc := range tests {
		_, _, err := p.PackageBuild(ctx, "", writeTree(t, tc.files), tc.build)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	file := filepath.Join(writeTree(t, map[string]string{"app.py": ""}), "app.py")
	if _, _, err := p.PackageBuild(ctx, "", file, Build{}); err == nil || !strings.Contains(err.Error(), "not a directory, a .zip or a .jar file") {
		t.Errorf("a plain file as code: %v", err)
	}
}

// TestGoBuildCached: a Go function whose module did not change is not
// built again, even by a new packager (a new plan); a change rebuilds it.
func TestGoBuildCached(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	mod := writeTree(t, map[string]string{
		"go.mod":          "module example.com/fn\n\ngo 1.22\n",
		"fn/main.go":      "package main\n\nfunc main() { println(msg) }\n",
		"fn/msg.go":       "package main\n\nconst msg = \"one\"\n",
		".nubo/state.bin": "data a server writes: not a build input",
	})
	cache := t.TempDir()
	build := func() (string, []string) {
		p := NewPackager(cache)
		var lines []string
		var mu sync.Mutex
		p.SetProgress(func(m string) { mu.Lock(); lines = append(lines, m); mu.Unlock() })
		sum, _, err := p.PackageBuild(stacks.WithResource(context.Background(), "s", "Fn"), mod, "fn", Build{Method: "go1.x"})
		if err != nil {
			t.Fatal(err)
		}
		return sum, lines
	}
	first, lines := build()
	if len(lines) != 2 {
		t.Fatalf("first build: %q", lines)
	}
	if err := os.WriteFile(filepath.Join(mod, ".nubo", "state.bin"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, lines := build()
	if again != first || len(lines) != 0 {
		t.Errorf("unchanged module built again: %q (%s vs %s)", lines, again, first)
	}
	if err := os.WriteFile(filepath.Join(mod, "fn", "msg.go"), []byte("package main\n\nconst msg = \"two\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, lines := build()
	if changed == first || len(lines) != 2 {
		t.Errorf("a source change did not rebuild: %q", lines)
	}
}
