package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/nubo-run/nubo/internal/gateway/vtl"
)

// HTTP and HTTP_PROXY integrations: the target URL, and the client that
// calls only loopback addresses.

var uriParam = regexp.MustCompile(`\{([A-Za-z0-9_.-]+)\+?\}`)

// targetURL is the integration URI with its {params} and stage variables
// filled in (and, for HTTP_PROXY, the request's query string); it must be
// a loopback URL.
func (m *Mapped) targetURL(in *inbound, vars map[string]any, proxy bool) (string, error) {
	raw := m.URI
	sv, _ := vars["stageVariables"].(*vtl.Map)
	for _, k := range sv.Keys() {
		v, _ := sv.Get(k)
		raw = strings.ReplaceAll(raw, "${stageVariables."+k+"}", vtl.ToString(v))
	}
	mapped := m.mappedParams("integration.request.path.", in, vars)
	for k, v := range requestOverride(vars, "path") {
		mapped[k] = v
	}
	input := vars["input"].(*vtl.Input)
	raw = uriParam.ReplaceAllStringFunc(raw, func(s string) string {
		name := strings.TrimSuffix(strings.Trim(s, "{}"), "+")
		v, ok := mapped[name]
		if !ok {
			x, _ := input.Path.Get(name)
			v = vtl.ToString(x)
			if x == nil {
				v = ""
			}
		}
		segs := strings.Split(v, "/") // a greedy parameter's value keeps its slashes
		for i := range segs {
			segs[i] = url.PathEscape(segs[i])
		}
		return strings.Join(segs, "/")
	})
	if err := loopbackURL(raw); err != nil {
		return "", err
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if proxy {
		for k, vs := range parseQuery(in.r.URL.RawQuery) {
			q[k] = append(q[k], vs...)
		}
	} else {
		for k, v := range m.mappedParams("integration.request.querystring.", in, vars) {
			q.Set(k, v)
		}
		for k, v := range requestOverride(vars, "querystring") {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// refuseURL answers a request whose integration URL is not loopback.
func (g *Gateway) refuseURL(w http.ResponseWriter, a *compiledAPI, in *inbound, err error) int {
	g.log.Warn("integration not called: not a loopback URL", "api_id", a.api.ID, "route", in.route.routeKey, "err", err)
	return writeJSONMessage(w, http.StatusBadGateway, "nubo did not call the integration: "+err.Error())
}

func (g *Gateway) integrationFailed(w http.ResponseWriter, fl flavor, a *compiledAPI, in *inbound, err error) int {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		return writeFailure(w, fl, failTimeout)
	}
	g.log.Warn("HTTP integration failed", "api_id", a.api.ID, "route", in.route.routeKey, "err", err)
	return writeFailure(w, fl, failInternal)
}

// loopbackClient calls integrations: no proxy, no redirects followed, and
// a dialer that connects to loopback addresses only (a name like
// x.localhost must resolve there too).
var loopbackClient = &http.Client{
	Transport: &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("refused %s: not a loopback address", address)
			}
			return nil
		}}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func callHTTP(ctx context.Context, method, target string, h http.Header, body []byte) (*integrationResult, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = h
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxAPIBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxAPIBody {
		return nil, fmt.Errorf("integration response over %d bytes", MaxAPIBody)
	}
	return &integrationResult{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true, "Host": true}

func hopByHop(k string) bool { return hopHeaders[http.CanonicalHeaderKey(k)] }

// proxyHeaders are the request's headers an HTTP_PROXY integration gets.
func proxyHeaders(src http.Header) http.Header {
	h := http.Header{}
	for k, vs := range src {
		if !hopByHop(k) {
			h[k] = append([]string(nil), vs...)
		}
	}
	return h
}
