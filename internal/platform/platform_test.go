package platform

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestStartServeClose(t *testing.T) {
	p, err := New(Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + p.EdgeAddr() + "/_nubo/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d", resp.StatusCode)
	}
	resp, err = http.Get("http://" + p.EdgeAddr() + "/2015-03-31/functions/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("unsigned request: %d, want 403", resp.StatusCode)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.Close(cctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(cctx); err != nil {
		t.Fatal("second close:", err)
	}
}

func TestStartFailsOnBusyPort(t *testing.T) {
	a, err := New(Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close(context.Background())
	b, err := New(Options{DataDir: t.TempDir(), Addr: a.EdgeAddr(), HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err == nil {
		b.Close(context.Background())
		t.Fatal("second server on a busy port started")
	}
}
