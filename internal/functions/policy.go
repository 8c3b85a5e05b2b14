package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// Resource-based policies: what AddPermission and AWS::Lambda::Permission
// write. Each function has one policy document (Lambda's GetPolicy shape)
// in a KV bucket keyed by function name; every node follows the bucket and
// keeps the compiled documents in memory, so checking an invocation never
// waits on JetStream.

const policyBucket = "nubo-function-policies"

// Permission is one statement of a function's resource policy, in
// AddPermission's terms.
type Permission struct {
	Sid                   string `json:"sid"`
	Action                string `json:"action"`
	Principal             string `json:"principal"`
	SourceARN             string `json:"sourceArn,omitempty"`
	SourceAccount         string `json:"sourceAccount,omitempty"`
	PrincipalOrgID        string `json:"principalOrgId,omitempty"`
	EventSourceToken      string `json:"eventSourceToken,omitempty"`
	FunctionURLAuthType   string `json:"functionUrlAuthType,omitempty"`
	InvokedViaFunctionURL bool   `json:"invokedViaFunctionUrl,omitempty"`
}

var sidRE = regexp.MustCompile(`^[a-zA-Z0-9-_.]{1,100}$`)

// Validate checks p; the error names the field.
func (p *Permission) Validate() error {
	if !sidRE.MatchString(p.Sid) {
		return invalidf("StatementId %q: 1-100 letters, digits, '-', '_' or '.'", p.Sid)
	}
	if !strings.HasPrefix(p.Action, "lambda:") {
		return invalidf("Action %q: a lambda: action, e.g. lambda:InvokeFunction", p.Action)
	}
	if p.Principal == "" {
		return invalidf("Principal: required")
	}
	switch p.FunctionURLAuthType {
	case "", "NONE", "AWS_IAM":
	default:
		return invalidf("FunctionUrlAuthType %q: NONE or AWS_IAM", p.FunctionURLAuthType)
	}
	return nil
}

// statement renders p as the JSON statement Lambda's GetPolicy shows.
func (p *Permission) statement(functionARN string) map[string]any {
	var principal any
	switch {
	case p.Principal == "*":
		principal = "*"
	case strings.HasPrefix(p.Principal, "arn:"):
		principal = map[string]any{"AWS": p.Principal}
	case isAccount(p.Principal):
		principal = map[string]any{"AWS": "arn:aws:iam::" + p.Principal + ":root"}
	default:
		principal = map[string]any{"Service": p.Principal}
	}
	cond := map[string]map[string]string{}
	add := func(op, key, v string) {
		if v == "" {
			return
		}
		if cond[op] == nil {
			cond[op] = map[string]string{}
		}
		cond[op][key] = v
	}
	add("ArnLike", "AWS:SourceArn", p.SourceARN)
	add("StringEquals", "AWS:SourceAccount", p.SourceAccount)
	add("StringEquals", "aws:PrincipalOrgID", p.PrincipalOrgID)
	add("StringEquals", "lambda:EventSourceToken", p.EventSourceToken)
	add("StringEquals", "lambda:FunctionUrlAuthType", p.FunctionURLAuthType)
	if p.InvokedViaFunctionURL {
		add("Bool", "lambda:InvokedViaFunctionUrl", "true")
	}
	s := map[string]any{"Sid": p.Sid, "Effect": "Allow", "Principal": principal, "Action": p.Action, "Resource": functionARN}
	if len(cond) > 0 {
		s["Condition"] = cond
	}
	return s
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// storedPolicy is the KV value of one function.
type storedPolicy struct {
	Permissions []Permission `json:"permissions"`
}

type compiledPolicy struct {
	perms    []Permission
	compiled *policy.Compiled
}

// PolicyStoreOptions configures a PolicyStore.
type PolicyStoreOptions struct {
	Backbone *backbone.Backbone
	Account  awsapi.Account
	Logger   *slog.Logger
}

// PolicyStore keeps the functions' resource-based policies.
type PolicyStore struct {
	opts PolicyStoreOptions
	log  *slog.Logger

	mu      sync.RWMutex
	kv      *backbone.KV[storedPolicy]
	byName  map[string]*compiledPolicy
	revs    map[string]uint64 // last KV revision applied per function
	started bool
	closed  bool
	watch   *backbone.Watcher[storedPolicy]
}

// NewPolicyStore validates o. It starts nothing.
func NewPolicyStore(o PolicyStoreOptions) (*PolicyStore, error) {
	if o.Backbone == nil {
		return nil, errors.New("function policies: Options.Backbone is required")
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
	return &PolicyStore{opts: o, log: o.Logger, byName: map[string]*compiledPolicy{}, revs: map[string]uint64{}}, nil
}

// Start opens the bucket, loads every policy and follows later changes.
func (s *PolicyStore) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("function policies: closed")
	}
	if s.started {
		return nil
	}
	kv, err := backbone.OpenKV[storedPolicy](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: policyBucket, Description: "nubo function resource policies", History: 1})
	if err != nil {
		return fmt.Errorf("function policies: %w", err)
	}
	// The initial values before Start returns; later changes from the watch.
	initial, w, err := kv.Watch(ctx)
	if err != nil {
		return fmt.Errorf("function policies: %w", err)
	}
	for _, e := range initial {
		s.applyLocked(e)
	}
	s.kv, s.watch, s.started = kv, w, true
	w.Follow(func(e backbone.Entry[storedPolicy]) {
		s.mu.Lock()
		s.applyLocked(e)
		s.mu.Unlock()
	}, nil)
	return nil
}

