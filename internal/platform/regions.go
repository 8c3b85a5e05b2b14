package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/stacks"
)

// Regions (decision 007). The root Platform holds what every region shares
// (the backbone, the keys, the runtime shims, the listeners) and the global
// modules (IAM); each region a request names gets its own regional
// context: a Platform value of that region on which the regional modules
// are built as they always were, with the region in their Account and
// their buckets and streams named apart (backbone.In). The edge hands each
// request to the API of its signing name in the context of its credential
// scope's region, built on first use. Every region some node built is
// listed in the regions bucket, and every node builds those at start, so
// a region's asynchronous work is consumed after a restart.

// regionsBucket holds "home" (the region whose state keeps the plain
// names) and one key per region built ("region.NAME").
const regionsBucket = "nubo_regions"

// contexts is the root's global modules and regional contexts: what the
// edge dispatches to, and what Reset rebuilds.
type contexts struct {
	root *Platform
	// build serializes building a region, starting and Reset.
	build sync.Mutex

	mu      sync.Mutex
	global  map[string]http.Handler // signing name -> API, global modules
	gparts  []part
	started int
	regions map[string]*Platform // built and started
	runCtx  context.Context      // what parts are started with
	kv      jetstream.KeyValue
	authz   awsapi.Authorizer // the global modules' authorizer of the moment
	// pending is the default region's context New built, started by Start.
	pending *Platform
	node    string             // this node's id on resetSubject
	sub     *nats.Subscription // resetSubject
	// stopWatch ends the watch of regions other nodes build.
	stopWatch context.CancelFunc
	// order is the regions' contexts as the HTTP listener tries them: the
	// default region first, then by name (read without a lock).
	order atomic.Pointer[[]*Platform]
}

// publishLocked makes order the regions' contexts; c.mu is held.
func (c *contexts) publishLocked() {
	list := make([]*Platform, 0, len(c.regions))
	for _, p := range c.regions {
		list = append(list, p)
	}
	def := c.root.opts.Region
	slices.SortFunc(list, func(a, b *Platform) int {
		switch {
		case a.region == def:
			return -1
		case b.region == def:
			return 1
		}
		return strings.Compare(a.region, b.region)
	})
	c.order.Store(&list)
}

// regionDir is the directory of a region's files under the data dir: the
// data dir itself for the default region (as before regions), else
// DATA/regions/REGION.
func (p *Platform) regionDir(region, sub string) string {
	dir := p.opts.DataDir
	if region != p.defaultRegion() {
		dir = filepath.Join(dir, "regions", region)
	}
	return filepath.Join(dir, sub)
}

// defaultRegion is --region.
func (p *Platform) defaultRegion() string {
	if p.root != nil {
		return p.root.opts.Region
	}
	return p.opts.Region
}

// view is the backbone as module part of this Platform's region uses it.
func (p *Platform) view(part string) *backbone.Backbone {
	region := p.region
	if region == "" {
		region = backbone.GlobalRegion
	}
	return p.Backbone.In(region, part)
}

// dropState deletes what part's views opened in region.
func (p *Platform) dropState(ctx context.Context, region, part string) error {
	_, err := p.Backbone.Drop(ctx, region, part)
	return err
}

// buildGlobal builds the global modules on the root.
func (c *contexts) buildGlobal() (apis []*awsapi.API, err error) {
	p := c.root
	var mods []module
	for _, m := range modules() {
		if m.scope() == global {
			mods = append(mods, m)
		}
	}
	for _, m := range mods {
		if err := m.build(p); err != nil {
			return nil, err
		}
	}
	var parts []part
	var provided []stacks.Provider
	for _, m := range mods {
		con, err := m.contribute(p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, con.parts...)
		apis = append(apis, con.apis...)
		provided = append(provided, con.providers...)
	}
	handlers := map[string]http.Handler{}
	for _, a := range apis {
		handlers[a.Service().Name] = a.Service().Handler
	}
	c.mu.Lock()
	c.global, c.gparts, c.started, c.authz = handlers, parts, 0, p.authorizer()
	c.mu.Unlock()
	p.globalProviders = provided
	return apis, nil
}

