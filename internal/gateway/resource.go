package gateway

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/stacks"
)

// Stack resource providers: AWS::ApiGatewayV2::* and AWS::ApiGateway::*
// (AWS::Lambda::Url and AWS::Lambda::Permission are internal/functions').
//
// CloudFormation spreads one API over many resources (the API, its routes,
// integrations, stages, authorizers; a REST API's resources and methods),
// each created, updated and deleted on its own and in parallel. The
// providers record what each resource declares in one "parts" document per
// API (KV bucket nubo-gateway-stacks, key parts.{apiId}) and after every
// change compose the API the gateway serves from it (compose) and Put it:
// the API is always a function of the declared resources, whatever order
// they arrive in. A route whose integration is not (yet) declared is not
// served.
//
// Sub-resources' physical ids are what CloudFormation's Ref gives (a route
// id, a stage name...), which do not name their API; an index
// (own.{hex(type, stack, logical id, physical id)} → owner) finds it again
// for Read and Delete.

// ResourceOptions configures the providers.
type ResourceOptions struct {
	// HTTPAddr returns the bound --http-addr (host:port) for the URLs the
	// attributes give (ApiEndpoint, FunctionUrl).
	HTTPAddr func() string
}

// StackResources builds the providers over one Gateway.
type StackResources struct {
	g    *Gateway
	opts ResourceOptions

	mu sync.Mutex // serializes read-modify-write of parts on this node

	kvMu sync.Mutex // guards kv, opened on first use
	kv   jetstream.KeyValue
}

const stacksBucket = "nubo-gateway-stacks"

// NewStackResources returns the provider set over g.
func NewStackResources(g *Gateway, o ResourceOptions) *StackResources {
	if o.HTTPAddr == nil {
		o.HTTPAddr = func() string { return "" }
	}
	return &StackResources{g: g, opts: o}
}

// Providers lists every provider of the set.
func (s *StackResources) Providers() []stacks.Provider {
	ps := []stacks.Provider{
		&v2APIProvider{s}, &v2RouteProvider{s}, &v2IntegrationProvider{s}, &v2StageProvider{s},
		&v2AuthorizerProvider{s}, &domainProvider{s, "AWS::ApiGatewayV2::DomainName"}, &v2MappingProvider{s},
		&restAPIProvider{s}, &restResourceProvider{s}, &restMethodProvider{s}, &restDeploymentProvider{s},
		&restStageProvider{s}, &restAuthorizerProvider{s}, &apiKeyProvider{s}, &usagePlanProvider{s},
		&usagePlanKeyProvider{s}, &domainProvider{s, "AWS::ApiGateway::DomainName"}, &basePathMappingProvider{s},
	}
	ps = append(ps, s.extraProviders()...)
	return ps
}

func (s *StackResources) store(ctx context.Context) (jetstream.KeyValue, error) {
	s.kvMu.Lock()
	defer s.kvMu.Unlock()
	if s.kv != nil {
		return s.kv, nil
	}
	kv, err := s.g.opts.Backbone.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: stacksBucket, Description: "nubo API gateway stack resources", History: 1})
	if err != nil {
		return nil, fmt.Errorf("gateway resources: %w", err)
	}
	s.kv = kv
	return kv, nil
}

// apiParts is what the stack resources of one API declare.
type apiParts struct {
	// Base comes from the Api/RestApi resource: name, type, CORS, binary
	// media types, and the routes and authorizers of its Body (or
	// quick-create Target).
	Base         API                    `json:"base"`
	Integrations map[string]Integration `json:"integrations,omitempty"`
	Routes       map[string]partRoute   `json:"routes,omitempty"`
	Stages       map[string]Stage       `json:"stages,omitempty"`
	Authorizers  map[string]Authorizer  `json:"authorizers,omitempty"`
	// REST: the resource tree, methods and deployments (id → stage name).
	RootID      string                  `json:"rootId,omitempty"`
	Resources   map[string]restResource `json:"resources,omitempty"`
	Methods     map[string]partRoute    `json:"methods,omitempty"`
	Deployments map[string]string       `json:"deployments,omitempty"`
	// REST request validation and gateway responses (resource_extra.go):
	// models by name, validators and gateway responses by id.
	Models           map[string]json.RawMessage `json:"models,omitempty"`
	Validators       map[string]validatorPart   `json:"validators,omitempty"`
	GatewayResponses map[string]GatewayResponse `json:"gatewayResponses,omitempty"`
	// Declared holds each resource's properties (kind/physical id) for Read.
	Declared map[string]stacks.Props `json:"declared,omitempty"`
}

