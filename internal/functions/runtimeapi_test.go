package functions

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// apiInstance is an instance that is never started: enough to drive its
// Runtime API handlers directly.
func apiInstance(t testing.TB) *instance {
	t.Helper()
	p, err := NewPool(PoolOptions{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	in := newInstance(p, &Config{Name: "f", ARN: "arn:aws:lambda:us-east-1:000000000000:function:f"}, 0, 1, false)
	return in
}

// serveAPI sends r to the instance's Runtime API as its own process would:
// under the instance's secret prefix.
func serveAPI(in *instance, w http.ResponseWriter, r *http.Request) {
	r.URL.Path = in.apiPrefix + r.URL.Path
	in.ServeHTTP(w, r)
}

func TestRuntimeAPIRejects(t *testing.T) {
	in := apiInstance(t)
	in.busy, in.reqID, in.req = true, "req-1", &Request{}
	tests := map[string]struct {
		method, path string
		status       int
		errType      string
	}{
		"wrong id response":  {http.MethodPost, "/2018-06-01/runtime/invocation/req-2/response", http.StatusBadRequest, "InvalidRequestID"},
		"wrong id error":     {http.MethodPost, "/2018-06-01/runtime/invocation/nope/error", http.StatusBadRequest, "InvalidRequestID"},
		"unknown path":       {http.MethodGet, "/2018-06-01/runtime/whatever", http.StatusNotFound, "NotFound"},
		"unknown invocation": {http.MethodPost, "/2018-06-01/runtime/invocation/req-1/other", http.StatusNotFound, "NotFound"},
		"next with POST":     {http.MethodPost, "/2018-06-01/runtime/invocation/next", http.StatusMethodNotAllowed, "MethodNotAllowed"},
		"unknown extension":  {http.MethodGet, "/2020-01-01/extension/event/next", http.StatusForbidden, "Extension.UnknownExtensionIdentifier"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			serveAPI(in, rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(`{}`)))
			var e errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if rec.Code != tt.status || e.ErrorType != tt.errType {
				t.Errorf("got %d %+v, want %d %s", rec.Code, e, tt.status, tt.errType)
			}
		})
	}
}

func TestRuntimeAPIAnswer(t *testing.T) {
	errBody := base64.StdEncoding.EncodeToString([]byte(`{"errorMessage":"late","errorType":"errorString"}`))
	tests := map[string]struct {
		path     string
		body     string
		header   http.Header
		trailer  http.Header
		want     string
		wantFail bool
	}{
		"response": {path: "response", body: `{"ok":true}`, want: `{"ok":true}`},
		"error document": {path: "error", body: `{"errorMessage":"bad","errorType":"MyError"}`,
			want: `{"errorMessage":"bad","errorType":"MyError"}`, wantFail: true},
		"error without document": {path: "error", body: "plain text", header: http.Header{hdrErrorType: {"Custom.Error"}},
			want: `{"errorType":"Custom.Error","errorMessage":"plain text"}`, wantFail: true},
		"error in trailers": {path: "response", body: "partial", trailer: http.Header{hdrErrorType: {"errorString"}, hdrErrorBody: {errBody}},
			want: `{"errorMessage":"late","errorType":"errorString"}`, wantFail: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := apiInstance(t)
			in.busy, in.reqID, in.req = true, "req-1", &Request{}
			r := httptest.NewRequest(http.MethodPost, "/2018-06-01/runtime/invocation/req-1/"+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				r.Header[k] = v
			}
			r.Trailer = tt.trailer
			rec := httptest.NewRecorder()
			serveAPI(in, rec, r)
			if rec.Code != http.StatusAccepted {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			select {
			case <-in.done:
			default:
				t.Fatal("the invocation was not completed")
			}
			if string(in.resPayload) != tt.want || in.resErr != tt.wantFail {
				t.Errorf("answer = %s (failed %v), want %s (failed %v)", in.resPayload, in.resErr, tt.want, tt.wantFail)
			}
			// A second answer for the same invocation is refused.
			rec = httptest.NewRecorder()
			serveAPI(in, rec, httptest.NewRequest(http.MethodPost, "/2018-06-01/runtime/invocation/req-1/response", strings.NewReader(`1`)))
			if rec.Code != http.StatusBadRequest {
				t.Errorf("second answer: status %d, want 400", rec.Code)
			}
		})
	}
}

