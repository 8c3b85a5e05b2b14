package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBenchmarksRun runs every benchmark in its smallest mode to check that
// it works end to end: nubo in-process, the functions built and started,
// the baselines measured, a table printed. It asserts nothing about the
// figures: timings do not belong in tests.
func TestBenchmarksRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds functions and runs processes")
	}
	// go test runs in the package directory; the benchmarks build
	// ./bench/fn/... from the repository root.
	t.Chdir("..")
	env, err := newBenchEnv(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.close)
	env.smoke = true
	want := map[string][]string{
		"cold":    {"### Cold start", "bare: fork+exec", "nubo: Invoke (SDK)"},
		"warm":    {"### Warm invoke", "bare net/http echo round trip", "bare Runtime API best case", "nubo Invoke, aws-sdk-go-v2 client", "nubo Invoke, lean signed"},
		"memory":  {"### Memory per warm instance", "nubo process RSS", "nubo Go heap"},
		"gateway": {"### HTTP API", "bare net/http echo server", "nubo gateway: HttpApi route", "gateway overhead at p50"},
		"queues":  {"### Queues (SQS)", "SendMessageBatch 10 × 200 B", "ReceiveMessage 10 + DeleteMessageBatch", "SendMessage → waiting ReceiveMessage: p50", "ESM: SendMessage → function sees the record: p50"},
		"events":  {"### Event pattern matching", "naive: each pattern in turn", "### PutEvents until a function target has the event"},
		"tables":  {"### tables", "raw JetStream KV put (floor)", "nubo PutItem", "nubo GetItem", "nubo Query (100 items)"},
	}
	for _, b := range all() {
		t.Run(b.name, func(t *testing.T) {
			var out bytes.Buffer
			env.out = &out
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			if err := b.run(ctx, env); err != nil {
				t.Fatalf("%s: %v\n%s", b.name, err, out.String())
			}
			for _, w := range want[b.name] {
				if !strings.Contains(out.String(), w) {
					t.Errorf("%s output lacks %q:\n%s", b.name, w, out.String())
				}
			}
			if testing.Verbose() {
				_, _ = os.Stdout.Write(out.Bytes())
			}
		})
	}
	if len(want) != len(all()) {
		t.Errorf("benchmarks %v: the test knows %d of them", names(), len(want))
	}
}
