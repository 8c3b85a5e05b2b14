package functions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/runtimes"
)

// executor runs invocations in function instances: the pool (pool.go).
type executor interface {
	Start(ctx context.Context) error
	Close(ctx context.Context) error
	// Invoke returns ErrReservedConcurrency, ErrConcurrencyLimit or ErrClosing
	// when it refuses the work; a function error is a Result, not an error.
	Invoke(ctx context.Context, cfg *Config, req *Request) (*Result, error)
	// Retire stops the instances of a function after an update or delete.
	Retire(name string)
	Instances(name string) (warm, busy int)
}

// Options configures a Service.
type Options struct {
	Backbone *backbone.Backbone
	Account  awsapi.Account
	// DataDir holds unpacked code under DataDir/functions/code.
	DataDir string
	// Keys issues the temporary credentials function instances sign with.
	Keys *awsapi.Keyring
	// Executor runs invocations (the instance pool). The Service starts and
	// closes it: start the Service, not the executor.
	Executor executor
	// EndpointURL returns the edge URL function code calls (AWS_ENDPOINT_URL);
	// a func because the edge binds after the service is built.
	EndpointURL func() string
	// Metrics, when set, forgets a deleted function's series.
	Metrics *Metrics
	// Async tunes the asynchronous invoker.
	Async AsyncOptions
	// Destinations deliver async results to non-Lambda targets, keyed by the
	// ARN's service ("sqs", "sns", "events"). Lambda targets are built in.
	Destinations map[string]Destination
	// Authorizer authorizes every Lambda API request and each async
	// destination delivery; nil authorizes nothing (--iam off).
	Authorizer awsapi.Authorizer
	// Roles, when set, checks a function's execution role at CreateFunction
	// and UpdateFunctionConfiguration (the IAM store).
	Roles RoleChecker
	// CheckRuntime, when set, tells at CreateFunction and
	// UpdateFunctionConfiguration what the runtime will run on here:
	// warnings are logged (and shown by stack plans), an error refuses the
	// function (--strict-runtimes).
	CheckRuntime func(runtime string) (warnings []string, err error)
	// PrepareCode, when set, readies a function's unpacked code for its
	// runtime after CreateFunction and UpdateFunctionCode (fetching the AWS
	// SDK packages Lambda's runtimes include, once per machine), so the
	// first cold start does not pay for it. An error is logged: the
	// function may bundle what it needs.
	PrepareCode func(ctx context.Context, runtime, codeDir string) error
	// ResourcePolicy, when set, returns a function's resource-based policy
	// (AddPermission, AWS::Lambda::Permission; "" for none): authorization
	// of the Lambda API's operations on a function evaluates it with the
	// caller's identity policies.
	ResourcePolicy func(function string) string
	Logger         *slog.Logger
}

// RoleChecker tells whether a role exists and trusts a service to assume
// it (iam.Store.TrustsService).
type RoleChecker interface {
	TrustsService(ctx context.Context, roleARN, service string) (exists, trusted bool, err error)
}

// lambdaPrincipal is the service principal that assumes execution roles.
const lambdaPrincipal = "lambda.amazonaws.com"

// errRoleNotTrusted is Lambda's answer to a role that does not exist or
// does not trust it.
const errRoleNotTrusted = "The role defined for the function cannot be assumed by Lambda."

// checkRole refuses, as Lambda does, a role that does not exist or whose
// trust policy does not let Lambda (lambda.amazonaws.com) assume it: the
// function could not run as it. Roles decides how strict this is (nil
// under --iam off: nothing is checked; --iam audit logs and accepts). A
// function given no role runs as nubo-function (see principal).
func (s *Service) checkRole(ctx context.Context, fn, roleARN string) error {
	if s.opts.Roles == nil || roleARN == "" {
		return nil
	}
	exists, trusted, err := s.opts.Roles.TrustsService(ctx, roleARN, lambdaPrincipal)
	if err != nil {
		return fmt.Errorf("function %q: role %s: %w", fn, roleARN, err)
	}
	if !exists || !trusted {
		return invalidf("%s", errRoleNotTrusted)
	}
	return nil
}