func (s *PolicyStore) applyLocked(e backbone.Entry[storedPolicy]) {
	name := e.Key
	if e.Revision <= s.revs[name] {
		return // our own write, applied already, or older than it
	}
	s.revs[name] = e.Revision
	if e.Deleted {
		delete(s.byName, name)
		return
	}
	if e.Err != nil {
		s.log.Error("undecodable function policy", "function", name, "err", e.Err)
		return
	}
	cp, err := s.compile(name, e.Value.Permissions)
	if err != nil {
		s.log.Error("function policy", "function", name, "err", err)
		return
	}
	s.byName[name] = cp
}

func (s *PolicyStore) functionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.opts.Account.Region, s.opts.Account.ID, name)
}

// Document returns a function's policy document as Lambda's GetPolicy gives it.
func (s *PolicyStore) document(name string, perms []Permission) ([]byte, error) {
	stmts := make([]any, 0, len(perms))
	for i := range perms {
		stmts = append(stmts, perms[i].statement(s.functionARN(name)))
	}
	return json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": stmts})
}

func (s *PolicyStore) compile(name string, perms []Permission) (*compiledPolicy, error) {
	doc, err := s.document(name, perms)
	if err != nil {
		return nil, err
	}
	c, err := policy.Compile(s.functionARN(name), doc)
	if err != nil {
		return nil, fmt.Errorf("function %q: policy: %w", name, err)
	}
	return &compiledPolicy{perms: perms, compiled: c}, nil
}

// Close stops following changes. Idempotent.
func (s *PolicyStore) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	w := s.watch
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	w.Stop()
	done := make(chan struct{})
	go func() { w.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// ParseFunctionRef splits what Lambda accepts as FunctionName (a name, a
// partial or full ARN, each with an optional :QUALIFIER).
func ParseFunctionRef(ref string) (name, qualifier string, err error) {
	return parseFunctionRef(ref)
}

// AddPermission adds (or, with the same Sid, replaces) a statement of the
// function's policy. The function need not exist yet: a stack may create the
// permission and the function in either order.
func (s *PolicyStore) AddPermission(ctx context.Context, function string, p Permission) error {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return &InvalidParameterError{Message: err.Error()}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.modify(ctx, name, func(perms []Permission) ([]Permission, error) {
		out := make([]Permission, 0, len(perms)+1)
		for _, q := range perms {
			if q.Sid != p.Sid {
				out = append(out, q)
			}
		}
		return append(out, p), nil
	})
}

// RemovePermission removes the statement Sid; ErrNotFound-wrapping when the
// function's policy has no such statement.
func (s *PolicyStore) RemovePermission(ctx context.Context, function, sid string) error {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return &InvalidParameterError{Message: err.Error()}
	}
	return s.modify(ctx, name, func(perms []Permission) ([]Permission, error) {
		out := make([]Permission, 0, len(perms))
		for _, q := range perms {
			if q.Sid != sid {
				out = append(out, q)
			}
		}
		if len(out) == len(perms) {
			return nil, fmt.Errorf("function %q: statement %q: %w", name, sid, ErrPolicyNotFound)
		}
		return out, nil
	})
}

// Forget deletes a function's whole policy: a deleted function's policy
// goes with it, as on Lambda, so a new function of the same name starts
// with none.
func (s *PolicyStore) Forget(ctx context.Context, function string) error {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return &InvalidParameterError{Message: err.Error()}
	}
	s.mu.RLock()
	_, has := s.byName[name]
	s.mu.RUnlock()
	if !has {
		return nil
	}
	err = s.modify(ctx, name, func([]Permission) ([]Permission, error) { return nil, nil })
	if err != nil && !errors.Is(err, ErrPolicyNotFound) {
		return err
	}
	return nil
}

