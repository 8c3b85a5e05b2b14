package stacks

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Props is a resource's resolved Properties.
type Props map[string]any

// Attrs is what Fn::GetAtt can read ("Arn", ...); Ref is the physical id.
type Attrs map[string]any

// Provider is one resource type: the plug-in seam of the engine.
type Provider interface {
	Type() string   // "AWS::SSM::Parameter"
	Schema() Schema // properties: types, Required, CreateOnly (forces replacement), ReadOnly attrs
	Create(ctx context.Context, props Props) (physicalID string, attrs Attrs, err error)
	Update(ctx context.Context, physicalID string, old, new Props) (Attrs, error)
	Delete(ctx context.Context, physicalID string) error
	Read(ctx context.Context, physicalID string) (Props, error) // live state for drift; ErrNotFound when gone
	Stateful() bool
}

// Packager is an optional Provider extension: before planning, it turns local
// paths in a resource's properties (CodeUri, ...) into content hashes so a
// source change shows in the plan. baseDir is the template's directory;
// metadata is the resource's Metadata (SAM's BuildMethod lives there).
type Packager interface {
	Package(ctx context.Context, baseDir string, props Props, metadata map[string]any) (Props, error)
}

// Prepackager is an optional Packager extension: before planning, the engine
// offers it each active resource of its type with the template's raw
// Properties (intrinsics unresolved), so that slow packaging (Go builds) can
// start at once and run in parallel; Package then waits for its own result.
type Prepackager interface {
	Prepackage(ctx context.Context, baseDir string, props map[string]any, metadata map[string]any)
}

// Warner is an optional Provider extension: at plan time it says what of a
// resource's properties nubo will not honour as AWS does (a route it will not
// serve...). props may hold values still unknown before apply. The plan
// shows each warning after the resource's logical id; deploy still applies.
type Warner interface {
	Warnings(props Props) []string
}

// Snapshotter is an optional Provider extension for DeletionPolicy: Snapshot.
// Providers without it keep the resource (Retain) instead.
type Snapshotter interface {
	Snapshot(ctx context.Context, physicalID string) error
}

type progressKey struct{}

// WithProgress has Progress(ctx, ...) calls made with the returned context
// (package hooks: builds) reach f as well.
func WithProgress(ctx context.Context, f func(msg string)) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// Progress reports a line of progress (a build starting or ending) to the
// request that ctx belongs to, if it listens.
func Progress(ctx context.Context, msg string) {
	if f, ok := ctx.Value(progressKey{}).(func(string)); ok && f != nil {
		f(msg)
	}
}

type resourceKey struct{}

type resourceRef struct{ stack, logicalID, suffix string }

// WithResource stores the stack name and logical id for the provider call.
func WithResource(ctx context.Context, stack, logicalID string) context.Context {
	return context.WithValue(ctx, resourceKey{}, resourceRef{stack: stack, logicalID: logicalID})
}

// WithNameSuffix fixes the random part of the names GeneratedName gives in
// ctx. The engine draws it before a create and records the physical id it
// yields (see Identifier), so a create interrupted by a crash leaves nothing
// it cannot find again.
func WithNameSuffix(ctx context.Context, suffix string) context.Context {
	r, _ := ctx.Value(resourceKey{}).(resourceRef)
	r.suffix = suffix
	return context.WithValue(ctx, resourceKey{}, r)
}

const nameAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NewNameSuffix draws the 12 random characters of a generated name.
func NewNameSuffix() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = nameAlphabet[int(b[i])%len(nameAlphabet)]
	}
	return string(b[:])
}

// ResourceFrom returns the stack name and logical id of the resource a
// provider call is for; providers that generate names use them
// (CloudFormation names things STACK-LOGICALID-RANDOM).
func ResourceFrom(ctx context.Context) (stack, logicalID string) {
	r, _ := ctx.Value(resourceKey{}).(resourceRef)
	return r.stack, r.logicalID
}

