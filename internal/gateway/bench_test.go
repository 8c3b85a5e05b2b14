package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// trivialInvoker answers at once: what remains is the gateway's own cost.
// The function "mirror" returns its event unchanged, as an echo function
// does: a ~1 KB payload 2.0 shorthand response.
type trivialInvoker struct{}

var trivialResult = []byte(`{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"ok\":true}"}`)

func (trivialInvoker) Invoke(_ context.Context, function string, payload []byte, _ Source) ([]byte, string, error) {
	if function == "mirror" {
		return payload, "", nil
	}
	return trivialResult, "", nil
}

func (trivialInvoker) InvokeStream(_ context.Context, _ string, _ []byte, w io.Writer, _ Source) (string, error) {
	_, err := w.Write(trivialResult)
	return "", err
}

func benchGateway(b *testing.B) *Gateway {
	b.Helper()
	g, err := New(Options{Backbone: backbonetest.New(b), Invoker: trivialInvoker{}})
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Close(context.Background()) })
	routes := []Route{route("GET /items/{id}", "echo"), route("POST /items", "echo"), route("ANY /{proxy+}", "echo"), route("GET /mirror/{id}", "mirror")}
	for i := range 50 { // a realistically sized table
		routes = append(routes, route("GET /area"+strings.Repeat("x", i%5)+"/r"+itoa(int64(i))+"/{id}", "echo"))
	}
	if _, err := g.Put(context.Background(), httpAPI("bench12345", routes...)); err != nil {
		b.Fatal(err)
	}
	if _, err := g.Put(context.Background(), API{ID: "benchrest1", Type: TypeREST, Routes: routes, Stages: []Stage{{Name: "prod"}}}); err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkGateway measures the gateway's overhead per request: routing,
// building the event, parsing the response and writing it, with an Invoker
// that costs nothing. "handler" calls the http.Handler directly; "loopback"
// goes through a real listener with keep-alive connections.
func BenchmarkGateway(b *testing.B) {
	g := benchGateway(b)
	h := g.Handler()
	cases := map[string]func() *http.Request{
		"handler/http-v2": func() *http.Request {
			r := httptest.NewRequest("GET", "http://bench12345.execute-api.localhost/items/42?x=1", nil)
			r.Header.Set("User-Agent", "bench")
			r.Header.Set("Accept", "application/json")
			return r
		},
		"handler/http-v2-mirror": func() *http.Request {
			r := httptest.NewRequest("GET", "http://bench12345.execute-api.localhost/mirror/42?x=1&y=two", nil)
			r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench")
			r.Header.Set("Accept", "application/json")
			r.Header.Set("Accept-Encoding", "gzip, deflate")
			r.Header.Set("Cookie", "session=abc; theme=dark")
			return r
		},
		"handler/rest-v1": func() *http.Request {
			r := httptest.NewRequest("GET", "http://benchrest1.execute-api.localhost/prod/items/42?x=1", nil)
			r.Header.Set("User-Agent", "bench")
			return r
		},
		"handler/post-1KiB": func() *http.Request {
			r := httptest.NewRequest("POST", "http://bench12345.execute-api.localhost/items", strings.NewReader(strings.Repeat(`{"a":"b"}`, 113)))
			r.Header.Set("Content-Type", "application/json")
			return r
		},
	}
	for name, mk := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, mk())
				if w.Code != 200 {
					b.Fatalf("status %d %s", w.Code, w.Body)
				}
			}
		})
	}
	b.Run("loopback/http-v2", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(l) }()
		defer srv.Close()
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		url := "http://" + l.Addr().String() + "/_api/bench12345/items/42"
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				res, err := c.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Errorf("status %d", res.StatusCode)
					return
				}
			}
		})
	})
}
