package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/events"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/gateway"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/logs"
	"github.com/nubo-run/nubo/internal/parameters"
	"github.com/nubo-run/nubo/internal/queues"
	"github.com/nubo-run/nubo/internal/schedules"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/topics"
)

// Options configures a Platform: the flags of `nubo serve`.
type Options struct {
	DataDir   string
	Addr      string // edge: every AWS API and the admin API
	HTTPAddr  string // users' HTTP APIs
	NATSURL   string
	AccessKey string
	SecretKey string
	Region    string
	AccountID string
	// ShutdownTimeout bounds Close (drain in-flight work, stop instances).
	ShutdownTimeout time.Duration
	// NATSReplicas is the replica count of the buckets and streams nubo
	// creates on the external cluster of NATSURL (always 1 embedded).
	NATSReplicas int
	// Functions tunes the functions service (instance pool, async
	// retries); zero values take Lambda's behaviour.
	Functions FunctionsOptions
	// Logs is how long the log store keeps lines (--log-retention,
	// --log-max-bytes).
	Logs logs.Options
	// IAM is how requests are authorized: iam.Enforce (the zero value),
	// iam.Audit or iam.Off (nubo serve --iam).
	IAM    iam.Mode
	Logger *slog.Logger
	// BuildProgress receives a line as each Go build of a function's code
	// starts and ends (nubo up prints them); nil logs them at Info.
	BuildProgress func(msg string)
}

// Defaults for Options.
const (
	DefaultAddr      = "127.0.0.1:4566"
	DefaultHTTPAddr  = "127.0.0.1:8080"
	DefaultDataDir   = ".nubo"
	DefaultAccessKey = "test"
	DefaultSecretKey = "test"
)

// component is the lifecycle every long-lived part has.
type component interface {
	Start(ctx context.Context) error
	Close(ctx context.Context) error
}

type part struct {
	name string
	component
}

// Platform is one running nubo server.
type Platform struct {
	opts    Options
	log     *slog.Logger
	parts   []part
	started int
	ready   atomic.Bool

	Backbone   *backbone.Backbone
	Keys       *awsapi.Keyring
	IAM        *iam.Store
	Authz      *iam.Authorizer
	Functions  *functions.Service
	Metrics    *functions.Metrics
	Logs       *logs.Store
	Gateway    *gateway.Gateway
	Policies   *functions.PolicyStore
	Parameters *parameters.Store
	Queues     *queues.Service
	Topics     *topics.Service
	Events     *events.Service
	Schedules  *schedules.Service
	// EventSources are Lambda's event source mappings (built by the
	// functions module, started after the queues they poll).
	EventSources *functions.EventSources
	Stacks       *stacks.Engine
	shims        *runtimeShims
	account      awsapi.Account
	apis         []*awsapi.API
	provided     []stacks.Provider // by the modules, for the stack engine
	edge         *listener
	http         *listener

	// Regions (regions.go): on the root, ctxs holds the global modules and
	// every region's context; a region's context is a Platform of its own
	// (region set, root its root) with the regional modules' parts and
	// APIs (handlers, by signing name).
	region          string
	root            *Platform
	ctxs            *contexts
	handlers        map[string]http.Handler
	globalProviders []stacks.Provider
}

