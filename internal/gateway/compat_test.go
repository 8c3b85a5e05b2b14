package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// What aws-lambda-go handlers return, marshalled as the runtime does, comes
// out of the gateway as the HTTP response API Gateway would give.
func TestCompat_AWSLambdaGoResponses(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2}
	results := map[string]any{
		"v2": events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: map[string]string{"Content-Type": "text/plain", "X-A": "1"},
			Cookies: []string{"a=1", "b=2"}, Body: "created"},
		"v2-binary": events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "image/png"},
			Body: base64.StdEncoding.EncodeToString(png), IsBase64Encoded: true},
		"v1": events.APIGatewayProxyResponse{StatusCode: 404, Headers: map[string]string{"Content-Type": "application/json"},
			MultiValueHeaders: map[string][]string{"Set-Cookie": {"x=1", "y=2"}}, Body: `{"error":"nope"}`},
		"url": events.LambdaFunctionURLResponse{StatusCode: 202, Headers: map[string]string{"Content-Type": "text/html"}, Body: "<p>hi</p>", Cookies: []string{"c=3"}},
	}
	inv := &fakeInvoker{invoke: func(_ context.Context, fn string, _ []byte, _ Source) ([]byte, string, error) {
		b, err := json.Marshal(results[fn])
		return b, "", err
	}}
	e := newEnv(t, inv)
	e.put(t, httpAPI("compat1", route("GET /v2", "v2"), route("GET /v2-binary", "v2-binary")))
	e.put(t, API{ID: "compat2", Type: TypeREST, Routes: []Route{route("GET /v1", "v1")}, Stages: []Stage{{Name: "s"}}})
	u, err := e.g.PutFunctionURL(t.Context(), FunctionURL{Function: "url"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		r       req
		status  int
		body    string
		headers map[string][]string
	}{
		{"v2", req{host: "compat1.execute-api.localhost", path: "/v2"}, 201, "created",
			map[string][]string{"Content-Type": {"text/plain"}, "X-A": {"1"}, "Set-Cookie": {"a=1", "b=2"}}},
		{"v2-binary", req{host: "compat1.execute-api.localhost", path: "/v2-binary"}, 200, string(png),
			map[string][]string{"Content-Type": {"image/png"}}},
		{"v1", req{path: "/_api/compat2/s/v1"}, 404, `{"error":"nope"}`,
			map[string][]string{"Content-Type": {"application/json"}, "Set-Cookie": {"x=1", "y=2"}}},
		{"url", req{path: "/_url/" + u.ID + "/"}, 202, "<p>hi</p>",
			map[string][]string{"Content-Type": {"text/html"}, "Set-Cookie": {"c=3"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(t, tc.r)
			if res.status != tc.status || string(res.body) != tc.body {
				t.Errorf("%d %q, want %d %q", res.status, res.body, tc.status, tc.body)
			}
			for k, want := range tc.headers {
				if d := cmp.Diff(want, res.header.Values(k)); d != "" {
					t.Errorf("%s (-want +got):\n%s", k, d)
				}
			}
		})
	}
}

// A handler returning *events.LambdaFunctionURLStreamingResponse produces
// exactly the bytes the runtime streams; the gateway turns its prelude into
// the status line and headers.
func TestCompat_StreamingResponse(t *testing.T) {
	inv := &fakeInvoker{stream: func(_ context.Context, fn string, _ []byte, w io.Writer, _ Source) (string, error) {
		var r io.Reader
		switch fn {
		case "url":
			r = &events.LambdaFunctionURLStreamingResponse{StatusCode: 207, Headers: map[string]string{"Content-Type": "text/event-stream"},
				Cookies: []string{"k=v"}, Body: strings.NewReader("data: 1\n\ndata: 2\n\n")}
		case "apigw":
			r = &events.APIGatewayProxyStreamingResponse{StatusCode: 200, MultiValueHeaders: map[string][]string{"X-M": {"a", "b"}},
				Body: strings.NewReader("chunk")}
		}
		_, err := io.Copy(w, r)
		return "", err
	}}
	e := newEnv(t, inv)
	for fn, want := range map[string]struct {
		status  int
		body    string
		headers map[string][]string
	}{
		"url":   {207, "data: 1\n\ndata: 2\n\n", map[string][]string{"Content-Type": {"text/event-stream"}, "Set-Cookie": {"k=v"}}},
		"apigw": {200, "chunk", map[string][]string{"X-M": {"a", "b"}, "Content-Type": {"application/octet-stream"}}},
	} {
		u, err := e.g.PutFunctionURL(t.Context(), FunctionURL{Function: fn, InvokeMode: InvokeStreaming})
		if err != nil {
			t.Fatal(err)
		}
		res := e.do(t, req{host: u.ID + ".lambda-url.localhost", path: "/"})
		if res.status != want.status || string(res.body) != want.body {
			t.Errorf("%s: %d %q", fn, res.status, res.body)
		}
		for k, v := range want.headers {
			if d := cmp.Diff(v, res.header.Values(k)); d != "" {
				t.Errorf("%s: %s (-want +got):\n%s", fn, k, d)
			}
		}
	}
}
