package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// The CloudFormation API's stack operations (CreateStack, UpdateStack,
// DeleteStack, ExecuteChangeSet) answer at once, as CloudFormation does,
// and the work runs from a durable work queue: any node takes it, and work
// a crash cuts short is delivered again and resumed by the engine's crash
// recovery (the same Deploy and Destroy nubo deploy and nubo destroy run).
//
// The request handler, under the stack's lock, records the stack as
// *_IN_PROGRESS with the operation's id (APIRequest.Op), then publishes the
// operation. A worker runs an operation only while the stack still carries
// its id and is in progress: an operation delivered again after it ended,
// or superseded, does nothing.
const (
	opsStream   = "NUBO_STACK_OPS"
	opsSubject  = "nubo.stacks.ops."
	opsConsumer = "stacks"
	// opsMaxDeliver bounds retries of an operation that keeps failing
	// without an outcome; the stack is then marked failed.
	opsMaxDeliver = 50
	opsRetryDelay = time.Second
)

// APIRequest is what the CloudFormation API was asked for a stack.
type APIRequest struct {
	// Op is the operation in progress (or last run): its id.
	Op string `json:"op,omitempty"`
	// Token is the request's ClientRequestToken.
	Token        string   `json:"token,omitempty"`
	Capabilities []string `json:"capabilities,omitempty"`
	Tags         []Tag    `json:"tags,omitempty"`
	Description  string   `json:"description,omitempty"`
	// DisableRollback as CreateStack, UpdateStack or ExecuteChangeSet asked.
	DisableRollback bool `json:"disable_rollback,omitempty"`
}

// Tag is a stack tag.
type Tag struct {
	Key   string `json:"key" xml:"Key"`
	Value string `json:"value" xml:"Value"`
}

// queuedOp is one queued stack operation.
type queuedOp struct {
	ID    string `json:"id"`
	Stack string `json:"stack"`
	// Kind is "deploy" or "destroy".
	Kind   string         `json:"kind"`
	Deploy *DeployRequest `json:"deploy,omitempty"`
	// FromVersion is the stack's version when the operation was asked: a
	// stack still at it after the work returned never started it.
	FromVersion int `json:"from_version"`
	// Creating: the stack has no deployment yet (its failure is
	// ROLLBACK_COMPLETE, not UPDATE_ROLLBACK_COMPLETE).
	Creating bool `json:"creating,omitempty"`
	// DeleteOnFailure is CreateStack's OnFailure=DELETE.
	DeleteOnFailure bool `json:"delete_on_failure,omitempty"`
	// ChangeSet is the change set executed, if any.
	ChangeSet string `json:"change_set,omitempty"`
	// Token is the request's ClientRequestToken, carried by its events.
	Token string `json:"token,omitempty"`
	// Caller is who asked: the work runs with their permissions where the
	// engine asks for them (iam:PassRole of a function's role), as the
	// request itself would have.
	Caller *opCaller `json:"caller,omitempty"`
}

// opCaller is a request's principal as the queue keeps it (awsapi.Principal
// leaves its key id, issue time and Root out of JSON).
type opCaller struct {
	Principal   awsapi.Principal `json:"principal"`
	AccessKeyID string           `json:"akid,omitempty"`
	Issued      time.Time        `json:"issued,omitzero"`
	Root        bool             `json:"root,omitempty"`
}

// callerOf is the principal of the request ctx carries (nil: none).
func callerOf(ctx context.Context) *opCaller {
	p, ok := awsapi.PrincipalFrom(ctx)
	if !ok {
		return nil
	}
	return &opCaller{Principal: p, AccessKeyID: p.AccessKeyID, Issued: p.Issued, Root: p.Root}
}

// withCaller gives ctx the principal of the request that queued the work.
func withCaller(ctx context.Context, c *opCaller) context.Context {
	if c == nil {
		return ctx
	}
	p := c.Principal
	p.AccessKeyID, p.Issued, p.Root = c.AccessKeyID, c.Issued, c.Root
	return awsapi.WithPrincipal(ctx, p)
}

type tokenKey struct{}