// New validates opts and builds every part. It starts nothing.
func New(o Options) (*Platform, error) {
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.HTTPAddr == "" {
		o.HTTPAddr = DefaultHTTPAddr
	}
	if o.AccessKey == "" && o.SecretKey == "" {
		o.AccessKey, o.SecretKey = DefaultAccessKey, DefaultSecretKey
	}
	if o.Region == "" {
		o.Region = awsapi.DefaultRegion
	}
	if !awsapi.KnownRegion(o.Region) {
		return nil, fmt.Errorf("region %q: not an AWS commercial region (%s)", o.Region, strings.Join(awsapi.Regions, ", "))
	}
	if o.AccountID == "" {
		o.AccountID = awsapi.DefaultAccountID
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dataDir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	o.DataDir = dataDir
	p := &Platform{opts: o, log: o.Logger, account: awsapi.Account{Region: o.Region, ID: o.AccountID}}
	if p.Keys, err = awsapi.NewKeyring(p.account, o.AccessKey, o.SecretKey); err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	if p.Backbone, err = backbone.New(backbone.Options{DataDir: o.DataDir, URL: o.NATSURL, Replicas: o.NATSReplicas, Logger: o.Logger.With("part", "backbone")}); err != nil {
		return nil, err
	}
	// The listeners start last; their handlers are set below (the edge) and
	// by the gateway module (the HTTP listener).
	p.edge = &listener{name: "edge", addr: o.Addr, log: o.Logger}
	p.http = &listener{name: "http", addr: o.HTTPAddr, log: o.Logger}
	p.shims = &runtimeShims{dir: filepath.Join(o.DataDir, "runtimes"), strict: o.Functions.StrictRuntimes}
	p.Metrics = functions.NewMetrics()

	// The global modules on the root, then the default region's context:
	// its APIs name the regional services the edge dispatches.
	p.ctxs = &contexts{root: p}
	p.http.handler = gatewayRouter{p.ctxs}
	global, err := p.ctxs.buildGlobal()
	if err != nil {
		return nil, err
	}
	def, err := p.ctxs.newRegion(o.Region)
	if err != nil {
		return nil, err
	}
	p.adopt(def)
	p.ctxs.pending = def
	p.apis = append(global, def.apis...)
	p.provided = def.provided
	p.parts = []part{{"backbone", p.Backbone}, {"regions", homePart{p}}, {"runtime shims", p.shims}, {"contexts", p.ctxs}}

	services := make([]awsapi.Service, 0, len(p.apis))
	for i, a := range p.apis {
		s := a.Service()
		s.Handler = p.ctxs.dispatch(s.Name, s.Protocol, i < len(global))
		services = append(services, s)
	}
	services = append(services, p.resetService())
	edge, err := awsapi.NewEdge(p.Keys, o.Logger.With("part", "edge"), services...)
	if err != nil {
		return nil, err
	}
	edge.HandlePublic("GET /_nubo/health", http.HandlerFunc(p.health))
	edge.HandlePublic("GET /metrics", p.Metrics.Handler())
	p.edge.handler = edge
	p.parts = append(p.parts, part{"edge listener", p.edge}, part{"http listener", p.http})
	return p, nil
}

func (p *Platform) health(w http.ResponseWriter, r *http.Request) {
	if !p.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}`))
}

// Start starts every part in order; on failure it closes those started.
func (p *Platform) Start(ctx context.Context) error {
	for _, pt := range p.parts {
		if err := pt.Start(ctx); err != nil {
			rollback := p.Close(context.WithoutCancel(ctx))
			return errors.Join(fmt.Errorf("start %s: %w", pt.name, err), rollback)
		}
		p.started++
		p.log.Debug("started", "part", pt.name)
	}
	p.ready.Store(true)
	return nil
}

// Close closes the started parts, last first, joining their errors.
func (p *Platform) Close(ctx context.Context) error {
	p.ready.Store(false)
	var errs []error
	for ; p.started > 0; p.started-- {
		pt := p.parts[p.started-1]
		if err := pt.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", pt.name, err))
		}
	}
	return errors.Join(errs...)
}

// Run starts the platform, waits for ctx to end, then closes it within the
// shutdown timeout.
func (p *Platform) Run(ctx context.Context) error {
	if err := p.Start(ctx); err != nil {
		return err
	}
	p.log.Info("nubo serving", "addr", p.EdgeAddr(), "http_addr", p.HTTPAddr(), "data", p.opts.DataDir)
	<-ctx.Done()
	p.log.Info("shutting down")
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.opts.ShutdownTimeout)
	defer cancel()
	return p.Close(cctx)
}

// APIs are the AWS APIs served on the edge that are declared as operation
// tables (awsapi.Spec).
func (p *Platform) APIs() []*awsapi.API { return p.apis }

// EdgeAddr is the bound edge address.
func (p *Platform) EdgeAddr() string { return p.edge.Addr() }

// HTTPAddr is the bound HTTP API address.
func (p *Platform) HTTPAddr() string { return p.http.Addr() }
