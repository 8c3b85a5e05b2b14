package stacks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Options configures an Engine.
type Options struct {
	Backbone *backbone.Backbone
	Registry *Registry
	Account  awsapi.Account
	// Partition for AWS::Partition (default "aws").
	Partition string
	// Transform expands AWS::Serverless-2016-10-31 templates (nil: such
	// templates are refused with a clear error).
	Transform Transformer
	// ParameterLookup resolves AWS::SSM::Parameter::Value<...> parameters.
	ParameterLookup ParameterLookup
	// Parallelism bounds concurrent provider calls in a deployment (default 8).
	Parallelism int
	// StaleLockAfter: a lock whose heartbeat is older is taken over (default 30s).
	StaleLockAfter time.Duration
	// OpsAckWait is how soon a CloudFormation API operation (CreateStack,
	// ExecuteChangeSet...) whose node died runs again on another (default 30s).
	OpsAckWait time.Duration
	// OpsSettle is how long a CloudFormation API request that starts an
	// operation waits for it to end before it answers (default 10s; < 0:
	// answer at once, as CloudFormation does). An operation that ends
	// meanwhile is answered ended, so a client's waiter sees it done at
	// its first call instead of sleeping its 30 s poll interval.
	OpsSettle time.Duration
	// Authorizer authorizes the admin and CloudFormation API requests as
	// cloudformation:* actions on the stack's ARN (nil: --iam off).
	Authorizer awsapi.Authorizer
	Logger     *slog.Logger
}

// Engine plans and applies stacks.
type Engine struct {
	opts  Options
	log   *slog.Logger
	owner string // this instance, in the locks it holds

	mu      sync.Mutex
	store   *store
	js      jetstream.JetStream
	ops     *backbone.WorkQueue // the CloudFormation API's stack operations (cfnqueue.go)
	started bool
}

// New validates o. It starts nothing.
func New(o Options) (*Engine, error) {
	if o.Registry == nil {
		return nil, errors.New("stacks: a provider registry is required")
	}
	if o.Partition == "" {
		o.Partition = "aws"
	}
	if o.Account.Region == "" {
		o.Account.Region = awsapi.DefaultRegion
	}
	if o.Account.ID == "" {
		o.Account.ID = awsapi.DefaultAccountID
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 8
	}
	if o.StaleLockAfter <= 0 {
		o.StaleLockAfter = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &Engine{opts: o, log: o.Logger, owner: hex.EncodeToString(id[:])}, nil
}

// Start opens the state bucket and the events stream.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return nil
	}
	if e.opts.Backbone == nil {
		return errors.New("stacks: no backbone")
	}
	kv, err := e.opts.Backbone.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: stateBucket, Description: "nubo stacks: state, history, locks, exports", History: 1})
	if err != nil {
		return fmt.Errorf("stacks: %w", err)
	}
	if _, err := e.opts.Backbone.Stream(ctx, jetstream.StreamConfig{
		Name: eventsStream, Subjects: []string{eventsSubject + ">"}, Storage: jetstream.FileStorage,
		MaxMsgsPerSubject: 10000, Description: "nubo stack events",
	}); err != nil {
		return fmt.Errorf("stacks: %w", err)
	}
	if _, err := e.opts.Backbone.Stream(ctx, jetstream.StreamConfig{
		Name: journalStream, Subjects: []string{journalSubject + ">"}, Storage: jetstream.FileStorage,
		Description: "nubo stack deployments in progress",
	}); err != nil {
		return fmt.Errorf("stacks: %w", err)
	}
	e.store = &store{kv: kv, js: e.opts.Backbone.JetStream(), bb: e.opts.Backbone}
	e.js = e.opts.Backbone.JetStream()
	if e.ops, err = e.openOps(ctx); err != nil {
		return err
	}
	e.started = true
	return nil
}

// Close is idempotent; deployments in flight end with their requests, and
// a stack operation of the CloudFormation API cut short by the backbone's
// end runs again from its work queue.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	q := e.ops
	e.ops = nil
	e.mu.Unlock()
	if q != nil {
		_ = q.Close(ctx)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.started = false
	return nil
}

func (e *Engine) ready() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.started {
		return errors.New("stacks: engine not started")
	}
	return nil
}

// pseudo returns the pseudo parameters; id is "" until the stack's first
// deployment gives it one (AWS::StackId is then known after apply).
func (e *Engine) pseudo(stack, id string) Pseudo {
	return Pseudo{Region: e.opts.Account.Region, AccountID: e.opts.Account.ID, StackName: stack, StackID: id, Partition: e.opts.Partition}
}