// Service is the functions bounded context: registry, invocation, async.
type Service struct {
	opts    Options
	log     *slog.Logger
	account awsapi.Account
	reg     *registry
	exec    executor
	async   *asyncInvoker

	// codeMu orders storing packages against collecting unused ones on
	// this node.
	codeMu sync.Mutex

	mu      sync.Mutex
	started bool
	closed  bool
}

// New validates opts. It starts nothing.
func New(o Options) (*Service, error) {
	if o.Backbone == nil {
		return nil, errors.New("functions: a backbone is required")
	}
	if o.Executor == nil {
		return nil, errors.New("functions: an executor (instance pool) is required")
	}
	if o.DataDir == "" {
		return nil, errors.New("functions: a data directory is required")
	}
	if o.Account.ID == "" {
		o.Account.ID = awsapi.DefaultAccountID
	}
	if o.Account.Region == "" {
		o.Account.Region = awsapi.DefaultRegion
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.EndpointURL == nil {
		o.EndpointURL = func() string { return "" }
	}
	dests := make(map[string]Destination, len(o.Destinations))
	for k, v := range o.Destinations {
		dests[k] = v
	}
	o.Destinations = dests
	s := &Service{opts: o, log: o.Logger, account: o.Account, reg: newRegistry(o.Backbone, o.DataDir), exec: o.Executor}
	s.async = newAsyncInvoker(s, o.Async, o.Logger.With("part", "async"))
	return s, nil
}

// Start opens the registry, starts the executor and the async consumer.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return nil
	}
	if err := s.reg.start(ctx); err != nil {
		return fmt.Errorf("functions: %w", err)
	}
	if err := s.exec.Start(ctx); err != nil {
		s.reg.close()
		return fmt.Errorf("functions: start pool: %w", err)
	}
	if err := s.async.start(ctx); err != nil {
		err = errors.Join(fmt.Errorf("functions: %w", err), s.exec.Close(ctx))
		s.reg.close()
		return err
	}
	s.started = true
	return nil
}

// Close stops taking async work, drains in-flight invocations within ctx
// and stops the executor. Idempotent.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.closed {
		return nil
	}
	s.closed = true
	err := errors.Join(s.async.close(ctx), s.exec.Close(ctx))
	s.reg.close()
	return err
}

// Account is the account functions live in.
func (s *Service) Account() awsapi.Account { return s.account }

// InvalidParameterError is bad input to a function operation
// (InvalidParameterValueException).
type InvalidParameterError struct{ Message string }

func (e *InvalidParameterError) Error() string { return e.Message }

func invalidf(format string, args ...any) error {
	return &InvalidParameterError{Message: fmt.Sprintf(format, args...)}
}

// ErrRevisionMismatch: the caller's RevisionId is not the current one
// (PreconditionFailedException).
var ErrRevisionMismatch = errors.New("revision id does not match the latest revision")

var functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// Defaults Lambda applies on CreateFunction; the pool, the Lambda API and
// AWS::Lambda::Function all take them from here.
const (
	DefaultMemoryMB = 128
	DefaultTimeout  = 3 * time.Second
)

