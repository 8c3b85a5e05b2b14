package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Event is one progress event of a deployment: a resource (or the stack
// itself), the action, its status, why, and how long it took.
type Event struct {
	Stack      string        `json:"stack"`
	Deployment int           `json:"deployment"`
	Time       time.Time     `json:"time"`
	LogicalID  string        `json:"logical_id"`
	Type       string        `json:"type"`
	PhysicalID string        `json:"physical_id,omitempty"`
	Action     string        `json:"action,omitempty"`
	Status     string        `json:"status"`
	Reason     string        `json:"reason,omitempty"`
	Elapsed    time.Duration `json:"elapsed,omitempty"`
	// Token is the ClientRequestToken of the CloudFormation API request
	// whose work this is.
	Token string `json:"token,omitempty"`
}

// StackType is the Type of a stack's own events.
const StackType = "AWS::CloudFormation::Stack"

// run is one apply or destroy in progress.
type run struct {
	e       *Engine
	ctx     context.Context
	sink    func(Event)
	version int

	mu  sync.Mutex
	cur *StackState
}

func (r *run) emit(ev Event) {
	ev.Stack, ev.Deployment, ev.Time = r.cur.Name, r.version, time.Now().UTC()
	ev.Token = requestToken(r.ctx)
	if r.sink != nil {
		r.sink(ev)
	}
	b, _ := json.Marshal(ev)
	if _, err := r.e.js.PublishAsync(r.e.opts.Backbone.Subject(eventsSubject+r.cur.Name), b); err != nil {
		r.e.log.Warn("stack event not stored", "stack", r.cur.Name, "err", err)
	}
}

func (r *run) stackEvent(status, reason string) {
	r.emit(Event{LogicalID: r.cur.Name, Type: StackType, PhysicalID: r.cur.ID, Status: status, Reason: reason})
}

// persist writes the current state; callers hold r.mu.
func (r *run) persistLocked() error {
	r.cur.Updated = time.Now().UTC()
	if err := r.e.store.put(context.WithoutCancel(r.ctx), r.cur); err != nil {
		r.e.log.Error("stack state not written", "stack", r.cur.Name, "err", err)
		return err
	}
	return nil
}

// update changes the stack as a whole: the full state is written and the
// journal, now folded into it, is purged.
func (r *run) update(fn func(st *StackState)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r.cur)
	if err := r.persistLocked(); err != nil {
		return err // keep the journal: it still holds what the state lacks
	}
	if err := r.e.store.purgeJournal(context.WithoutCancel(r.ctx), r.cur.Name); err != nil {
		r.e.log.Warn("stack journal not purged", "stack", r.cur.Name, "err", err)
	}
	return nil
}

// setResource records one resource (nil: gone) in a small journal entry
// instead of rewriting the whole state, so a deployment costs O(1) writes
// per resource; store.get folds the journal back after a crash.
func (r *run) setResource(id string, rs *ResourceState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rs == nil {
		delete(r.cur.Resources, id)
	} else {
		r.cur.Resources[id] = rs
	}
	r.journalLocked(journalRec{Kind: "res", ID: id, Res: rs})
}

// setCleanup adds (or, with remove, drops) a replaced resource awaiting deletion.
func (r *run) setCleanup(rs *ResourceState, remove bool) {
	if rs == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if remove {
		r.cur.Cleanup = removeRes(r.cur.Cleanup, findRes(r.cur.Cleanup, rs.PhysicalID))
		r.journalLocked(journalRec{Kind: "cleanup-", Phys: rs.PhysicalID})
		return
	}
	r.cur.Cleanup = append(r.cur.Cleanup, rs)
	r.journalLocked(journalRec{Kind: "cleanup+", Res: rs})
}

func (r *run) journalLocked(rec journalRec) {
	if err := r.e.store.journal(context.WithoutCancel(r.ctx), r.cur.Name, rec); err != nil {
		r.e.log.Error("stack journal not written; writing the full state", "stack", r.cur.Name, "err", err)
		_ = r.persistLocked()
	}
}

