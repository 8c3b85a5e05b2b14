package iam

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// Mode is how requests are authorized: nubo serve --iam enforce|audit|off.
type Mode int

// Modes.
const (
	// Enforce denies what the policies do not allow.
	Enforce Mode = iota
	// Audit allows everything but logs each request Enforce would deny, with
	// the statement that would allow it.
	Audit
	// Off authorizes nothing (every authenticated request is allowed).
	Off
)

// ParseMode parses "enforce", "audit" or "off".
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "enforce", "":
		return Enforce, nil
	case "audit":
		return Audit, nil
	case "off":
		return Off, nil
	}
	return Enforce, fmt.Errorf("iam mode %q: want enforce, audit or off", s)
}

func (m Mode) String() string {
	return [...]string{"enforce", "audit", "off"}[m]
}

// AuthorizerOptions configures an Authorizer.
type AuthorizerOptions struct {
	Store  *Store
	Mode   Mode
	Logger *slog.Logger
	// FlushInterval is how often used permissions are written to JetStream
	// (default 5s).
	FlushInterval time.Duration
}

// Authorizer implements awsapi.Authorizer with the policies in a Store.
//
// Compiled policies are cached per role and dropped whenever any role or
// policy changes (on any node: the Store watches its bucket). Resource-based
// policies are cached by their text.
type Authorizer struct {
	store *Store
	mode  Mode
	log   *slog.Logger
	usage *usage

	mu    sync.RWMutex
	gen   uint64
	roles map[string]*compiledRole // by lower-case role ARN

	rpMu sync.Mutex
	rp   map[string]*policy.Compiled

	admin *policy.Compiled

	keysUsed keysUsed // users' keys' last use, throttled (authz_users.go)

	flushEvery time.Duration
	stop       context.CancelFunc
	done       chan struct{}
}

type compiledRole struct {
	role    Role
	user    *User // when the principal is an IAM user (authz_users.go)
	missing bool
	ps      policy.Policies
}

var _ awsapi.Authorizer = (*Authorizer)(nil)

// NewAuthorizer builds an authorizer over o.Store. It does no I/O.
func NewAuthorizer(o AuthorizerOptions) (*Authorizer, error) {
	if o.Store == nil {
		return nil, errors.New("iam authorizer: a store is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 5 * time.Second
	}
	admin, err := policy.Compile("root", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	if err != nil {
		return nil, err
	}
	a := &Authorizer{
		store: o.Store, mode: o.Mode, log: o.Logger, roles: map[string]*compiledRole{}, rp: map[string]*policy.Compiled{},
		admin: admin, flushEvery: o.FlushInterval, usage: newUsage(o.Store),
	}
	o.Store.OnChange(a.invalidate)
	return a, nil
}

// Mode returns the authorizer's mode.
func (a *Authorizer) Mode() Mode { return a.mode }

// Start begins writing used permissions to JetStream periodically.
func (a *Authorizer) Start(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stop != nil {
		return nil
	}
	lctx, cancel := context.WithCancel(context.Background())
	a.stop, a.done = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		t := time.NewTicker(a.flushEvery)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				if err := a.usage.flush(lctx); err != nil && lctx.Err() == nil {
					a.log.Warn("iam: record used permissions", "err", err)
				}
			}
		}
	}(a.done)
	return nil
}

// Close stops the flush loop and writes what is pending. Idempotent.
func (a *Authorizer) Close(ctx context.Context) error {
	a.mu.Lock()
	stop, done := a.stop, a.done
	a.stop, a.done = nil, nil
	a.mu.Unlock()
	if stop == nil {
		return nil
	}
	stop()
	<-done
	return a.usage.flush(ctx)
}

func (a *Authorizer) invalidate() {
	a.mu.Lock()
	a.gen++
	clear(a.roles)
	a.mu.Unlock()
}

// roleFor returns the compiled policies of the role roleARN (cached).
func (a *Authorizer) roleFor(ctx context.Context, roleARN string) (*compiledRole, error) {
	key := strings.ToLower(roleARN)
	a.mu.RLock()
	cr, gen := a.roles[key], a.gen
	a.mu.RUnlock()
	if cr != nil {
		return cr, nil
	}
	cr, err := a.compileRole(ctx, roleARN)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if a.gen == gen {
		a.roles[key] = cr
	}
	a.mu.Unlock()
	return cr, nil
}

