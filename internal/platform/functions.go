package platform

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/runtimes"
	"github.com/nubo-run/nubo/internal/stacks"
)

// FunctionsOptions are the functions service's knobs.
type FunctionsOptions struct {
	MaxInstances int           // server-wide instance limit
	IdleTimeout  time.Duration // stop instances idle this long
	// RuntimeAPIOnly keeps Go functions on the Runtime API instead of
	// aws-lambda-go's RPC mode (decision 004).
	RuntimeAPIOnly bool
	// StrictRuntimes refuses to run a Python or Node.js runtime on any
	// interpreter but the version it names (else the nearest one runs, with
	// a warning).
	StrictRuntimes bool
	Async          functions.AsyncOptions
}

// functionsModule is Lambda: the runtime shims, the metrics the instance
// pool reports to, the pool (which writes its lines to the log store), the
// service that owns it, the functions' resource policies, the Lambda API
// and the AWS::Lambda::* resource types.
type functionsModule struct{}

func (functionsModule) name() string { return "lambda" }
func (functionsModule) scope() scope { return regional }

// reset drops the functions' state and the region's instance and code
// directories (the instances are stopped by now).
func (m functionsModule) reset(ctx context.Context, p *Platform, region string) error {
	if err := p.dropState(ctx, region, m.name()); err != nil {
		return err
	}
	return os.RemoveAll(p.regionDir(region, "functions"))
}

func (functionsModule) build(p *Platform) error {
	o := p.opts
	var svc *functions.Service // the pool asks it for instance credentials
	pool, err := functions.NewPool(functions.PoolOptions{
		WorkDir:        filepath.Join(p.regionDir(p.region, "functions"), "instances"),
		Region:         o.Region,
		MaxInstances:   o.Functions.MaxInstances,
		IdleTimeout:    o.Functions.IdleTimeout,
		RuntimeAPIOnly: o.Functions.RuntimeAPIOnly,
		Command:        p.shims.command,
		Env:            func(c *functions.Config) ([]string, error) { return svc.InstanceEnv(c) },
		Logs:           p.Logs,
		Observer:       p.Metrics,
		Logger:         o.Logger.With("part", "pool"),
	})
	if err != nil {
		return err
	}
	if p.Policies, err = functions.NewPolicyStore(functions.PolicyStoreOptions{Backbone: p.view("lambda"), Account: p.account,
		Logger: o.Logger.With("part", "function-policies")}); err != nil {
		return err
	}
	svc, err = functions.New(functions.Options{
		Backbone:       p.view("lambda"),
		Account:        p.account,
		DataDir:        p.regionDir(p.region, ""),
		Keys:           p.Keys,
		Executor:       pool,
		EndpointURL:    p.EndpointURL,
		Metrics:        p.Metrics,
		Async:          o.Functions.Async,
		Authorizer:     p.authorizer(),
		Roles:          p.roleChecker(),
		CheckRuntime:   p.shims.check,
		PrepareCode:    p.shims.prepare,
		ResourcePolicy: p.functionPolicy,
		Destinations:   map[string]functions.Destination{"events": eventsDestination{p}},
		Logger:         o.Logger.With("part", "functions"),
	})
	if err != nil {
		return err
	}
	p.Functions = svc
	return nil
}

// contribute serves the Lambda API; its function URL operations and
// AWS::Lambda::Url share the gateway's URLs (the gateway module is built by
// now).
func (functionsModule) contribute(p *Platform) (contribution, error) {
	urls := functionURLs{g: p.Gateway, addr: p.HTTPAddr}
	esm, err := functions.NewEventSources(functions.EventSourcesOptions{Functions: p.Functions, Backbone: p.view("lambda"),
		Queues: p.Queues, Authorizer: p.authorizer(), Logger: p.opts.Logger.With("part", "event-source-mappings")})
	if err != nil {
		return contribution{}, err
	}
	p.EventSources = esm
	api, err := functions.NewAPI(functions.APIOptions{Service: p.Functions, Policies: p.Policies, URLs: urls,
		EventSources: esm, Logger: p.opts.Logger.With("part", "lambda-api")})
	pkg := functions.NewPackager(filepath.Join(p.regionDir(p.region, "functions"), "packages"))
	progress := p.opts.BuildProgress
	if progress == nil {
		progress = func(msg string) { p.log.Info(msg) }
	}
	pkg.SetProgress(progress)
	return contribution{
		parts: []part{{"functions", p.Functions}, {"function policies", p.Policies}},
		apis:  []*awsapi.API{api},
		providers: []stacks.Provider{
			functionWithPolicy{functions.NewFunctionProvider(p.Functions, pkg), p.Policies, p.authorizer()},
			functions.NewEventInvokeConfigProvider(p.Functions),
			functions.NewVersionProvider(p.Functions),
			functions.NewAliasProvider(p.Functions),
			functions.NewLayerVersionProvider(p.Functions, pkg),
			functions.NewLayerVersionPermissionProvider(p.Functions),
			functions.NewPermissionProvider(p.Policies),
			functions.NewURLProvider(urls, p.account),
			functions.NewEventSourceMappingProvider(esm),
		},
	}, err
}

// functionPolicy is a function's resource-based policy document, "" when
// it has none.
func (p *Platform) functionPolicy(function string) string {
	if p.Policies == nil {
		return ""
	}
	b, err := p.Policies.Policy(function)
	if err != nil {
		return ""
	}
	return string(b)
}

// EndpointURL is the edge URL as function instances on this node reach it.
func (p *Platform) EndpointURL() string {
	addr := p.EdgeAddr()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// runtimeShims installs the Python and Node.js bootstraps nubo ships and
// builds each instance's command line from them.
type runtimeShims struct {
	dir    string
	strict bool
	mu     sync.Mutex
	set    *runtimes.Set
}

func (r *runtimeShims) Start(context.Context) error {
	set, err := runtimes.Install(r.dir)
	if err != nil {
		return err
	}
	set.Strict(r.strict)
	r.mu.Lock()
	r.set = set
	r.mu.Unlock()
	return nil
}

// prepare readies a function's code for its runtime (runtimes.Set.Prepare).
func (r *runtimeShims) prepare(ctx context.Context, runtime, codeDir string) error {
	r.mu.Lock()
	set := r.set
	r.mu.Unlock()
	if set == nil {
		return nil
	}
	return set.Prepare(ctx, runtime, codeDir)
}

// check is the runtime's deploy-time warnings (deprecated, substituted
// interpreter) or refusal (retired, unknown, --strict-runtimes).
func (r *runtimeShims) check(runtime string) ([]string, error) {
	r.mu.Lock()
	set := r.set
	r.mu.Unlock()
	if set == nil {
		w, err := runtimes.Check(runtime)
		if w == "" {
			return nil, err
		}
		return []string{w}, err
	}
	return set.Check(runtime)
}

func (r *runtimeShims) Close(context.Context) error { return nil }

func (r *runtimeShims) command(c *functions.Config) ([]string, error) {
	r.mu.Lock()
	set := r.set
	r.mu.Unlock()
	if set == nil {
		return nil, errors.New("runtime shims are not installed yet")
	}
	return set.Command(c.Runtime, c.Handler, c.CodeDir)
}