// applyResolver answers Ref/GetAtt from the resources applied so far.
type applyResolver struct {
	r       *run
	t       *Template
	exports map[string]string
}

func (a *applyResolver) ref(id string) (any, error) {
	a.r.mu.Lock()
	defer a.r.mu.Unlock()
	rs := a.r.cur.Resources[id]
	if rs == nil || rs.PhysicalID == "" {
		return nil, fmt.Errorf("resource %s does not exist", id)
	}
	return rs.PhysicalID, nil
}

func (a *applyResolver) getAtt(id, attr string) (any, error) {
	a.r.mu.Lock()
	defer a.r.mu.Unlock()
	rs := a.r.cur.Resources[id]
	if rs == nil || rs.PhysicalID == "" {
		return nil, fmt.Errorf("resource %s does not exist", id)
	}
	v, ok := rs.Attrs[attr]
	if !ok {
		return nil, fmt.Errorf("%s (%s) has no attribute %q", id, rs.Type, attr)
	}
	return v, nil
}

func (a *applyResolver) importValue(name string) (any, error) {
	v, ok := a.exports[name]
	if !ok {
		return nil, errors.New("no stack exports this name")
	}
	return v, nil
}

type journalEntry struct {
	id     string
	action Action
	old    *ResourceState
	new    *ResourceState
}

// apply walks the plan's graph with bounded parallelism, then deletes what
// the template dropped; on failure it rolls back unless noRollback.
func (e *Engine) apply(ctx context.Context, p *Plan, noRollback bool, sink func(Event)) (*StackState, error) {
	prior := p.prior
	cur := prior.clone()
	// A stack that never completed a deployment is still being created.
	creating := false
	switch prior.Status {
	case "", StatusReviewInProgress, StatusCreateInProgress, StatusCreateFailed, StatusRollbackComplete:
		creating = true
	}
	if cur.ID == "" {
		cur.ID = e.stackID(p.Stack)
		cur.Created = time.Now().UTC()
	}
	cur.Name, cur.Class, cur.Version = p.Stack, p.Class, prior.Version+1
	if prior.Version == 0 {
		// A stack deployed again after a destroy keeps counting, so its
		// history is never overwritten.
		cur.Version = e.store.lastVersion(ctx, p.Stack) + 1
	}
	cur.Template, cur.BaseDir, cur.Parameters, cur.NoEcho = p.src, p.baseDir, p.rawParams, p.noEcho
	cur.Status, cur.Reason = StatusUpdateInProgress, ""
	if creating {
		cur.Status = StatusCreateInProgress
	}
	r := &run{e: e, ctx: ctx, sink: sink, version: cur.Version, cur: cur}
	if err := r.update(func(*StackState) {}); err != nil {
		return nil, fmt.Errorf("stack %q: record the deployment's start: %w", p.Stack, err)
	}
	r.stackEvent(cur.Status, fmt.Sprintf("deployment %d", cur.Version))

	exports := map[string]string{}
	if recs, err := e.store.exports(ctx); err == nil {
		for _, x := range recs {
			if x.Stack != p.Stack {
				exports[x.Name] = x.Value
			}
		}
	}
	res := &applyResolver{r: r, t: p.tmpl, exports: exports}
	journal, walkErr := r.walk(p, res)
	var outputs map[string]OutputState
	var imports []string
	if walkErr == nil {
		outputs, imports, walkErr = r.outputs(p, res)
	}
	if walkErr != nil {
		if noRollback {
			final := StatusUpdateFailed
			if creating {
				final = StatusCreateFailed
			}
			r.update(func(st *StackState) { st.Status, st.Reason = final, walkErr.Error() })
			r.stackEvent(final, walkErr.Error()+" (--no-rollback: what succeeded is kept)")
			_ = e.store.record(context.WithoutCancel(ctx), r.cur)
			return r.cur, walkErr
		}
		return r.rollback(prior, journal, creating, walkErr)
	}

	// Cleanup: replaced and removed resources, dependents first.
	var doomed []*ResourceState
	r.mu.Lock()
	doomed = append(doomed, r.cur.Cleanup...)
	for _, id := range sortedKeys(r.cur.Resources) {
		if _, keep := p.actions[id]; !keep {
			doomed = append(doomed, r.cur.Resources[id])
		}
	}
	r.mu.Unlock()
	cleanupErr := r.deleteAll(doomed, r.forget)
	final := StatusUpdateComplete
	if creating {
		final = StatusCreateComplete
	}
	oldExports := prior.Exports()
	if err := r.update(func(st *StackState) {
		st.Status, st.Outputs, st.Imports = final, outputs, imports
		if cleanupErr != nil {
			st.Reason = "cleanup: " + cleanupErr.Error()
		}
	}); err != nil {
		return r.cur, fmt.Errorf("stack %q: record the deployment's end (the journal keeps it; run deploy again): %w", p.Stack, err)
	}
	if err := e.store.syncExports(context.WithoutCancel(ctx), p.Stack, oldExports, r.cur.Exports()); err != nil {
		return r.cur, err
	}
	_ = e.store.record(context.WithoutCancel(ctx), r.cur)
	r.stackEvent(final, r.cur.Reason)
	return r.cur, nil
}

