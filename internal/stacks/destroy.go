package stacks

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// DestroyRequest deletes a stack.
type DestroyRequest struct {
	Stack         string `json:"stack"`
	AllowDataLoss bool   `json:"allow_data_loss,omitempty"`
}

// Destroy deletes every resource of a stack (honouring DeletionPolicy) and
// forgets it. A stack whose exports others import cannot be destroyed; in a
// stateful stack, data-bearing resources need AllowDataLoss.
func (e *Engine) Destroy(ctx context.Context, req DestroyRequest, sink func(Event)) (*DeployResult, error) {
	start := time.Now()
	if err := e.ready(); err != nil {
		return nil, err
	}
	lk, stale, err := e.store.acquire(ctx, req.Stack, e.owner, "destroy", e.opts.Backbone.Embedded(), e.opts.StaleLockAfter)
	if err != nil {
		return nil, err
	}
	defer func() { _ = lk.release(context.WithoutCancel(ctx)) }()
	st, _, err := e.store.get(ctx, req.Stack)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, fmt.Errorf("stack %q: %w", req.Stack, ErrStackNotFound)
	}
	if st.InProgress() || stale != nil {
		e.recoverPending(ctx, st) // what a crash left half-created goes too
	}
	importers, err := e.store.importers(ctx, req.Stack)
	if err != nil {
		return nil, err
	}
	var reasons []string
	for _, x := range sortedKeys(st.Exports()) {
		if users := importers[x]; len(users) > 0 {
			sort.Strings(users)
			reasons = append(reasons, fmt.Sprintf("export %q is imported by stack(s) %s: destroy or change them first", x, strings.Join(users, ", ")))
		}
	}
	if st.Class == ClassStateful && !req.AllowDataLoss {
		for _, id := range sortedKeys(st.Resources) {
			rs := st.Resources[id]
			if rs.Stateful && !keeps(rs.DeletionPolicy) {
				reasons = append(reasons, fmt.Sprintf("deleting %s (%s) in stateful stack %q would lose its data: pass --allow-data-loss, or set DeletionPolicy: Retain", id, rs.Type, req.Stack))
			}
		}
	}
	if len(reasons) > 0 {
		return nil, &RefusedError{Stack: req.Stack, Reasons: reasons}
	}
	cur := st.clone()
	cur.Version++
	cur.Status, cur.Reason = StatusDeleteInProgress, ""
	r := &run{e: e, ctx: ctx, sink: sink, version: cur.Version, cur: cur}
	defer e.flushEvents()
	if err := r.update(func(*StackState) {}); err != nil {
		return nil, fmt.Errorf("stack %q: record the destroy's start: %w", req.Stack, err)
	}
	r.stackEvent(StatusDeleteInProgress, "")
	var all []*ResourceState
	all = append(all, cur.Cleanup...)
	for _, id := range sortedKeys(cur.Resources) {
		all = append(all, cur.Resources[id])
	}
	derr := r.deleteAll(all, r.forget)
	res := &DeployResult{Stack: req.Stack, Version: cur.Version}
	bg := context.WithoutCancel(ctx)
	if derr != nil {
		r.update(func(s *StackState) { s.Status, s.Reason = StatusDeleteFailed, derr.Error() })
		r.stackEvent(StatusDeleteFailed, derr.Error())
		_ = e.store.record(bg, r.cur)
		res.Status, res.Elapsed = StatusDeleteFailed, time.Since(start)
		return res, derr
	}
	if err := e.store.syncExports(bg, req.Stack, st.Exports(), nil); err != nil {
		return res, err
	}
	r.mu.Lock()
	r.cur.Status, r.cur.Outputs, r.cur.Imports = "DELETE_COMPLETE", nil, nil
	r.mu.Unlock()
	_ = e.store.record(bg, r.cur)
	if err := e.store.remove(bg, req.Stack); err != nil {
		return res, err
	}
	r.stackEvent("DELETE_COMPLETE", "")
	res.Status, res.Elapsed = "DELETE_COMPLETE", time.Since(start)
	return res, nil
}
