package cli

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// signalWriter closes ch on the first write: the watcher's "Watching" line.
type signalWriter struct {
	once sync.Once
	ch   chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.ch) })
	return len(p), nil
}

// TestWatchRedeploysOnlyTheChangedStack edits a function source of one stack
// and the template of another, and checks that exactly those redeploy.
func TestWatchRedeploysOnlyTheChangedStack(t *testing.T) {
	dir := t.TempDir()
	tmpl := "Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: x}\n"
	writeFile(t, filepath.Join(dir, "a", "template.yaml"), tmpl)
	writeFile(t, filepath.Join(dir, "a", "fn", "main.go"), "package main\n")
	writeFile(t, filepath.Join(dir, "b", "template.yaml"), tmpl)
	writeFile(t, filepath.Join(dir, "c.yaml"), tmpl)

	var mu sync.Mutex
	var deployed []string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := &signalWriter{ch: make(chan struct{})}
	go func() {
		done <- watch(ctx, dir, 20*time.Millisecond, func(ctx context.Context, f stacks.Found) error {
			mu.Lock()
			deployed = append(deployed, f.Stack)
			mu.Unlock()
			return nil
		}, ready)
	}()
	wait := func(want ...string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			got := append([]string(nil), deployed...)
			mu.Unlock()
			if len(got) >= len(want) {
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("redeployed %v, want %v", got, want)
					}
				}
				if len(got) > len(want) {
					t.Fatalf("redeployed %v, want %v", got, want)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("redeployed %v after 10s, want %v", got, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	<-ready.ch // the watcher has its first snapshot
	writeFile(t, filepath.Join(dir, "a", "fn", "main.go"), "package main // changed\n")
	wait("a")
	writeFile(t, filepath.Join(dir, "c.yaml"), tmpl+"# changed\n")
	wait("a", "c")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestStackOfSnippet: a change to an AWS::Include snippet redeploys the
// stack whose template includes it, wherever the snippet is.
func TestStackOfSnippet(t *testing.T) {
	found := []stacks.Found{
		{Stack: "orders", Path: "/app/orders.yaml", Snippets: []string{"/app/shared/globals.yaml"}},
		{Stack: "billing", Path: "/app/billing.yaml"},
	}
	f, ok := stackOf(found, "/app/shared/globals.yaml")
	if !ok || f.Stack != "orders" {
		t.Errorf("stackOf(snippet) = %q, %v, want orders", f.Stack, ok)
	}
	if _, ok := stackOf(found, "/app/shared/other.yaml"); ok {
		t.Error("a file no template includes belongs to a stack")
	}
}