// forget drops a deleted resource from the state.
func (r *run) forget(rs *ResourceState) {
	r.mu.Lock()
	current := r.cur.Resources[rs.LogicalID] == rs
	cleanup := findRes(r.cur.Cleanup, rs.PhysicalID) == rs
	r.mu.Unlock()
	if current {
		r.setResource(rs.LogicalID, nil)
	}
	if cleanup {
		r.setCleanup(rs, true)
	}
}

func removeRes(l []*ResourceState, x *ResourceState) []*ResourceState {
	out := l[:0]
	for _, r := range l {
		if r != x {
			out = append(out, r)
		}
	}
	return out
}

// walk creates, updates and replaces resources in dependency order.
func (r *run) walk(p *Plan, res *applyResolver) ([]journalEntry, error) {
	order := p.graph.order()
	done := make(map[string]chan struct{}, len(order))
	for _, id := range order {
		done[id] = make(chan struct{})
	}
	sem := make(chan struct{}, r.e.opts.Parallelism)
	var (
		mu       sync.Mutex
		failures map[string]error
		journal  []journalEntry
		wg       sync.WaitGroup
	)
	hasFailed := func() bool { mu.Lock(); defer mu.Unlock(); return len(failures) > 0 }
	for _, id := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[id])
			for _, d := range p.graph.deps[id] {
				select {
				case <-done[d]:
				case <-r.ctx.Done():
				}
			}
			if hasFailed() || r.ctx.Err() != nil {
				return
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			if hasFailed() {
				return
			}
			j, err := r.applyOne(p, id, res)
			mu.Lock()
			defer mu.Unlock()
			if j != nil {
				journal = append(journal, *j)
			}
			if err != nil {
				if failures == nil {
					failures = map[string]error{}
				}
				failures[id] = err
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		return journal, newWalkError(order, failures)
	}
	return journal, r.ctx.Err()
}

// WalkError is every resource that failed in a deployment. Up to
// Parallelism resources are applied at once, so which fails first is a
// matter of timing; the report is not: causes come before failures that
// only followed an interruption (a cancelled context), each group in the
// deployment's order (dependencies first, then by logical id).
type WalkError struct {
	Resources []string // the logical ids, in the order above
	Errs      []error  // the error of each
}

func newWalkError(order []string, failures map[string]error) *WalkError {
	w := &WalkError{}
	for _, interrupted := range []bool{false, true} {
		for _, id := range order {
			err, ok := failures[id]
			if ok && isInterruption(err) == interrupted {
				w.Resources, w.Errs = append(w.Resources, id), append(w.Errs, err)
			}
		}
	}
	return w
}

