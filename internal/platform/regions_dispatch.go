package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
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

// swapHandler is the HTTP listener's handler: the default region's
// gateway, replaced when Reset rebuilds it.
type swapHandler struct{ h atomic.Pointer[http.Handler] }

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := s.h.Load()
	if h == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
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

// noURLs is the Lambda API's function URLs outside the default region:
// the HTTP listener serves the default region's gateway only (decision
// 007).
type noURLs struct{ home string }

func (noURLs) GetURL(string, string) (functions.FunctionURLConfig, bool) {
	return functions.FunctionURLConfig{}, false
}
func (noURLs) ListURLs(string) []functions.FunctionURLConfig { return nil }
func (n noURLs) PutURL(context.Context, functions.FunctionURLConfig) (functions.FunctionURLConfig, error) {
	return functions.FunctionURLConfig{}, &functions.InvalidParameterError{Message: "nubo serves function URLs in its default region (" + n.home + ") only"}
}
func (noURLs) DeleteURL(context.Context, string, string) error { return functions.ErrURLNotFound }