// partRoute is a route (v2 Route) or method (REST Method) resource.
type partRoute struct {
	Route         Route  `json:"route"`
	IntegrationID string `json:"integrationId,omitempty"` // v2: Target integrations/ID
	// REST: the method's resource and whether its integration is AWS_PROXY
	// (other integration types are not served).
	ResourceID string `json:"resourceId,omitempty"`
	Method     string `json:"method,omitempty"`
	Proxy      bool   `json:"proxy,omitempty"`
	// Request is a REST method's validator, models and parameters.
	Request *methodRequest `json:"request,omitempty"`
}

type restResource struct {
	ParentID string `json:"parentId"`
	PathPart string `json:"pathPart"`
}

func (p *apiParts) init() {
	if p.Integrations == nil {
		p.Integrations = map[string]Integration{}
	}
	if p.Routes == nil {
		p.Routes = map[string]partRoute{}
	}
	if p.Stages == nil {
		p.Stages = map[string]Stage{}
	}
	if p.Authorizers == nil {
		p.Authorizers = map[string]Authorizer{}
	}
	if p.Resources == nil {
		p.Resources = map[string]restResource{}
	}
	if p.Methods == nil {
		p.Methods = map[string]partRoute{}
	}
	if p.Deployments == nil {
		p.Deployments = map[string]string{}
	}
	if p.Models == nil {
		p.Models = map[string]json.RawMessage{}
	}
	if p.Validators == nil {
		p.Validators = map[string]validatorPart{}
	}
	if p.GatewayResponses == nil {
		p.GatewayResponses = map[string]GatewayResponse{}
	}
	if p.Declared == nil {
		p.Declared = map[string]stacks.Props{}
	}
}

// resourcePath is the full path of a REST resource ("/" for the root).
func (p *apiParts) resourcePath(id string) (string, bool) {
	var segs []string
	for i := 0; id != p.RootID; i++ {
		r, ok := p.Resources[id]
		if !ok || i > 64 {
			return "", false
		}
		segs = append(segs, r.PathPart)
		id = r.ParentID
	}
	var b strings.Builder
	for i := len(segs) - 1; i >= 0; i-- {
		b.WriteString("/" + segs[i])
	}
	if b.Len() == 0 {
		return "/", true
	}
	return b.String(), true
}

// compose builds the API the gateway serves from the declared parts.
func (p *apiParts) compose() API {
	a := cloneAPI(p.Base)
	a.Routes = nil
	seen := map[string]bool{}
	add := func(r Route) {
		method, path, err := parseRouteKey(r.Key)
		if err != nil {
			a.Routes = append(a.Routes, r) // Validate names it
			return
		}
		k := method + " " + path
		if seen[k] {
			return
		}
		seen[k] = true
		a.Routes = append(a.Routes, r)
	}
	// Route and Method resources first: they win over the Body's routes.
	for _, id := range sortedKeys(p.Routes) {
		pr := p.Routes[id]
		integ, ok := p.Integrations[pr.IntegrationID]
		if !ok {
			continue
		}
		r := pr.Route
		r.ID, r.Integration = id, integ
		add(r)
	}
	for _, id := range sortedKeys(p.Methods) {
		pm := p.Methods[id]
		path, ok := p.resourcePath(pm.ResourceID)
		if !ok || !pm.Proxy && pm.Route.Integration.NotServed == "" && pm.Route.Integration.Mock == nil && pm.Route.Integration.Mapped == nil {
			continue
		}
		r := pm.Route
		r.Key = pm.Method + " " + path
		r.Validation = p.validation(pm.Request)
		add(r)
	}
	for _, r := range p.Base.Routes {
		add(r)
	}
	p.composeExtra(&a)
	a.Authorizers = cloneSlice(p.Base.Authorizers)
	have := map[string]bool{}
	for _, z := range a.Authorizers {
		have[z.ID] = true
	}
	for _, id := range sortedKeys(p.Authorizers) {
		if !have[id] {
			a.Authorizers = append(a.Authorizers, p.Authorizers[id])
		}
	}
	a.Stages = nil
	for _, name := range sortedKeys(p.Stages) {
		a.Stages = append(a.Stages, p.Stages[name])
	}
	deployed := map[string]bool{}
	for _, st := range a.Stages {
		deployed[st.Name] = true
	}
	for _, id := range sortedKeys(p.Deployments) {
		if name := p.Deployments[id]; name != "" && !deployed[name] {
			deployed[name] = true
			a.Stages = append(a.Stages, Stage{Name: name})
		}
	}
	for _, st := range p.Base.Stages { // quick create's $default, unless declared
		if !deployed[st.Name] {
			deployed[st.Name] = true
			a.Stages = append(a.Stages, st)
		}
	}
	return a
}