func (a *Authorizer) compileRole(ctx context.Context, roleARN string) (*compiledRole, error) {
	if _, ok := UserNameFromARN(roleARN); ok {
		return a.compileUser(ctx, roleARN)
	}
	r, err := a.store.RoleByARN(ctx, roleARN)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return &compiledRole{missing: true}, nil
	}
	if err != nil {
		return nil, err
	}
	cr := &compiledRole{role: r}
	for _, name := range r.InlineNames() {
		c, err := policy.Compile(r.Name+"/"+name, []byte(r.Inline[name]))
		if err != nil {
			a.log.Warn("iam: skipping malformed inline policy", "role", r.Name, "policy", name, "err", err)
			continue
		}
		cr.ps.Identity = append(cr.ps.Identity, c)
	}
	for _, arn := range r.Attached {
		c, err := a.compileManaged(ctx, arn)
		if err != nil {
			a.log.Warn("iam: skipping attached policy", "role", r.Name, "policy", arn, "err", err)
			continue
		}
		cr.ps.Identity = append(cr.ps.Identity, c)
	}
	if r.Boundary != "" {
		c, err := a.compileManaged(ctx, r.Boundary)
		if err != nil {
			// A boundary that cannot be read allows nothing: fail closed.
			c, _ = policy.Compile(r.Boundary, []byte(`{"Version":"2012-10-17","Statement":[]}`))
			a.log.Warn("iam: permissions boundary unreadable, denying", "role", r.Name, "policy", r.Boundary, "err", err)
		}
		cr.ps.Boundary = c
	}
	return cr, nil
}

func (a *Authorizer) compileManaged(ctx context.Context, arn string) (*policy.Compiled, error) {
	p, err := a.store.GetPolicy(ctx, arn)
	if err != nil {
		return nil, err
	}
	return policy.Compile(arn, []byte(p.Document()))
}

// resourcePolicy compiles a resource-based policy, cached by its text.
func (a *Authorizer) resourcePolicy(doc string) (*policy.Compiled, error) {
	a.rpMu.Lock()
	defer a.rpMu.Unlock()
	if c, ok := a.rp[doc]; ok {
		return c, nil
	}
	c, err := policy.Compile("resource-based policy", []byte(doc))
	if err != nil {
		return nil, err
	}
	if len(a.rp) >= 4096 {
		clear(a.rp)
	}
	a.rp[doc] = c
	return c, nil
}

