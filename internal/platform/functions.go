package platform

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/runtimes"
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

// buildFunctions wires the functions context: the metrics the instance pool
// reports to, the pool (which writes its lines to the log store), and the
// service that owns the pool.
func (p *Platform) buildFunctions(account awsapi.Account) error {
	o := p.opts
	p.shims = &runtimeShims{dir: filepath.Join(o.DataDir, "runtimes"), strict: o.Functions.StrictRuntimes}
	p.Metrics = functions.NewMetrics()
	var svc *functions.Service // the pool asks it for instance credentials
	pool, err := functions.NewPool(functions.PoolOptions{
		WorkDir:        filepath.Join(o.DataDir, "functions", "instances"),
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
	svc, err = functions.New(functions.Options{
		Backbone:     p.Backbone,
		Account:      account,
		DataDir:      o.DataDir,
		Keys:         p.Keys,
		Executor:     pool,
		EndpointURL:  p.EndpointURL,
		Metrics:      p.Metrics,
		Async:        o.Functions.Async,
		Authorizer:   p.authorizer(),
		Roles:        p.roleChecker(),
		CheckRuntime: p.shims.check,
		PrepareCode:  p.shims.prepare,
		// The policy store is built after the service: read it late.
		ResourcePolicy: p.functionPolicy,
		Logger:         o.Logger.With("part", "functions"),
	})
	if err != nil {
		return err
	}
	p.Functions = svc
	return nil
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

// functionServices are the AWS APIs of the functions context: Lambda.
func (p *Platform) functionServices() []awsapi.Service {
	log := p.opts.Logger
	return []awsapi.Service{
		{Name: "lambda", Protocol: awsapi.RestJSON, Handler: functions.NewAPI(p.Functions, log.With("part", "lambda-api")).WithPolicies(p.Policies).
			WithURLs(functionURLs{g: p.Gateway, addr: p.HTTPAddr}),
			Matches: func(r *http.Request) bool { return lambdaPath(r.URL.Path) }},
	}
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

// lambdaPath tells Lambda API paths apart for errors written before the
// signature names the service.
func lambdaPath(path string) bool {
	for _, v := range []string{"/2015-03-31/", "/2017-10-31/", "/2019-09-25/", "/2019-09-30/", "/2021-10-31/"} {
		if strings.HasPrefix(path, v) {
			return true
		}
	}
	return false
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
