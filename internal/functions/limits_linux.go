//go:build linux

package functions

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Memory limit modes, as MemoryLimitMode reports them.
const (
	memModeCgroup2 = "cgroup2"
	memModeCgroup1 = "cgroup1"
	memModeRlimit  = "rlimit"
)

// memLimits enforces MemorySize on instances. It is chosen once per pool:
// a cgroup v2 group with memory.max where this process may create one, else a
// cgroup v1 memory group, else RLIMIT_DATA on the process (which Go and most
// runtimes hit as an allocation failure rather than an OOM kill).
type memLimits struct {
	mode string
	dir  string // the pool's cgroup directory (cgroup modes), made on first use
	once sync.Once
	err  error
	made bool
}

const (
	cgroupV2Root = "/sys/fs/cgroup"
	cgroupV1Mem  = "/sys/fs/cgroup/memory"
)

// detectMemLimits picks the mode. It proves the cgroup modes by creating
// the pool's group and removing it again: the group is made for real by the
// first instance (ensure), so a pool that never runs one leaves nothing.
func detectMemLimits() *memLimits {
	suffix := randomHex(4)
	if dir, ok := setupCgroup2(suffix); ok {
		_ = removeCgroup(dir)
		return &memLimits{mode: memModeCgroup2, dir: dir}
	}
	if dir, ok := setupCgroup1(suffix); ok {
		_ = removeCgroup(dir)
		return &memLimits{mode: memModeCgroup1, dir: dir}
	}
	return &memLimits{mode: memModeRlimit}
}

// ensure makes the pool's group, once.
func (m *memLimits) ensure() error {
	m.once.Do(func() {
		if err := os.Mkdir(m.dir, 0o755); err != nil {
			m.err = fmt.Errorf("memory cgroup: %w", err)
			return
		}
		m.made = true
		if m.mode == memModeCgroup2 {
			if err := os.WriteFile(filepath.Join(m.dir, "cgroup.subtree_control"), []byte("+memory"), 0o644); err != nil {
				m.err = fmt.Errorf("memory cgroup: enable memory controller: %w", err)
			}
		}
	})
	return m.err
}

// ownCgroup returns this process's cgroup path for the v2 hierarchy ("0::")
// or for the v1 hierarchy that carries controller.
func ownCgroup(controller string) (string, bool) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if controller == "" && parts[0] == "0" && parts[1] == "" {
			return parts[2], true
		}
		if controller != "" {
			for c := range strings.SplitSeq(parts[1], ",") {
				if c == controller {
					return parts[2], true
				}
			}
		}
	}
	return "", false
}

func setupCgroup2(suffix string) (string, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(cgroupV2Root, &st); err != nil || st.Type != 0x63677270 { // CGROUP2_SUPER_MAGIC
		return "", false
	}
	own, ok := ownCgroup("")
	if !ok {
		return "", false
	}
	parent := filepath.Join(cgroupV2Root, own)
	ctrl, err := os.ReadFile(filepath.Join(parent, "cgroup.controllers"))
	if err != nil || !bytes.Contains(ctrl, []byte("memory")) {
		return "", false
	}
	dir := filepath.Join(parent, "nubo-"+suffix)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", false
	}
	// Instances live in children of dir, so dir must hand the memory
	// controller down (dir itself holds no processes: no internal-process
	// conflict).
	if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory"), 0o644); err != nil {
		_ = os.Remove(dir)
		return "", false
	}
	probe := filepath.Join(dir, "probe")
	if err := os.Mkdir(probe, 0o755); err != nil {
		_ = os.Remove(dir)
		return "", false
	}
	_, err = os.Stat(filepath.Join(probe, "memory.max"))
	_ = os.Remove(probe)
	if err != nil {
		_ = os.Remove(dir)
		return "", false
	}
	return dir, true
}

func setupCgroup1(suffix string) (string, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(cgroupV1Mem, &st); err != nil || st.Type != 0x27e0eb { // CGROUP_SUPER_MAGIC
		return "", false
	}
	own, ok := ownCgroup("memory")
	if !ok {
		return "", false
	}
	base := filepath.Join(cgroupV1Mem, own)
	if _, err := os.Stat(filepath.Join(base, "memory.limit_in_bytes")); err != nil {
		base = cgroupV1Mem // our own group is not visible in this mount namespace
	}
	dir := filepath.Join(base, "nubo-"+suffix)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", false
	}
	if _, err := os.Stat(filepath.Join(dir, "memory.limit_in_bytes")); err != nil {
		_ = os.Remove(dir)
		return "", false
	}
	return dir, true
}

