package awsapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmarks
// measure the front-end, not a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkFrontEnds is what the table costs a call over a hand-written
// handler: decode, authorize (an allow-all authorizer), handle, encode.
func BenchmarkFrontEnds(b *testing.B) {
	authz := &allowAll{}
	jsonAPI := MustAPI(Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Authorizer: authz, Ops: []Declared{
		Op[echoIn, echoOut]{Name: "Echo", Action: "toy:Echo", Resources: thingTarget, Handler: echo}}})
	restAPI := MustAPI(Spec{Service: "toy", Protocol: RestJSON, Authorizer: authz, Ops: []Declared{
		RawOp{Name: "Invoke", Action: "toy:Invoke", HTTP: "POST /2015-03-31/functions/{FunctionName}/invocations",
			Resources: func(c *Call) ([]Target, error) {
				return []Target{{Resource: "arn:aws:lambda:::function:" + c.R.PathValue("FunctionName")}}, nil
			},
			Handler: func(w http.ResponseWriter, r *http.Request) error {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(200)
				return nil
			}}}})
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(200)
	})
	run := func(b *testing.B, h http.Handler, newReq func() *http.Request) {
		b.ReportAllocs()
		w := &discardWriter{h: http.Header{}}
		for b.Loop() {
			h.ServeHTTP(w, newReq())
		}
	}
	b.Run("json-table", func(b *testing.B) {
		run(b, jsonAPI, func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Name":"a","Count":1}`))
			r.Header.Set("X-Amz-Target", "Toy.Echo")
			return r
		})
	})
	b.Run("rest-raw-table", func(b *testing.B) {
		run(b, restAPI, func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/2015-03-31/functions/f/invocations", strings.NewReader(`{"hello":"world"}`))
		})
	})
	b.Run("rest-plain-handler", func(b *testing.B) {
		run(b, plain, func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/2015-03-31/functions/f/invocations", strings.NewReader(`{"hello":"world"}`))
		})
	})
}

type allowAll struct{}

func (allowAll) Authorize(_ context.Context, _ AuthzRequest) error { return nil }
