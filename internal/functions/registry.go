package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// JetStream names the registry owns.
const (
	functionsBucket    = "nubo-functions"
	invokeConfigBucket = "nubo-function-invoke-config"
	codeStore          = "nubo-function-code"
)

// registry keeps functions durable: their Config as JSON in a KV bucket,
// their deployment packages in an object store (named by hex SHA-256), and
// the unpacked code under codeRoot/<hex sha>, materialised on demand so a
// restarted node (or another node) rebuilds it from JetStream.
type registry struct {
	bb       *backbone.Backbone
	codeRoot string

	kv   *backbone.KV[Config]
	eic  jetstream.KeyValue
	ver  jetstream.KeyValue // versions, aliases (versions.go)
	code jetstream.ObjectStore

	layerKV jetstream.KeyValue // layers.go: opened on first use

	mu       sync.Mutex
	unpacked map[string]bool // hex sha -> directory known to exist

	// The invoke path reads configurations from memory: a watched cache
	// keeps the copies current with every node's writes, and this node's
	// own writes land at once (read-your-writes). Revisions only move
	// forward, so a late read never replaces a newer value. Without a
	// running watch (after it stopped) invokes read KV.
	cache *backbone.Cache[Config]
}

func newRegistry(bb *backbone.Backbone, dataDir string) *registry {
	return &registry{bb: bb, codeRoot: filepath.Join(dataDir, "functions", "code"), unpacked: map[string]bool{}}
}

func (r *registry) start(ctx context.Context) error {
	var err error
	if r.kv, err = backbone.OpenKV[Config](ctx, r.bb, jetstream.KeyValueConfig{Bucket: functionsBucket, Description: "nubo function configurations", History: 1}); err != nil {
		return err
	}
	if r.eic, err = r.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: invokeConfigBucket, Description: "nubo asynchronous invocation configurations", History: 1}); err != nil {
		return err
	}
	if err := r.startVersions(ctx); err != nil {
		return err
	}
	if r.code, err = r.bb.ObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: codeStore, Description: "nubo function deployment packages"}); err != nil {
		return err
	}
	if err := os.MkdirAll(r.codeRoot, 0o755); err != nil {
		return err
	}
	if r.cache, err = backbone.NewCache(ctx, r.kv); err != nil {
		return fmt.Errorf("watch %s: %w", functionsBucket, err)
	}
	return nil
}

// close stops following configuration changes.
func (r *registry) close() {
	if r.cache != nil {
		r.cache.Close()
	}
}

// remember records name's configuration at rev unless a newer one is known.
func (r *registry) remember(name string, c *Config, rev uint64) {
	if c != nil {
		cc := *c
		cc.CodeDir, cc.OptDir = "", ""
		c = &cc
	}
	if r.cache != nil {
		r.cache.Remember(name, c, rev)
	}
}

// current returns the function's configuration for an invocation: from
// memory when the watcher runs, else from KV. The caller owns the copy
// (maps and pointers in it are shared and must not be changed).
func (r *registry) current(ctx context.Context, name string) (*Config, error) {
	if r.cache != nil {
		if cached, _, ok := r.cache.Get(name); ok {
			c := *cached
			return &c, nil
		}
	}
	c, rev, err := r.get(ctx, name)
	if err != nil {
		return nil, err
	}
	r.remember(name, c, rev)
	return c, nil
}

// get returns the stored configuration and its KV revision.
func (r *registry) get(ctx context.Context, name string) (*Config, uint64, error) {
	c, rev, err := r.kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, fmt.Errorf("function %q: %w", name, ErrFunctionNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("function %q: %w", name, err)
	}
	return c, rev, nil
}

// list returns every function, sorted by name.
func (r *registry) list(ctx context.Context) ([]*Config, error) {
	entries, err := r.kv.List(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	out := make([]*Config, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Value)
	}
	return out, nil
}

