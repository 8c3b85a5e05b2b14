package stacks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Action is what a plan does to a resource.
type Action string

// Plan actions.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionReplace Action = "replace"
	ActionDelete  Action = "delete"
	ActionNone    Action = "none"
)

// Symbol is the plan's mark for an action: + ~ -/+ -.
func (a Action) Symbol() string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionUpdate:
		return "~"
	case ActionReplace:
		return "-/+"
	case ActionDelete:
		return "-"
	}
	return " "
}

// PropChange is one changed property (a path into nested mappings).
type PropChange struct {
	Path              string `json:"path"`
	Op                string `json:"op"` // + ~ -
	Old               string `json:"old,omitempty"`
	New               string `json:"new,omitempty"`
	ForcesReplacement bool   `json:"forces_replacement,omitempty"`
}

// Change is one resource in a plan.
type Change struct {
	LogicalID  string       `json:"logical_id"`
	Type       string       `json:"type"`
	Action     Action       `json:"action"`
	PhysicalID string       `json:"physical_id,omitempty"`
	Props      []PropChange `json:"props,omitempty"`
	DataLoss   bool         `json:"data_loss,omitempty"` // deletes or replaces data
	Retained   bool         `json:"retained,omitempty"`  // DeletionPolicy/UpdateReplacePolicy keeps the old one
}

