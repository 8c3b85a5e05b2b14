package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// lockedBuffer collects output written from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func ssmClient(addr string) *ssm.Client {
	return ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func paramValue(t *testing.T, c *ssm.Client, name string) string {
	t.Helper()
	out, err := c.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	return aws.ToString(out.Parameter.Value)
}

func TestUp_DeploysInImportOrderAndKeepsServing(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"up", "../../examples/shared-config", "--data", t.TempDir(), "--addr", addr, "--http-addr", "127.0.0.1:0"}, &out, &errOut)
	}()
	waitFor(t, "stacks up", 60*time.Second, func() bool {
		select {
		case code := <-done:
			t.Fatalf("up exited %d:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		return strings.Contains(out.String(), "2 stack(s) up")
	})
	text := out.String()
	if i, j := strings.Index(text, "== shared"), strings.Index(text, "== app"); i < 0 || j < i {
		t.Errorf("shared must deploy before app:\n%s", text)
	}
	if !strings.Contains(text, "ApiUrl = https://api.learn.example.com/v1") {
		t.Errorf("outputs not printed:\n%s", text)
	}
	c := ssmClient(addr)
	if v := paramValue(t, c, "/app/api-url"); v != "https://api.learn.example.com/v1" {
		t.Errorf("api url %q", v)
	}
	// The verbs work against the server up started.
	t.Setenv("NUBO_ENDPOINT", "http://"+addr)
	var exp strings.Builder
	if code := Run(context.Background(), []string{"exports"}, &exp, &exp); code != 0 {
		t.Fatalf("exports: %s", exp.String())
	}
	if !strings.Contains(exp.String(), "shared-domain ") || !strings.Contains(exp.String(), "app") {
		t.Errorf("exports:\n%s", exp.String())
	}
	var show strings.Builder
	if code := Run(context.Background(), []string{"stacks", "app"}, &show, &show); code != 0 || !strings.Contains(show.String(), "ApiUrl    AWS::SSM::Parameter  /app/api-url") || !strings.Contains(show.String(), "1           CREATE_COMPLETE") {
		t.Errorf("stacks app: exit %d\n%s", code, show.String())
	}
	var destroy strings.Builder
	if code := Run(context.Background(), []string{"destroy", "shared", "--yes"}, &destroy, &destroy); code == 0 || !strings.Contains(destroy.String(), "imported by stack(s) app") {
		t.Errorf("destroying an imported stack: exit %d\n%s", code, destroy.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("up exited %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("up did not stop")
	}
}

func TestUp_ImportCycleIsAnErrorNamingTheStacks(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []struct{ name, imp string }{{"a", "b-out"}, {"b", "a-out"}} {
		body := fmt.Sprintf("Resources:\n  P: {Type: AWS::SSM::Parameter, Properties: {Type: String, Value: !ImportValue %s}}\nOutputs:\n  O: {Value: !Ref P, Export: {Name: %s-out}}\n", s.imp, s.name)
		if err := os.WriteFile(filepath.Join(dir, s.name+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	code := Run(context.Background(), []string{"up", dir, "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}, &out, &out)
	if code == 0 || !strings.Contains(out.String(), "a -> b -> a") {
		t.Errorf("exit %d:\n%s", code, out.String())
	}
}

// buildNubo builds the binary once per test run.
func buildNubo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nubo")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/nubo")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startServe(t *testing.T, bin, data, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", addr, "--http-addr", "127.0.0.1:0")
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitFor(t, "nubo serve", 30*time.Second, func() bool {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
		}
		return err == nil
	})
	return cmd
}

func TestDeploy_KillMidApplyThenRecover(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns nubo serve")
	}
	bin := buildNubo(t)
	data, addr := t.TempDir(), freeAddr(t)
	server := startServe(t, bin, data, addr)

	// A chain of parameters, each naming the previous one: applied one by one.
	const n = 4000 // long enough that the kill lands mid-apply
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range n {
		fmt.Fprintf(&b, "  P%03d:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Name: /chain/p%03d\n      Type: String\n", i, i)
		if i == 0 {
			b.WriteString("      Value: start\n")
		} else {
			fmt.Fprintf(&b, "      Value: !Ref P%03d\n", i-1)
		}
	}
	tmpl := filepath.Join(t.TempDir(), "chain.yaml")
	if err := os.WriteFile(tmpl, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "NUBO_ENDPOINT=http://"+addr)
	// Over CloudFormation's 500 resources: nubo deploys it when asked to.
	deploy := exec.Command(bin, "deploy", tmpl, "--yes", "--allow-over-aws-limits")
	deploy.Env = env
	stdout, _ := deploy.StdoutPipe()
	if err := deploy.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	completed := 0
	for sc.Scan() && completed < 10 {
		if strings.Contains(sc.Text(), "CREATE_COMPLETE") {
			completed++
		}
	}
	if completed < 10 {
		t.Fatalf("deployment ended before the kill (%d resources)", completed)
	}
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = server.Wait()
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if err := deploy.Wait(); err == nil {
		t.Fatal("deploy succeeded although the server was killed")
	}

	startServe(t, bin, data, addr)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("stacks")
	if err != nil || !strings.Contains(out, "CREATE_IN_PROGRESS") || !strings.Contains(out, "run `nubo deploy` again to continue") {
		t.Fatalf("stacks after the kill (%v):\n%s", err, out)
	}
	out, err = run("deploy", tmpl, "--yes")
	if err == nil || !strings.Contains(out, "Refused: the template declares 4000 resources, over AWS CloudFormation's quota of 500 per template") {
		t.Fatalf("deploy over AWS's quota without the flag (%v):\n%.2000s", err, out)
	}
	out, err = run("deploy", tmpl, "--yes", "--allow-over-aws-limits")
	if err != nil {
		t.Fatalf("recovery deploy: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Warning: the template declares 4000 resources") {
		t.Errorf("no warning that AWS would refuse the template:\n%.2000s", out)
	}
	if !strings.Contains(out, "was interrupted during deployment 1") || !strings.Contains(out, "CREATE_COMPLETE (deployment") {
		t.Errorf("recovery output:\n%s", out)
	}
	c := ssmClient(addr)
	if v := paramValue(t, c, fmt.Sprintf("/chain/p%03d", n-1)); v != fmt.Sprintf("/chain/p%03d", n-2) {
		t.Errorf("last parameter %q", v)
	}
	out, err = run("drift", "chain")
	if err != nil || !strings.Contains(out, "Stack chain: IN_SYNC") {
		t.Errorf("drift after recovery (%v):\n%s", err, out)
	}
	out, _ = run("deploy", tmpl, "--yes", "--allow-over-aws-limits")
	if !strings.Contains(out, "No changes") {
		t.Errorf("a second deploy should change nothing:\n%s", out)
	}
}