// create stores a new function; ErrFunctionExists if the name is taken.
func (r *registry) create(ctx context.Context, c *Config) error {
	rev, err := r.kv.Create(ctx, c.Name, c)
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("function %q: %w", c.Name, ErrFunctionExists)
		}
		return fmt.Errorf("function %q: create: %w", c.Name, err)
	}
	r.remember(c.Name, c, rev)
	return nil
}

// update applies change to the stored configuration with optimistic
// concurrency, retrying when another writer got there first.
func (r *registry) update(ctx context.Context, name string, change func(*Config) error) (*Config, error) {
	e, err := r.kv.Modify(ctx, name, func(c *Config, exists bool) (*Config, error) {
		if !exists {
			return nil, fmt.Errorf("function %q: %w", name, ErrFunctionNotFound)
		}
		if err := change(c); err != nil {
			return nil, err
		}
		return c, nil
	})
	if err != nil {
		return nil, err // change's own, or the bucket's naming the function
	}
	r.remember(name, e.Value, e.Revision)
	return e.Value, nil
}

// remove deletes the function and its asynchronous invocation config.
func (r *registry) remove(ctx context.Context, name string) (*Config, error) {
	c, rev, err := r.get(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := r.kv.Delete(ctx, name, rev); err != nil {
		return nil, fmt.Errorf("function %q: %w", name, err)
	}
	r.remember(name, nil, rev+1) // the delete marker comes after rev; the watcher brings its own
	if err := r.eic.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("function %q: delete invoke config: %w", name, err)
	}
	return c, nil
}

// putCode stores a deployment package (once per content) and unpacks it.
func (r *registry) putCode(ctx context.Context, zipData []byte) (b64, hexSum string, err error) {
	b64, hexSum = codeDigest(zipData)
	if _, err := r.code.GetInfo(ctx, hexSum); errors.Is(err, jetstream.ErrObjectNotFound) {
		if _, err := r.code.PutBytes(ctx, hexSum, zipData); err != nil {
			return "", "", fmt.Errorf("store code %s: %w", hexSum, err)
		}
	} else if err != nil {
		return "", "", fmt.Errorf("store code %s: %w", hexSum, err)
	}
	if err := r.unpackTo(zipData, hexSum); err != nil {
		return "", "", err
	}
	return b64, hexSum, nil
}

// zip returns a function's deployment package.
func (r *registry) zip(ctx context.Context, c *Config) ([]byte, error) {
	hexSum, err := hexFromB64(c.CodeSHA256)
	if err != nil {
		return nil, fmt.Errorf("function %q: %w", c.Name, err)
	}
	b, err := r.code.GetBytes(ctx, hexSum)
	if err != nil {
		return nil, fmt.Errorf("function %q: code %s: %w", c.Name, hexSum, err)
	}
	return b, nil
}

// materialise makes sure the function's code is unpacked on this node and
// sets c.CodeDir.
func (r *registry) materialise(ctx context.Context, c *Config) error {
	hexSum, err := hexFromB64(c.CodeSHA256)
	if err != nil {
		return fmt.Errorf("function %q: %w", c.Name, err)
	}
	dir := filepath.Join(r.codeRoot, hexSum)
	r.mu.Lock()
	known := r.unpacked[hexSum]
	r.mu.Unlock()
	if !known {
		if _, err := os.Stat(dir); err != nil {
			zipData, err := r.zip(ctx, c)
			if err != nil {
				return err
			}
			if err := r.unpackTo(zipData, hexSum); err != nil {
				return fmt.Errorf("function %q: %w", c.Name, err)
			}
		}
		r.mu.Lock()
		r.unpacked[hexSum] = true
		r.mu.Unlock()
	}
	c.CodeDir = dir
	if c.OptDir, err = r.optDir(ctx, c.Layers); err != nil {
		return fmt.Errorf("function %q: %w", c.Name, err)
	}
	return nil
}