// close removes the pool's parent group (instances' groups are gone by then).
func (m *memLimits) close() error {
	m.once.Do(func() {}) // no group from now on
	if !m.made {
		return nil
	}
	return removeCgroup(m.dir)
}

// memGroup is one instance's share of the limits.
type memGroup struct {
	mu    sync.Mutex // peak and fd: read by invocations, released by the reaper
	m     *memLimits
	dir   string
	bytes int64
	fd    int      // cgroup v2 directory, for CLONE_INTO_CGROUP; -1 otherwise
	peak  *os.File // peak usage file (cgroup) or /proc/PID/status
	buf   []byte
	// /proc/PID/status is costly for the kernel to produce: its VmHWM (a
	// high-water mark, so a recent value is a lower bound) is re-read at
	// most every statusRefresh.
	lateJoin bool // cgroup v2 without CLONE_INTO_CGROUP: join after exec
	// joined is closed once a process that joins after exec has (or
	// could not: joinErr); nil when it started inside its group.
	joined   chan struct{}
	joinErr  error
	status   bool
	readAt   time.Time
	lastPeak int
}

const statusRefresh = 10 * time.Millisecond

// peakRefresh is how stale a cgroup's peak may be for an invocation that
// ran under peakQuick: the peak is a high-water mark, and a quick
// invocation can touch only a little memory, so busy instances read the
// file a few times a second rather than on every invocation.
const (
	peakRefresh = 20 * time.Millisecond
	peakQuick   = time.Millisecond
)

// newGroup creates the instance's group with its limit; call before start.
func (m *memLimits) newGroup(id string, memoryMB int) (*memGroup, error) {
	g := &memGroup{m: m, bytes: int64(memoryMB) << 20, fd: -1, buf: make([]byte, 0, 2048)}
	if m.mode == memModeRlimit || memoryMB <= 0 {
		return g, nil
	}
	if err := m.ensure(); err != nil {
		return nil, err
	}
	g.dir = filepath.Join(m.dir, id)
	if err := os.Mkdir(g.dir, 0o755); err != nil {
		return nil, fmt.Errorf("memory cgroup: %w", err)
	}
	limit := []byte(strconv.FormatInt(g.bytes, 10))
	var err error
	switch m.mode {
	case memModeCgroup2:
		err = os.WriteFile(filepath.Join(g.dir, "memory.max"), limit, 0o644)
		if err == nil {
			// Best effort: no swap, so the limit is the limit.
			_ = os.WriteFile(filepath.Join(g.dir, "memory.swap.max"), []byte("0"), 0o644)
			g.fd, err = syscall.Open(g.dir, syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		}
		if err == nil {
			g.peak, _ = os.Open(filepath.Join(g.dir, "memory.peak")) // kernel >= 5.19
		}
	case memModeCgroup1:
		err = os.WriteFile(filepath.Join(g.dir, "memory.limit_in_bytes"), limit, 0o644)
		if err == nil {
			_ = os.WriteFile(filepath.Join(g.dir, "memory.memsw.limit_in_bytes"), limit, 0o644)
			// The process joins after exec, so the group's own peak misses
			// what it charged before: Max Memory Used comes from VmHWM.
		}
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("memory cgroup %s: %w", g.dir, err), g.remove())
	}
	return g, nil
}

// sysProcAttr puts the instance in its own process group, kills it if nubo
// dies, and (cgroup v2) starts it directly inside its group.
func (g *memGroup) sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if g.fd >= 0 && !g.lateJoin {
		a.UseCgroupFD = true
		a.CgroupFD = g.fd
	}
	return a
}

// intoGroupFailed is called when a start that used CLONE_INTO_CGROUP
// failed: it reports whether to retry without, joining the group after exec.
func (g *memGroup) intoGroupFailed() bool {
	if g.fd < 0 || g.lateJoin {
		return false
	}
	g.lateJoin = true
	return true
}

