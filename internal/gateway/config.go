package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
)

// The configuration API: what `nubo deploy` (through the stack providers)
// calls. Each write is validated, stored in the KV bucket, then applied to a
// new snapshot before it returns, so the change is visible to the next
// request; requests in flight finish on the snapshot they started with.

func (g *Gateway) write(ctx context.Context, key string, v any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.started || g.closed {
		return errors.New("gateway: not running")
	}
	rev, err := g.store.put(ctx, key, v)
	if err != nil {
		return err
	}
	b, err := marshal(v)
	if err != nil {
		return err
	}
	if g.cfg.apply(entry{key: key, value: b, rev: rev}, g.log) {
		g.rebuildLocked()
	}
	return nil
}

func (g *Gateway) remove(ctx context.Context, key string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.started || g.closed {
		return errors.New("gateway: not running")
	}
	rev, err := g.store.delete(ctx, key)
	if err != nil {
		return err
	}
	if g.cfg.apply(entry{key: key, rev: rev, deleted: true}, g.log) {
		g.rebuildLocked()
	}
	return nil
}

// modify is an atomic read-modify-write of the object at key: fn changes
// the stored value, check validates the result. Writers on this node are
// serialized by g.mu; writers on other nodes by the KV revision (a conflict
// reads again and retries).
func modify[T any](ctx context.Context, g *Gateway, key string, fn func(*T) error, check func(*T) error) (T, error) {
	var zero T
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.started || g.closed {
		return zero, errors.New("gateway: not running")
	}
	var refused error // fn's, check's or the missing object's, returned as it is
	e, err := backbone.Typed[T](g.store.kv).Modify(ctx, key, func(v *T, exists bool) (*T, error) {
		if !exists {
			refused = fmt.Errorf("gateway: %s: %w", key, ErrNotFound)
		} else if refused = fn(v); refused == nil {
			refused = check(v)
		}
		if refused != nil {
			return nil, refused
		}
		return v, nil
	})
	if err != nil && err == refused {
		return zero, err
	}
	if err != nil {
		return zero, fmt.Errorf("gateway: %w", err)
	}
	b, err := marshal(e.Value)
	if err != nil {
		return zero, err
	}
	if g.cfg.apply(entry{key: key, value: b, rev: e.Revision}, g.log) {
		g.rebuildLocked()
	}
	return *e.Value, nil
}

// Update changes a stored API atomically: the way to add or remove one
// route, stage or authorizer (the AWS::ApiGatewayV2::Route, Stage,
// Authorizer and AWS::ApiGateway::Method providers) while other resources of
// the same API are deployed in parallel. fn may not change the id.
func (g *Gateway) Update(ctx context.Context, id string, fn func(*API) error) (API, error) {
	return modify(ctx, g, kindAPI+"."+id, fn, func(a *API) error {
		if a.ID != id {
			return invalid("api %s: update changed the id to %q", id, a.ID)
		}
		a.Normalize()
		if err := a.Validate(); err != nil {
			return err
		}
		if _, err := compileAPI(a, g.opts.Account); err != nil {
			return fmt.Errorf("api %s: %w", a.ID, err)
		}
		return nil
	})
}

// UpdateDomain changes a custom domain atomically (one ApiMapping or
// BasePathMapping at a time).
func (g *Gateway) UpdateDomain(ctx context.Context, name string, fn func(*Domain) error) (Domain, error) {
	name = strings.ToLower(name)
	return modify(ctx, g, kindDomain+"."+name, fn, func(d *Domain) error {
		if d.Name != name {
			return invalid("domain %s: update changed the name to %q", name, d.Name)
		}
		normalizeMappings(d)
		return d.Validate()
	})
}

// UpdateUsagePlan changes a usage plan atomically (AWS::ApiGateway::UsagePlanKey).
func (g *Gateway) UpdateUsagePlan(ctx context.Context, id string, fn func(*UsagePlan) error) (UsagePlan, error) {
	return modify(ctx, g, kindPlan+"."+id, fn, func(p *UsagePlan) error {
		if p.ID != id {
			return invalid("usage plan %s: update changed the id to %q", id, p.ID)
		}
		return p.Validate()
	})
}

