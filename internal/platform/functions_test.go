package platform

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/logs"
)

var (
	fnBuildMu  sync.Mutex
	fnZips     = map[string][]byte{}
	fnBuildDir string
)

// fnZip builds internal/functions/testdata/fn/NAME, or the package at the
// relative path NAME (an aws-lambda-go function), as a provided.al2023 bootstrap and returns its zip.
func fnZip(t testing.TB, name string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs function processes")
	}
	fnBuildMu.Lock()
	defer fnBuildMu.Unlock()
	if z, ok := fnZips[name]; ok {
		return z
	}
	dir, err := os.MkdirTemp("", "nubo-platform-fn-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bootstrap")
	pkg := "../functions/testdata/fn/" + name
	if strings.Contains(name, "/") {
		pkg = name // a package path relative to this one
	}
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fnZips[name] = buf.Bytes()
	return buf.Bytes()
}

func startPlatform(t *testing.T, o Options) *Platform {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	o.Addr, o.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return p
}

func lambdaClientFor(url string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// lambdaRole creates (once) a role named name that Lambda may assume, on
// the server at url, and returns its ARN: CreateFunction refuses a role
// that does not exist, as Lambda does.
func lambdaRole(t *testing.T, url, name string) string {
	t.Helper()
	c := clientsFor(url).iam
	arn := "arn:aws:iam::000000000000:role/" + name
	if _, err := c.GetRole(context.Background(), &awsiam.GetRoleInput{RoleName: aws.String(name)}); err == nil {
		return arn
	}
	if _, err := c.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatalf("create role %s: %v", name, err)
	}
	return arn
}