// ErrPolicyNotFound: the function's policy has no such statement.
var ErrPolicyNotFound = errors.New("policy statement not found")

// Permission returns the statement Sid of a function's policy.
func (s *PolicyStore) Permission(function, sid string) (Permission, error) {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return Permission{}, &InvalidParameterError{Message: err.Error()}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if cp := s.byName[name]; cp != nil {
		for _, p := range cp.perms {
			if p.Sid == sid {
				return p, nil
			}
		}
	}
	return Permission{}, fmt.Errorf("function %q: statement %q: %w", name, sid, ErrPolicyNotFound)
}

// Policy returns the function's policy document (GetPolicy), or
// ErrPolicyNotFound when it has none.
func (s *PolicyStore) Policy(function string) ([]byte, error) {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return nil, &InvalidParameterError{Message: err.Error()}
	}
	s.mu.RLock()
	cp := s.byName[name]
	s.mu.RUnlock()
	if cp == nil {
		return nil, fmt.Errorf("function %q: %w", name, ErrPolicyNotFound)
	}
	return s.document(name, cp.perms)
}

// Allows reports whether the function's resource policy lets principal
// (a service principal such as apigateway.amazonaws.com, "*" for anonymous
// callers, or an ARN) perform action, with the condition keys of ctx
// (aws:SourceArn, aws:SourceAccount, lambda:FunctionUrlAuthType...).
func (s *PolicyStore) Allows(function, principal, action string, keys map[string][]string) bool {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return false
	}
	s.mu.RLock()
	cp := s.byName[name]
	s.mu.RUnlock()
	if cp == nil {
		return false
	}
	req := &policy.Request{Principal: principal, Action: action, Resource: s.functionARN(name), Context: keys}
	if principal == "*" {
		// An anonymous caller matches only statements whose Principal is "*".
		req.Principal = "anonymous"
	}
	return cp.compiled.Allows(req, true)
}

func (s *PolicyStore) modify(ctx context.Context, name string, fn func([]Permission) ([]Permission, error)) error {
	s.mu.RLock()
	kv, ok := s.kv, s.started && !s.closed
	s.mu.RUnlock()
	if !ok {
		return errors.New("function policies: not running")
	}
	var cp *compiledPolicy
	var refused error // fn's or compile's error, returned as it is
	e, err := kv.Modify(ctx, name, func(cur *storedPolicy, exists bool) (*storedPolicy, error) {
		var have []Permission
		if exists {
			have = cur.Permissions
		}
		perms, err := fn(have)
		if err != nil {
			refused = err
			return nil, err
		}
		sort.SliceStable(perms, func(i, j int) bool { return perms[i].Sid < perms[j].Sid })
		if cp, err = s.compile(name, perms); err != nil {
			refused = err
			return nil, err
		}
		if len(perms) == 0 && exists {
			return nil, nil // the last permission went: the record goes
		}
		return &storedPolicy{Permissions: perms}, nil
	})
	if err != nil && err == refused {
		return err
	}
	if err != nil {
		return fmt.Errorf("function %q: policy: write: %w", name, err)
	}
	// Visible to the next invocation on this node at once; the watcher
	// brings the same value again, ignored by its revision.
	s.mu.Lock()
	if !e.Deleted && e.Revision > s.revs[name] {
		s.revs[name] = e.Revision
	}
	if e.Deleted || len(e.Value.Permissions) == 0 {
		delete(s.byName, name)
	} else {
		s.byName[name] = cp
	}
	s.mu.Unlock()
	return nil
}

// ReplacePermissions replaces a function's whole policy (PutResourcePolicy);
// no permissions delete it (DeleteResourcePolicy).
func (s *PolicyStore) ReplacePermissions(ctx context.Context, function string, perms []Permission) error {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return &InvalidParameterError{Message: err.Error()}
	}
	for i := range perms {
		if err := perms[i].Validate(); err != nil {
			return err
		}
	}
	err = s.modify(ctx, name, func([]Permission) ([]Permission, error) { return append([]Permission(nil), perms...), nil })
	if err != nil && !errors.Is(err, ErrPolicyNotFound) {
		return err
	}
	return nil
}

// Revision is the KV revision of a function's policy as this node last
// applied it (0: none), the RevisionId of Get/PutResourcePolicy.
func (s *PolicyStore) Revision(function string) uint64 {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.byName[name] == nil {
		return 0
	}
	return s.revs[name]
}
