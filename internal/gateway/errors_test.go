package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestErrorAnswers(t *testing.T) {
	outcomes := map[string]func(ctx context.Context) ([]byte, string, error){
		"ok": func(context.Context) ([]byte, string, error) {
			return []byte(`{"statusCode":200,"body":"ok"}`), "", nil
		},
		"unhandled": func(context.Context) ([]byte, string, error) {
			return []byte(`{"errorMessage":"boom","errorType":"Error"}`), "Unhandled", nil
		},
		"bad-shape":     func(context.Context) ([]byte, string, error) { return []byte(`{"statusCode":"teapot"}`), "", nil },
		"throttled":     func(context.Context) ([]byte, string, error) { return nil, "", fmt.Errorf("pool: %w", ErrThrottled) },
		"timeout":       func(context.Context) ([]byte, string, error) { return nil, "", ErrTimeout },
		"not-found":     func(context.Context) ([]byte, string, error) { return nil, "", ErrFunctionNotFound },
		"other":         func(context.Context) ([]byte, string, error) { return nil, "", errors.New("disk on fire") },
		"slow":          func(ctx context.Context) ([]byte, string, error) { <-ctx.Done(); return nil, "", ctx.Err() },
		"cause-timeout": func(ctx context.Context) ([]byte, string, error) { <-ctx.Done(); return nil, "", context.Cause(ctx) },
	}
	inv := &fakeInvoker{invoke: func(ctx context.Context, fn string, _ []byte, _ Source) ([]byte, string, error) {
		return outcomes[fn](ctx)
	}}
	e := newEnv(t, inv)
	var routes []Route
	for fn := range outcomes {
		r := route("ANY /"+fn, fn)
		if fn == "slow" || fn == "cause-timeout" {
			r.Integration.TimeoutMillis = 50
		}
		routes = append(routes, r)
	}
	e.put(t, API{ID: "errhttp", Type: TypeHTTP, Routes: routes})
	e.put(t, API{ID: "errrest", Type: TypeREST, Routes: routes, Stages: []Stage{{Name: "s"}}})

	cases := []struct {
		fn                 string
		httpStatus         int
		httpBody           string
		restStatus         int
		restBody, restType string
	}{
		{"ok", 200, "ok", 200, "ok", ""},
		{"unhandled", 502, `{"message":"Internal Server Error"}`, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"bad-shape", 502, `{"message":"Internal Server Error"}`, 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"throttled", 429, `{"message":"Too Many Requests"}`, 429, `{"message":"Too Many Requests"}`, "ThrottlingException"},
		{"timeout", 503, `{"message":"Service Unavailable"}`, 504, `{"message": "Endpoint request timed out"}`, "IntegrationTimeoutException"},
		{"slow", 503, `{"message":"Service Unavailable"}`, 504, `{"message": "Endpoint request timed out"}`, "IntegrationTimeoutException"},
		{"cause-timeout", 503, `{"message":"Service Unavailable"}`, 504, `{"message": "Endpoint request timed out"}`, "IntegrationTimeoutException"},
		{"not-found", 500, `{"message":"Internal Server Error"}`, 500, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{"other", 500, `{"message":"Internal Server Error"}`, 500, `{"message": "Internal server error"}`, "InternalServerErrorException"},
	}
	for _, tc := range cases {
		t.Run(tc.fn, func(t *testing.T) {
			res := e.do(t, req{host: "errhttp.execute-api.localhost", path: "/" + tc.fn})
			if res.status != tc.httpStatus || string(res.body) != tc.httpBody {
				t.Errorf("HTTP API: %d %s, want %d %s", res.status, res.body, tc.httpStatus, tc.httpBody)
			}
			res = e.do(t, req{path: "/_api/errrest/s/" + tc.fn})
			if res.status != tc.restStatus || string(res.body) != tc.restBody || res.header.Get("X-Amzn-Errortype") != tc.restType {
				t.Errorf("REST API: %d %s %q, want %d %s %q", res.status, res.body, res.header.Get("X-Amzn-Errortype"), tc.restStatus, tc.restBody, tc.restType)
			}
		})
	}
}

func TestPayloadTooLarge(t *testing.T) {
	inv := &fakeInvoker{}
	e := newEnv(t, inv)
	e.put(t, httpAPI("big1", route("POST /up", "up")))
	e.put(t, API{ID: "bigrest", Type: TypeREST, Routes: []Route{route("POST /up", "up")}, Stages: []Stage{{Name: "s"}}})
	u, err := e.g.PutFunctionURL(t.Context(), FunctionURL{Function: "up"})
	if err != nil {
		t.Fatal(err)
	}
	atLimit := bytes.Repeat([]byte("a"), MaxAPIBody)
	over := append(atLimit, 'b')
	cases := []struct {
		name   string
		r      req
		status int
		body   string
	}{
		{"http at limit", req{method: "POST", host: "big1.execute-api.localhost", path: "/up", body: atLimit}, 200, "ok"},
		{"http over", req{method: "POST", host: "big1.execute-api.localhost", path: "/up", body: over}, 413, `{"message":"Request Entity Too Large"}`},
		{"rest over", req{method: "POST", path: "/_api/bigrest/s/up", body: over}, 413, `{"message":"Request Too Long"}`},
		{"url over", req{method: "POST", path: "/_url/" + u.ID + "/", body: bytes.Repeat([]byte("a"), MaxURLBody+1)}, 413, `{"message":"Request Entity Too Large"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := inv.count()
			res := e.do(t, tc.r)
			if res.status != tc.status || string(res.body) != tc.body {
				t.Fatalf("%d %s, want %d %s", res.status, res.body, tc.status, tc.body)
			}
			if tc.status == 413 && inv.count() != before {
				t.Error("invoked anyway")
			}
		})
	}
}
