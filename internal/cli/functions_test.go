package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/platform"
)

var (
	probeOnce sync.Once
	probeZip  []byte
	probeErr  error
)

// buildProbe builds internal/functions/testdata/fn/probe into a zip.
func buildProbe(t *testing.T) []byte {
	t.Helper()
	probeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nubo-cli-probe-")
		if err != nil {
			probeErr = err
			return
		}
		defer os.RemoveAll(dir)
		bin := filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-o", bin, "../functions/testdata/fn/probe")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			probeErr = err
			t.Logf("%s", out)
			return
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			probeErr = err
			return
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
		h.SetMode(0o755)
		w, _ := zw.CreateHeader(h)
		_, _ = w.Write(b)
		probeErr = zw.Close()
		probeZip = buf.Bytes()
	})
	if probeErr != nil {
		t.Fatal(probeErr)
	}
	return probeZip
}

// server starts a platform with a "probe" function and points the CLI at it.
func server(t *testing.T) *platform.Platform {
	t.Helper()
	if testing.Short() {
		t.Skip("runs function processes")
	}
	zipData := buildProbe(t)
	p := serveInProcess(t)
	t.Setenv("NUBO_ACCESS_KEY_ID", "test")
	t.Setenv("NUBO_SECRET_ACCESS_KEY", "test")
	c := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	// CreateFunction refuses a role that does not exist, as Lambda does.
	ic := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := ic.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String("probe"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &lambdatypes.FunctionCode{ZipFile: zipData},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestInvokeCommand(t *testing.T) {
	server(t)
	ctx := context.Background()
	payloadFile := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(payloadFile, []byte(`{"id":"from-file"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		"payload":        {[]string{"invoke", "probe", "--payload", `{"id":"p1"}`}, 0, `{"id":"p1"}`, ""},
		"payload file":   {[]string{"invoke", "probe", "--payload", "@" + payloadFile}, 0, `{"id":"from-file"}`, ""},
		"tail":           {[]string{"invoke", "probe", "--payload", `{"id":"t1"}`, "--tail"}, 0, `{"id":"t1"}`, "probe t1"},
		"function error": {[]string{"invoke", "probe", "--payload", `{"id":"x","fail":true}`}, 2, "probe failed on purpose", "function error (Unhandled)"},
		"async":          {[]string{"invoke", "probe", "--async", "--payload", `{"id":"a1"}`}, 0, "queued probe (request id ", ""},
		"missing":        {[]string{"invoke", "nope"}, 1, "", "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"},
		"bad json":       {[]string{"invoke", "probe", "--payload", "{oops"}, 1, "", "InvalidRequestContentException"},
		"no such file":   {[]string{"invoke", "probe", "--payload", "@/does/not/exist"}, 1, "", "--payload: open /does/not/exist"},
		"missing arg":    {[]string{"invoke"}, 1, "", "invoke needs one function name"},
		"empty arg":      {[]string{"invoke", ""}, 1, "", "invoke needs one function name"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := run(ctx, c.args...)
			if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
				t.Fatalf("exit %d stdout %q stderr %q; want %d, %q, %q", code, stdout, stderr, c.code, c.stdout, c.stderr)
			}
		})
	}
}

func TestFunctionsAndLogsCommands(t *testing.T) {
	server(t)
	ctx := context.Background()
	if code, _, stderr := run(ctx, "invoke", "probe", "--payload", `{"id":"first"}`); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := run(ctx, "functions")
	if code != 0 {
		t.Fatal(stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "NAME RUNTIME MEMORY TIMEOUT WARM BUSY" ||
		strings.Join(strings.Fields(lines[1]), " ") != "probe provided.al2023 128 MB 3s 1 0" {
		t.Fatalf("functions:\n%s", stdout)
	}

	waitLogs := func(args ...string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, stdout, stderr := run(ctx, args...)
			if code != 0 {
				t.Fatalf("%v: %s", args, stderr)
			}
			if strings.Contains(stdout, "probe first done") || time.Now().After(deadline) {
				return stdout
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	out := waitLogs("logs", "probe")
	if !strings.Contains(out, "START RequestId:") || !strings.Contains(out, "probe first done") {
		t.Fatalf("logs:\n%s", out)
	}
	out = waitLogs("logs", "probe", "--since", "10m")
	if !strings.Contains(out, "probe first done") {
		t.Fatalf("logs --since 10m:\n%s", out)
	}
	if _, stdout, _ := run(ctx, "logs", "probe", "--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)); strings.Contains(stdout, "probe") {
		t.Fatalf("logs from the future: %s", stdout)
	}

	// --follow prints lines written after it started, until cancelled.
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var buf syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(fctx, []string{"logs", "probe", "--follow", "--poll", "100ms"}, &buf, &buf) }()
	if code, _, stderr := run(ctx, "invoke", "probe", "--payload", `{"id":"second"}`); code != 0 {
		t.Fatal(stderr)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(buf.String(), "probe second done") {
		if time.Now().After(deadline) {
			t.Fatalf("follow did not print the new line:\n%s", buf.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("follow exit %d: %s", code, buf.String())
	}
	if n := strings.Count(buf.String(), "probe first done"); n != 1 {
		t.Fatalf("follow printed an old line %d times", n)
	}

	if code, _, stderr := run(ctx, "logs", "nope"); code != 1 || !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Fatalf("logs of a missing function: %d %s", code, stderr)
	}
	if code, _, stderr := run(ctx, "logs", "probe", "--since", "yesterday"); code != 1 || !strings.Contains(stderr, `--since "yesterday"`) {
		t.Fatalf("bad --since: %d %s", code, stderr)
	}
}

func TestUnreachableServer(t *testing.T) {
	t.Setenv("NUBO_ENDPOINT", "http://127.0.0.1:1")
	code, _, stderr := run(context.Background(), "functions")
	if code != 1 || !strings.Contains(stderr, "cannot reach nubo at http://127.0.0.1:1") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"10m", "2h", "-1s", "2026-01-02T15:04:05Z", "yesterday", ""} {
		f.Add(s)
	}
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseSince(s, now)
		if err == nil && s != "" && got.IsZero() {
			t.Fatalf("parseSince(%q) accepted with a zero time", s)
		}
	})
}
