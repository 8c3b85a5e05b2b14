package functions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// PoolOptions configure a Pool.
type PoolOptions struct {
	WorkDir      string        // parent of per-instance working dirs
	Region       string        // AWS_REGION / AWS_DEFAULT_REGION
	MaxInstances int           // server-wide instance limit (default 64) -> ErrConcurrencyLimit
	IdleTimeout  time.Duration // stop instances idle this long (scale to zero); default 10m
	// MaxLifetime retires an instance this long after it started, at the
	// end of an invocation, as Lambda recycles execution environments: its
	// role credentials (12h) never expire under it.
	// Default 4h.
	MaxLifetime time.Duration
	// Command returns the argv that starts an instance; nil => provided
	// runtimes only: [cfg.CodeDir+"/bootstrap"].
	Command func(cfg *Config) ([]string, error)
	// Env returns extra environment for an instance (AWS_ENDPOINT_URL,
	// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); may be nil.
	Env func(cfg *Config) ([]string, error)
	// RuntimeAPIOnly keeps every instance on the Runtime API: Go functions
	// are not offered aws-lambda-go's RPC mode (rpc.go). It is forced on
	// where nubo cannot keep other processes off the RPC port.
	RuntimeAPIOnly bool
	Logs           LogSink  // may be nil
	Observer       Observer // may be nil
	Logger         *slog.Logger
}

const (
	defaultMaxInstances = 64
	defaultIdleTimeout  = 10 * time.Minute
	defaultMaxLifetime  = 4 * time.Hour
	// initTimeout bounds a cold start up to the runtime's first /next, as
	// Lambda's 10 s init phase does.
	initTimeout = 10 * time.Second
	// stopGrace is how long a stopping instance has between SIGTERM and SIGKILL.
	stopGrace = 2 * time.Second
)

// Pool runs function instances: one OS process per instance, each with its
// own Runtime API on loopback, reused warm, started on demand up to the
// function's reserved concurrency and the pool's MaxInstances, stopped when
// idle, retired or closing.
type Pool struct {
	o   PoolOptions
	log *slog.Logger
	mem *memLimits

	mu       sync.Mutex
	fns      map[string]*fnState
	all      map[*instance]struct{} // every counted instance
	total    int                    // len(all): instances that hold a slot
	inflight int
	seq      uint64
	closing  bool
	started  bool
	drained  chan struct{} // closed once closing and no invocation is in flight
	stopping chan struct{} // closed when Close begins: stops the reaper

	// spare is the next cold start's working directory and memory group,
	// made in the background after a cold start (guarded by mu).
	spare     *spare
	preparing bool

	wg        sync.WaitGroup // reaper, instance goroutines, background stops
	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error
}

// fnState is one function version's instances. Instances are keyed by
// name, version and revision: a new revision (or Retire) bumps gen, and instances of an older
// gen are stopped instead of being reused.
type fnState struct {
	name string // the function; fns is keyed by its version too (poolKey)
	rev  string
	gen  uint64
	idle []*instance // warm instances, least recently used first
	busy int         // invocations in flight, every gen (reserved concurrency)
	// streams is set by the first streamed invocation: new instances keep
	// to the Runtime API, the only way a response streams.
	streams bool
}