func (r *registry) unpackTo(zipData []byte, hexSum string) error {
	if err := unpack(zipData, filepath.Join(r.codeRoot, hexSum)); err != nil {
		return fmt.Errorf("unpack code %s: %w", hexSum, err)
	}
	r.mu.Lock()
	r.unpacked[hexSum] = true
	r.mu.Unlock()
	return nil
}

// collect deletes a package and its directory when no function or
// published version uses it.
func (r *registry) collect(ctx context.Context, codeSHA256 string) error {
	hexSum, err := hexFromB64(codeSHA256)
	if err != nil {
		return err
	}
	all, err := r.list(ctx)
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.CodeSHA256 == codeSHA256 {
			return nil
		}
	}
	if used, err := r.versionUses(ctx, codeSHA256); err != nil || used {
		return err
	}
	if err := r.code.Delete(ctx, hexSum); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("delete code %s: %w", hexSum, err)
	}
	r.mu.Lock()
	delete(r.unpacked, hexSum)
	r.mu.Unlock()
	// Instances may still run from the directory; a retired instance exits
	// soon, and the directory is recreated on demand if needed again.
	return os.RemoveAll(filepath.Join(r.codeRoot, hexSum))
}

// EventInvokeConfig is a function's asynchronous invocation configuration
// (PutFunctionEventInvokeConfig).
type EventInvokeConfig struct {
	// MaximumRetryAttempts is 0-2; nil means Lambda's default, 2.
	MaximumRetryAttempts *int `json:"maximumRetryAttempts,omitempty"`
	// MaximumEventAgeInSeconds is 60-21600; nil means 21600 (6 hours).
	MaximumEventAgeInSeconds *int `json:"maximumEventAgeInSeconds,omitempty"`
	// OnSuccess and OnFailure are destination ARNs ("" for none).
	OnSuccess    string `json:"onSuccess,omitempty"`
	OnFailure    string `json:"onFailure,omitempty"`
	LastModified int64  `json:"lastModified"` // unix seconds
}

// Defaults of Lambda's asynchronous invocation.
const (
	DefaultMaxRetryAttempts = 2
	DefaultMaxEventAge      = 21600
)

func (e *EventInvokeConfig) retries() int {
	if e == nil || e.MaximumRetryAttempts == nil {
		return DefaultMaxRetryAttempts
	}
	return *e.MaximumRetryAttempts
}

func (e *EventInvokeConfig) maxAgeSeconds() int {
	if e == nil || e.MaximumEventAgeInSeconds == nil {
		return DefaultMaxEventAge
	}
	return *e.MaximumEventAgeInSeconds
}

// errNoInvokeConfig: the function has no event invoke config.
var errNoInvokeConfig = errors.New("no event invoke config")

func (r *registry) invokeConfig(ctx context.Context, name string) (*EventInvokeConfig, error) {
	e, err := r.eic.Get(ctx, eicKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, errNoInvokeConfig
	}
	if err != nil {
		return nil, fmt.Errorf("function %q: invoke config: %w", name, err)
	}
	var c EventInvokeConfig
	if err := json.Unmarshal(e.Value(), &c); err != nil {
		return nil, fmt.Errorf("function %q: invoke config: decode: %w", name, err)
	}
	return &c, nil
}

func (r *registry) putInvokeConfig(ctx context.Context, name string, c *EventInvokeConfig) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("function %q: invoke config: encode: %w", name, err)
	}
	if _, err := r.eic.Put(ctx, eicKey(name), b); err != nil {
		return fmt.Errorf("function %q: invoke config: put: %w", name, err)
	}
	return nil
}

func (r *registry) deleteInvokeConfig(ctx context.Context, name string) error {
	if _, err := r.invokeConfig(ctx, name); err != nil {
		return err
	}
	if err := r.eic.Delete(ctx, eicKey(name)); err != nil {
		return fmt.Errorf("function %q: invoke config: delete: %w", name, err)
	}
	return nil
}
