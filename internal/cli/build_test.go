package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuild: nubo build runs a template's builds on the server and prints a
// line for each; a second run finds them cached and says so.
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs npm")
	}
	serveInProcess(t)
	// A copy: a build never writes into testdata.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/build-app")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	code, stdout, stderr := run(ctx, "build", filepath.Join(dir, "template.yaml"), "--stack", "app")
	if code != 0 || !strings.HasPrefix(stdout, "built app/Fn in ") {
		t.Fatalf("first build: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(ctx, "build", filepath.Join(dir, "template.yaml"), "--stack", "app")
	if code != 0 || !strings.Contains(stdout, "Nothing to build") {
		t.Fatalf("second build: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