// NewPool validates the options and detects how memory limits are enforced.
func NewPool(o PoolOptions) (*Pool, error) {
	if o.WorkDir == "" {
		return nil, errors.New("functions pool: WorkDir is required")
	}
	if o.MaxInstances < 0 {
		return nil, fmt.Errorf("functions pool: MaxInstances %d must not be negative", o.MaxInstances)
	}
	if o.IdleTimeout < 0 {
		return nil, fmt.Errorf("functions pool: IdleTimeout %s must not be negative", o.IdleTimeout)
	}
	if o.MaxInstances == 0 {
		o.MaxInstances = defaultMaxInstances
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = defaultMaxLifetime
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = defaultIdleTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Pool{
		o:        o,
		log:      o.Logger,
		mem:      detectMemLimits(),
		fns:      make(map[string]*fnState),
		all:      make(map[*instance]struct{}),
		drained:  make(chan struct{}),
		stopping: make(chan struct{}),
		closed:   make(chan struct{}),
	}
	if !o.RuntimeAPIOnly {
		if err := rpcGuardSupported(); err != nil {
			p.o.RuntimeAPIOnly = true
			p.log.Warn("Go functions use the Runtime API: their RPC port could not be kept to nubo", "err", err)
		}
	}
	return p, nil
}

// MemoryLimitMode says how MemorySize is enforced: "cgroup2", "cgroup1" or
// "rlimit" (RLIMIT_DATA at twice MemorySize; no OOM detection).
func (p *Pool) MemoryLimitMode() string { return p.mem.mode }

// Start creates the work directory and starts the idle reaper.
func (p *Pool) Start(ctx context.Context) error {
	if err := os.MkdirAll(p.o.WorkDir, 0o755); err != nil {
		return fmt.Errorf("functions pool: work dir: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return ErrClosing
	}
	if p.started {
		return nil
	}
	p.started = true
	p.wg.Add(1)
	go p.reap()
	p.log.Info("functions pool started", "memory_limit_mode", p.mem.mode, "max_instances", p.o.MaxInstances)
	return nil
}

// Close stops taking work, waits for in-flight invocations (bounded by ctx),
// then stops every instance. It is idempotent.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closing {
		p.closing = true
		close(p.stopping)
		if p.inflight == 0 {
			close(p.drained)
		}
	}
	p.mu.Unlock()
	p.closeOnce.Do(func() {
		p.closeErr = p.shutdown(ctx)
		close(p.closed)
	})
	<-p.closed
	return p.closeErr
}