// started applies what cannot be applied before the process exists.
func (g *memGroup) started(pid int) error {
	switch {
	case (g.m.mode == memModeCgroup1 || g.lateJoin) && g.dir != "":
		// Moving a task into a cgroup waits for an RCU grace period in
		// the kernel (5-15 ms here), longer than a Go runtime takes to
		// start: the runtime initialises meanwhile, and the instance gets
		// no event before it has joined (waitJoined), so invocations run
		// under the limit.
		g.joined = make(chan struct{})
		go func() {
			defer close(g.joined)
			if err := os.WriteFile(filepath.Join(g.dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil && !errors.Is(err, syscall.ESRCH) {
				g.joinErr = fmt.Errorf("memory cgroup: add pid: %w", err)
			}
		}()
	case g.m.mode == memModeRlimit && g.bytes > 0:
		// Headroom over MemorySize: RLIMIT_DATA counts reservations too.
		lim := syscall.Rlimit{Cur: uint64(g.bytes) * 2, Max: uint64(g.bytes) * 2}
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(syscall.RLIMIT_DATA),
			uintptr(unsafe.Pointer(&lim)), 0, 0, 0); errno != 0 {
			return fmt.Errorf("memory rlimit: %w", errno)
		}
	}
	g.mu.Lock()
	if g.peak == nil {
		g.peak, _ = os.Open("/proc/" + strconv.Itoa(pid) + "/status")
		g.status = true
	}
	g.mu.Unlock()
	return nil
}

// waitJoined waits until a process that joins its group after exec has
// joined it; the error says it could not.
func (g *memGroup) waitJoined() error {
	if g.joined == nil {
		return nil
	}
	<-g.joined
	return g.joinErr
}

// maxUsedMB is the instance's peak memory so far, in MB (0 if unknown),
// after an invocation that ran for took.
func (g *memGroup) maxUsedMB(took time.Duration) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.peak == nil {
		return g.lastPeak
	}
	now := time.Now()
	switch {
	case g.status && now.Sub(g.readAt) < statusRefresh:
		return g.lastPeak
	case !g.status && took < peakQuick && now.Sub(g.readAt) < peakRefresh:
		return g.lastPeak
	}
	g.lastPeak = max(g.lastPeak, g.readPeak())
	g.readAt = now
	return g.lastPeak
}

func (g *memGroup) readPeak() int {
	n, err := g.peak.ReadAt(g.buf[:cap(g.buf)], 0)
	if n == 0 && err != nil {
		return 0
	}
	b := g.buf[:n]
	if i := bytes.Index(b, []byte("VmHWM:")); i >= 0 { // /proc/PID/status, in kB
		b = bytes.TrimSpace(b[i+6:])
		if j := bytes.IndexByte(b, ' '); j > 0 {
			kb, _ := strconv.ParseInt(string(b[:j]), 10, 64)
			return int((kb + 1023) >> 10)
		}
		return 0
	}
	v, _ := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	return int((v + 1<<20 - 1) >> 20)
}

// oomKilled reports whether the kernel's OOM killer acted in this group.
func (g *memGroup) oomKilled() bool {
	var file, key string
	switch {
	case g.dir == "":
		return false
	case g.m.mode == memModeCgroup2:
		file, key = "memory.events", "oom_kill"
	default:
		file, key = "memory.oom_control", "oom_kill"
	}
	f, err := os.Open(filepath.Join(g.dir, file))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		if k == key {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n > 0
		}
	}
	return false
}

// remove releases the group; the processes in it must be gone.
func (g *memGroup) remove() error {
	_ = g.waitJoined() // an exited process may still be joining
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.peak != nil {
		_ = g.peak.Close()
		g.peak = nil
	}
	if g.fd >= 0 {
		_ = syscall.Close(g.fd)
		g.fd = -1
	}
	if g.dir == "" {
		return nil
	}
	return removeCgroup(g.dir)
}

// removeCgroup removes a cgroup directory, giving exiting tasks a moment to
// leave it (rmdir answers EBUSY until they have).
func removeCgroup(dir string) error {
	var err error
	for range 50 {
		err = syscall.Rmdir(dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

// signalGroup sends sig to the instance's process group.
func signalGroup(pid int, sig syscall.Signal) {
	_ = syscall.Kill(-pid, sig)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