func validateConfig(c *Config) error {
	if !functionNameRE.MatchString(c.Name) {
		return invalidf("function name %q: must be 1-64 letters, digits, hyphens or underscores", c.Name)
	}
	if _, err := runtimes.Check(c.Runtime); err != nil {
		return invalidf("%s", err)
	}
	if c.Handler == "" && !strings.HasPrefix(c.Runtime, "provided") {
		return invalidf("Handler is required for runtime %s", c.Runtime)
	}
	if c.MemoryMB < 128 || c.MemoryMB > 10240 {
		return invalidf("MemorySize %d is out of range: it must be between 128 and 10240 MB", c.MemoryMB)
	}
	if c.Timeout < time.Second || c.Timeout > 900*time.Second {
		return invalidf("Timeout %d is out of range: it must be between 1 and 900 seconds", int(c.Timeout/time.Second))
	}
	if c.Architecture != "x86_64" && c.Architecture != "arm64" {
		return invalidf("Architecture %q is not supported: use x86_64 or arm64", c.Architecture)
	}
	if len(c.Description) > 256 {
		return invalidf("Description is %d characters: the limit is 256", len(c.Description))
	}
	envSize := 0
	for k, v := range c.Environment {
		envSize += len(k) + len(v)
	}
	if envSize > 4096 {
		return invalidf("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d bytes", envSize)
	}
	for k := range c.Environment {
		if !envKeyRE.MatchString(k) {
			return invalidf("environment variable name %q: must start with a letter and hold only letters, digits and underscores", k)
		}
		if reservedEnvVars[k] {
			return invalidf("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", k)
		}
	}
	if c.ReservedConcurrency != nil && *c.ReservedConcurrency < 0 {
		return invalidf("ReservedConcurrentExecutions %d: must be 0 or more", *c.ReservedConcurrency)
	}
	return nil
}

var envKeyRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)

// reservedEnvVars are the variables Lambda sets itself and refuses to let users set.
var reservedEnvVars = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

func newRevisionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Create registers a new function with its deployment package. Zero fields
// of cfg get Lambda's defaults.
func (s *Service) Create(ctx context.Context, cfg Config, zipData []byte) (*Config, error) {
	c := cfg
	if c.MemoryMB == 0 {
		c.MemoryMB = DefaultMemoryMB
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Architecture == "" {
		c.Architecture = "x86_64"
	}
	if c.LogGroup == "" {
		c.LogGroup = LogGroupName(c.Name)
	}
	if c.Role == "" {
		c.Role = "arn:aws:iam::" + s.account.ID + ":role/nubo-function"
	}
	c.ARN = s.account.FunctionARN(c.Name)
	if err := validateConfig(&c); err != nil {
		return nil, err
	}
	if err := validateTags(c.Tags); err != nil {
		return nil, err
	}
	if err := s.checkRuntime(c.Name, c.Runtime); err != nil {
		return nil, err
	}
	if len(c.Layers) > 0 {
		// The caller names the versions (ARN); their content is recorded.
		arns := make([]string, len(c.Layers))
		for i, l := range c.Layers {
			arns[i] = l.ARN
		}
		var err error
		if c.Layers, err = s.resolveLayers(ctx, arns); err != nil {
			return nil, err
		}
	}
	if len(zipData) == 0 {
		return nil, invalidf("Code.ZipFile is required: nubo takes the deployment package inline")
	}
	if len(zipData) > MaxZipSize {
		return nil, invalidf("Code.ZipFile is %d bytes: the limit is %d", len(zipData), MaxZipSize)
	}
	if _, _, err := s.reg.get(ctx, c.Name); err == nil {
		return nil, fmt.Errorf("function %q: %w", c.Name, ErrFunctionExists)
	} else if !errors.Is(err, ErrFunctionNotFound) {
		return nil, err
	}
	if _, err := checkZip(zipData, c.Runtime); err != nil {
		return nil, invalidf("%s", strings.TrimPrefix(err.Error(), errInvalidCode.Error()+": "))
	}
	if err := s.checkRole(ctx, c.Name, c.Role); err != nil {
		return nil, err
	}
	// Storing the package and the function that uses it is one step as far
	// as collect is concerned: it must not delete a package in between.
	s.codeMu.Lock()
	defer s.codeMu.Unlock()
	b64, _, err := s.reg.putCode(ctx, zipData)
	if err != nil {
		return nil, err
	}
	c.CodeSHA256, c.CodeSize = b64, int64(len(zipData))
	c.LastModified = time.Now().UTC()
	c.RevisionID = newRevisionID()
	if err := s.reg.create(ctx, &c); err != nil {
		return nil, errors.Join(err, s.reg.collect(ctx, b64))
	}
	s.log.Info("function created", "function", c.Name, "runtime", c.Runtime)
	s.prepareCode(ctx, &c)
	return &c, nil
}

// prepareCode runs PrepareCode on this node's copy of the function's code.
func (s *Service) prepareCode(ctx context.Context, c *Config) {
	if s.opts.PrepareCode == nil {
		return
	}
	cc := *c
	err := s.reg.materialise(ctx, &cc)
	if err == nil {
		err = s.opts.PrepareCode(ctx, cc.Runtime, cc.CodeDir)
	}
	if err != nil {
		s.log.Warn("prepare function code", "function", c.Name, "err", err)
	}
}

// Get returns a function's configuration (CodeDir not set).
func (s *Service) Get(ctx context.Context, name string) (*Config, error) {
	c, _, err := s.reg.get(ctx, name)
	return c, err
}

// List returns every function, sorted by name.
func (s *Service) List(ctx context.Context) ([]*Config, error) { return s.reg.list(ctx) }

// Code returns a function's deployment package.
func (s *Service) Code(ctx context.Context, name string) ([]byte, error) {
	c, _, err := s.reg.get(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.reg.zip(ctx, c)
}

// Instances reports the warm (idle) and busy instances of a function on this node.
func (s *Service) Instances(name string) (warm, busy int) { return s.exec.Instances(name) }

// UpdateCode replaces a function's deployment package. revisionID, when
// set, must be the current revision.
func (s *Service) UpdateCode(ctx context.Context, name string, zipData []byte, revisionID string) (*Config, error) {
	cur, _, err := s.reg.get(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(zipData) == 0 {
		return nil, invalidf("ZipFile is required: nubo takes the deployment package inline")
	}
	if len(zipData) > MaxZipSize {
		return nil, invalidf("ZipFile is %d bytes: the limit is %d", len(zipData), MaxZipSize)
	}
	if _, err := checkZip(zipData, cur.Runtime); err != nil {
		return nil, invalidf("%s", strings.TrimPrefix(err.Error(), errInvalidCode.Error()+": "))
	}
	s.codeMu.Lock()
	defer s.codeMu.Unlock()
	b64, _, err := s.reg.putCode(ctx, zipData)
	if err != nil {
		return nil, err
	}
	var old string
	c, err := s.reg.update(ctx, name, func(c *Config) error {
		if revisionID != "" && revisionID != c.RevisionID {
			return ErrRevisionMismatch
		}
		old = c.CodeSHA256
		c.CodeSHA256, c.CodeSize = b64, int64(len(zipData))
		c.LastModified = time.Now().UTC()
		c.RevisionID = newRevisionID()
		return nil
	})
	if err != nil {
		return nil, errors.Join(err, s.reg.collect(ctx, b64))
	}
	s.exec.Retire(name)
	if old != b64 {
		if err := s.reg.collect(ctx, old); err != nil {
			s.log.Warn("collect old code", "function", name, "err", err)
		}
	}
	s.prepareCode(ctx, c)
	return c, nil
}

// ConfigUpdate holds the fields UpdateFunctionConfiguration may change; nil
// leaves a field as it is.
type ConfigUpdate struct {
	Runtime     *string
	Handler     *string
	Role        *string
	Description *string
	MemoryMB    *int
	Timeout     *time.Duration
	Environment map[string]string // nil: unchanged; empty: cleared
	LogGroup    *string
	TracingMode *string
	Layers      *[]string // layer version ARNs; nil: unchanged; empty: none
	RevisionID  string
}

// UpdateConfig changes a function's configuration.
func (s *Service) UpdateConfig(ctx context.Context, name string, u ConfigUpdate) (*Config, error) {
	var layers []LayerRef
	if u.Layers != nil {
		var err error
		if layers, err = s.resolveLayers(ctx, *u.Layers); err != nil {
			return nil, err
		}
	}
	if u.Role != nil {
		if err := s.checkRole(ctx, name, *u.Role); err != nil {
			return nil, err
		}
	}
	if u.Runtime != nil && strings.HasPrefix(*u.Runtime, "provided") {
		// The new runtime starts ./bootstrap: refuse the change now if the
		// deployed package has none, rather than fail every invocation.
		cur, _, err := s.reg.get(ctx, name)
		if err != nil {
			return nil, err
		}
		if cur.Runtime != *u.Runtime {
			zipData, err := s.reg.zip(ctx, cur)
			if err != nil {
				return nil, err
			}
			if _, err := checkZip(zipData, *u.Runtime); err != nil {
				return nil, invalidf("%s", strings.TrimPrefix(err.Error(), errInvalidCode.Error()+": "))
			}
		}
	}
	c, err := s.reg.update(ctx, name, func(c *Config) error {
		if u.RevisionID != "" && u.RevisionID != c.RevisionID {
			return ErrRevisionMismatch
		}
		if u.Runtime != nil {
			c.Runtime = *u.Runtime
		}
		if u.Handler != nil {
			c.Handler = *u.Handler
		}
		if u.Role != nil {
			c.Role = *u.Role
		}
		if u.Description != nil {
			c.Description = *u.Description
		}
		if u.MemoryMB != nil {
			c.MemoryMB = *u.MemoryMB
		}
		if u.TracingMode != nil {
			c.TracingMode = *u.TracingMode
		}
		if u.Timeout != nil {
			c.Timeout = *u.Timeout
		}
		if u.Environment != nil {
			c.Environment = u.Environment
			if len(u.Environment) == 0 {
				c.Environment = nil
			}
		}
		if u.LogGroup != nil && *u.LogGroup != "" {
			c.LogGroup = *u.LogGroup
		}
		if u.Layers != nil {
			c.Layers = layers
		}
		if err := validateConfig(c); err != nil {
			return err
		}
		if err := s.checkRuntime(c.Name, c.Runtime); err != nil {
			return err
		}
		c.LastModified = time.Now().UTC()
		c.RevisionID = newRevisionID()
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.exec.Retire(name)
	return c, nil
}

// SetReservedConcurrency sets (n >= 0) or removes (nil) the function's
// reserved concurrency.
func (s *Service) SetReservedConcurrency(ctx context.Context, name string, n *int) (*Config, error) {
	if n != nil && *n < 0 {
		return nil, invalidf("ReservedConcurrentExecutions %d: must be 0 or more", *n)
	}
	c, err := s.reg.update(ctx, name, func(c *Config) error {
		c.ReservedConcurrency = n
		c.RevisionID = newRevisionID()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n != nil && *n == 0 {
		s.exec.Retire(name)
	}
	return c, nil
}

// Delete removes a function, its async configuration and (if unused) its code.
func (s *Service) Delete(ctx context.Context, name string) error {
	c, err := s.reg.remove(ctx, name)
	if err != nil {
		return err
	}
	s.exec.Retire(name)
	if err := s.deleteVersions(ctx, name); err != nil {
		s.log.Warn("delete function versions", "function", name, "err", err)
	}
	if s.opts.Metrics != nil {
		s.opts.Metrics.Forget(name)
	}
	s.codeMu.Lock()
	err = s.reg.collect(ctx, c.CodeSHA256)
	s.codeMu.Unlock()
	if err != nil {
		s.log.Warn("collect code", "function", name, "err", err)
	}
	s.log.Info("function deleted", "function", name)
	return nil
}

// resolve loads a function with its code materialised, ready to run.
func (s *Service) resolve(ctx context.Context, name string) (*Config, error) {
	c, err := s.reg.current(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := s.reg.materialise(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Invoke runs the function synchronously (RequestResponse). name may be
// qualified, NAME:QUALIFIER (a version, an alias or $LATEST). A function
// error is reported in Result.FunctionError, not as an error.
func (s *Service) Invoke(ctx context.Context, name string, req *Request) (*Result, error) {
	fn, qualifier, _ := strings.Cut(name, ":")
	c, err := s.target(ctx, fn, qualifier)
	if err != nil {
		return nil, err
	}
	if req.RequestID == "" {
		req.RequestID = awsapi.NewRequestID()
	}
	if req.InvokedARN == "" {
		req.InvokedARN = s.qualifiedARN(fn, qualifier)
	}
	res, err := s.exec.Invoke(ctx, c, req)
	if err != nil {
		return nil, fmt.Errorf("function %q: invoke: %w", name, err)
	}
	if res != nil {
		res.ExecutedVersion = c.VersionLabel()
	}
	return res, nil
}

// InvokeAsync queues an Event invocation of name (NAME or NAME:QUALIFIER) durably and returns its request id
// once JetStream has stored it.
func (s *Service) InvokeAsync(ctx context.Context, name string, payload []byte) (string, error) {
	fn, _, _ := strings.Cut(name, ":") // NAME:QUALIFIER runs that version or alias
	if _, _, err := s.reg.get(ctx, fn); err != nil {
		return "", err
	}
	return s.async.enqueue(ctx, name, payload, "")
}

// EventInvokeConfig returns the asynchronous invocation config of name
// (NAME, or NAME:QUALIFIER for a version or alias).
func (s *Service) EventInvokeConfig(ctx context.Context, name string) (*EventInvokeConfig, error) {
	if _, err := s.checkRef(ctx, name); err != nil {
		return nil, err
	}
	return s.reg.invokeConfig(ctx, name)
}

// PutEventInvokeConfig replaces (merge=false) or updates (merge=true, only
// the set fields change) the function's asynchronous invocation config.
func (s *Service) PutEventInvokeConfig(ctx context.Context, name string, in EventInvokeConfig, merge bool) (*EventInvokeConfig, error) {
	if _, err := s.checkRef(ctx, name); err != nil {
		return nil, err
	}
	c := in
	if merge {
		if cur, err := s.reg.invokeConfig(ctx, name); err == nil {
			c = *cur
			if in.MaximumRetryAttempts != nil {
				c.MaximumRetryAttempts = in.MaximumRetryAttempts
			}
			if in.MaximumEventAgeInSeconds != nil {
				c.MaximumEventAgeInSeconds = in.MaximumEventAgeInSeconds
			}
			if in.OnSuccess != "" {
				c.OnSuccess = in.OnSuccess
			}
			if in.OnFailure != "" {
				c.OnFailure = in.OnFailure
			}
		} else if !errors.Is(err, errNoInvokeConfig) {
			return nil, err
		}
	}
	if r := c.MaximumRetryAttempts; r != nil && (*r < 0 || *r > 2) {
		return nil, invalidf("MaximumRetryAttempts %d is out of range: it must be between 0 and 2", *r)
	}
	if a := c.MaximumEventAgeInSeconds; a != nil && (*a < 60 || *a > 21600) {
		return nil, invalidf("MaximumEventAgeInSeconds %d is out of range: it must be between 60 and 21600", *a)
	}
	for _, d := range []string{c.OnSuccess, c.OnFailure} {
		if d == "" {
			continue
		}
		if err := s.checkDestination(d); err != nil {
			return nil, err
		}
	}
	c.LastModified = time.Now().Unix()
	if err := s.reg.putInvokeConfig(ctx, name, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteEventInvokeConfig removes the function's asynchronous invocation config.
func (s *Service) DeleteEventInvokeConfig(ctx context.Context, name string) error {
	if _, err := s.checkRef(ctx, name); err != nil {
		return err
	}
	return s.reg.deleteInvokeConfig(ctx, name)
}

func (s *Service) checkDestination(arn string) error {
	a, err := awsapi.ParseARN(arn)
	if err != nil {
		return invalidf("destination %q is not an ARN", arn)
	}
	if a.Service == "lambda" {
		if _, _, err := parseFunctionRef(arn); err != nil {
			return invalidf("destination %q: %v", arn, err)
		}
		return nil
	}
	if _, ok := s.opts.Destinations[a.Service]; ok {
		return nil
	}
	known := []string{"lambda"}
	for k := range s.opts.Destinations {
		known = append(known, k)
	}
	sort.Strings(known)
	return invalidf("destination %q: %s destinations are not supported by nubo yet (supported: %s)", arn, a.Service, strings.Join(known, ", "))
}

// InstanceEnv returns what a function instance needs beyond Lambda's own
// variables (the pool sets those and the function's Environment): the edge
// endpoint and temporary credentials for the function's role, so SDK calls
// from function code reach nubo signed. It is the pool's Env hook.
func (s *Service) InstanceEnv(c *Config) ([]string, error) {
	var env []string
	if c.OptDir != "" {
		base := []string{"PATH=" + os.Getenv("PATH")}
		for _, k := range []string{"PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "NODE_PATH"} {
			if v, ok := c.Environment[k]; ok {
				base = append(base, k+"="+v)
			}
		}
		env = append(env, layerEnv(c.OptDir, c.Runtime, base)...)
	}
	if u := s.opts.EndpointURL(); u != "" {
		env = append(env, "AWS_ENDPOINT_URL="+u)
	}
	if s.opts.Keys == nil {
		return env, nil
	}
	creds, err := s.opts.Keys.Issue(s.principal(c), 12*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("function %q: issue credentials: %w", c.Name, err)
	}
	return append(env, "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey, "AWS_SESSION_TOKEN="+creds.SessionToken), nil
}

// principal is who a function's own AWS calls are made as: its role's
// session named after the function (arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION).
func (s *Service) principal(c *Config) awsapi.Principal {
	role := c.Role
	if role == "" {
		role = "arn:aws:iam::" + s.account.ID + ":role/nubo-function"
	}
	p := iam.SessionPrincipal(role, c.Name)
	// Lambda acts with the role's temporary credentials (delivering to a
	// destination too): the request context has aws:TokenIssueTime.
	p.Issued = time.Now().UTC().Truncate(time.Second)
	return p
}

// parseFunctionRef accepts what Lambda accepts for FunctionName: a name, a
// partial ARN (ACCOUNT:function:NAME) or a full ARN, each optionally with
// :QUALIFIER.
func parseFunctionRef(ref string) (name, qualifier string, err error) {
	s := ref
	switch {
	case strings.HasPrefix(s, "arn:"):
		a, perr := awsapi.ParseARN(s)
		if perr != nil || a.Service != "lambda" || !strings.HasPrefix(a.Resource, "function:") {
			return "", "", fmt.Errorf("%q is not a function ARN", ref)
		}
		s = strings.TrimPrefix(a.Resource, "function:")
	case strings.Contains(s, ":function:"):
		_, s, _ = strings.Cut(s, ":function:")
	}
	name, qualifier, _ = strings.Cut(s, ":")
	if !functionNameRE.MatchString(name) {
		return "", "", fmt.Errorf("function name %q: must be 1-64 letters, digits, hyphens or underscores", name)
	}
	if strings.Contains(qualifier, ":") {
		return "", "", fmt.Errorf("function name %q: too many ':' separators", ref)
	}
	return name, qualifier, nil
}

// checkRuntime logs what the runtime will run on here when that is not
// what Lambda runs, and refuses what --strict-runtimes refuses.
func (s *Service) checkRuntime(function, runtime string) error {
	warnings, err := s.runtimeCheck(runtime)
	for _, w := range warnings {
		s.log.Warn("function runtime", "function", function, "warning", w)
	}
	if err != nil {
		return invalidf("%s", err)
	}
	return nil
}

func (s *Service) runtimeCheck(runtime string) ([]string, error) {
	if s.opts.CheckRuntime != nil {
		return s.opts.CheckRuntime(runtime)
	}
	w, err := runtimes.Check(runtime)
	if w == "" {
		return nil, err
	}
	return []string{w}, err
}

// RuntimeWarnings says what a function of runtime would run on here, where
// that differs from Lambda (a deprecated runtime, a substitute interpreter,
// none at all, a refusal); nil when it runs as on Lambda.
func (s *Service) RuntimeWarnings(runtime string) []string {
	w, err := s.runtimeCheck(runtime)
	if err != nil {
		w = append(w, err.Error())
	}
	return w
}
