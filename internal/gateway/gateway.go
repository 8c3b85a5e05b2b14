package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Invoker runs a function synchronously (the platform wires *functions.Service to it).
type Invoker interface {
	// Invoke runs function (name or ARN) with payload. A function error is
	// not a Go error: it returns functionError != "" (e.g. "Unhandled") and the
	// error document as result. Go errors: ErrThrottled, ErrTimeout,
	// ErrFunctionNotFound (errors.Is); any other error answers 500.
	Invoke(ctx context.Context, function string, payload []byte, source Source) (result []byte, functionError string, err error)
	// InvokeStream, for function URLs with InvokeMode RESPONSE_STREAM: the
	// response is written to w as the function produces it.
	InvokeStream(ctx context.Context, function string, payload []byte, w io.Writer, source Source) (functionError string, err error)
}

// Source says who invokes and from where, for the function's resource policy
// (AWS::Lambda::Permission): apigateway.amazonaws.com and the route's
// execute-api ARN, or lambda-url callers.
type Source struct {
	Principal string
	SourceARN string
	// Role is the integration's credentials (an IAM role ARN) when it has
	// them: the role invokes, by its own policies, rather than the service
	// principal by the function's resource policy.
	Role string
}

// Principals the gateway invokes as.
const (
	PrincipalAPIGateway = "apigateway.amazonaws.com"
	// PrincipalURL: a function URL caller (AWS grants lambda:InvokeFunctionUrl
	// to "*" for AuthType NONE).
	PrincipalURL = "*"
)

// Options configures a Gateway.
type Options struct {
	// Backbone keeps the configuration (KV bucket Bucket). Required.
	Backbone *backbone.Backbone
	// Invoker runs the integrations. Required.
	Invoker Invoker
	// Account fills accountId and the ARNs (default us-east-1/000000000000).
	Account awsapi.Account
	// Keys verifies SigV4 for function URLs with AuthType AWS_IAM; without it
	// such URLs answer 403.
	Keys *awsapi.Keyring
	// Logger for operational messages; AccessLog for access log lines (one
	// per request on stages and URLs that enable them). nil => discard.
	Logger    *slog.Logger
	AccessLog *slog.Logger
	// Bucket is the KV bucket name (default "nubo-gateway").
	Bucket string
	// HTTPClient fetches JWKS documents (default: a client with a 10s timeout).
	HTTPClient *http.Client
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// DefaultBucket is the KV bucket that holds the gateway configuration.
const DefaultBucket = "nubo-gateway"

// Gateway routes HTTP requests to functions.
type Gateway struct {
	opts    Options
	log     *slog.Logger
	access  *slog.Logger
	invoker Invoker
	now     func() time.Time

	snap    atomic.Pointer[snapshot]
	reqTime atomic.Pointer[secondText] // the last requestContext.time written

	mu      sync.Mutex // guards cfg and the store
	cfg     *config
	store   *store
	started bool
	closed  bool

	limits *limiters
	authz  *authCache
	jwks   *jwksCache
	ws     *wsHub // WebSocket connections (websocket_hub.go)
}

// New validates o. It starts nothing.
func New(o Options) (*Gateway, error) {
	if o.Backbone == nil {
		return nil, errors.New("gateway: Options.Backbone is required")
	}
	if o.Invoker == nil {
		return nil, errors.New("gateway: Options.Invoker is required")
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
	if o.AccessLog == nil {
		o.AccessLog = slog.New(slog.DiscardHandler)
	}
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	g := &Gateway{
		opts:    o,
		log:     o.Logger.With("component", "gateway"),
		access:  o.AccessLog,
		invoker: o.Invoker,
		now:     o.Now,
		cfg:     newConfig(),
		limits:  newLimiters(),
		authz:   newAuthCache(),
	}
	g.jwks = newJWKSCache(o.HTTPClient, o.Now)
	g.ws = newHub(g)
	g.snap.Store(emptySnapshot())
	return g, nil
}

// Start opens the KV bucket, loads every configuration into the first
// snapshot and follows later changes (from this node or others).
func (g *Gateway) Start(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return errors.New("gateway: closed")
	}
	if g.started {
		return nil
	}
	st, err := openStore(ctx, g.opts.Backbone, g.opts.Bucket)
	if err != nil {
		return err
	}
	initial, err := st.watch(ctx)
	if err != nil {
		return err
	}
	for _, e := range initial {
		g.cfg.apply(e, g.log)
	}
	if err := g.ws.start(); err != nil {
		st.stop()
		return err
	}
	g.store, g.started = st, true
	g.rebuildLocked()
	st.follow(func(e entry) {
		g.mu.Lock()
		if g.cfg.apply(e, g.log) {
			g.rebuildLocked()
		}
		g.mu.Unlock()
	})
	return nil
}

// Close stops following changes. Idempotent. The listener that serves
// Handler drains in-flight requests (they hold no resources of the Gateway
// beyond the snapshot they started with).
func (g *Gateway) Close(ctx context.Context) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	st := g.store
	g.mu.Unlock()
	if st == nil {
		return nil
	}
	g.ws.stop(ctx)
	st.stop()
	done := make(chan struct{})
	go func() {
		st.wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// rebuildLocked compiles the configuration and swaps the snapshot in.
// Requests already running keep the snapshot they started with.
func (g *Gateway) rebuildLocked() {
	s := compile(g.cfg, g.opts.Account, g.log)
	g.snap.Store(s)
}

// Handler is the http.Handler for the --http-addr listener.
func (g *Gateway) Handler() http.Handler { return http.HandlerFunc(g.serveHTTP) }

// secondText is a time formatted with requestTimeLayout, for its second.
type secondText struct {
	sec  int64
	text string
}

// requestTime is t in requestTimeLayout, formatted once per second.
func (g *Gateway) requestTime(t time.Time) string {
	sec := t.Unix()
	if c := g.reqTime.Load(); c != nil && c.sec == sec {
		return c.text
	}
	s := t.UTC().Format(requestTimeLayout)
	g.reqTime.Store(&secondText{sec: sec, text: s})
	return s
}