func TestRuntimeAPIResponseTooLarge(t *testing.T) {
	in := apiInstance(t)
	in.busy, in.reqID, in.req = true, "req-1", &Request{}
	body := io.LimitReader(zeros{}, maxResponseBytes+10)
	rec := httptest.NewRecorder()
	serveAPI(in, rec, httptest.NewRequest(http.MethodPost, "/2018-06-01/runtime/invocation/req-1/response", body))
	<-in.done
	var e errorBody
	if err := json.Unmarshal(in.resPayload, &e); err != nil || !in.resErr || e.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Errorf("answer = %s (failed %v), %v", in.resPayload, in.resErr, err)
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

func TestExtensionRegister(t *testing.T) {
	in := apiInstance(t)
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/2020-01-01/extension/register", strings.NewReader(`{"events":["SHUTDOWN"]}`))
	r.Header.Set(hdrExtensionName, "GoLangEnableSIGTERM")
	serveAPI(in, rec, r)
	id := rec.Header().Get(hdrExtensionID)
	if rec.Code != http.StatusOK || id == "" {
		t.Fatalf("register: %d, id %q", rec.Code, id)
	}
	close(in.shutdown)
	rec = httptest.NewRecorder()
	r = httptest.NewRequest(http.MethodGet, "/2020-01-01/extension/event/next", nil)
	r.Header.Set(hdrExtensionID, id)
	serveAPI(in, rec, r)
	var ev struct {
		EventType string `json:"eventType"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ev); err != nil || ev.EventType != "SHUTDOWN" {
		t.Errorf("event = %s, %v", rec.Body, err)
	}
}

func FuzzFunctionErrorDoc(f *testing.F) {
	f.Add([]byte(`{"errorMessage":"x","errorType":"y"}`), "Runtime.Unknown")
	f.Add([]byte("not json"), "")
	f.Add([]byte(`{"unterminated":`), "T")
	f.Add([]byte{0xff, 0xfe}, "\x00")
	f.Fuzz(func(t *testing.T, body []byte, typ string) {
		doc := functionErrorDoc(body, typ)
		if !json.Valid(doc) {
			t.Fatalf("invalid JSON document %q for body %q", doc, body)
		}
	})
}

// FuzzLogLines feeds arbitrary output through the log reader: lines come
// out whole, in order, without sync markers or a trailing carriage return.
func FuzzLogLines(f *testing.F) {
	f.Add([]byte("one\ntwo\r\nthree"))
	f.Add(append([]byte("partial"), syncMarker...))
	f.Add([]byte("\n\n\x00"))
	f.Fuzz(func(t *testing.T, out []byte) {
		if len(out) >= maxLogLine {
			return
		}
		in := apiInstance(t)
		sink := &recordingSink{}
		in.p.o.Logs = sink
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		in.logR = r
		in.p.wg.Add(1)
		go func() { _, _ = w.Write(out); _ = w.Close() }()
		in.readLogs()
		marker := syncMarker[:len(syncMarker)-1]
		var want []string
		parts := bytes.Split(out, []byte("\n"))
		for _, l := range parts[:len(parts)-1] {
			if bytes.HasSuffix(l, marker) {
				if l = l[:len(l)-len(marker)]; len(l) == 0 {
					continue
				}
			}
			want = append(want, string(bytes.TrimSuffix(l, []byte("\r"))))
		}
		if last := parts[len(parts)-1]; len(last) > 0 {
			want = append(want, string(bytes.TrimSuffix(last, []byte("\r"))))
		}
		var got []string
		for _, l := range sink.lines {
			got = append(got, l.line)
		}
		if strings.Join(got, "\x01") != strings.Join(want, "\x01") || len(got) != len(want) {
			t.Errorf("lines = %q, want %q", got, want)
		}
	})
}

func TestNewTraceID(t *testing.T) {
	id := newTraceID(time.Unix(0x5759e988, 0))
	if !regexp.MustCompile(`^Root=1-5759e988-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(id) {
		t.Errorf("trace id %q", id)
	}
}

func TestAcceptedLength(t *testing.T) {
	if lengthAccepted[0] != strconv.Itoa(len(bodyAccepted)) {
		t.Errorf("lengthAccepted %s, body is %d bytes", lengthAccepted[0], len(bodyAccepted))
	}
}

// FuzzRuntimeAPI sends arbitrary requests to an instance with no invocation
// in flight: without the instance's secret every one is refused; with it,
// every one is answered (or, for a parked /next on a stopped instance,
// aborted), none completes an invocation.
func FuzzRuntimeAPI(f *testing.F) {
	f.Add("POST", "/2018-06-01/runtime/invocation/x/response", []byte(`{}`))
	f.Add("GET", "/2018-06-01/runtime/invocation/next", []byte(nil))
	f.Add("POST", "/2018-06-01/runtime/init/error", []byte(`{"errorType":"x"}`))
	f.Add("POST", "/2020-01-01/extension/register", []byte(`{"events":["SHUTDOWN","INVOKE"]}`))
	f.Add("GET", "/2020-01-01/extension/event/next", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		r, err := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil || r.URL.Path == "" {
			return
		}
		in := apiInstance(t)
		close(in.shutdown)
		close(in.quit)
		// Without the instance's secret, nothing is served.
		outsider := r.Clone(context.Background())
		rec := httptest.NewRecorder()
		in.ServeHTTP(rec, outsider)
		if rec.Code != http.StatusForbidden {
			t.Fatalf("%s %s without the secret: status %d", method, path, rec.Code)
		}
		rec = httptest.NewRecorder()
		func() {
			defer func() {
				if v := recover(); v != nil && v != http.ErrAbortHandler {
					panic(v)
				}
			}()
			serveAPI(in, rec, r)
		}()
		select {
		case <-in.done:
			t.Fatalf("%s %s completed an invocation that was not in flight", method, path)
		default:
		}
	})
}