// OutputChange is one output in a plan.
type OutputChange struct {
	Name   string `json:"name"`
	Op     string `json:"op"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
	Export string `json:"export,omitempty"`
}

// Plan is what a deployment will do.
type Plan struct {
	Stack       string         `json:"stack"`
	Class       string         `json:"class"`
	FromVersion int            `json:"from_version"` // 0 for a new stack
	Changes     []Change       `json:"changes"`
	Outputs     []OutputChange `json:"outputs,omitempty"`
	Warnings    []string       `json:"warnings,omitempty"`
	Builds      []string       `json:"builds,omitempty"`   // what packaging built for this plan (nubo build)
	Refusals    []string       `json:"refusals,omitempty"` // why the plan cannot be applied as is
	Imports     []string       `json:"imports,omitempty"`
	Digest      string         `json:"digest"`

	// for apply
	tmpl      *Template      `json:"-"`
	params    map[string]any `json:"-"`
	rawParams map[string]string
	conds     map[string]bool
	graph     *graph
	prior     *StackState
	actions   map[string]Action
	baseDir   string
	src       string
	noEcho    []string
}

// Counts returns how many resources each action touches.
func (p *Plan) Counts() (add, change, replace, destroy int) {
	for _, c := range p.Changes {
		switch c.Action {
		case ActionCreate:
			add++
		case ActionUpdate:
			change++
		case ActionReplace:
			replace++
		case ActionDelete:
			destroy++
		}
	}
	return
}

// Empty reports a plan with no resource or output change.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 && len(p.Outputs) == 0 }

// PlanRequest is the input of a plan or deployment.
type PlanRequest struct {
	Stack         string            `json:"stack"`
	Template      string            `json:"template"`
	BaseDir       string            `json:"base_dir,omitempty"` // the template's directory, for local paths
	Parameters    map[string]string `json:"parameters,omitempty"`
	Class         string            `json:"class,omitempty"` // overrides the template's Nubo: {Class}
	AllowDataLoss bool              `json:"allow_data_loss,omitempty"`
	// AllowOverAWSLimits deploys a template over CloudFormation's quotas
	// (500 resources, 200 parameters, 200 outputs) that AWS would refuse;
	// the plan still warns.
	AllowOverAWSLimits bool `json:"allow_over_aws_limits,omitempty"`
	// NoPreviousParameters: a parameter not in Parameters takes its
	// Default, not the stack's previous value (CloudFormation's rule; its
	// API passes UsePreviousValue as an explicit value).
	NoPreviousParameters bool `json:"no_previous_parameters,omitempty"`
}

// planResolver answers Ref/GetAtt at plan time: values of resources to be
// created or replaced are Unknown.
type planResolver struct {
	e       *Engine
	t       *Template
	prior   *StackState
	actions map[string]Action
	imports map[string]bool
	exports map[string]string // name → value, this stack's own excluded
	props   map[string]Props  // new properties of resources planned so far
}

func (r *planResolver) ref(id string) (any, error) {
	a, ok := r.actions[id]
	if !ok {
		return nil, fmt.Errorf("resource %s is not created (its condition is false)", id)
	}
	if a == ActionCreate || a == ActionReplace {
		return Unknown{"Ref " + id}, nil
	}
	return r.prior.Resources[id].PhysicalID, nil
}

func (r *planResolver) getAtt(id, attr string) (any, error) {
	a, ok := r.actions[id]
	if !ok {
		return nil, fmt.Errorf("resource %s is not created (its condition is false)", id)
	}
	if p, ok := r.e.opts.Registry.Provider(r.t.Resources[id].Type); ok {
		if s := p.Schema(); !s.HasAttribute(attr) {
			return nil, fmt.Errorf("%s has no attribute %q (it has: %s)", r.t.Resources[id].Type, attr, strings.Join(s.AttributeNames(), ", "))
		}
	}
	if a == ActionCreate || a == ActionReplace {
		return Unknown{"GetAtt " + id + "." + attr}, nil
	}
	if a == ActionUpdate {
		// An attribute that mirrors a property (SSM's Value) follows it;
		// others (an Arn) keep their recorded value.
		if v, ok := r.props[id][attr]; ok {
			return v, nil
		}
	}
	if v, ok := r.prior.Resources[id].Attrs[attr]; ok {
		return v, nil
	}
	return Unknown{"GetAtt " + id + "." + attr}, nil
}

func (r *planResolver) importValue(name string) (any, error) {
	r.imports[name] = true
	v, ok := r.exports[name]
	if !ok {
		return nil, errors.New("no stack exports this name")
	}
	return v, nil
}

// plan computes the plan of req against prior (nil for a new stack).
func (e *Engine) plan(ctx context.Context, req PlanRequest, prior *StackState) (*Plan, error) {
	if prior == nil {
		prior = &StackState{Name: req.Stack, Resources: map[string]*ResourceState{}}
	}
	t, err := e.processTemplate(ctx, req, prior)
	if err != nil {
		return nil, err
	}
	previous := prior.Parameters
	if req.NoPreviousParameters {
		previous = nil
	}
	values, raw, err := resolveParameters(ctx, t, req.Parameters, previous, e.opts.ParameterLookup)
	if err != nil {
		return nil, err
	}
	exports := map[string]string{}
	owners := map[string]string{}
	if e.store != nil {
		recs, err := e.store.exports(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			owners[r.Name] = r.Stack
			if r.Stack != req.Stack {
				exports[r.Name] = r.Value
			}
		}
	}
	p := &Plan{Stack: req.Stack, FromVersion: prior.Version, tmpl: t, params: values, rawParams: raw, prior: prior,
		actions: map[string]Action{}, baseDir: req.BaseDir, src: req.Template}
	// What packaging builds for this plan is part of it (the end of each
	// build, in the order they end), for nubo build and plan's output.
	var buildsMu sync.Mutex
	planned := false // builds a prepackage left running report too late
	ctx = WithProgress(ctx, func(msg string) {
		if strings.HasPrefix(msg, "building ") {
			return
		}
		buildsMu.Lock()
		if !planned {
			p.Builds = append(p.Builds, msg)
		}
		buildsMu.Unlock()
	})
	defer func() {
		buildsMu.Lock()
		planned = true
		buildsMu.Unlock()
	}()
	for _, name := range sortedKeys(t.Parameters) {
		if t.Parameters[name].NoEcho {
			p.noEcho = append(p.noEcho, name)
		}
	}
	res := &planResolver{e: e, t: t, prior: prior, actions: p.actions, imports: map[string]bool{}, exports: exports, props: map[string]Props{}}
	ev := newEvaluator(t, e.pseudo(req.Stack, prior.ID), values, res)
	for _, name := range sortedKeys(t.Conditions) {
		if _, err := ev.condition(name, join("Conditions", name)); err != nil {
			return nil, err
		}
	}
	p.conds = ev.conditions
	active := map[string]bool{}
	var errs []error
	for _, id := range t.ids {
		ok, err := ev.resourceActive(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		active[id] = ok
		if !ok {
			continue
		}
		if _, known := e.opts.Registry.Provider(t.Resources[id].Type); !known {
			errs = append(errs, t.Lines.errorf(join(join("Resources", id), "Type"), "resource %s: resource type %s is not supported yet (nubo supports: %s)",
				id, t.Resources[id].Type, strings.Join(e.opts.Registry.Types(), ", ")))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if p.graph, err = templateGraph(t, active); err != nil {
		return nil, err
	}
	prepackage(ctx, e.opts.Registry, t, p.graph.order(), req.Stack, req.BaseDir)
	stateful := false
	for _, id := range p.graph.order() {
		r := t.Resources[id]
		prov, _ := e.opts.Registry.Provider(r.Type)
		path := join(join("Resources", id), "Properties")
		props, err := e.resolveProps(ctx, ev, prov, r, path, req.BaseDir)
		if err != nil {
			errs = append(errs, err)
			p.actions[id] = ActionCreate // keep going: report every problem at once
			continue
		}
		schema := prov.Schema()
		for _, verr := range schema.Validate(props) {
			errs = append(errs, propError(t, path, id, verr))
		}
		if prov.Stateful() {
			stateful = true
		}
		if w, ok := prov.(Warner); ok {
			for _, msg := range w.Warnings(props) {
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s (%s): %s", id, r.Type, msg))
			}
		}
		for _, msg := range transformWarnings(r.Metadata) {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s (%s): %s", id, r.Type, msg))
		}
		old := prior.Resources[id]
		c := Change{LogicalID: id, Type: r.Type}
		c.Action, c.Props = decide(schema, old, r.Type, props)
		if old != nil {
			c.PhysicalID = old.PhysicalID
		}
		if c.Action == ActionReplace && prov.Stateful() {
			c.Retained = keeps(r.UpdateReplacePolicy)
			c.DataLoss = !c.Retained
		}
		p.actions[id] = c.Action
		res.props[id] = props
		if c.Action != ActionNone {
			p.Changes = append(p.Changes, c)
		}
	}
	for _, id := range sortedKeys(prior.Resources) {
		if active[id] {
			continue
		}
		old := prior.Resources[id]
		if old.PhysicalID == "" {
			continue
		}
		c := Change{LogicalID: id, Type: old.Type, Action: ActionDelete, PhysicalID: old.PhysicalID,
			Retained: keeps(old.DeletionPolicy)}
		c.DataLoss = old.Stateful && !c.Retained
		p.Changes = append(p.Changes, c)
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].LogicalID < p.Changes[j].LogicalID })

	// Outputs and exports.
	newOutputs := map[string]any{}
	newExports := map[string]any{}
	exportOf := map[string]string{} // output name → export name
	for _, name := range sortedKeys(t.Outputs) {
		o := t.Outputs[name]
		path := join("Outputs", name)
		if o.Condition != "" && !p.conds[o.Condition] {
			continue
		}
		v, err := ev.eval(o.Value, join(path, "Value"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := outputValueCheck(v); err != nil {
			errs = append(errs, t.Lines.errorf(join(path, "Value"), "output %s: %v", name, err))
			continue
		}
		newOutputs[name] = v
		if o.Export != nil {
			xv, err := ev.eval(o.Export, join(path, "Export/Name"))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			xs, ok := xv.(string)
			if !ok || xs == "" {
				errs = append(errs, t.Lines.errorf(join(path, "Export"), "output %s: the export name must be a string known before apply", name))
				continue
			}
			if owner, taken := owners[xs]; taken && owner != req.Stack {
				errs = append(errs, t.Lines.errorf(join(path, "Export"), "output %s: export %q is already exported by stack %q (export names are unique per server)", name, xs, owner))
				continue
			}
			if prev, dup := newExports[xs]; dup {
				_ = prev
				errs = append(errs, t.Lines.errorf(join(path, "Export"), "output %s: export %q is declared twice", name, xs))
				continue
			}
			newExports[xs] = v
			exportOf[name] = xs
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, name := range sortedUnion(prior.Outputs, newOutputs) {
		old, had := prior.Outputs[name]
		nv, has := newOutputs[name]
		oc := OutputChange{Name: name}
		switch {
		case had && !has:
			oc.Op, oc.Old, oc.Export = "-", quote(old.Value), old.Export
		case !had && has:
			oc.Op, oc.New = "+", render(nv)
		default:
			s, _ := stringifyOutput(nv)
			if !isUnknown(nv) && s == old.Value {
				continue
			}
			oc.Op, oc.Old, oc.New = "~", quote(old.Value), render(nv)
		}
		if x, ok := exportOf[name]; ok {
			oc.Export = x
		}
		p.Outputs = append(p.Outputs, oc)
	}
	for name := range res.imports {
		p.Imports = append(p.Imports, name)
	}
	sort.Strings(p.Imports)

	// Export integrity: an export others import cannot go away or change.
	if e.store != nil {
		importers, err := e.store.importers(ctx, req.Stack)
		if err != nil {
			return nil, err
		}
		oldExports := prior.Exports()
		for _, x := range sortedKeys(oldExports) {
			users := importers[x]
			if len(users) == 0 {
				continue
			}
			nv, still := newExports[x]
			switch {
			case !still:
				p.Refusals = append(p.Refusals, fmt.Sprintf("export %q is imported by stack(s) %s: it cannot be removed (deploy them without the import first)", x, strings.Join(users, ", ")))
			case !isUnknown(nv):
				if s, _ := stringifyOutput(nv); s != oldExports[x] {
					p.Refusals = append(p.Refusals, fmt.Sprintf("export %q is imported by stack(s) %s: its value cannot change from %q to %q", x, strings.Join(users, ", "), oldExports[x], s))
				}
			}
		}
	}

	// Class and data safety (seed 001).
	p.Class = req.Class
	if p.Class == "" {
		p.Class = t.Class
	}
	if p.Class == "" {
		p.Class = prior.Class
	}
	if p.Class == "" {
		p.Class = ClassStateless
		if stateful {
			p.Class = ClassStateful
		}
	}
	if p.Class != ClassStateful && p.Class != ClassStateless {
		return nil, fmt.Errorf("class %q: must be %s or %s", p.Class, ClassStateful, ClassStateless)
	}
	if p.Class == ClassStateless {
		for _, id := range p.graph.order() {
			if prov, _ := e.opts.Registry.Provider(t.Resources[id].Type); prov.Stateful() {
				p.Warnings = append(p.Warnings, fmt.Sprintf("stateless stack %q declares %s (%s), which holds data: seed 001 says to manage stateful resources (tables, buckets, queues) in their own stateful stack, apart from the stateless plumbing (functions, routes) that you can blow away at any time", req.Stack, id, t.Resources[id].Type))
			}
		}
	} else if !req.AllowDataLoss {
		for _, c := range p.Changes {
			if c.DataLoss {
				p.Refusals = append(p.Refusals, fmt.Sprintf("%s %s (%s) in stateful stack %q would lose its data: pass --allow-data-loss, or set %s: Retain", verb(c.Action), c.LogicalID, c.Type, req.Stack, policyFor(c.Action)))
			}
		}
	}
	checkAWSQuotas(p, t, req.AllowOverAWSLimits)
	if prior.InProgress() {
		p.Warnings = append(p.Warnings, fmt.Sprintf("stack %q was interrupted during deployment %d (%s): this deployment continues from the recorded state", req.Stack, prior.Version, prior.Status))
	}
	p.mask()
	p.Digest = p.digest()
	return p, nil
}

// mask hides the values of NoEcho parameters wherever they show in the plan.
func (p *Plan) mask() {
	var secrets []string
	for _, name := range p.noEcho {
		if v := p.rawParams[name]; v != "" {
			secrets = append(secrets, v)
		}
	}
	if len(secrets) == 0 {
		return
	}
	hide := func(s string) string {
		for _, x := range secrets {
			s = strings.ReplaceAll(s, x, Masked)
		}
		return s
	}
	for i := range p.Changes {
		for j := range p.Changes[i].Props {
			pc := &p.Changes[i].Props[j]
			pc.Old, pc.New = hide(pc.Old), hide(pc.New)
		}
	}
	for i := range p.Outputs {
		p.Outputs[i].Old, p.Outputs[i].New = hide(p.Outputs[i].Old), hide(p.Outputs[i].New)
	}
}

// decide compares a resource's recorded state with its new properties.
func decide(schema Schema, old *ResourceState, typ string, props Props) (Action, []PropChange) {
	var changes []PropChange
	switch {
	case old == nil || old.PhysicalID == "":
		for _, k := range sortedKeys(props) {
			diffValue(k, nil, props[k], false, &changes)
		}
		return ActionCreate, changes
	case old.Type != typ:
		return ActionReplace, []PropChange{{Path: "Type", Op: "~", Old: quote(old.Type), New: quote(typ), ForcesReplacement: true}}
	}
	// A create that was in flight at a crash and adopted afterwards has no
	// recorded properties: apply the template's again, in place, rather than
	// plan a replacement that would collide with the adopted resource.
	adopted := old.Pending != "" && old.Props == nil
	replace := false
	for _, k := range sortedUnion(old.Props, props) {
		o, okO := old.Props[k]
		n, okN := props[k]
		if okO && okN && reflect.DeepEqual(o, n) {
			continue
		}
		pr := schema.Properties[k]
		forces := !adopted && pr.CreateOnly && (pr.ReplaceIf == nil || pr.ReplaceIf(o, n))
		replace = replace || forces
		if !okO {
			o = nil
		}
		if !okN {
			n = nil
		}
		diffValue(k, o, n, forces, &changes)
	}
	switch {
	case replace:
		return ActionReplace, changes
	case len(changes) > 0:
		return ActionUpdate, changes
	case old.Pending != "":
		return ActionUpdate, changes // an update was in flight: apply it again
	}
	return ActionNone, nil
}

func verb(a Action) string {
	if a == ActionReplace {
		return "replacing"
	}
	return "deleting"
}

func policyFor(a Action) string {
	if a == ActionReplace {
		return "UpdateReplacePolicy"
	}
	return "DeletionPolicy"
}

func keeps(policy string) bool {
	return policy == "Retain" || policy == "RetainExceptOnCreate" || policy == "Snapshot"
}

// prepackage starts the packaging of every resource whose provider can
// begin before its properties are resolved (Go builds, in parallel).
func prepackage(ctx context.Context, reg *Registry, t *Template, ids []string, stack, baseDir string) {
	for _, id := range ids {
		r := t.Resources[id]
		prov, _ := reg.Provider(r.Type)
		if pp, ok := prov.(Prepackager); ok {
			pp.Prepackage(WithResource(ctx, stack, id), baseDir, r.Properties, r.Metadata)
		}
	}
}

// resolveProps evaluates a resource's properties and runs the provider's
// package hook.
func (e *Engine) resolveProps(ctx context.Context, ev *evaluator, prov Provider, r *Resource, path, baseDir string) (Props, error) {
	v, err := ev.eval(r.Properties, path)
	if err != nil {
		return nil, err
	}
	props, _ := v.(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	resolved, err := e.resolveDynamic(ctx, props)
	if err != nil {
		return nil, ev.fail(path, "resource %s: %v", r.LogicalID, err)
	}
	props = resolved.(map[string]any)
	if pk, ok := prov.(Packager); ok {
		out, err := pk.Package(WithResource(ctx, ev.pseudo.StackName, r.LogicalID), baseDir, props, r.Metadata)
		if err != nil {
			return nil, ev.fail(path, "resource %s: package: %v", r.LogicalID, err)
		}
		props = out
	}
	return jsonShaped(props).(map[string]any), nil
}

func outputValueCheck(v any) error {
	switch x := v.(type) {
	case string, float64, bool, Unknown:
		return nil
	case []any:
		for _, e := range x {
			if _, err := stringify(e); err != nil && !isUnknown(e) {
				return fmt.Errorf("a list output holds strings only")
			}
		}
		return nil
	}
	return fmt.Errorf("an output value is a string or a list of strings, not %s", typeName(v))
}

// stringifyOutput is an output's string form (lists joined with commas).
func stringifyOutput(v any) (string, error) {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, e := range l {
			s, err := stringify(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return stringify(v)
}

// diffValue appends the changes between old and new at path, descending into
// mappings so a changed tag shows as Tags.Env.
func diffValue(path string, old, new any, forces bool, out *[]PropChange) {
	om, oIsMap := old.(map[string]any)
	nm, nIsMap := new.(map[string]any)
	if oIsMap && nIsMap {
		for _, k := range sortedUnion(om, nm) {
			o, okO := om[k]
			n, okN := nm[k]
			if okO && okN && reflect.DeepEqual(o, n) {
				continue
			}
			if !okO {
				o = nil
			}
			if !okN {
				n = nil
			}
			diffValue(path+"."+k, o, n, forces, out)
		}
		return
	}
	pc := PropChange{Path: path, ForcesReplacement: forces}
	switch {
	case old == nil:
		pc.Op, pc.New = "+", render(new)
	case new == nil:
		pc.Op, pc.Old = "-", render(old)
	default:
		pc.Op, pc.Old, pc.New = "~", render(old), render(new)
	}
	*out = append(*out, pc)
}

func sortedUnion[A, B any](a map[string]A, b map[string]B) []string {
	seen := make(map[string]bool, len(a)+len(b))
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	return sortedKeys(seen)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// render prints a value for a plan: JSON, with unknowns spelled out.
func render(v any) string {
	if containsUnknown(v) {
		if isUnknown(v) {
			return "(known after apply)"
		}
		b, _ := json.Marshal(replaceUnknown(v))
		return string(b)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func containsUnknown(v any) bool {
	switch x := v.(type) {
	case Unknown:
		return true
	case map[string]any:
		for _, e := range x {
			if containsUnknown(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsUnknown(e) {
				return true
			}
		}
	}
	return false
}

func replaceUnknown(v any) any {
	switch x := v.(type) {
	case Unknown:
		return "(known after apply)"
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = replaceUnknown(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceUnknown(e)
		}
		return out
	}
	return v
}

func (p *Plan) digest() string {
	h := sha256.New()
	b, _ := json.Marshal(struct {
		C []Change
		O []OutputChange
		V int
		R []string
	}{p.Changes, p.Outputs, p.FromVersion, p.Refusals})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// PlanAction is what a plan does to a resource of schema whose recorded
// properties are old when the template now says new (for provider tests).
func PlanAction(schema Schema, typ string, old, new Props) Action {
	var prev *ResourceState
	if old != nil {
		prev = &ResourceState{Type: typ, PhysicalID: "x", Props: old}
	}
	a, _ := decide(schema, prev, typ, new)
	return a
}

// propError locates a schema problem at its property when it is set.
func propError(t *Template, path, id string, err error) error {
	var pe *PropertyError
	if errors.As(err, &pe) {
		if _, set := t.Lines[join(path, pe.Property)]; set {
			path = join(path, pe.Property)
		}
	}
	return t.Lines.errorf(path, "resource %s: %v", id, err)
}

// resolveDynamic replaces {{resolve:ssm:NAME}} dynamic references in string
// values with the parameter's value (a version suffix is accepted; nubo
// keeps the latest value only).
func (e *Engine) resolveDynamic(ctx context.Context, v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "{{resolve:") {
			return x, nil
		}
		var b strings.Builder
		for {
			i := strings.Index(x, "{{resolve:")
			if i < 0 {
				b.WriteString(x)
				return b.String(), nil
			}
			j := strings.Index(x[i:], "}}")
			if j < 0 {
				return nil, fmt.Errorf("unterminated dynamic reference in %q", x)
			}
			ref := x[i+len("{{resolve:") : i+j]
			service, name, _ := strings.Cut(ref, ":")
			if service != "ssm" {
				return nil, fmt.Errorf("dynamic reference {{resolve:%s}}: only ssm is supported", ref)
			}
			if k := strings.LastIndexByte(name, ':'); k > 0 {
				name = name[:k]
			}
			if e.opts.ParameterLookup == nil {
				return nil, fmt.Errorf("dynamic reference {{resolve:%s}}: no parameter store", ref)
			}
			val, err := e.opts.ParameterLookup(ctx, name)
			if err != nil {
				return nil, fmt.Errorf("dynamic reference {{resolve:%s}}: %w", ref, err)
			}
			b.WriteString(x[:i])
			b.WriteString(val)
			x = x[i+j+2:]
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e2 := range x {
			r, err := e.resolveDynamic(ctx, e2)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e2 := range x {
			r, err := e.resolveDynamic(ctx, e2)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// processTemplate parses req's template and runs its transforms with what
// the deployment knows: the template's directory (AWS::Include), the
// parameter values (the language extensions' Fn::ForEach collections) and
// the pseudo parameters.
func (e *Engine) processTemplate(ctx context.Context, req PlanRequest, prior *StackState) (*Template, error) {
	raw, lines, err := ParseDocument([]byte(req.Template))
	if err != nil {
		return nil, err
	}
	return loadTemplateWith(raw, lines, e.processOptions(ctx, req, prior))
}

// processOptions are the ProcessOptions of a plan of req over prior.
func (e *Engine) processOptions(ctx context.Context, req PlanRequest, prior *StackState) ProcessOptions {
	env := e.pseudo(req.Stack, prior.ID)
	env.BaseDir = req.BaseDir
	opts := ProcessOptions{BaseDir: req.BaseDir, Pseudo: env,
		Parameters: func(defs map[string]*ParamDef) (map[string]any, error) {
			values, _, err := resolveParameters(ctx, &Template{Parameters: defs, Lines: Lines{}}, req.Parameters, prior.Parameters, e.opts.ParameterLookup)
			return values, err
		}}
	if e.opts.Transform != nil {
		opts.Serverless = func(m map[string]any) (map[string]any, error) { return e.opts.Transform(m, env) }
	}
	return opts
}