func isInterruption(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func (w *WalkError) Error() string {
	if len(w.Errs) == 1 {
		return w.Errs[0].Error()
	}
	msgs := make([]string, len(w.Errs))
	for i, err := range w.Errs {
		msgs[i] = err.Error()
	}
	return fmt.Sprintf("%d resources failed: %s", len(w.Errs), strings.Join(msgs, "; "))
}

// Unwrap gives each resource's error, for errors.Is and errors.As.
func (w *WalkError) Unwrap() []error { return w.Errs }

func (r *run) applyOne(p *Plan, id string, res *applyResolver) (*journalEntry, error) {
	t := p.tmpl
	tr := t.Resources[id]
	prov, _ := r.e.opts.Registry.Provider(tr.Type)
	ev := &evaluator{t: t, pseudo: r.e.pseudo(p.Stack, r.cur.ID), params: p.params, conditions: p.conds, evaluating: map[string]bool{}, res: res}
	path := join(join("Resources", id), "Properties")
	ctx := WithResource(r.ctx, p.Stack, id)
	props, err := r.e.resolveProps(ctx, ev, prov, tr, path, p.baseDir)
	if err != nil {
		r.emit(Event{LogicalID: id, Type: tr.Type, Status: "CREATE_FAILED", Reason: err.Error()})
		return nil, err
	}
	for _, verr := range prov.Schema().Validate(props) {
		err := propError(t, path, id, verr)
		r.emit(Event{LogicalID: id, Type: tr.Type, Status: "CREATE_FAILED", Reason: err.Error()})
		return nil, err
	}
	r.mu.Lock()
	old := r.cur.Resources[id]
	var oldCopy *ResourceState
	if old != nil {
		c := *old
		oldCopy = &c
	}
	r.mu.Unlock()
	action, _ := decide(prov.Schema(), oldCopy, tr.Type, props)
	deps := p.graph.deps[id]
	newState := func(phys string, attrs Attrs) *ResourceState {
		return &ResourceState{LogicalID: id, Type: tr.Type, PhysicalID: phys, Props: props, Attrs: attrs, Deps: deps,
			DeletionPolicy: tr.DeletionPolicy, UpdateReplacePolicy: tr.UpdateReplacePolicy, Stateful: prov.Stateful()}
	}
	start := time.Now()
	switch action {
	case ActionNone:
		if oldCopy.DeletionPolicy != tr.DeletionPolicy || oldCopy.UpdateReplacePolicy != tr.UpdateReplacePolicy || !equalStrings(oldCopy.Deps, deps) {
			rs := *oldCopy
			rs.DeletionPolicy, rs.UpdateReplacePolicy, rs.Deps = tr.DeletionPolicy, tr.UpdateReplacePolicy, deps
			r.setResource(id, &rs)
		}
		return nil, nil
	case ActionCreate, ActionReplace:
		verbIn := "CREATE"
		if action == ActionReplace {
			verbIn = "UPDATE"
		}
		// The generated name is fixed, and the id it yields recorded, before
		// the call: a crash during it leaves a resource recovery can find.
		ctx = WithNameSuffix(ctx, NewNameSuffix())
		pendingID, generated := "", false
		if idf, ok := prov.(Identifier); ok {
			pendingID, _ = idf.PhysicalIDFor(ctx, props)
			// An id that changes with the drawn name is nubo's own: nothing
			// else can hold it.
			other, _ := idf.PhysicalIDFor(WithNameSuffix(ctx, NewNameSuffix()), props)
			generated = pendingID != "" && other != pendingID
		}
		if action == ActionCreate {
			r.setResource(id, &ResourceState{LogicalID: id, Type: tr.Type, Pending: "create", PendingID: pendingID, Deps: deps})
		} else if pendingID != "" && pendingID != oldCopy.PhysicalID {
			rec := *oldCopy
			rec.Pending, rec.PendingID = "replace", pendingID
			r.setResource(id, &rec)
		}
		reason := ""
		if action == ActionReplace {
			reason = "requested update requires the creation of a new physical resource"
		}
		r.emit(Event{LogicalID: id, Type: tr.Type, Action: string(action), Status: verbIn + "_IN_PROGRESS", Reason: reason})
		phys, attrs, err := prov.Create(ctx, props)
		if err != nil {
			if generated {
				err = errors.Join(err, r.discardPartial(ctx, prov, pendingID))
			}
			if action == ActionCreate {
				r.setResource(id, nil)
			} else {
				r.setResource(id, oldCopy)
			}
			r.emit(Event{LogicalID: id, Type: tr.Type, Action: string(action), Status: verbIn + "_FAILED", Reason: err.Error(), Elapsed: time.Since(start)})
			return nil, fmt.Errorf("resource %s (%s): create: %w", id, tr.Type, err)
		}
		ns := newState(phys, attrs)
		if action == ActionReplace {
			r.setCleanup(oldCopy, false)
		}
		r.setResource(id, ns)
		r.emit(Event{LogicalID: id, Type: tr.Type, PhysicalID: phys, Action: string(action), Status: verbIn + "_COMPLETE", Elapsed: time.Since(start)})
		return &journalEntry{id: id, action: action, old: oldCopy, new: ns}, nil
	default: // update
		pending := *oldCopy
		pending.Pending = "update"
		r.setResource(id, &pending)
		r.emit(Event{LogicalID: id, Type: tr.Type, PhysicalID: oldCopy.PhysicalID, Action: string(action), Status: "UPDATE_IN_PROGRESS"})
		attrs, err := prov.Update(ctx, oldCopy.PhysicalID, oldCopy.Props, props)
		if err != nil {
			r.setResource(id, oldCopy)
			r.emit(Event{LogicalID: id, Type: tr.Type, PhysicalID: oldCopy.PhysicalID, Action: string(action), Status: "UPDATE_FAILED", Reason: err.Error(), Elapsed: time.Since(start)})
			return nil, fmt.Errorf("resource %s (%s): update: %w", id, tr.Type, err)
		}
		ns := newState(oldCopy.PhysicalID, attrs)
		r.setResource(id, ns)
		r.emit(Event{LogicalID: id, Type: tr.Type, PhysicalID: ns.PhysicalID, Action: string(action), Status: "UPDATE_COMPLETE", Elapsed: time.Since(start)})
		return &journalEntry{id: id, action: action, old: oldCopy, new: ns}, nil
	}
}

// discardPartial deletes what a failed create left under the id nubo
// generated for it (a function created before its concurrency could be set):
// the rollback does not know it, and no one else can own that id.
func (r *run) discardPartial(ctx context.Context, prov Provider, id string) error {
	if _, err := prov.Read(ctx, id); err != nil {
		return nil // nothing was left
	}
	if err := prov.Delete(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delete %s, left by the failed create: %w", id, err)
	}
	return nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// outputs evaluates the outputs and checks export integrity with real values.
func (r *run) outputs(p *Plan, res *applyResolver) (map[string]OutputState, []string, error) {
	t := p.tmpl
	ev := &evaluator{t: t, pseudo: r.e.pseudo(p.Stack, r.cur.ID), params: p.params, conditions: p.conds, evaluating: map[string]bool{}, res: res}
	out := map[string]OutputState{}
	for _, name := range sortedKeys(t.Outputs) {
		o := t.Outputs[name]
		if o.Condition != "" && !p.conds[o.Condition] {
			continue
		}
		path := join("Outputs", name)
		v, err := ev.eval(o.Value, join(path, "Value"))
		if err != nil {
			return nil, nil, err
		}
		s, err := stringifyOutput(v)
		if err != nil {
			return nil, nil, t.Lines.errorf(join(path, "Value"), "output %s: %v", name, err)
		}
		os := OutputState{Value: s}
		if d, err := ev.eval(o.Description, join(path, "Description")); err == nil {
			os.Description, _ = d.(string)
		}
		if o.Export != nil {
			x, err := ev.eval(o.Export, join(path, "Export/Name"))
			if err != nil {
				return nil, nil, err
			}
			os.Export, _ = x.(string)
		}
		out[name] = os
	}
	importers, err := r.e.store.importers(r.ctx, p.Stack)
	if err != nil {
		return nil, nil, err
	}
	newExports := map[string]string{}
	for _, o := range out {
		if o.Export != "" {
			newExports[o.Export] = o.Value
		}
	}
	for x, v := range p.prior.Exports() {
		if users := importers[x]; len(users) > 0 {
			if nv, ok := newExports[x]; !ok || nv != v {
				return nil, nil, fmt.Errorf("export %q is imported by stack(s) %s: its value cannot change from %q to %q", x, strings.Join(users, ", "), v, nv)
			}
		}
	}
	return out, p.Imports, nil
}

// rollback undoes the journal, newest first, back to prior.
func (r *run) rollback(prior *StackState, journal []journalEntry, creating bool, cause error) (*StackState, error) {
	inProgress, final := "UPDATE_ROLLBACK_IN_PROGRESS", StatusUpdateRollbackComplete
	if creating {
		inProgress, final = "ROLLBACK_IN_PROGRESS", StatusRollbackComplete
	}
	r.update(func(st *StackState) { st.Reason = cause.Error() })
	r.stackEvent(inProgress, cause.Error())
	ctx := context.WithoutCancel(r.ctx)
	var errs []error
	for i := len(journal) - 1; i >= 0; i-- {
		j := journal[i]
		prov, _ := r.e.opts.Registry.Provider(j.new.Type)
		rctx := WithResource(ctx, r.cur.Name, j.id)
		start := time.Now()
		switch j.action {
		case ActionCreate, ActionReplace:
			r.emit(Event{LogicalID: j.id, Type: j.new.Type, PhysicalID: j.new.PhysicalID, Action: "delete", Status: "DELETE_IN_PROGRESS", Reason: "rollback"})
			if err := prov.Delete(rctx, j.new.PhysicalID); err != nil && !errors.Is(err, ErrNotFound) {
				errs = append(errs, fmt.Errorf("resource %s: delete: %w", j.id, err))
				r.emit(Event{LogicalID: j.id, Type: j.new.Type, PhysicalID: j.new.PhysicalID, Action: "delete", Status: "DELETE_FAILED", Reason: err.Error()})
				continue
			}
			r.setResource(j.id, j.old)
			r.setCleanup(j.old, true)
			r.emit(Event{LogicalID: j.id, Type: j.new.Type, PhysicalID: j.new.PhysicalID, Action: "delete", Status: "DELETE_COMPLETE", Reason: "rollback", Elapsed: time.Since(start)})
		case ActionUpdate:
			r.emit(Event{LogicalID: j.id, Type: j.new.Type, PhysicalID: j.new.PhysicalID, Action: "update", Status: "UPDATE_IN_PROGRESS", Reason: "rollback"})
			if _, err := prov.Update(rctx, j.new.PhysicalID, j.new.Props, j.old.Props); err != nil {
				errs = append(errs, fmt.Errorf("resource %s: restore: %w", j.id, err))
				r.emit(Event{LogicalID: j.id, Type: j.new.Type, PhysicalID: j.new.PhysicalID, Action: "update", Status: "UPDATE_FAILED", Reason: err.Error()})
				continue
			}
			r.setResource(j.id, j.old)
			r.emit(Event{LogicalID: j.id, Type: j.new.Type, PhysicalID: j.new.PhysicalID, Action: "update", Status: "UPDATE_COMPLETE", Reason: "rollback", Elapsed: time.Since(start)})
		}
	}
	if len(errs) > 0 {
		final = StatusRollbackFailed
	}
	r.update(func(st *StackState) {
		st.Status = final
		st.Outputs, st.Imports = prior.Outputs, prior.Imports
		for id, rs := range st.Resources {
			if rs.PhysicalID == "" {
				delete(st.Resources, id)
			} else {
				rs.Pending = ""
			}
		}
	})
	_ = r.e.store.record(ctx, r.cur)
	r.stackEvent(final, cause.Error())
	if len(errs) > 0 {
		return r.cur, fmt.Errorf("%w; rollback: %w", cause, errors.Join(errs...))
	}
	return r.cur, fmt.Errorf("%w (rolled back)", cause)
}

func findRes(l []*ResourceState, phys string) *ResourceState {
	for _, r := range l {
		if r.PhysicalID == phys {
			return r
		}
	}
	return nil
}

// deleteAll deletes resources, dependents before their dependencies,
// honouring DeletionPolicy. gone is called after each one leaves.
func (r *run) deleteAll(rs []*ResourceState, gone func(*ResourceState)) error {
	byID := map[string]*ResourceState{}
	var ids []string
	deps := map[string][]string{}
	for i, x := range rs {
		key := x.LogicalID
		if _, dup := byID[key]; dup {
			key = fmt.Sprintf("%s#%d", x.LogicalID, i)
		}
		byID[key] = x
		ids = append(ids, key)
	}
	for _, k := range ids {
		for _, d := range byID[k].Deps {
			if _, ok := byID[d]; ok {
				deps[k] = append(deps[k], d)
			}
		}
	}
	g := &graph{nodes: ids, deps: deps}
	sort.Strings(g.nodes)
	order := g.order()
	if len(order) != len(ids) { // a recorded cycle cannot happen; be safe
		order = ids
	}
	var errs []error
	for i := len(order) - 1; i >= 0; i-- {
		x := byID[order[i]]
		if err := r.deleteOne(x); err != nil {
			errs = append(errs, err)
			continue
		}
		gone(x)
	}
	return errors.Join(errs...)
}

func (r *run) deleteOne(x *ResourceState) error {
	ctx := WithResource(context.WithoutCancel(r.ctx), r.cur.Name, x.LogicalID)
	policy := x.DeletionPolicy
	if findRes(r.cur.Cleanup, x.PhysicalID) == x && x.UpdateReplacePolicy != "" {
		policy = x.UpdateReplacePolicy
	}
	if x.PhysicalID == "" {
		return nil
	}
	prov, ok := r.e.opts.Registry.Provider(x.Type)
	if !ok {
		return fmt.Errorf("resource %s: no provider for %s", x.LogicalID, x.Type)
	}
	switch policy {
	case "Retain", "RetainExceptOnCreate":
		r.emit(Event{LogicalID: x.LogicalID, Type: x.Type, PhysicalID: x.PhysicalID, Action: "delete", Status: "DELETE_SKIPPED", Reason: "DeletionPolicy: Retain"})
		return nil
	case "Snapshot":
		if s, ok := prov.(Snapshotter); ok {
			if err := s.Snapshot(ctx, x.PhysicalID); err != nil {
				return fmt.Errorf("resource %s: snapshot: %w", x.LogicalID, err)
			}
		} else {
			r.emit(Event{LogicalID: x.LogicalID, Type: x.Type, PhysicalID: x.PhysicalID, Action: "delete", Status: "DELETE_SKIPPED", Reason: "DeletionPolicy: Snapshot (this type has no snapshots: retained)"})
			return nil
		}
	}
	start := time.Now()
	r.emit(Event{LogicalID: x.LogicalID, Type: x.Type, PhysicalID: x.PhysicalID, Action: "delete", Status: "DELETE_IN_PROGRESS"})
	// No pending marker: after a crash the delete is simply retried, and a
	// resource already gone (ErrNotFound) counts as deleted.
	if err := prov.Delete(ctx, x.PhysicalID); err != nil && !errors.Is(err, ErrNotFound) {
		r.emit(Event{LogicalID: x.LogicalID, Type: x.Type, PhysicalID: x.PhysicalID, Action: "delete", Status: "DELETE_FAILED", Reason: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("resource %s (%s): delete: %w", x.LogicalID, x.Type, err)
	}
	r.emit(Event{LogicalID: x.LogicalID, Type: x.Type, PhysicalID: x.PhysicalID, Action: "delete", Status: "DELETE_COMPLETE", Elapsed: time.Since(start)})
	return nil
}
