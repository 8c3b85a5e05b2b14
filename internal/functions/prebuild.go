package functions

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// Go builds of one plan run in parallel, at most GOMAXPROCS at a time: the
// stack engine offers every function to Prepackage before planning, which
// starts the builds of go1.x code given as a plain path; Package, called
// for each function in turn, then waits for its own build instead of
// starting it. The first build of each Go module runs alone (waitWarm).

type prebuilt struct {
	done chan struct{}
	data []byte
	err  error
}

type prebuilds struct {
	mu      sync.Mutex
	pending map[string]*prebuilt     // by absolute source directory
	warm    map[string]chan struct{} // by Go module root: closed once its first build ended
}

// Prepackage implements stacks.Prepackager.
func (fp *FunctionProvider) Prepackage(ctx context.Context, baseDir string, props, metadata map[string]any) {
	code, ok := props["Code"].(string)
	if !ok || code == "" {
		return
	}
	if !filepath.IsAbs(code) {
		code = filepath.Join(baseDir, code)
	}
	rt, _ := props["Runtime"].(string)
	b := buildOf(rt, metadata)
	if st, err := os.Stat(code); err != nil || !st.IsDir() || b.builder(code) == "" {
		return
	}
	fp.pkg.prebuild(ctx, code, b)
}

// buildOf reads a resource's Metadata (BuildMethod, BuildProperties).
func buildOf(runtime string, metadata map[string]any) Build {
	b := Build{Runtime: runtime}
	b.Method, _ = metadata["BuildMethod"].(string)
	b.Properties, _ = metadata["BuildProperties"].(map[string]any)
	return b
}

// prebuildKey names a pending build by its directory and what it builds.
func prebuildKey(dir string, b Build) string {
	props, _ := json.Marshal(b.Properties)
	return dir + "\x00" + b.builder(dir) + "\x00" + string(props)
}

// prebuild starts building dir unless a build of it is running already.
func (p *Packager) prebuild(ctx context.Context, dir string, bd Build) {
	key := prebuildKey(dir, bd)
	p.pre.mu.Lock()
	defer p.pre.mu.Unlock()
	if b := p.pre.pending[key]; b != nil {
		select {
		case <-b.done: // an earlier plan's, unused: build afresh
		default:
			return
		}
	}
	if p.pre.pending == nil {
		p.pre.pending = map[string]*prebuilt{}
	}
	b := &prebuilt{done: make(chan struct{})}
	p.pre.pending[key] = b
	go func() {
		defer close(b.done)
		b.data, b.err = p.buildDir(ctx, dir, bd)
	}()
}

// takePrebuilt waits for the build prebuild started of dir; ok is false
// when there is none to use (then the caller builds).
func (p *Packager) takePrebuiltBuild(ctx context.Context, dir string, bd Build) (data []byte, err error, ok bool) {
	key := prebuildKey(dir, bd)
	p.pre.mu.Lock()
	b := p.pre.pending[key]
	delete(p.pre.pending, key)
	p.pre.mu.Unlock()
	if b == nil {
		return nil, nil, false
	}
	select {
	case <-b.done:
	case <-ctx.Done():
		return nil, ctx.Err(), true
	}
	if errors.Is(b.err, context.Canceled) || errors.Is(b.err, context.DeadlineExceeded) {
		return nil, nil, false // the plan that started it went away
	}
	return b.data, b.err, true
}

// waitWarm has the first build of each Go module run alone, the others of
// that module waiting for it: builds of one module share its dependencies,
// which a cold build cache then compiles once, not once per parallel build.
// Call warmed when the build has ended.
func (p *Packager) waitWarm(ctx context.Context, dir string) (warmed func(), err error) {
	root := moduleRoot(dir)
	p.pre.mu.Lock()
	gate, seen := p.pre.warm[root]
	if !seen {
		if p.pre.warm == nil {
			p.pre.warm = map[string]chan struct{}{}
		}
		gate = make(chan struct{})
		p.pre.warm[root] = gate
	}
	p.pre.mu.Unlock()
	if !seen {
		return func() { close(gate) }, nil
	}
	select {
	case <-gate:
		return func() {}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// moduleRoot is the directory of the go.mod above dir (dir itself if none).
func moduleRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
