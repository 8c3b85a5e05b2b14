package functions

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSourceDigest: the digest follows files' paths, content and
// executable bit, not tool output directories.
func TestSourceDigest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	digest := func() string {
		t.Helper()
		d, err := SourceDigest(dir)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	write("app.py", "def handler(e, c): return 1\n", 0o644)
	write("lib/util.py", "X = 1\n", 0o644)
	first := digest()
	if digest() != first {
		t.Fatal("the digest of unchanged code changed")
	}
	write(".git/HEAD", "ref: x\n", 0o644)
	write(".aws-sam/build/out", "x", 0o644)
	write("__pycache__/app.cpython-312.pyc", "x", 0o644)
	if digest() != first {
		t.Fatal("tool output changed the digest")
	}
	write("lib/util.py", "X = 2\n", 0o644)
	second := digest()
	if second == first {
		t.Fatal("a content change kept the digest")
	}
	write("lib/util.py", "X = 2\n", 0o755)
	if digest() == second {
		t.Fatal("an executable bit change kept the digest")
	}
	if _, err := SourceDigest(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing path has a digest")
	}
	f, err := SourceDigest(filepath.Join(dir, "app.py"))
	if err != nil || f == "" {
		t.Fatalf("digest of a file: %q %v", f, err)
	}
}
