package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func assertGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}

// TestEvents_Golden keeps the exact JSON of each event shape the gateway
// sends, for review against API Gateway's documented examples. The request
// id (random) is replaced by a placeholder.
func TestEvents_Golden(t *testing.T) {
	inv := &fakeInvoker{}
	e := newEnv(t, inv, withNow(fixedNow))
	e.put(t, API{ID: "goldenhttp", Type: TypeHTTP, Stages: []Stage{{Name: "$default", Variables: map[string]string{"env": "test"}}},
		Routes: []Route{
			{ID: "r1", Key: "POST /orders/{id}", Integration: Integration{Function: "f"}},
			{ID: "r2", Key: "POST /v1/orders/{id}", Integration: Integration{Function: "f", PayloadFormatVersion: "1.0"}},
		}})
	e.put(t, API{ID: "goldenrest", Type: TypeREST, Stages: []Stage{{Name: "prod"}},
		Routes: []Route{{ID: "m1", Key: "POST /orders/{id}", Integration: Integration{Function: "f"}}}})
	u, err := e.g.PutFunctionURL(context.Background(), FunctionURL{ID: "goldenurl0000000000000000000000a", Function: "f"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"http-v2":  "http://goldenhttp.execute-api.localhost/orders/o-1?expand=items&expand=customer&page=2",
		"http-v1":  "http://goldenhttp.execute-api.localhost/v1/orders/o-1?expand=items&expand=customer&page=2",
		"rest-v1":  "http://goldenrest.execute-api.localhost/prod/orders/o-1?expand=items&expand=customer&page=2",
		"url-v2":   "http://" + u.ID + ".lambda-url.localhost/orders/o-1?expand=items&expand=customer&page=2",
		"binary":   "http://goldenhttp.execute-api.localhost/orders/img",
		"no-query": "http://goldenrest.execute-api.localhost/prod/orders/o-2",
	}
	for name, target := range cases {
		t.Run(name, func(t *testing.T) {
			body, ct := `{"qty":2}`, "application/json"
			if name == "binary" {
				body, ct = "\x89PNG\x00\xff", "image/png"
			}
			r := httptest.NewRequest("POST", target, strings.NewReader(body))
			r.RemoteAddr = "192.0.2.10:52000"
			r.Header.Set("Content-Type", ct)
			r.Header.Set("User-Agent", "curl/8.5.0")
			r.Header.Set("Accept", "*/*")
			r.Header.Add("X-Tag", "a")
			r.Header.Add("X-Tag", "b")
			r.Header.Set("Cookie", "session=abc; theme=dark")
			w := httptest.NewRecorder()
			e.g.Handler().ServeHTTP(w, r)
			if w.Code != 200 {
				t.Fatalf("status %d %s", w.Code, w.Body)
			}
			rid := w.Header().Get("Apigw-Requestid") + w.Header().Get("X-Amzn-Requestid")
			if strings.Contains(name, "rest") || strings.Contains(name, "url") {
				rid = w.Header().Get("X-Amzn-Requestid")
			}
			payload := inv.last(t).payload
			payload = bytes.ReplaceAll(payload, []byte(rid), []byte("REQUEST-ID"))
			payload = bytes.ReplaceAll(payload, []byte(traceID(rid)), []byte("Root=TRACE-ID"))
			var out bytes.Buffer
			if err := json.Indent(&out, payload, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			assertGolden(t, filepath.Join("testdata", "events", name+".json"), out.Bytes())
		})
	}
}
