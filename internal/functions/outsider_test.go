package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/runtimes"
)

// Gate functions for the shims: busy until the file named in the payload
// exists, then {"real": n}, like testdata/fn/gate.
const (
	pyGate = `import os, time
def handler(event, context):
    gate = event.get("gate")
    while gate and not os.path.exists(gate):
        time.sleep(0.005)
    return {"real": event.get("n", 0)}
`
	nodeGate = `import { existsSync } from 'node:fs';
export const handler = async (event) => {
  while (event.gate && !existsSync(event.gate)) await new Promise((r) => setTimeout(r, 5));
  return { real: event.n ?? 0 };
};
`
)

// outsiderCase is a function whose instances an outside process attacks.
type outsiderCase struct {
	name string
	cfg  *Config
	opts PoolOptions
}

func outsiderCases(t *testing.T) []outsiderCase {
	t.Helper()
	needProcesses(t)
	goCfg := testConfig("gate")
	cases := []outsiderCase{{name: "aws-lambda-go", cfg: goCfg}}
	set, err := runtimes.Install(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range []struct{ runtime, file, src, handler string }{
		{"python3.12", "index.py", pyGate, "index.handler"},
		{"nodejs20.x", "index.mjs", nodeGate, "index.handler"},
	} {
		if _, err := runtimes.Interpreter(sh.runtime); err != nil {
			t.Fatalf("%v (CI installs python3 and node)", err)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, sh.file), []byte(sh.src), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := testConfig("gate-" + strings.TrimRight(sh.runtime, "0123456789.x"))
		cfg.Runtime, cfg.Handler, cfg.CodeDir = sh.runtime, sh.handler, dir
		cases = append(cases, outsiderCase{name: sh.runtime, cfg: cfg, opts: PoolOptions{
			Command: func(c *Config) ([]string, error) { return set.Command(c.Runtime, c.Handler, c.CodeDir) },
		}})
	}
	return cases
}

// answered reports whether res is the gate function's own answer {"real": n}.
func answered(res *Result, n int) bool {
	var got struct {
		Real   *int `json:"real"`
		Forged bool `json:"forged"`
	}
	return res != nil && res.FunctionError == "" && json.Unmarshal(res.Payload, &got) == nil && got.Real != nil && *got.Real == n && !got.Forged
}

// idleRuntimeAPI is the host:port of the warm instance's Runtime API, as an
// outsider finds it (ss, /proc/net/tcp): without the instance's secret.
func idleRuntimeAPI(t *testing.T, p *Pool, name string) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	fs := p.fns[name]
	if fs == nil || len(fs.idle) != 1 {
		t.Fatalf("want one warm instance of %s", name)
	}
	return fs.idle[0].ln.Addr().String()
}

// TestOutsiderCannotTakeInvocations: a local process that finds an
// instance's Runtime API port cannot take the next caller's event from it,
// while the function keeps answering every caller.
func TestOutsiderCannotTakeInvocations(t *testing.T) {
	for _, tc := range outsiderCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPool(t, tc.opts)
			if res := invoke(t, p, tc.cfg, `{"n":0}`); !answered(res, 0) {
				t.Fatalf("warm-up: %s %s", res.FunctionError, res.Payload)
			}
			addr := idleRuntimeAPI(t, p, tc.cfg.Name)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type stolen struct {
				status int
				body   string
				err    error
			}
			got := make(chan stolen, 1)
			go func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/2018-06-01/runtime/invocation/next", nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					got <- stolen{err: err}
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				got <- stolen{status: resp.StatusCode, body: string(b)}
			}()
			// The outsider is parked on /next (or already refused): every
			// caller must still get its own answer from the function.
			for i := 1; i <= 6; i++ {
				res, err := p.Invoke(context.Background(), tc.cfg, &Request{Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))})
				if err != nil {
					t.Fatalf("invoke %d: %v", i, err)
				}
				if !answered(res, i) {
					t.Fatalf("invoke %d answered %s %s, want {\"real\":%d}", i, res.FunctionError, res.Payload, i)
				}
			}
			select {
			case s := <-got:
				if s.err != nil || s.status != http.StatusForbidden || strings.Contains(s.body, "real") || strings.Contains(s.body, `"n"`) {
					t.Fatalf("outsider GET /next: status %d body %q err %v, want 403 and nothing of the instance", s.status, s.body, s.err)
				}
			case <-time.After(10 * time.Second):
				// A refusal comes at once; a GET /next still unanswered
				// after every event was delivered is parked, waiting for one.
				t.Fatal("the outsider's GET /next is still parked, waiting for an event")
			}
		})
	}
}

// TestOutsiderCannotForgeAnswers: while an invocation is in flight, a
// local process that knows the instance's port and the request id cannot
// answer for the function.
func TestOutsiderCannotForgeAnswers(t *testing.T) {
	for _, tc := range outsiderCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestPool(t, tc.opts)
			invoke(t, p, tc.cfg, `{"n":0}`)
			addr := idleRuntimeAPI(t, p, tc.cfg.Name)
			gate := filepath.Join(t.TempDir(), "open")
			payload, _ := json.Marshal(map[string]any{"gate": gate, "n": 7})
			type answer struct {
				res *Result
				err error
			}
			done := make(chan answer, 1)
			go func() {
				res, err := p.Invoke(context.Background(), tc.cfg, &Request{RequestID: "req-forge-me", Payload: payload})
				done <- answer{res, err}
			}()
			waitFor(t, "the invocation to be in flight", func() bool {
				p.mu.Lock()
				defer p.mu.Unlock()
				return p.fns[tc.cfg.Name].busy == 1
			})
			for _, path := range []string{"/response", "/error"} {
				resp, err := http.Post("http://"+addr+"/2018-06-01/runtime/invocation/req-forge-me"+path, "application/json", strings.NewReader(`{"forged":true}`))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("outsider POST %s: status %d, want 403", path, resp.StatusCode)
				}
			}
			if err := os.WriteFile(gate, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			select {
			case a := <-done:
				if a.err != nil || !answered(a.res, 7) {
					t.Fatalf("the caller got %v %+v, want the function's own answer", a.err, a.res)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("no answer")
			}
		})
	}
}