// withRequestToken marks ctx as the work of the request with token.
func withRequestToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	return context.WithValue(ctx, tokenKey{}, token)
}

func requestToken(ctx context.Context) string {
	s, _ := ctx.Value(tokenKey{}).(string)
	return s
}

func (e *Engine) openOps(ctx context.Context) (*backbone.WorkQueue, error) {
	q, err := e.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{
		Stream: opsStream, Subjects: []string{opsSubject + ">"}, Consumer: opsConsumer,
		Description: "nubo stacks: CloudFormation API operations (create, update, delete, execute change set)",
		MaxDeliver:  opsMaxDeliver, Workers: 4, AckWait: e.opts.OpsAckWait,
		DeadLetter: func(ctx context.Context, d *backbone.Delivery, reason error) error {
			var op queuedOp
			if json.Unmarshal(d.Data, &op) != nil {
				return nil
			}
			e.settle(context.WithoutCancel(ctx), op, reason)
			e.announceEnd(op)
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("stacks: %w", err)
	}
	if err := q.Consume(e.work); err != nil {
		return nil, fmt.Errorf("stacks: %w", err)
	}
	return q, nil
}

// lockPatience is how long a request waits for a stack's lock held by an
// operation that is finishing (its stack no longer in progress).
const lockPatience = 10 * time.Second

// lockStack takes the stack's lock for a request. A lock held while the
// stack is in progress is ErrStackBusy at once; one held while it is not
// (a deployment writing its last records, a plan) is waited for a while.
func (e *Engine) lockStack(ctx context.Context, stack string) (*lock, error) {
	deadline := time.Now().Add(lockPatience)
	for {
		lk, _, err := e.store.acquire(ctx, stack, e.owner, "cloudformation", e.opts.Backbone.Embedded(), e.opts.StaleLockAfter)
		if err == nil || !errors.Is(err, ErrStackBusy) || time.Now().After(deadline) {
			return lk, err
		}
		if st, _, gerr := e.store.get(ctx, stack); gerr != nil || st != nil && st.InProgress() {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// withLock runs fn on the stack's recorded state (nil: none) under the
// stack's lock.
func (e *Engine) withLock(ctx context.Context, stack string, fn func(prior *StackState) error) error {
	lk, err := e.lockStack(ctx, stack)
	if err != nil {
		return err
	}
	defer func() { _ = lk.release(context.WithoutCancel(ctx)) }()
	prior, _, err := e.store.get(ctx, stack)
	if err != nil {
		return err
	}
	return fn(prior)
}

// begin records a stack operation and queues it, under the stack's lock.
// decide sees the stack's recorded state (nil: none) and returns the state
// to record and the operation to queue; without an operation nothing is
// recorded (a request already made, or nothing to do). decide changes
// nothing itself: what else goes with the operation is prepare's, run under
// the lock before the operation is queued.
func (e *Engine) begin(ctx context.Context, stack string, decide func(prior *StackState) (*StackState, *queuedOp, error), prepare ...func(op *queuedOp) error) (*StackState, error) {
	e.mu.Lock()
	q := e.ops
	e.mu.Unlock()
	if q == nil {
		return nil, errors.New("stacks: engine not started")
	}
	var next *StackState
	var ended chan *nats.Msg // closed over by the operation queued, if any
	var endSub *nats.Subscription
	defer func() {
		if endSub != nil {
			_ = endSub.Unsubscribe()
		}
	}()
	err := e.withLock(ctx, stack, func(prior *StackState) error {
		var before *StackState
		if prior != nil {
			before = prior.clone()
		}
		n, op, err := decide(prior)
		next = n
		if err != nil || op == nil {
			return err
		}
		for _, prep := range prepare {
			if err := prep(op); err != nil {
				return err
			}
		}
		if err := e.store.put(ctx, n); err != nil {
			return err
		}
		op.Caller = callerOf(ctx)
		if e.opsSettle() > 0 {
			ended = make(chan *nats.Msg, 1)
			endSub, _ = e.opts.Backbone.Conn().ChanSubscribe(e.opEndSubject(op.ID), ended) // none: answer at once
		}
		b, _ := json.Marshal(op)
		if err := q.Publish(ctx, backbone.Message{Subject: opsSubject + stack, Data: b, ID: op.ID}); err != nil {
			// Not queued: put the stack back as it was.
			bg := context.WithoutCancel(ctx)
			if before != nil {
				_ = e.store.put(bg, before)
			} else {
				_ = e.store.remove(bg, stack)
			}
			return err
		}
		return nil
	})
	if errors.Is(err, ErrStackBusy) {
		// Another operation holds the stack: the request may still be
		// answered from its state (made again, or refused in
		// CloudFormation's words), but nothing is recorded.
		prior, _, gerr := e.store.get(ctx, stack)
		if gerr != nil {
			return nil, err
		}
		n, op, derr := decide(prior)
		if derr != nil || op == nil {
			return n, derr
		}
	}
	if err == nil && endSub != nil {
		// The lock is released: wait a while for the worker to end it.
		t := time.NewTimer(e.opsSettle())
		defer t.Stop()
		select {
		case <-ended:
			if st, _, gerr := e.store.get(ctx, stack); gerr == nil && st != nil {
				next = st
			}
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return next, err
}

// opsSettle is Options.OpsSettle with its default.
func (e *Engine) opsSettle() time.Duration {
	switch d := e.opts.OpsSettle; {
	case d < 0:
		return 0
	case d == 0:
		return 10 * time.Second
	default:
		return d
	}
}

// opEndSubject is where the end of operation id is announced (core NATS:
// whichever node ran it tells the node whose request waits).
func (e *Engine) opEndSubject(id string) string {
	return e.opts.Backbone.Subject("nubo.stacks.ended." + id)
}

// announceEnd tells a request waiting for op that it ended.
func (e *Engine) announceEnd(op queuedOp) {
	if nc := e.opts.Backbone.Conn(); nc != nil {
		_ = nc.Publish(e.opEndSubject(op.ID), nil)
	}
}

// work runs one queued stack operation.
func (e *Engine) work(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	var op queuedOp
	if err := json.Unmarshal(d.Data, &op); err != nil {
		return backbone.Dead(fmt.Errorf("stack operation: %w", err))
	}
	// The work outlives a Close (as a deployment outlives its client); a
	// crash leaves it unacknowledged, to run again.
	ctx = withCaller(withRequestToken(context.WithoutCancel(ctx), op.Token), op.Caller)
	if err := e.ready(); err != nil {
		return backbone.Retry(opsRetryDelay)
	}
	run, err := e.current(ctx, op)
	if err != nil {
		if !errors.Is(err, ErrStackBusy) {
			e.log.Warn("stack operation: read the stack", "stack", op.Stack, "err", err)
		}
		return backbone.Retry(opsRetryDelay)
	}
	if !run {
		// Done already (delivered again after its end), or superseded
		// (nubo deploy ran meanwhile): its change set's status follows.
		if op.ChangeSet != "" {
			if cs, err := e.store.changeSet(ctx, op.Stack, op.ChangeSet); err == nil && cs != nil && cs.ExecutionStatus == csExecuting {
				status := e.executionStatus(ctx, cs)
				if status == csExecuting {
					status = "EXECUTE_FAILED" // superseded: it did not run
				}
				e.setExecutionStatus(ctx, op.Stack, op.ChangeSet, status)
			}
		}
		e.announceEnd(op)
		return backbone.Ack()
	}
	var werr error
	switch op.Kind {
	case "destroy":
		_, werr = e.Destroy(ctx, DestroyRequest{Stack: op.Stack, AllowDataLoss: false}, nil)
	default:
		if op.Deploy == nil {
			return backbone.Dead(errors.New("stack operation: no deployment"))
		}
		_, werr = e.Deploy(ctx, *op.Deploy, nil)
	}
	if errors.Is(werr, ErrStackBusy) {
		return backbone.Retry(opsRetryDelay)
	}
	st, _, err := e.store.get(ctx, op.Stack)
	if err != nil {
		return backbone.Retry(opsRetryDelay)
	}
	switch {
	case st == nil || st.API == nil || st.API.Op != op.ID:
	case st.InProgress() && st.Version == op.FromVersion:
		// The work never started (its plan failed or was refused): that is
		// its outcome.
		e.settle(ctx, op, werr)
		st, _, _ = e.store.get(ctx, op.Stack)
	case st.InProgress():
		// Cut short after it started: the engine resumes it.
		e.log.Warn("stack operation interrupted; retrying", "stack", op.Stack, "err", werr)
		return backbone.Retry(opsRetryDelay)
	}
	e.finished(ctx, op, st)
	e.announceEnd(op)
	return backbone.Ack()
}

// current reports whether op is still the stack's operation in progress.
// It takes the stack's lock briefly: begin holds it while it records and
// queues an operation.
func (e *Engine) current(ctx context.Context, op queuedOp) (bool, error) {
	lk, _, err := e.store.acquire(ctx, op.Stack, e.owner, "cloudformation", e.opts.Backbone.Embedded(), e.opts.StaleLockAfter)
	if err != nil {
		return false, err
	}
	defer func() { _ = lk.release(context.WithoutCancel(ctx)) }()
	st, _, err := e.store.get(ctx, op.Stack)
	if err != nil {
		return false, err
	}
	return st != nil && st.API != nil && st.API.Op == op.ID && st.InProgress(), nil
}

// settle ends an operation that could not run: the stack goes from its
// *_IN_PROGRESS status to the failure CloudFormation reports.
func (e *Engine) settle(ctx context.Context, op queuedOp, cause error) {
	reason := "the operation failed"
	if cause != nil {
		reason = wireError(cause).Message
	}
	lk, _, err := e.store.acquire(ctx, op.Stack, e.owner, "cloudformation", e.opts.Backbone.Embedded(), e.opts.StaleLockAfter)
	if err != nil {
		e.log.Warn("stack operation: settle", "stack", op.Stack, "err", err)
		return
	}
	defer func() { _ = lk.release(context.WithoutCancel(ctx)) }()
	st, _, err := e.store.get(ctx, op.Stack)
	if err != nil || st == nil || st.API == nil || st.API.Op != op.ID || !st.InProgress() {
		return
	}
	failed, final := "UPDATE_ROLLBACK_IN_PROGRESS", StatusUpdateRollbackComplete
	switch {
	case op.Kind == "destroy":
		failed, final = "", StatusDeleteFailed
	case op.Creating:
		failed, final = StatusCreateFailed, StatusRollbackComplete
	}
	r := &run{e: e, ctx: ctx, version: st.Version, cur: st}
	if failed != "" {
		r.stackEvent(failed, reason)
	}
	if err := r.update(func(s *StackState) { s.Status, s.Reason = final, reason }); err != nil {
		e.log.Warn("stack operation: settle", "stack", op.Stack, "err", err)
	}
	r.stackEvent(final, reason)
	e.flushEvents()
}

// finished does what follows an operation's end: the change set's
// execution status, OnFailure=DELETE, a deleted stack's change sets.
func (e *Engine) finished(ctx context.Context, op queuedOp, st *StackState) {
	if op.ChangeSet != "" {
		status := "EXECUTE_FAILED"
		if st != nil && (st.Status == StatusCreateComplete || st.Status == StatusUpdateComplete) {
			status = "EXECUTE_COMPLETE"
		}
		e.setExecutionStatus(ctx, op.Stack, op.ChangeSet, status)
	}
	if st == nil && op.Kind == "destroy" {
		e.dropChangeSets(ctx, op.Stack, "")
	}
	if op.DeleteOnFailure && st != nil && st.API != nil && st.API.Op == op.ID && st.Status == StatusRollbackComplete {
		if _, err := e.Destroy(ctx, DestroyRequest{Stack: op.Stack}, nil); err != nil {
			e.log.Warn("stack operation: OnFailure DELETE", "stack", op.Stack, "err", err)
		} else {
			e.dropChangeSets(ctx, op.Stack, "")
		}
	}
}