func cloneSlice[T any](s []T) []T { return append([]T(nil), s...) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// getParts reads the parts of api (nil, 0 when there are none).
func (s *StackResources) getParts(ctx context.Context, apiID string) (*apiParts, uint64, error) {
	kv, err := s.store(ctx)
	if err != nil {
		return nil, 0, err
	}
	e, err := kv.Get(ctx, "parts."+apiID)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("api %s: parts: %w", apiID, err)
	}
	p := new(apiParts)
	if err := json.Unmarshal(e.Value(), p); err != nil {
		return nil, 0, fmt.Errorf("api %s: parts: decode: %w", apiID, err)
	}
	p.init()
	return p, e.Revision(), nil
}

// change applies fn to the parts of api, then serves the composed API. A
// change that makes the API invalid is refused with the validation error.
func (s *StackResources) change(ctx context.Context, apiID string, fn func(*apiParts) error) (API, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kv, err := s.store(ctx)
	if err != nil {
		return API{}, err
	}
	var api API
	var refused error // a missing API, fn's or the validation's, returned as it is
	e, err := backbone.Typed[apiParts](kv).Modify(ctx, "parts."+apiID, func(p *apiParts, exists bool) (*apiParts, error) {
		if !exists {
			refused = fmt.Errorf("api %s: %w", apiID, stacks.ErrNotFound)
			return nil, refused
		}
		p.init()
		if refused = fn(p); refused != nil {
			return nil, refused
		}
		api = p.compose()
		check := cloneAPI(api)
		check.Normalize()
		if refused = check.Validate(); refused != nil {
			return nil, refused
		}
		return p, nil
	})
	if err != nil && err == refused {
		return API{}, err
	}
	if err != nil {
		return API{}, fmt.Errorf("api %s: parts: %w", apiID, err)
	}
	return s.serve(ctx, apiID, api, e.Revision)
}

// serve puts the API composed from parts at revision rev. Another node may
// have changed the parts meanwhile and served its composition first; then
// ours is stale and the latest parts are served again, so the last Put
// always reflects the last parts.
func (s *StackResources) serve(ctx context.Context, apiID string, api API, rev uint64) (API, error) {
	for i := 0; ; i++ {
		out, err := s.g.Put(ctx, api)
		if err != nil {
			return API{}, err
		}
		p, cur, err := s.getParts(ctx, apiID)
		if err != nil || p == nil || cur == rev || i >= 10 {
			return out, err
		}
		api, rev = p.compose(), cur
	}
}

// createAPI stores new parts and serves them.
func (s *StackResources) createAPI(ctx context.Context, p *apiParts) (API, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kv, err := s.store(ctx)
	if err != nil {
		return API{}, err
	}
	p.init()
	api := p.compose()
	check := cloneAPI(api)
	check.Normalize()
	if err := check.Validate(); err != nil {
		return API{}, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return API{}, err
	}
	rev, err := kv.Create(ctx, "parts."+p.Base.ID, b)
	if err != nil {
		return API{}, fmt.Errorf("api %s: parts: %w", p.Base.ID, err)
	}
	return s.serve(ctx, p.Base.ID, api, rev)
}

// deleteAPI removes the API and its parts.
func (s *StackResources) deleteAPI(ctx context.Context, apiID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	kv, err := s.store(ctx)
	if err != nil {
		return err
	}
	perr := kv.Delete(ctx, "parts."+apiID)
	gerr := s.g.Delete(ctx, apiID)
	if errors.Is(gerr, ErrNotFound) {
		return fmt.Errorf("api %s: %w", apiID, stacks.ErrNotFound)
	}
	return errors.Join(perr, gerr)
}

// ownerKey is the index key of a resource: its type, stack, logical id and
// physical id, hex-encoded (physical ids hold characters KV keys may not).
func ownerKey(ctx context.Context, typ, phys string) string {
	stack, logical := stacks.ResourceFrom(ctx)
	return "own." + hex.EncodeToString([]byte(typ+"\x00"+stack+"\x00"+logical+"\x00"+phys))
}

func (s *StackResources) setOwner(ctx context.Context, typ, phys, owner string) error {
	kv, err := s.store(ctx)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, ownerKey(ctx, typ, phys), []byte(owner)); err != nil {
		return fmt.Errorf("%s %s: index: %w", typ, phys, err)
	}
	return nil
}

// owner finds the API (domain, plan) a resource belongs to; stacks.ErrNotFound
// when the index has no entry.
func (s *StackResources) owner(ctx context.Context, typ, phys string) (string, error) {
	kv, err := s.store(ctx)
	if err != nil {
		return "", err
	}
	e, err := kv.Get(ctx, ownerKey(ctx, typ, phys))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", fmt.Errorf("%s %s: %w", typ, phys, stacks.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("%s %s: index: %w", typ, phys, err)
	}
	return string(e.Value()), nil
}