func (e *Engine) stackID(stack string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s-%s-%s-%s-%s", e.opts.Partition, e.opts.Account.Region, e.opts.Account.ID, stack, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// Plan computes what deploying req would do, without changing anything.
func (e *Engine) Plan(ctx context.Context, req PlanRequest) (*Plan, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	if err := ValidStackName(req.Stack); err != nil {
		return nil, err
	}
	prior, _, err := e.store.get(ctx, req.Stack)
	if err != nil {
		return nil, err
	}
	if prior != nil && prior.InProgress() {
		prior = prior.clone()
		e.recoverPending(ctx, prior) // as Deploy will: the plans must agree
	}
	p, err := e.plan(ctx, req, prior)
	if err != nil {
		return nil, err
	}
	if li := e.store.lockInfo(ctx, req.Stack); li != nil && e.lockLive(li) {
		p.Warnings = append(p.Warnings, fmt.Sprintf("stack %q is being updated (%s since %s): this plan may be stale", req.Stack, li.Operation, li.Since.Format(time.RFC3339)))
	}
	return p, nil
}

// DeployRequest is a deployment.
type DeployRequest struct {
	PlanRequest
	// PlanDigest, when set, must equal the digest of the plan computed now:
	// the user approved that plan and nothing else.
	PlanDigest string `json:"plan_digest,omitempty"`
	NoRollback bool   `json:"no_rollback,omitempty"`
}

// DeployResult is the outcome of a deployment.
type DeployResult struct {
	Stack   string            `json:"stack"`
	Status  string            `json:"status"`
	Version int               `json:"version"`
	Outputs map[string]string `json:"outputs,omitempty"`
	Plan    *Plan             `json:"plan"`
	Elapsed time.Duration     `json:"elapsed"`
}

// Deploy plans and applies req under the stack's lock, streaming progress to sink.
func (e *Engine) Deploy(ctx context.Context, req DeployRequest, sink func(Event)) (*DeployResult, error) {
	start := time.Now()
	if err := e.ready(); err != nil {
		return nil, err
	}
	if err := ValidStackName(req.Stack); err != nil {
		return nil, err
	}
	lk, stale, err := e.store.acquire(ctx, req.Stack, e.owner, "deploy", e.opts.Backbone.Embedded(), e.opts.StaleLockAfter)
	if err != nil {
		return nil, err
	}
	defer func() { _ = lk.release(context.WithoutCancel(ctx)) }()
	prior, _, err := e.store.get(ctx, req.Stack)
	if err != nil {
		return nil, err
	}
	if prior != nil && (prior.InProgress() || stale != nil) {
		e.recoverPending(ctx, prior)
	}
	p, err := e.plan(ctx, req.PlanRequest, prior)
	if err != nil {
		return nil, err
	}
	if req.PlanDigest != "" && req.PlanDigest != p.Digest {
		return nil, fmt.Errorf("stack %q: %w: the plan changed since you reviewed it (the stack or an export changed); run the command again", req.Stack, ErrRefused)
	}
	if len(p.Refusals) > 0 {
		return nil, &RefusedError{Stack: req.Stack, Reasons: p.Refusals}
	}
	res := &DeployResult{Stack: req.Stack, Plan: p}
	if p.Empty() && prior != nil && !prior.InProgress() && len(prior.Cleanup) == 0 {
		res.Status, res.Version, res.Outputs = prior.Status, prior.Version, outputValues(prior)
		res.Elapsed = time.Since(start)
		return res, nil
	}
	st, err := e.apply(ctx, p, req.NoRollback, sink)
	e.flushEvents()
	if st != nil {
		res.Status, res.Version, res.Outputs = st.Status, st.Version, outputValues(st)
	}
	res.Elapsed = time.Since(start)
	return res, err
}

// flushEvents waits (briefly) until the events published asynchronously are stored.
func (e *Engine) flushEvents() {
	select {
	case <-e.js.PublishAsyncComplete():
	case <-time.After(5 * time.Second):
		e.log.Warn("stack events still unacknowledged after 5s")
	}
}

// RefusedError lists why a plan cannot be applied.
type RefusedError struct {
	Stack   string
	Reasons []string
}

func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("stack %q: deployment refused:", e.Stack)
	for _, r := range e.Reasons {
		msg += "\n  - " + r
	}
	return msg
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

func outputValues(st *StackState) map[string]string {
	out := map[string]string{}
	for k, o := range st.Outputs {
		out[k] = o.Value
	}
	return out
}

// recoverPending adopts resources whose create finished before a crash but
// was never recorded, when the provider named them beforehand (Identifier):
// a create becomes the current resource; a replacement becomes current and
// the resource it replaces goes to the cleanup. Only reads: Plan runs it too.
func (e *Engine) recoverPending(ctx context.Context, st *StackState) {
	for _, id := range sortedKeys(st.Resources) {
		r := st.Resources[id]
		switch {
		case r.Pending == "create" && r.PhysicalID == "" && r.PendingID != "":
		case r.Pending == "replace":
		default:
			continue
		}
		if !e.createdBeforeCrash(ctx, st.Name, id, r) {
			if r.Pending == "replace" {
				r.Pending, r.PendingID = "", "" // not created: the plan replaces it again
			}
			continue
		}
		if r.Pending == "replace" {
			old := *r
			old.Pending, old.PendingID = "", ""
			st.Cleanup = append(st.Cleanup, &old)
			r.Attrs = nil
		}
		// Props nil: the plan re-applies every property of the template.
		r.PhysicalID, r.Props, r.Pending, r.PendingID = r.PendingID, nil, "update", ""
		e.log.Info("adopted a resource created before an interruption", "stack", st.Name, "resource", id, "physical_id", r.PhysicalID)
	}
}

// createdBeforeCrash reports whether r's pending create left a live resource.
func (e *Engine) createdBeforeCrash(ctx context.Context, stack, id string, r *ResourceState) bool {
	if r.PendingID == "" || r.PendingID == r.PhysicalID {
		return false
	}
	prov, ok := e.opts.Registry.Provider(r.Type)
	if !ok {
		return false
	}
	_, err := prov.Read(WithResource(ctx, stack, id), r.PendingID)
	return err == nil
}

// StackSummary is a line of `nubo stacks`.
type StackSummary struct {
	Name      string    `json:"name"`
	Class     string    `json:"class"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	Version   int       `json:"version"`
	Resources int       `json:"resources"`
	Updated   time.Time `json:"updated"`
	Locked    *LockInfo `json:"locked,omitempty"`
	Hint      string    `json:"hint,omitempty"`
}

// List summarises every stack.
func (e *Engine) List(ctx context.Context) ([]StackSummary, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	all, err := e.store.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StackSummary, 0, len(all))
	for _, st := range all {
		s := StackSummary{Name: st.Name, Class: st.Class, Status: st.Status, Reason: st.Reason, Version: st.Version, Resources: len(st.Resources), Updated: st.Updated}
		s.Locked = e.store.lockInfo(ctx, st.Name)
		s.Hint = e.hint(st, s.Locked)
		out = append(out, s)
	}
	return out, nil
}

// lockLive reports whether a lock's holder is still at work (see store.acquire).
func (e *Engine) lockLive(li *LockInfo) bool {
	if li.Owner == e.owner {
		return true
	}
	return !e.opts.Backbone.Embedded() && time.Since(li.Heartbeat) <= e.opts.StaleLockAfter
}

// hint says what to do with a stack left mid-operation.
func (e *Engine) hint(st *StackState, li *LockInfo) string {
	if !st.InProgress() {
		return ""
	}
	if li != nil && e.lockLive(li) {
		return "being updated now"
	}
	if st.API != nil && st.API.Op != "" {
		return "a CloudFormation API operation is queued for it (or resumes after an interruption)"
	}
	return fmt.Sprintf("interrupted during deployment %d: run `nubo deploy` again to continue from the recorded state (or deploy the previous template to roll back, or `nubo destroy %s`)", st.Version, st.Name)
}

// Describe returns a stack's state with NoEcho parameters masked.
func (e *Engine) Describe(ctx context.Context, name string) (*StackState, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	st, _, err := e.store.get(ctx, name)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, fmt.Errorf("stack %q: %w", name, ErrStackNotFound)
	}
	for _, k := range st.NoEcho {
		if _, ok := st.Parameters[k]; ok {
			st.Parameters[k] = Masked
		}
	}
	return st, nil
}

// History returns the state each deployment of the stack ended with.
func (e *Engine) History(ctx context.Context, name string) ([]*StackState, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	return e.store.history(ctx, name)
}

// ExportInfo is a line of `nubo exports`.
type ExportInfo struct {
	Name      string   `json:"name"`
	Value     string   `json:"value"`
	Stack     string   `json:"stack"`
	Importers []string `json:"importers,omitempty"`
}

// Exports lists every export with its importers.
func (e *Engine) Exports(ctx context.Context) ([]ExportInfo, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	recs, err := e.store.exports(ctx)
	if err != nil {
		return nil, err
	}
	imp, err := e.store.importers(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]ExportInfo, 0, len(recs))
	for _, r := range recs {
		users := imp[r.Name]
		sort.Strings(users)
		out = append(out, ExportInfo{Name: r.Name, Value: r.Value, Stack: r.Stack, Importers: users})
	}
	return out, nil
}

// Events replays the stored progress events of a stack, oldest first.
func (e *Engine) Events(ctx context.Context, name string) ([]Event, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	msgs, err := readSubject(ctx, e.js, e.opts.Backbone.Name(eventsStream), e.opts.Backbone.Subject(eventsSubject+name))
	if err != nil {
		return nil, fmt.Errorf("stack %q: events: %w", name, err)
	}
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		var ev Event
		if json.Unmarshal(m, &ev) == nil {
			out = append(out, ev)
		}
	}
	return out, nil
}