// Put creates or replaces an API. Missing ids (API, routes, authorizers) are
// generated; the stored API is returned.
func (g *Gateway) Put(ctx context.Context, api API) (API, error) {
	api = cloneAPI(api)
	api.Normalize()
	if err := api.Validate(); err != nil {
		return API{}, err
	}
	if _, err := compileAPI(&api, g.opts.Account); err != nil {
		return API{}, fmt.Errorf("api %s: %w", api.ID, err)
	}
	return api, g.write(ctx, kindAPI+"."+api.ID, &api)
}

// Delete removes an API (ErrNotFound if there is none).
func (g *Gateway) Delete(ctx context.Context, id string) error {
	return g.remove(ctx, kindAPI+"."+id)
}

// Get returns an API as currently served.
func (g *Gateway) Get(id string) (API, bool) {
	a := g.snap.Load().apis[id]
	if a == nil {
		return API{}, false
	}
	return cloneAPI(*a.api), true
}

// APIs lists the APIs served, by id.
func (g *Gateway) APIs() []API {
	s := g.snap.Load()
	out := make([]API, 0, len(s.apis))
	for _, a := range s.apis {
		out = append(out, cloneAPI(*a.api))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// PutDomain creates or replaces a custom domain and its mappings.
func (g *Gateway) PutDomain(ctx context.Context, d Domain) (Domain, error) {
	d.Name = strings.ToLower(strings.TrimSuffix(d.Name, "."))
	d.Mappings = slices.Clone(d.Mappings)
	normalizeMappings(&d)
	if err := d.Validate(); err != nil {
		return Domain{}, err
	}
	return d, g.write(ctx, kindDomain+"."+d.Name, &d)
}

func normalizeMappings(d *Domain) {
	for i := range d.Mappings {
		if d.Mappings[i].ID == "" {
			d.Mappings[i].ID = NewID()
		}
		bp := strings.Trim(d.Mappings[i].BasePath, "/")
		if bp == "(none)" {
			bp = ""
		}
		d.Mappings[i].BasePath = bp
	}
}

// DeleteDomain removes a custom domain.
func (g *Gateway) DeleteDomain(ctx context.Context, name string) error {
	return g.remove(ctx, kindDomain+"."+strings.ToLower(name))
}

// PutFunctionURL creates or replaces a function URL (an id is generated
// when empty). LastModified is set to now; CreationTime, when not given, is
// kept from the URL it replaces or set to now.
func (g *Gateway) PutFunctionURL(ctx context.Context, u FunctionURL) (FunctionURL, error) {
	if u.CORS != nil {
		c := *u.CORS
		u.CORS = &c
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return FunctionURL{}, err
	}
	if other, ok := g.FunctionURLFor(u.Function, u.Qualifier); ok && other.ID != u.ID {
		return FunctionURL{}, invalid("function url for %s (qualifier %q): exists as %s", u.Function, u.Qualifier, other.ID)
	}
	now := time.Now().UTC()
	if u.CreationTime.IsZero() {
		u.CreationTime = now
		if old := g.snap.Load().urls[u.ID]; old != nil && !old.CreationTime.IsZero() {
			u.CreationTime = old.CreationTime
		}
	}
	u.LastModified = now
	return u, g.write(ctx, kindURL+"."+u.ID, &u)
}

// FunctionURLFor finds the URL of a function and qualifier (a function has
// at most one per qualifier, as in Lambda's GetFunctionUrlConfig).
func (g *Gateway) FunctionURLFor(function, qualifier string) (FunctionURL, bool) {
	for _, u := range g.snap.Load().urls {
		if u.Function == function && u.Qualifier == qualifier {
			return *u, true
		}
	}
	return FunctionURL{}, false
}

// DeleteFunctionURL removes a function URL.
func (g *Gateway) DeleteFunctionURL(ctx context.Context, id string) error {
	return g.remove(ctx, kindURL+"."+id)
}

// FunctionURLs lists the function URLs, by id.
func (g *Gateway) FunctionURLs() []FunctionURL {
	s := g.snap.Load()
	out := make([]FunctionURL, 0, len(s.urls))
	for _, u := range s.urls {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// PutAPIKey creates or replaces an API key.
func (g *Gateway) PutAPIKey(ctx context.Context, k APIKey) (APIKey, error) {
	if k.ID == "" {
		k.ID = NewID()
	}
	if k.Value == "" {
		k.Value = randomID(40)
	}
	if err := k.Validate(); err != nil {
		return APIKey{}, err
	}
	if other := g.snap.Load().keys[k.Value]; other != nil && other.ID != k.ID {
		return APIKey{}, invalid("api key %s: value: already used by key %s", k.ID, other.ID)
	}
	return k, g.write(ctx, kindKey+"."+k.ID, &k)
}

// DeleteAPIKey removes an API key.
func (g *Gateway) DeleteAPIKey(ctx context.Context, id string) error {
	return g.remove(ctx, kindKey+"."+id)
}

// PutUsagePlan creates or replaces a usage plan.
func (g *Gateway) PutUsagePlan(ctx context.Context, p UsagePlan) (UsagePlan, error) {
	if p.ID == "" {
		p.ID = NewID()
	}
	p.Stages = slices.Clone(p.Stages)
	p.KeyIDs = slices.Clone(p.KeyIDs)
	if err := p.Validate(); err != nil {
		return UsagePlan{}, err
	}
	return p, g.write(ctx, kindPlan+"."+p.ID, &p)
}

// DeleteUsagePlan removes a usage plan.
func (g *Gateway) DeleteUsagePlan(ctx context.Context, id string) error {
	return g.remove(ctx, kindPlan+"."+id)
}

// URL returns the base URL of an API stage on the gateway's listener address
// (host:port), the form stack outputs give: http://{id}.execute-api.localhost:PORT/{stage}.
func URL(addr, apiID, stage string) string {
	_, port, _ := net.SplitHostPort(addr)
	u := "http://" + apiID + ".execute-api.localhost"
	if port != "" {
		u += ":" + port
	}
	if stage != "" && stage != "$default" {
		u += "/" + stage
	}
	return u + "/"
}

// FunctionURLAddress returns a function URL's address on the listener, the
// FunctionUrl attribute: http://{id}.lambda-url.localhost:PORT/.
func FunctionURLAddress(addr, urlID string) string {
	_, port, _ := net.SplitHostPort(addr)
	u := "http://" + urlID + ".lambda-url.localhost"
	if port != "" {
		u += ":" + port
	}
	return u + "/"
}

func cloneAPI(a API) API {
	a.Routes = slices.Clone(a.Routes)
	for i := range a.Routes {
		a.Routes[i].AuthorizationScopes = slices.Clone(a.Routes[i].AuthorizationScopes)
	}
	a.Stages = slices.Clone(a.Stages)
	a.Authorizers = slices.Clone(a.Authorizers)
	for i := range a.Authorizers {
		a.Authorizers[i].IdentitySource = slices.Clone(a.Authorizers[i].IdentitySource)
		a.Authorizers[i].Audience = slices.Clone(a.Authorizers[i].Audience)
	}
	a.BinaryMediaTypes = slices.Clone(a.BinaryMediaTypes)
	if a.CORS != nil {
		c := *a.CORS
		a.CORS = &c
	}
	return a
}

// GetDomain returns a custom domain and its mappings as stored.
func (g *Gateway) GetDomain(name string) (Domain, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d := g.cfg.domains[strings.ToLower(name)]
	if d == nil {
		return Domain{}, false
	}
	c := *d
	c.Mappings = slices.Clone(d.Mappings)
	return c, true
}

// GetAPIKey returns an API key as stored.
func (g *Gateway) GetAPIKey(id string) (APIKey, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := g.cfg.keys[id]
	if k == nil {
		return APIKey{}, false
	}
	return *k, true
}

// GetUsagePlan returns a usage plan as stored.
func (g *Gateway) GetUsagePlan(id string) (UsagePlan, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.cfg.plans[id]
	if p == nil {
		return UsagePlan{}, false
	}
	c := *p
	c.Stages, c.KeyIDs = slices.Clone(p.Stages), slices.Clone(p.KeyIDs)
	return c, true
}
