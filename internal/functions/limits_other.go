//go:build unix && !linux

package functions

import (
	"crypto/rand"
	"encoding/hex"
	"syscall"
	"time"
)

// Without cgroups or prlimit, MemorySize is reported but not enforced.
const memModeNone = "none"

type memLimits struct{ mode string }

func detectMemLimits() *memLimits { return &memLimits{mode: memModeNone} }

func (m *memLimits) close() error { return nil }

type memGroup struct{}

func (m *memLimits) newGroup(string, int) (*memGroup, error) { return &memGroup{}, nil }

func (g *memGroup) sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func (g *memGroup) started(int) error { return nil }

func (g *memGroup) waitJoined() error { return nil }

func (g *memGroup) intoGroupFailed() bool { return false }

func (g *memGroup) maxUsedMB(time.Duration) int { return 0 }

func (g *memGroup) oomKilled() bool { return false }

func (g *memGroup) remove() error { return nil }

func signalGroup(pid int, sig syscall.Signal) { _ = syscall.Kill(-pid, sig) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