// putDeclared and declared keep the properties of resources stored
// outside an API's parts (custom domains), for Read.
func (s *StackResources) putDeclared(ctx context.Context, typ, phys string, props stacks.Props) error {
	kv, err := s.store(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(props)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, "decl."+hex.EncodeToString([]byte(typ+"\x00"+phys)), b); err != nil {
		return fmt.Errorf("%s %s: %w", typ, phys, err)
	}
	return nil
}

func (s *StackResources) declared(ctx context.Context, typ, phys string) stacks.Props {
	kv, err := s.store(ctx)
	if err != nil {
		return nil
	}
	e, err := kv.Get(ctx, "decl."+hex.EncodeToString([]byte(typ+"\x00"+phys)))
	if err != nil {
		return nil
	}
	var props stacks.Props
	_ = json.Unmarshal(e.Value(), &props)
	return props
}

func (s *StackResources) dropDeclared(ctx context.Context, typ, phys string) {
	if kv, err := s.store(ctx); err == nil {
		_ = kv.Delete(ctx, "decl."+hex.EncodeToString([]byte(typ+"\x00"+phys)))
	}
}

// createOwned creates a part of API apiID under a new id: it records the
// owner, runs put, and forgets the owner again if put fails.
func (s *StackResources) createOwned(ctx context.Context, typ, apiID string, put func(id string) error) (string, error) {
	id := NewID()
	if err := s.setOwner(ctx, typ, id, apiID); err != nil {
		return "", err
	}
	if err := put(id); err != nil {
		s.dropOwner(ctx, typ, id)
		return "", err
	}
	return id, nil
}

func (s *StackResources) dropOwner(ctx context.Context, typ, phys string) {
	if kv, err := s.store(ctx); err == nil {
		_ = kv.Delete(ctx, ownerKey(ctx, typ, phys))
	}
}

// readPart and deletePart are the Read and Delete of resources that live in an API's
// parts under declared key kind/phys.
func (s *StackResources) readPart(ctx context.Context, typ, kind, phys string) (stacks.Props, error) {
	apiID, err := s.owner(ctx, typ, phys)
	if err != nil {
		return nil, err
	}
	p, _, err := s.getParts(ctx, apiID)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("%s %s: api %s: %w", typ, phys, apiID, stacks.ErrNotFound)
	}
	props, ok := p.Declared[kind+"/"+phys]
	if !ok {
		return nil, fmt.Errorf("%s %s: %w", typ, phys, stacks.ErrNotFound)
	}
	return maps.Clone(props), nil
}

func (s *StackResources) deletePart(ctx context.Context, typ, kind, phys string, drop func(*apiParts)) error {
	apiID, err := s.owner(ctx, typ, phys)
	if err != nil {
		return err
	}
	_, err = s.change(ctx, apiID, func(p *apiParts) error {
		if _, ok := p.Declared[kind+"/"+phys]; !ok {
			return fmt.Errorf("%s %s: %w", typ, phys, stacks.ErrNotFound)
		}
		delete(p.Declared, kind+"/"+phys)
		drop(p)
		return nil
	})
	if err == nil || errors.Is(err, stacks.ErrNotFound) {
		s.dropOwner(ctx, typ, phys)
	}
	return err
}

// Property helpers: resolved template values are JSON-shaped.

func pstr(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func pbool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

func pnum(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}

func pint(v any) int { return int(pnum(v)) }

func pobj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func plist(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, pstr(e))
		}
		return out
	case []string:
		return cloneSlice(x)
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	}
	return nil
}

// corsFrom reads a CorsConfiguration / Cors / x-amazon-apigateway-cors
// object; keys match case-insensitively (CloudFormation capitalizes them,
// OpenAPI extensions do not).
func corsFrom(v any) *CORS {
	m := pobj(v)
	if m == nil {
		return nil
	}
	get := func(k string) any {
		for mk, mv := range m {
			if strings.EqualFold(mk, k) {
				return mv
			}
		}
		return nil
	}
	return &CORS{
		AllowOrigins: plist(get("AllowOrigins")), AllowMethods: plist(get("AllowMethods")),
		AllowHeaders: plist(get("AllowHeaders")), ExposeHeaders: plist(get("ExposeHeaders")),
		MaxAge: pint(get("MaxAge")), AllowCredentials: pbool(get("AllowCredentials")),
	}
}

// endpoint is an API's base URL on the listener (the Host form), without
// a trailing slash: the ApiEndpoint attribute.
func (s *StackResources) endpoint(apiID string) string {
	return strings.TrimSuffix(URL(s.opts.HTTPAddr(), apiID, ""), "/")
}

func notFound(typ, id string, err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%s %s: %w: %w", typ, id, stacks.ErrNotFound, err)
	}
	return err
}
