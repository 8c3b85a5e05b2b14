package platform

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/gateway"
)

// The edge's and the HTTP listener's way into the regions' contexts, and
// what the default region has that others do not (decision 007).

// dispatch is the edge's handler for the API signed as name: the global
// API, or the API of the request's region.
func (c *contexts) dispatch(name string, proto awsapi.Protocol, isGlobal bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var h http.Handler
		if isGlobal {
			c.mu.Lock()
			h = c.global[name]
			c.mu.Unlock()
		} else {
			region := awsapi.RegionFrom(r.Context())
			if region == "" {
				region = c.root.opts.Region
			}
			p, err := c.region(region)
			if err != nil {
				c.root.log.Error("region unavailable", "region", region, "err", err)
				awsapi.WriteError(w, r, proto, awsapi.Errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "region %s is not available: %v", region, err), c.root.log)
				return
			}
			h = p.handlers[name]
		}
		if h == nil {
			awsapi.WriteError(w, r, proto, awsapi.Errorf(http.StatusBadRequest, "UnknownServiceException",
				"nubo serves the %q API in the default region (%s) only", name, c.root.opts.Region), c.root.log)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// gatewayRouter is the HTTP listener's handler: each region has its
// gateway (its APIs, function URLs and custom domains), and a request goes
// to the region whose gateway has the API, URL or domain it names (by
// Host {id}.execute-api.*, {id}.lambda-url.*, /_api/{id}/, /_url/{id}/ or a
// custom domain's name), the default region's first; the default region's
// gateway answers what no gateway has. With one region no lookup is made.
type gatewayRouter struct{ c *contexts }

func (g gatewayRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var list []*Platform
	if l := g.c.order.Load(); l != nil {
		list = *l
	}
	if len(list) == 0 || list[0].region != g.c.root.opts.Region || list[0].Gateway == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	h := list[0]
	if len(list) > 1 && !owns(h.Gateway, r) {
		for _, p := range list[1:] {
			if p.Gateway != nil && owns(p.Gateway, r) {
				h = p
				break
			}
		}
	}
	h.Gateway.Handler().ServeHTTP(w, r)
}

// owns reports whether gw serves the API, function URL or domain r names.
func owns(gw *gateway.Gateway, r *http.Request) bool {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	api := func(id string) bool { _, ok := gw.Get(id); return ok }
	url := func(id string) bool {
		return slices.ContainsFunc(gw.FunctionURLs(), func(u gateway.FunctionURL) bool { return u.ID == id })
	}
	if id, _, ok := strings.Cut(host, ".execute-api."); ok {
		return api(id)
	}
	if id, _, ok := strings.Cut(host, ".lambda-url."); ok {
		return url(id)
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/_api/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return api(id)
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/_url/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return url(id)
	}
	_, ok := gw.GetDomain(host)
	return ok
}

// homePart records, at first start, the region whose state keeps the
// plain names (the default region then) and names it to the backbone
// before any bucket is opened.
type homePart struct{ p *Platform }

func (h homePart) Start(ctx context.Context) error {
	kv, err := h.p.Backbone.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: regionsBucket,
		Description: "nubo: the home region and the regions built", History: 1})
	if err != nil {
		return err
	}
	_, err = kv.Create(ctx, "home", []byte(h.p.opts.Region))
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return fmt.Errorf("regions: home: %w", err)
	}
	e, err := kv.Get(ctx, "home")
	if err != nil {
		return fmt.Errorf("regions: home: %w", err)
	}
	if home := string(e.Value()); home != h.p.opts.Region {
		h.p.log.Warn("the data was first served with another --region: that region's state keeps the plain names", "home", home, "region", h.p.opts.Region)
	}
	h.p.Backbone.SetHome(string(e.Value()))
	return nil
}

func (homePart) Close(context.Context) error { return nil }