// sessionPolicies compiles a session's policies. One that cannot be read
// allows nothing: a session is never given more than it was issued with.
func (a *Authorizer) sessionPolicies(ctx context.Context, p awsapi.Principal) ([]*policy.Compiled, error) {
	var out []*policy.Compiled
	if p.SessionPolicy != "" {
		c, err := a.resourcePolicy(p.SessionPolicy)
		if err != nil {
			c, _ = policy.Compile("session policy", []byte(`{"Version":"2012-10-17","Statement":[]}`))
		}
		out = append(out, c)
	}
	for _, arn := range p.SessionPolicyARNs {
		c, err := a.compileManaged(ctx, arn)
		if err != nil {
			a.log.Warn("iam: session policy unreadable", "policy", arn, "err", err)
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		c, _ := policy.Compile("session policy", []byte(`{"Version":"2012-10-17","Statement":[]}`))
		out = append(out, c)
	}
	return out, nil
}

// Evaluation is one authorization's inputs and outcome.
type Evaluation struct {
	Request  policy.Request
	Decision policy.Decision
	// RoleMissing is set when the caller's role does not exist.
	RoleMissing bool
	// policies are those the request was evaluated against.
	policies policy.Policies
}

// Evaluate decides req without side effects (no logging, no usage record).
func (a *Authorizer) Evaluate(ctx context.Context, req awsapi.AuthzRequest) (Evaluation, error) {
	var p awsapi.Principal
	if req.Principal != nil {
		p = *req.Principal
	} else if pp, ok := awsapi.PrincipalFrom(ctx); ok {
		p = pp
	}
	now := time.Now()
	ev := Evaluation{Request: policy.Request{Action: req.Action, Resource: req.Resource, Time: now}}
	c, cr, err := a.resolveCaller(ctx, p, req.ServicePrincipal)
	if err != nil {
		return ev, err
	}
	ps, err := a.policiesOf(ctx, &c, cr)
	if err != nil {
		return ev, err
	}
	ev.RoleMissing = cr != nil && cr.missing
	if req.ResourcePolicy != "" {
		rp, err := a.resourcePolicy(req.ResourcePolicy)
		if err != nil {
			a.log.Warn("iam: ignoring malformed resource-based policy", "resource", req.Resource, "err", err)
		} else {
			ps.Resource = []*policy.Compiled{rp}
		}
	}
	ev.Request.Principal, ev.Request.PrincipalARN = c.arn(), c.principalARN()
	// The request context is built only when a policy can read it (a
	// Condition or a policy variable): most requests' policies cannot.
	ev.Request.Context = req.Context
	if ps.UsesContext() {
		ev.Request.Context = a.requestContext(&c, &req, now)
	}
	ev.Decision = policy.Evaluate(&ps, &ev.Request)
	ev.policies = ps
	return ev, nil
}

// policiesOf returns the identity-based policies, boundary and session
// policies of a caller (none for service principals and anonymous callers).
func (a *Authorizer) policiesOf(ctx context.Context, c *caller, cr *compiledRole) (policy.Policies, error) {
	var ps policy.Policies
	switch c.kind {
	case kindRoot:
		ps.Identity = []*policy.Compiled{a.admin}
		if federated(c.p) {
			sp, err := a.sessionPolicies(ctx, c.p)
			if err != nil {
				return ps, err
			}
			ps.Session = sp
		}
	case kindUser:
		ps = cr.ps
		if federated(c.p) || c.p.SessionPolicy != "" || len(c.p.SessionPolicyARNs) > 0 {
			sp, err := a.sessionPolicies(ctx, c.p)
			if err != nil {
				return ps, err
			}
			ps.Session = sp
		}
	case kindRoleSession:
		ps = cr.ps
		if c.p.SessionPolicy != "" || len(c.p.SessionPolicyARNs) > 0 {
			sp, err := a.sessionPolicies(ctx, c.p)
			if err != nil {
				return ps, err
			}
			ps.Session = sp
		}
	}
	return ps, nil
}

// Authorize implements awsapi.Authorizer: nil when allowed (or in audit
// mode), else the service's AccessDenied error with AWS's message. Each
// denial is logged with the smallest statement that would allow it.
func (a *Authorizer) Authorize(ctx context.Context, req awsapi.AuthzRequest) error {
	if a.mode == Off {
		return nil
	}
	a.keyUsed(ctx, req) // authz_users.go
	if req.ServicePrincipal == "" {
		if p, ok := awsapi.PrincipalFrom(ctx); req.Principal == nil && ok && p.Root || req.Principal != nil && req.Principal.Root {
			return nil // the server's own key pair is the account's administrator
		}
	}
	ev, err := a.Evaluate(ctx, req)
	if err != nil {
		return awsapi.InternalError(fmt.Errorf("authorize %s: %w", req.Action, err))
	}
	roleARN := ev.Request.PrincipalARN
	if ev.Decision.Allowed {
		if roleARN != "" {
			a.usage.record(roleARN, req.Action, req.Resource)
		}
		return nil
	}
	msg := policy.DenialMessage(&ev.Request, ev.Decision)
	attrs := []any{"principal", ev.Request.Principal, "action", req.Action, "resource", req.Resource, "reason", ev.Decision.Reason.String()}
	if m, failed, ok := policy.UnmetConditions(&ev.policies, &ev.Request, ev.Decision); ok {
		// An Allow would have applied but for its condition: say which.
		unmet := policy.JoinConditions(failed)
		msg += " (an Allow statement's condition did not hold: " + unmet + ")"
		b, _ := m.Statement().MarshalJSON()
		attrs = append(attrs, "unmet_condition", unmet, "allow_policy", m.Policy.Name, "allow_statement", string(b))
	}
	if s, ok := policy.Suggest(&ev.Request, ev.Decision); ok {
		attrs = append(attrs, "fix", "add to the "+s.Where, "statement", s.JSON())
	} else if st := ev.Decision.Match.Statement(); st != nil {
		b, _ := st.MarshalJSON()
		attrs = append(attrs, "deny_policy", ev.Decision.Match.Policy.Name, "deny_statement", string(b))
		if conds := policy.DecidingConditions(&ev.Request, ev.Decision); len(conds) > 0 {
			attrs = append(attrs, "deny_condition", policy.JoinConditions(conds))
		}
	}
	if ev.RoleMissing {
		attrs = append(attrs, "role_missing", roleARN)
	}
	if a.mode == Audit {
		if roleARN != "" {
			a.usage.record(roleARN, req.Action, req.Resource)
		}
		a.log.Warn("iam audit: would deny", attrs...)
		return nil
	}
	a.log.Warn("iam: access denied", attrs...)
	return awsapi.AccessDenied(req.Service, msg)
}
