package functions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPoolRlimitFallback(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	detected := p.mem
	p.mem = &memLimits{mode: memModeRlimit}
	t.Cleanup(func() { p.mem = detected }) // runs before Close: the detected group is removed
	cfg := testConfig("memhog")
	if res := invoke(t, p, cfg, `8`); res.FunctionError != "" || res.MaxMemoryMB < 8 {
		t.Errorf("8 MB: %s (%q), max memory %d MB", res.Payload, res.FunctionError, res.MaxMemoryMB)
	}
	e := decodeError(t, invoke(t, p, cfg, `512`))
	if e.ErrorType != "Runtime.ExitError" || !strings.Contains(e.ErrorMessage, "Runtime exited with error: exit status 2") {
		t.Errorf("512 MB under RLIMIT_DATA: error = %+v", e)
	}
}

func TestPoolRemovesCgroups(t *testing.T) {
	needProcesses(t)
	p, err := NewPool(PoolOptions{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if p.mem.dir == "" {
		t.Skipf("memory limit mode %s uses no cgroup", p.MemoryLimitMode())
	}
	invoke(t, p, testConfig("echo"), `{}`)
	groups, err := filepath.Glob(filepath.Join(p.mem.dir, "echo-*"))
	if err != nil || len(groups) != 1 {
		t.Fatalf("instance groups = %v, %v; want one", groups, err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.mem.dir); !os.IsNotExist(err) {
		t.Errorf("pool cgroup %s still there after Close: %v", p.mem.dir, err)
	}
}
