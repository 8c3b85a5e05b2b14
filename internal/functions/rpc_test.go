package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// transportOf reports how the function's idle instances are reached:
// "rpc", "runtime-api", or "" when none is warm.
func transportOf(p *Pool, name string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	fs := p.fns[name]
	if fs == nil || len(fs.idle) == 0 {
		return ""
	}
	if fs.idle[len(fs.idle)-1].rpc.Load() != nil {
		return "rpc"
	}
	return "runtime-api"
}

func TestTransportChoice(t *testing.T) {
	for _, tt := range []struct {
		name    string
		fn      string
		runtime string
		apiOnly bool
		want    string
	}{
		{"aws-lambda-go listens on the RPC port", "echo", "provided.al2023", false, "rpc"},
		{"go1.x", "echo", "go1.x", false, "rpc"},
		{"built with lambda.norpc: Runtime API", "echo-norpc", "provided.al2023", false, "runtime-api"},
		{"RuntimeAPIOnly", "echo", "provided.al2023", true, "runtime-api"},
		{"not a Go runtime: never offered", "echo", "python3.12", false, "runtime-api"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPool(t, PoolOptions{RuntimeAPIOnly: tt.apiOnly})
			cfg := testConfig(tt.fn)
			cfg.Runtime = tt.runtime
			for i := range 3 {
				res := invoke(t, p, cfg, fmt.Sprintf(`{"n":%d}`, i))
				if res.FunctionError != "" || string(res.Payload) != fmt.Sprintf(`{"n":%d}`, i) {
					t.Fatalf("invoke %d: %s %s", i, res.FunctionError, res.Payload)
				}
				if got := transportOf(p, tt.fn); got != tt.want {
					t.Fatalf("invoke %d: transport %q, want %q", i, got, tt.want)
				}
			}
			if w, _ := p.Instances(tt.fn); w != 1 {
				t.Errorf("warm instances = %d, want 1 reused", w)
			}
		})
	}
}

