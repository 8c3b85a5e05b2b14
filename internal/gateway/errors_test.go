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

// TestPayloadTooLarge: API Gateway refuses a body over 10 MB, and Lambda an
// event over its 6 MB synchronous invoke payload — a 5 MB binary body is a
// 6.67 MB base64 event — which API Gateway answers with 413; function URLs
// the same over 6 MB. None reaches the function.
func TestPayloadTooLarge(t *testing.T) {
	inv := &fakeInvoker{}
	e := newEnv(t, inv)
	e.put(t, httpAPI("big1", route("POST /up", "up")))
	e.put(t, API{ID: "bigrest", Type: TypeREST, Routes: []Route{route("POST /up", "up")}, Stages: []Stage{{Name: "s"}}})
	u, err := e.g.PutFunctionURL(t.Context(), FunctionURL{Function: "up"})
	if err != nil {
		t.Fatal(err)
	}
	bin := map[string][]string{"Content-Type": {"application/octet-stream"}}
	text := bytes.Repeat([]byte("a"), 4<<20)
	binary5MB := bytes.Repeat([]byte{0xff}, 5<<20) // base64: 6.67 MB
	text7MB := bytes.Repeat([]byte("a"), 7<<20)
	atLimit := bytes.Repeat([]byte("a"), MaxAPIBody)
	over := append(atLimit, 'b')
	const entity = `{"message":"Request Entity Too Large"}`
	cases := []struct {
		name   string
		r      req
		status int
		body   string
		errTyp string
	}{
		{"http 4 MB text", req{method: "POST", host: "big1.execute-api.localhost", path: "/up", body: text}, 200, "ok", ""},
		{"http 5 MB binary", req{method: "POST", host: "big1.execute-api.localhost", path: "/up", body: binary5MB, headers: bin}, 413, entity, ""},
		{"http 7 MB text", req{method: "POST", host: "big1.execute-api.localhost", path: "/up", body: text7MB}, 413, entity, ""},
		{"http at 10 MB", req{method: "POST", host: "big1.execute-api.localhost", path: "/up", body: atLimit}, 413, entity, ""},
		{"http over 10 MB", req{method: "POST", host: "big1.execute-api.localhost", path: "/up", body: over}, 413, entity, ""},
		{"rest 4 MB text", req{method: "POST", path: "/_api/bigrest/s/up", body: text}, 200, "ok", ""},
		{"rest 7 MB text", req{method: "POST", path: "/_api/bigrest/s/up", body: text7MB}, 413, `{"message": "Request Too Long"}`, "BadRequestException"},
		{"rest over 10 MB", req{method: "POST", path: "/_api/bigrest/s/up", body: over}, 413, "HTTP content length exceeded 10485760 bytes.", ""},
		{"url 4 MB text", req{method: "POST", path: "/_url/" + u.ID + "/", body: text}, 200, "ok", ""},
		{"url 5 MB binary", req{method: "POST", path: "/_url/" + u.ID + "/", body: binary5MB, headers: bin}, 413, entity, ""},
		{"url over 6 MB", req{method: "POST", path: "/_url/" + u.ID + "/", body: bytes.Repeat([]byte("a"), MaxURLBody+1)}, 413, entity, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := inv.count()
			res := e.do(t, tc.r)
			if res.status != tc.status || string(res.body) != tc.body {
				t.Fatalf("%d %.200s, want %d %s", res.status, res.body, tc.status, tc.body)
			}
			if got := res.header.Get("X-Amzn-Errortype"); got != tc.errTyp {
				t.Errorf("X-Amzn-Errortype %q, want %q", got, tc.errTyp)
			}
			switch {
			case tc.status == 413 && inv.count() != before:
				t.Error("invoked anyway")
			case tc.status == 200 && len(inv.last(t).payload) > MaxInvokePayload:
				t.Errorf("invoked with %d bytes", len(inv.last(t).payload))
			}
		})
	}
}
