package functions

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestPoolSpare checks the spare a cold start prepares for the next one:
// the next instance of that memory size starts in it, another size does
// not, and Close removes what is left.
func TestPoolSpare(t *testing.T) {
	work := t.TempDir()
	p := newTestPool(t, PoolOptions{WorkDir: work})
	spareDir := func() string {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.spare == nil || p.preparing {
			return ""
		}
		return p.spare.dir
	}
	idleDir := func(name string) string {
		p.mu.Lock()
		defer p.mu.Unlock()
		if fs := p.fns[name]; fs != nil && len(fs.idle) == 1 {
			return fs.idle[0].dir
		}
		return ""
	}
	cfg := testConfig("echo")
	if res := invoke(t, p, cfg, `{"n":1}`); !res.ColdStart {
		t.Fatal("first invoke was not a cold start")
	}
	eventually(t, "a spare after the cold start", func() bool { return spareDir() != "" })
	first := spareDir()
	if st, err := os.Stat(first); err != nil || !st.IsDir() {
		t.Fatalf("spare dir %s: %v", first, err)
	}

	p.Retire("echo")
	if res := invoke(t, p, cfg, `{"n":2}`); !res.ColdStart || string(res.Payload) != `{"n":2}` {
		t.Fatalf("second invoke: cold %v, payload %s", res.ColdStart, res.Payload)
	}
	if got := idleDir("echo"); got != first {
		t.Errorf("new instance runs in %q, want the spare %q", got, first)
	}
	eventually(t, "the next spare", func() bool { d := spareDir(); return d != "" && d != first })

	big := testConfig("echo")
	big.Name, big.MemoryMB = "big", 256
	invoke(t, p, big, `{}`)
	if got, sp := idleDir("big"), spareDir(); got == sp {
		t.Errorf("a 256 MB instance took the 128 MB spare %s", sp)
	}
	eventually(t, "a 256 MB spare", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.spare != nil && !p.preparing && p.spare.memMB == 256
	})

	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	left, err := filepath.Glob(filepath.Join(work, "*"))
	if err != nil || len(left) != 0 {
		t.Errorf("work dir after Close: %v, %v", left, err)
	}
}