// Registry holds the providers by type.
type Registry struct {
	byType map[string]Provider
	types  []string
}

// NewRegistry returns a registry of ps: an error on an empty list, an empty
// Type() or a duplicate.
func NewRegistry(ps ...Provider) (*Registry, error) {
	if len(ps) == 0 {
		return nil, errors.New("stacks: registry: no providers")
	}
	r := &Registry{byType: map[string]Provider{}}
	for i, p := range ps {
		if p == nil {
			return nil, fmt.Errorf("stacks: registry: provider %d is nil", i)
		}
		t := p.Type()
		if t == "" {
			return nil, fmt.Errorf("stacks: registry: provider %d has an empty type", i)
		}
		if _, dup := r.byType[t]; dup {
			return nil, fmt.Errorf("stacks: registry: duplicate provider for %s", t)
		}
		r.byType[t] = p
		r.types = append(r.types, t)
	}
	sort.Strings(r.types)
	return r, nil
}

// Provider returns the provider of typ.
func (r *Registry) Provider(typ string) (Provider, bool) {
	if r == nil {
		return nil, false
	}
	p, ok := r.byType[typ]
	return p, ok
}

// Types lists the registered types, sorted.
func (r *Registry) Types() []string {
	if r == nil {
		return nil
	}
	return append([]string(nil), r.types...)
}

// GeneratedID is an id of n lowercase letters and digits (n at most 12) for
// a resource whose id the service draws (an API Gateway API id): the random
// part WithNameSuffix put in ctx, else a fresh one. Like GeneratedName, it
// lets a provider say before a create which id it will have.
func GeneratedID(ctx context.Context, n int) string {
	r, _ := ctx.Value(resourceKey{}).(resourceRef)
	s := r.suffix
	if s == "" {
		s = NewNameSuffix()
	}
	return strings.ToLower(s[:min(n, len(s))])
}

// GeneratedName is CloudFormation's name for a resource the template does not
// name: PhysicalName of the stack, the logical id and a random part, in
// maxLen. The random part is the one WithNameSuffix put in ctx (the same
// name every call, so a provider can say before a create which name it will
// use: Identifier), else a fresh one.
func GeneratedName(ctx context.Context, maxLen int) string {
	r, _ := ctx.Value(resourceKey{}).(resourceRef)
	suffix := r.suffix
	if suffix == "" {
		suffix = NewNameSuffix()
	}
	return PhysicalName(r.stack, r.logicalID, suffix, maxLen)
}

// PhysicalName is the one implementation of CloudFormation's generated
// physical names: STACK-LOGICALID-SUFFIX, or STACK-LOGICALID without a
// suffix. When the whole would exceed maxLen, the longer of the stack name
// and the logical id loses its last character until it fits (both are
// kept, shortened, as CloudFormation's own names show them); the suffix is
// never shortened. An empty stack is "CFN", an empty logical id "Resource".
func PhysicalName(stack, logicalID, suffix string, maxLen int) string {
	if stack == "" {
		stack = "CFN"
	}
	if logicalID == "" {
		logicalID = "Resource"
	}
	room := maxLen - 1
	if suffix != "" {
		room -= len(suffix) + 1
	}
	for len(stack)+len(logicalID) > room && len(stack)+len(logicalID) > 2 {
		if len(stack) >= len(logicalID) {
			stack = stack[:len(stack)-1]
		} else {
			logicalID = logicalID[:len(logicalID)-1]
		}
	}
	if suffix == "" {
		return stack + "-" + logicalID
	}
	return stack + "-" + logicalID + "-" + suffix
}

// TransformWarningsKey is the resource Metadata key under which a transform
// (SAM's) leaves warnings for the plan, as a list of strings: what of the
// template it accepts but nubo does not do as AWS does.
const TransformWarningsKey = "NuboTransformWarnings"

func transformWarnings(md map[string]any) []string {
	list, _ := md[TransformWarningsKey].([]any)
	var out []string
	for _, w := range list {
		if s, ok := w.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