func (p *Pool) shutdown(ctx context.Context) error {
	var errs []error
	select {
	case <-p.drained:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("functions pool: drain: %w", context.Cause(ctx)))
	}
	p.mu.Lock()
	all := make([]*instance, 0, len(p.all))
	for in := range p.all {
		all = append(all, in)
	}
	for _, fs := range p.fns {
		fs.idle = nil
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, in := range all {
		wg.Go(func() { in.stop(true) })
	}
	wg.Wait()
	p.wg.Wait()
	p.mu.Lock()
	sp := p.spare
	p.spare = nil
	p.mu.Unlock()
	if sp != nil {
		if err := sp.discard(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := p.mem.close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Retire makes the function's instances finish their current invocation and
// stop; new invocations get fresh instances.
func (p *Pool) Retire(name string) {
	p.mu.Lock()
	var idle []*instance
	for _, fs := range p.fns {
		if fs.name == name { // every version: a delete retires them all
			fs.gen++
			idle, fs.idle = append(idle, fs.idle...), nil
		}
	}
	p.mu.Unlock()
	for _, in := range idle {
		p.stopAsync(in)
	}
}

// Instances reports the function's warm (idle) and busy instances.
func (p *Pool) Instances(name string) (warm, busy int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, fs := range p.fns {
		if fs.name == name {
			warm, busy = warm+len(fs.idle), busy+fs.busy
		}
	}
	return warm, busy
}

// poolKey names the instances of one version of a function: instances of
// different versions run different code and are never shared.
func poolKey(name, version string) string {
	if version == "" || version == latestVersion {
		return name
	}
	return name + ":" + version
}

// busyLocked counts the invocations in flight of every version of a
// function: reserved concurrency caps them together, as on Lambda.
func (p *Pool) busyLocked(name string) int {
	n := 0
	for _, fs := range p.fns {
		if fs.name == name {
			n += fs.busy
		}
	}
	return n
}

// Invoke runs one invocation on a warm instance, or a new one.
func (p *Pool) Invoke(ctx context.Context, cfg *Config, req *Request) (*Result, error) {
	if cfg == nil || cfg.Name == "" {
		return nil, errors.New("functions pool: invoke: config with a Name is required")
	}
	if req == nil {
		return nil, fmt.Errorf("function %q: invoke: request is required", cfg.Name)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("function %q: invoke: %w", cfg.Name, context.Cause(ctx))
	}
	id := req.RequestID
	if id == "" {
		id = awsapi.NewRequestID()
	}
	for attempt := 0; ; attempt++ {
		in, cold, err := p.acquire(cfg, req.Stream != nil)
		if err != nil {
			return nil, err
		}
		res, retry, err := p.run(ctx, in, cold, req, id)
		if retry && attempt == 0 {
			continue // the warm instance had died while idle: a fresh one runs it
		}
		if err != nil {
			err = fmt.Errorf("function %q: invoke: %w", cfg.Name, err)
		}
		if obs := p.o.Observer; obs != nil {
			obs.Invoked(cfg.Name, res, err)
		}
		return res, err
	}
}

// acquire takes a warm instance of cfg's revision or reserves a slot for a
// new one (cold). A streamed invocation takes only a Runtime API instance.
func (p *Pool) acquire(cfg *Config, stream bool) (in *instance, cold bool, err error) {
	var stale []*instance
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return nil, false, ErrClosing
	}
	key := poolKey(cfg.Name, cfg.Version)
	fs := p.fns[key]
	if fs == nil {
		fs = &fnState{name: cfg.Name, rev: cfg.RevisionID}
		p.fns[key] = fs
	}
	if fs.rev != cfg.RevisionID {
		fs.rev = cfg.RevisionID
		fs.gen++
		stale, fs.idle = fs.idle, nil
	}
	if rc := cfg.ReservedConcurrency; rc != nil && p.busyLocked(cfg.Name) >= *rc {
		p.mu.Unlock()
		p.stopAll(stale)
		p.throttled(cfg.Name)
		return nil, false, ErrReservedConcurrency
	}
	if stream {
		fs.streams = true
	}
	for i := len(fs.idle) - 1; i >= 0; i-- {
		c := fs.idle[i]
		if stream && c.rpc.Load() != nil {
			continue // stays warm for the next buffered invocation
		}
		fs.idle = slices.Delete(fs.idle, i, i+1)
		if c.hasExited() {
			continue
		}
		if p.expired(c) {
			stale = append(stale, c)
			continue
		}
		in = c
		break
	}
	if in == nil {
		if p.total >= p.o.MaxInstances {
			victim := p.evictLocked()
			if victim == nil {
				p.mu.Unlock()
				p.stopAll(stale)
				p.throttled(cfg.Name)
				return nil, false, ErrConcurrencyLimit
			}
			stale = append(stale, victim)
		}
		p.seq++
		in = newInstance(p, cfg, fs.gen, p.seq, !p.o.RuntimeAPIOnly && !fs.streams && rpcRuntime(cfg))
		p.all[in] = struct{}{}
		p.total++
		cold = true
	}
	fs.busy++
	p.inflight++
	p.mu.Unlock()
	p.stopAll(stale)
	if obs := p.o.Observer; obs != nil {
		obs.Concurrency(cfg.Name, 1)
	}
	return in, cold, nil
}

// evictLocked frees a slot held by the least recently used idle instance
// of any function; nil when every instance is busy.
func (p *Pool) evictLocked() *instance {
	var victim *instance
	var vfs *fnState
	for _, fs := range p.fns {
		if len(fs.idle) > 0 && (victim == nil || fs.idle[0].lastUsed.Before(victim.lastUsed)) {
			victim, vfs = fs.idle[0], fs
		}
	}
	if victim == nil {
		return nil
	}
	vfs.idle = append(vfs.idle[:0], vfs.idle[1:]...)
	p.forgetLocked(victim)
	return victim
}

// release ends an invocation: the instance goes back to the warm list, or
// is stopped when it cannot be reused.
func (p *Pool) release(in *instance, reusable bool) {
	in.mu.Lock()
	in.busy, in.req, in.reqID = false, nil, ""
	in.mu.Unlock()
	p.mu.Lock()
	fs := p.fns[poolKey(in.name, in.version)]
	fs.busy--
	p.inflight--
	if p.closing && p.inflight == 0 {
		close(p.drained)
	}
	keep := reusable && !p.closing && in.gen == fs.gen && in.counted && !in.hasExited() && !p.expired(in)
	if keep {
		in.lastUsed = time.Now()
		fs.idle = append(fs.idle, in)
	}
	p.mu.Unlock()
	if !keep {
		p.stopAsync(in)
	}
	if obs := p.o.Observer; obs != nil {
		obs.Concurrency(in.name, -1)
	}
}

// expired reports whether in has lived MaxLifetime. startedAt is written
// before the instance's first invocation, which ends in release (p.mu)
// before anyone else can see the instance.
func (p *Pool) expired(in *instance) bool {
	return !in.startedAt.IsZero() && time.Since(in.startedAt) >= p.o.MaxLifetime
}

// forget gives the instance's slot back; idempotent.
func (p *Pool) forget(in *instance) {
	p.mu.Lock()
	p.forgetLocked(in)
	p.mu.Unlock()
}

func (p *Pool) forgetLocked(in *instance) {
	if !in.counted {
		return
	}
	in.counted = false
	delete(p.all, in)
	p.total--
	if fs := p.fns[poolKey(in.name, in.version)]; fs != nil {
		for i, c := range fs.idle {
			if c == in {
				fs.idle = append(fs.idle[:i], fs.idle[i+1:]...)
				break
			}
		}
	}
}

func (p *Pool) throttled(name string) {
	if obs := p.o.Observer; obs != nil {
		obs.Throttled(name)
	}
}

// stopAsync stops an instance gracefully without making the caller wait.
func (p *Pool) stopAsync(in *instance) {
	p.forget(in)
	p.wg.Go(func() { in.stop(true) })
}

func (p *Pool) stopAll(ins []*instance) {
	for _, in := range ins {
		p.stopAsync(in)
	}
}

// reap stops instances idle longer than IdleTimeout.
func (p *Pool) reap() {
	defer p.wg.Done()
	every := min(max(p.o.IdleTimeout/4, 5*time.Millisecond), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stopping:
			return
		case now := <-t.C:
			var expired []*instance
			p.mu.Lock()
			for _, fs := range p.fns {
				n := 0
				for n < len(fs.idle) && now.Sub(fs.idle[n].lastUsed) >= p.o.IdleTimeout {
					n++
				}
				if n > 0 {
					expired = append(expired, fs.idle[:n]...)
					fs.idle = append(fs.idle[:0], fs.idle[n:]...)
				}
			}
			for _, in := range expired {
				p.forgetLocked(in)
			}
			p.mu.Unlock()
			for _, in := range expired {
				p.log.Debug("stopping idle instance", "function", in.name, "instance", in.id)
				p.stopAsync(in)
			}
		}
	}
}

// spare is what a cold start would otherwise make on its path: the
// instance's working directory and its memory group (a cgroup directory
// with the limit written), for instances of memMB.
type spare struct {
	dir   string
	mem   *memGroup
	memMB int
}

func (s *spare) discard() error {
	return errors.Join(s.mem.remove(), os.RemoveAll(s.dir))
}

// takeSpare hands the prepared spare over when it fits memMB.
func (p *Pool) takeSpare(memMB int) *spare {
	p.mu.Lock()
	defer p.mu.Unlock()
	sp := p.spare
	if sp == nil || sp.memMB != memMB {
		return nil
	}
	p.spare = nil
	return sp
}

// prepareSpare makes the next instance's spare in the background, unless
// one that fits is ready or being made.
func (p *Pool) prepareSpare(memMB int) {
	p.mu.Lock()
	if p.closing || p.preparing || (p.spare != nil && p.spare.memMB == memMB) {
		p.mu.Unlock()
		return
	}
	old := p.spare
	p.spare, p.preparing = nil, true
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		if old != nil {
			_ = old.discard()
		}
		sp, err := p.makeSpare(memMB)
		p.mu.Lock()
		p.preparing = false
		keep := err == nil && !p.closing && p.spare == nil
		if keep {
			p.spare = sp
		}
		p.mu.Unlock()
		switch {
		case err != nil:
			p.log.Debug("preparing a spare instance directory", "err", err)
		case !keep:
			_ = sp.discard()
		}
	}()
}

func (p *Pool) makeSpare(memMB int) (*spare, error) {
	id := "spare-" + randomHex(8)
	dir := filepath.Join(p.o.WorkDir, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("instance dir: %w", err)
	}
	mem, err := p.mem.newGroup(id, memMB)
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	return &spare{dir: dir, mem: mem, memMB: memMB}, nil
}