func createFunction(t *testing.T, c *lambda.Client, name, code string) {
	t.Helper()
	role := lambdaRole(t, aws.ToString(c.Options().BaseEndpoint), "probe-role")
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Timeout: aws.Int32(10),
		Code: &lambdatypes.FunctionCode{ZipFile: fnZip(t, code)},
	})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFunctionsEndToEnd(t *testing.T) {
	// --iam off: this test's functions run with a made-up role and call back
	// into nubo; iam_test.go covers the same calls under enforcement.
	p := startPlatform(t, Options{IAM: iam.Off, Functions: FunctionsOptions{Async: functions.AsyncOptions{RetryBaseDelay: 50 * time.Millisecond, AckWait: 3 * time.Second}}})
	url := p.EndpointURL()
	c := lambdaClientFor(url)
	ctx := context.Background()
	createFunction(t, c, "echo", "echo")
	createFunction(t, c, "probe", "probe")

	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"hello":"nubo"}`), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if string(out.Payload) != `{"hello":"nubo"}` || out.FunctionError != nil {
		t.Fatalf("echo: %s %v", out.Payload, aws.ToString(out.FunctionError))
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(tail), "START RequestId:") || !strings.Contains(string(tail), "REPORT RequestId:") {
		t.Fatalf("log tail %q", tail)
	}

	// Function code calls nubo back with the credentials nubo gave it.
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("probe"), Payload: []byte(`{"id":"cb","callBack":"echo"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out.Payload, &got); err != nil || got["calledBack"] != "arn:aws:lambda:us-east-1:000000000000:function:echo" {
		t.Fatalf("call back: %s %v (%s)", out.Payload, err, aws.ToString(out.FunctionError))
	}

	// A function error is a 200 with X-Amz-Function-Error.
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("probe"), Payload: []byte(`{"id":"f","fail":true}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "probe failed on purpose") {
		t.Fatalf("function error: %v %s", err, out.Payload)
	}

	// Async: retried once, then the record goes to the on-failure function.
	createFunction(t, c, "dlq", "probe")
	if _, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String("probe"), MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String("arn:aws:lambda:us-east-1:000000000000:function:dlq")}},
	}); err != nil {
		t.Fatal(err)
	}
	ev, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("probe"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"id":"async-1","fail":true}`)})
	if err != nil || ev.StatusCode != 202 {
		t.Fatalf("event: %v", err)
	}
	waitUntil(t, "two attempts and a destination record", 30*time.Second, func() bool {
		return countLines(t, p, "probe", "probe async-1") == 2 && countLines(t, p, "dlq", "record RetriesExhausted 2 async-1") == 1
	})

	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var metrics bytes.Buffer
	_, _ = metrics.ReadFrom(resp.Body)
	for _, want := range []string{`nubo_function_invocations_total{function="echo"} 1`, `nubo_function_cold_starts_total{function="echo"} 1`, `nubo_function_errors_total{function="probe"}`} {
		if !strings.Contains(metrics.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	gf, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	_ = gf
}

// countLines counts a function's stored log lines that contain s.
func countLines(t *testing.T, p *Platform, fn, s string) int {
	t.Helper()
	n := 0
	err := p.Logs.Read(context.Background(), fn, logs.Query{}, func(e logs.Event) error {
		if strings.Contains(e.Message, s) {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestKillNineLosesNoAcceptedEvent runs `nubo serve` as a process, queues
// slow events, kills it with SIGKILL mid-work, restarts it on the same data
// directory and checks every accepted event still runs to completion.
func TestKillNineLosesNoAcceptedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nubo and runs it as a process")
	}
	zipProbe := fnZip(t, "probe")
	bin := filepath.Join(t.TempDir(), "nubo")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/nubo").CombinedOutput(); err != nil {
		t.Fatalf("build nubo: %v\n%s", err, out)
	}
	data := t.TempDir()
	addr := "127.0.0.1:" + freePort(t)
	url := "http://" + addr
	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr, "--http-addr", "127.0.0.1:0", "--async-ack-wait", "2s")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitUntil(t, "nubo serve to be healthy", 30*time.Second, func() bool {
			resp, err := http.Get(url + "/_nubo/health")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == 200
		})
		return cmd
	}
	first := serve()
	c := lambdaClientFor(url)
	ctx := context.Background()
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("slow"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole(t, url, "r")), Timeout: aws.Int32(10), Code: &lambdatypes.FunctionCode{ZipFile: zipProbe},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	for i := 0; i < n; i++ {
		payload := fmt.Sprintf(`{"id":"ev-%d","sleepMs":700}`, i)
		if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("slow"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
	}
	// Kill once some work is under way, well before all of it is done.
	waitUntil(t, "the first events to start", 30*time.Second, func() bool { return len(doneEvents(t, url, "probe ev-")) >= 1 })
	t.Logf("killing nubo with %d of %d events done", len(doneEvents(t, url, " done")), n)
	if err := first.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	serve()
	waitUntil(t, "every accepted event to complete", 60*time.Second, func() bool {
		done := doneEvents(t, url, " done")
		for i := 0; i < n; i++ {
			if !done[fmt.Sprintf("ev-%d", i)] {
				return false
			}
		}
		return true
	})
}

// doneEvents reads the slow function's log through the Logs API and returns
// the probe ids on lines containing marker.
func doneEvents(t *testing.T, url, marker string) map[string]bool {
	t.Helper()
	body := `{"logGroupName":"/aws/lambda/slow"}`
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "Logs_20140328.FilterLogEvents")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	signLogs(t, req, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out struct {
		Events []struct {
			Message string `json:"message"`
		} `json:"events"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil
	}
	got := map[string]bool{}
	for _, e := range out.Events {
		if !strings.Contains(e.Message, marker) {
			continue
		}
		sc := bufio.NewScanner(strings.NewReader(e.Message))
		sc.Split(bufio.ScanWords)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ev-") {
				got[sc.Text()] = true
			}
		}
	}
	return got
}

func signLogs(t *testing.T, req *http.Request, body string) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req, hex.EncodeToString(sum[:]), "logs", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// TestPythonAndNodeFunctions runs functions on the shims nubo ships, when
// the interpreters are installed.
func TestPythonAndNodeFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	c := lambdaClientFor(p.EndpointURL())
	ctx := context.Background()
	cases := map[string]struct {
		runtime, handler, file, code string
		interpreter                  string
	}{
		"python": {"python3.12", "app.handler", "app.py", "def handler(event, context):\n    print('hello from python')\n    return {'got': event, 'fn': context.function_name}\n", "python3"},
		"node":   {"nodejs20.x", "index.handler", "index.mjs", "export const handler = async (event, context) => {\n  console.log('hello from node');\n  return { got: event, fn: context.functionName };\n};\n", "node"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := exec.LookPath(tc.interpreter); err != nil {
				t.Skipf("%s is not installed", tc.interpreter)
			}
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create(tc.file)
			_, _ = w.Write([]byte(tc.code))
			_ = zw.Close()
			fn := name + "-fn"
			if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(fn), Runtime: lambdatypes.Runtime(tc.runtime), Handler: aws.String(tc.handler),
				Role: aws.String(lambdaRole(t, aws.ToString(c.Options().BaseEndpoint), "r")), Timeout: aws.Int32(30), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
			}); err != nil {
				t.Fatal(err)
			}
			out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(`{"a":1}`), LogType: lambdatypes.LogTypeTail})
			if err != nil {
				t.Fatal(err)
			}
			tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
			if out.FunctionError != nil || string(out.Payload) != `{"got": {"a": 1}, "fn": "`+fn+`"}` && string(out.Payload) != `{"got":{"a":1},"fn":"`+fn+`"}` {
				t.Fatalf("invoke: %s %s\n%s", out.Payload, aws.ToString(out.FunctionError), tail)
			}
			if !strings.Contains(string(tail), "hello from "+name) {
				t.Fatalf("tail: %s", tail)
			}
		})
	}
}

// nuboProcess builds nubo once per test and starts `nubo serve` processes on
// one data directory and address, so a test can kill and restart it.
type nuboProcess struct {
	t    *testing.T
	bin  string
	data string
	addr string
	args []string
}

func newNuboProcess(t *testing.T, args ...string) *nuboProcess {
	t.Helper()
	if testing.Short() {
		t.Skip("builds nubo and runs it as a process")
	}
	bin := filepath.Join(t.TempDir(), "nubo")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/nubo").CombinedOutput(); err != nil {
		t.Fatalf("build nubo: %v\n%s", err, out)
	}
	return &nuboProcess{t: t, bin: bin, data: t.TempDir(), addr: "127.0.0.1:" + freePort(t), args: args}
}

func (n *nuboProcess) url() string { return "http://" + n.addr }

// start runs `nubo serve` and waits until it is healthy.
func (n *nuboProcess) start() *exec.Cmd {
	t := n.t
	t.Helper()
	args := append([]string{"serve", "--data", n.data, "--addr", n.addr, "--http-addr", "127.0.0.1:0"}, n.args...)
	cmd := exec.Command(n.bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitUntil(t, "nubo serve to be healthy", 30*time.Second, func() bool {
		resp, err := http.Get(n.url() + "/_nubo/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return cmd
}

// kill9 ends a nubo process with SIGKILL, as a crash would.
func (n *nuboProcess) kill9(cmd *exec.Cmd) {
	n.t.Helper()
	if err := cmd.Process.Signal(os.Kill); err != nil {
		n.t.Fatal(err)
	}
	_ = cmd.Wait()
}

// burst sends Event invokes of fn from workers goroutines until at least
// stopAfter were accepted and kill has run, or a send fails (the server died);
// it returns the ids of the events nubo accepted (202).
func burst(t *testing.T, c *lambda.Client, fn, prefix string, workers, stopAfter int, kill func()) []string {
	t.Helper()
	var (
		mu       sync.Mutex
		accepted []string
		wg       sync.WaitGroup
		once     sync.Once
		next     int
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				id := fmt.Sprintf("ev-%s-%d", prefix, next)
				next++
				mu.Unlock()
				payload := fmt.Sprintf(`{"id":%q,"sleepMs":20}`, id)
				_, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(fn), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(payload)})
				if err != nil {
					return // the server was killed mid-burst
				}
				mu.Lock()
				accepted = append(accepted, id)
				n := len(accepted)
				mu.Unlock()
				if n >= stopAfter {
					once.Do(kill)
				}
			}
		}()
	}
	wg.Wait()
	return accepted
}

// TestKillNineThrottledBurstLosesNoEvent sends bursts of Event invokes to a
// function with reserved concurrency 2 from 8 clients, so most events are
// throttled and wait in the queue, kills nubo with SIGKILL mid-burst, restarts
// it on the same data directory, twice, and checks that every accepted event
// ran at least once.
func TestKillNineThrottledBurstLosesNoEvent(t *testing.T) {
	zipProbe := fnZip(t, "probe")
	// Lambda's throttle backoff starts at 1 s and doubles, capped here at 8 s
	// (Lambda: 5 min) so that the test's time is not spent waiting out the
	// cap: an event stranded by a crash would never run, whatever the cap.
	// A short ack wait only speeds up the redelivery of killed work.
	n := newNuboProcess(t, "--async-ack-wait", "2s", "--async-throttle-max-delay", "8s")
	cmd := n.start()
	c := lambdaClientFor(n.url())
	ctx := context.Background()
	// The function marks each event it ran on disk: log lines written in the
	// last milliseconds before a kill -9 may be lost, a run may not.
	marks := t.TempDir()
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("slow"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole(t, n.url(), "r")), Timeout: aws.Int32(10), Code: &lambdatypes.FunctionCode{ZipFile: zipProbe},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"PROBE_MARK_DIR": marks}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	var accepted []string
	for round := 0; round < 3; round++ {
		got := burst(t, c, "slow", fmt.Sprint(round), 8, 120, func() { n.kill9(cmd) })
		t.Logf("round %d: %d events accepted before the kill", round, len(got))
		accepted = append(accepted, got...)
		cmd = n.start()
	}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		var missing []string
		for _, id := range accepted {
			if _, err := os.Stat(filepath.Join(marks, id)); err != nil {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d accepted events never ran: %v", len(missing), len(accepted), missing)
		}
		time.Sleep(time.Second)
	}
}