// newRegion builds (does not start) the regional context of region.
func (c *contexts) newRegion(region string) (*Platform, error) {
	r := c.root
	o := r.opts
	o.Region = region
	if region != r.opts.Region { // the default region's lines read as before regions
		o.Logger = r.opts.Logger.With("region", region)
	}
	p := &Platform{opts: o, log: o.Logger, region: region, root: r,
		account:  awsapi.Account{Region: region, ID: r.account.ID},
		Backbone: r.Backbone, Keys: r.Keys, IAM: r.IAM, Authz: r.Authz, Metrics: r.Metrics, shims: r.shims,
		edge: r.edge, http: r.http,
		provided: slices.Clone(r.globalProviders)}
	var mods []module
	for _, m := range modules() {
		if m.scope() == regional {
			mods = append(mods, m)
		}
	}
	for _, m := range mods {
		if err := m.build(p); err != nil {
			return nil, fmt.Errorf("region %s: %w", region, err)
		}
	}
	for _, m := range mods {
		con, err := m.contribute(p)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", region, err)
		}
		p.parts = append(p.parts, con.parts...)
		p.apis = append(p.apis, con.apis...)
		p.provided = append(p.provided, con.providers...)
	}
	p.handlers = map[string]http.Handler{}
	for _, a := range p.apis {
		p.handlers[a.Service().Name] = a.Service().Handler
	}
	return p, nil
}

// Start starts the global parts, then the default region and every region
// any node built before.
func (c *contexts) Start(ctx context.Context) error {
	c.build.Lock()
	defer c.build.Unlock()
	c.runCtx = context.WithoutCancel(ctx)
	kv, err := c.root.Backbone.In(backbone.GlobalRegion, "").KeyValue(ctx, jetstream.KeyValueConfig{Bucket: regionsBucket,
		Description: "nubo: the home region and the regions built", History: 1})
	if err != nil {
		return err
	}
	c.kv = kv
	c.node = awsapi.NewRequestID()
	c.sub, err = c.root.Backbone.Conn().Subscribe(resetSubject, func(m *nats.Msg) {
		if string(m.Data) != c.node {
			go c.rebuild()
		}
	})
	if err != nil {
		return fmt.Errorf("regions: %w", err)
	}
	// A region another node builds is built here too: its work queues
	// have consumers on every node.
	wctx, cancel := context.WithCancel(c.runCtx)
	w, err := kv.WatchFiltered(wctx, []string{"region.>"}, jetstream.UpdatesOnly())
	if err != nil {
		cancel()
		return fmt.Errorf("regions: watch: %w", err)
	}
	c.stopWatch = cancel
	go c.follow(w)
	if err := c.startGlobal(ctx); err != nil {
		return err
	}
	regions, err := c.known(ctx)
	if err != nil {
		return err
	}
	for _, region := range regions {
		if _, err := c.startRegion(ctx, region); err != nil {
			return err
		}
	}
	return nil
}

// follow builds each region recorded after this node started.
func (c *contexts) follow(w jetstream.KeyWatcher) {
	defer func() { _ = w.Stop() }()
	for e := range w.Updates() {
		if e == nil || e.Operation() != jetstream.KeyValuePut {
			continue
		}
		region := strings.TrimPrefix(e.Key(), "region.")
		if !awsapi.KnownRegion(region) {
			continue
		}
		if _, err := c.region(region); err != nil {
			c.root.log.Warn("region recorded by another node", "region", region, "err", err)
		}
	}
}

func (c *contexts) startGlobal(ctx context.Context) error {
	for _, pt := range c.gparts {
		if err := pt.Start(ctx); err != nil {
			return fmt.Errorf("start %s: %w", pt.name, err)
		}
		c.started++
	}
	return nil
}

