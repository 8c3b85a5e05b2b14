package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/platform"
)

// TestBuild: nubo build runs a template's builds on the server and prints a
// line for each; a second run finds them cached and says so.
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs npm")
	}
	p, err := platform.New(platform.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	t.Setenv("NUBO_ENDPOINT", p.EndpointURL())
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