// TestTransportParity runs the same invocations on both transports of one
// Go binary: callers must not be able to tell them apart.
func TestTransportParity(t *testing.T) {
	type outcome struct {
		FunctionError string
		ContentType   string
		Payload       string
		Lines         []string // the function's own log lines
		Warm          int      // instances left warm
	}
	digits := regexp.MustCompile(`[0-9]+`)
	frames := regexp.MustCompile(`,"stackTrace":\[.*\]`)
	run := func(t *testing.T, apiOnly bool, fn, payload string, timeout time.Duration) outcome {
		sink := &recordingSink{}
		p := newTestPool(t, PoolOptions{RuntimeAPIOnly: apiOnly, Logs: sink})
		cfg := testConfig(fn)
		if timeout > 0 {
			cfg.Timeout = timeout
		}
		// A first invocation warms the instance (and proves the transport).
		if fn != "exit" && fn != "panic" {
			invoke(t, p, testConfig("echo"), `{}`)
			_ = invoke(t, p, cfg, `null`)
		}
		want := "rpc"
		if apiOnly {
			want = "runtime-api"
		}
		if fn != "exit" && fn != "panic" && fn != "sleep" {
			if got := transportOf(p, fn); got != want {
				t.Fatalf("transport %q, want %q", got, want)
			}
		}
		res, err := p.Invoke(context.Background(), cfg, &Request{RequestID: "req-parity", Payload: []byte(payload)})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		fatal := false
		for _, l := range sink.of("req-parity") {
			// After a panic aws-lambda-go exits with a last line that the
			// Runtime API instance writes after its answer: it belongs to
			// the invocation or to none, by timing. nubo writes it for RPC.
			if strings.HasSuffix(l, "resulted in a panic, the process should exit") {
				fatal = true
				continue
			}
			if !strings.HasPrefix(l, "START ") && !strings.HasPrefix(l, "END ") && !strings.HasPrefix(l, "REPORT ") {
				lines = append(lines, l)
			}
		}
		if fn == "panic" && !apiOnly && !fatal {
			t.Error("RPC: no line says the process exits after the panic")
		}
		o := outcome{FunctionError: res.FunctionError, ContentType: res.ContentType, Payload: string(res.Payload), Lines: lines}
		if res.FunctionError != "" {
			// The stack trace's frames name the transport's own code.
			var e errorBody
			if err := json.Unmarshal(res.Payload, &e); err != nil {
				t.Fatalf("error document %s: %v", res.Payload, err)
			}
			o.Payload = fmt.Sprintf("%s: %s (stack trace: %t)", e.ErrorType, e.ErrorMessage, len(e.StackTrace) > 0)
		}
		// Process ids, times and timings differ run to run.
		o.Payload = digits.ReplaceAllString(o.Payload, "N")
		for i := range o.Lines {
			o.Lines[i] = frames.ReplaceAllString(digits.ReplaceAllString(o.Lines[i], "N"), `,"stackTrace":[...]`)
		}
		time.Sleep(20 * time.Millisecond) // a discarded instance is forgotten
		o.Warm, _ = p.Instances(fn)
		return o
	}
	for _, tt := range []struct {
		name, fn, payload string
		timeout           time.Duration
	}{
		{"echo", "echo", `{"a":[1,2,{"b":"c"}]}`, 0},
		{"empty result", "sleep", `0`, 0},
		{"handler error", "error", `{}`, 0},
		{"panic", "panic", `{}`, 0},
		{"exit mid-invocation", "exit", `{}`, 0},
		{"timeout", "sleep", `3000`, 300 * time.Millisecond},
		{"log lines", "logger", `["one","two","three"]`, 0},
		{"io.Reader result, not streamed", "stream", `{"chunks":["a","b","c"]}`, 0},
		{"response over 6 MB", "echo", `"` + strings.Repeat("x", 7<<20) + `"`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rpcOut := run(t, false, tt.fn, tt.payload, tt.timeout)
			apiOut := run(t, true, tt.fn, tt.payload, tt.timeout)
			a, _ := json.Marshal(rpcOut)
			b, _ := json.Marshal(apiOut)
			if !bytes.Equal(a, b) {
				t.Errorf("RPC:         %s\nRuntime API: %s", trim(a), trim(b))
			}
		})
	}
}

func trim(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// TestTransportStreamAfterRPC: a function warm on RPC still streams: the
// streamed invocation gets a Runtime API instance of its own, chunk by
// chunk, and the RPC instance stays warm for buffered calls.
func TestTransportStreamAfterRPC(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("stream")
	if res := invoke(t, p, cfg, `{"chunks":["a","b"]}`); string(res.Payload) != "ab" {
		t.Fatalf("buffered = %q", res.Payload)
	}
	if got := transportOf(p, "stream"); got != "rpc" {
		t.Fatalf("transport %q, want rpc", got)
	}
	rec := &flushRecorder{}
	res, err := p.Invoke(context.Background(), cfg, &Request{Payload: []byte(`{"chunks":["one ","two ","three"]}`), Stream: rec})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ColdStart || rec.buf.String() != "one two three" || rec.flushes == 0 {
		t.Errorf("streamed %q in %d flushes (cold %t), want it on a new instance", rec.buf.String(), rec.flushes, res.ColdStart)
	}
	p.mu.Lock()
	var kinds []bool
	for _, in := range p.fns["stream"].idle {
		kinds = append(kinds, in.rpc.Load() != nil)
	}
	p.mu.Unlock()
	if len(kinds) != 2 || !kinds[0] || kinds[1] {
		t.Errorf("warm instances on RPC: %v, want [true false] (the RPC one, then the streaming one)", kinds)
	}
	// Later buffered calls may use either; streamed ones never take RPC.
	for range 3 {
		rec := &flushRecorder{}
		res, err := p.Invoke(context.Background(), cfg, &Request{Payload: []byte(`{"chunks":["x","y"]}`), Stream: rec})
		if err != nil || res.ColdStart || rec.buf.String() != "xy" {
			t.Fatalf("streamed again: %q, cold %t, err %v", rec.buf.String(), res.ColdStart, err)
		}
	}
}