// known is the default region and every region recorded, default first.
func (c *contexts) known(ctx context.Context) ([]string, error) {
	out := []string{c.root.opts.Region}
	lister, err := c.kv.ListKeysFiltered(ctx, "region.>")
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	for k := range lister.Keys() {
		if r := strings.TrimPrefix(k, "region."); awsapi.KnownRegion(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// startRegion builds, starts and records region's context; c.build is held.
func (c *contexts) startRegion(ctx context.Context, region string) (*Platform, error) {
	p := c.pending
	if p == nil || p.region != region {
		var err error
		if p, err = c.newRegion(region); err != nil {
			return nil, err
		}
	} else {
		c.pending = nil
	}
	if _, err := c.kv.Put(ctx, "region."+region, []byte(region)); err != nil {
		return nil, fmt.Errorf("region %s: record: %w", region, err)
	}
	for _, pt := range p.parts {
		if err := pt.Start(ctx); err != nil {
			return nil, errors.Join(fmt.Errorf("region %s: start %s: %w", region, pt.name, err), p.closeParts(ctx))
		}
		p.started++
	}
	c.mu.Lock()
	if c.regions == nil {
		c.regions = map[string]*Platform{}
	}
	c.regions[region] = p
	c.publishLocked()
	c.mu.Unlock()
	if region == c.root.opts.Region {
		c.root.adopt(p)
	}
	return p, nil
}

// region is region's context, built and started on first use.
func (c *contexts) region(region string) (*Platform, error) {
	c.mu.Lock()
	p := c.regions[region]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	c.build.Lock()
	defer c.build.Unlock()
	c.mu.Lock()
	p, runCtx := c.regions[region], c.runCtx
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	if runCtx == nil {
		return nil, errors.New("nubo is not started")
	}
	c.root.log.Info("building region", "region", region)
	return c.startRegion(runCtx, region)
}

// Close closes every region (the default last), then the global parts.
func (c *contexts) Close(ctx context.Context) error {
	c.build.Lock()
	defer c.build.Unlock()
	if c.sub != nil {
		_ = c.sub.Unsubscribe()
		c.sub = nil
	}
	if c.stopWatch != nil {
		c.stopWatch()
		c.stopWatch = nil
	}
	c.runCtx = nil
	return c.closeAll(ctx)
}

func (c *contexts) closeAll(ctx context.Context) error {
	c.mu.Lock()
	regions := c.regions
	c.regions = nil
	c.publishLocked()
	c.mu.Unlock()
	var errs []error
	for name, p := range regions {
		if name != c.root.opts.Region {
			errs = append(errs, p.closeParts(ctx))
		}
	}
	if p := regions[c.root.opts.Region]; p != nil {
		errs = append(errs, p.closeParts(ctx))
	}
	for ; c.started > 0; c.started-- {
		pt := c.gparts[c.started-1]
		if err := pt.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", pt.name, err))
		}
	}
	return errors.Join(errs...)
}

// closeParts closes a regional context's started parts, last first.
func (p *Platform) closeParts(ctx context.Context) error {
	var errs []error
	for ; p.started > 0; p.started-- {
		pt := p.parts[p.started-1]
		if err := pt.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("region %s: close %s: %w", p.region, pt.name, err))
		}
	}
	return errors.Join(errs...)
}

// adopt makes the default region's context the root's exported fields.
func (p *Platform) adopt(r *Platform) {
	p.Functions, p.Logs, p.Gateway, p.Policies, p.Parameters, p.Stacks = r.Functions, r.Logs, r.Gateway, r.Policies, r.Parameters, r.Stacks
	p.Queues, p.Topics, p.Events, p.Schedules, p.EventSources = r.Queues, r.Topics, r.Events, r.Schedules, r.EventSources
}
