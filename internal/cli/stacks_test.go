package cli

import (
	"bufio"
	"bytes"
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
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
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
	// Beside it, resources the template does not name: roles, functions and
	// parameters whose names nubo generates, created in parallel (eight at a
	// time) when the kill comes. None may survive recovery and destroy.
	const unnamed = 100
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
	for i := range unnamed {
		fmt.Fprintf(&b, `  Role%[1]d:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
  Fn%[1]d:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role%[1]d.Arn
      Code: {ZipFile: "def handler(event, context):\n    return %[1]d\n"}
  Param%[1]d:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: v%[1]d}
`, i)
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
	var deployErr bytes.Buffer
	deploy.Stderr = &deployErr
	if err := deploy.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	completed := 0
	var head []string
	for sc.Scan() && completed < 40 {
		if len(head) < 20 {
			head = append(head, sc.Text())
		}
		if strings.Contains(sc.Text(), "CREATE_COMPLETE") {
			completed++
		}
	}
	if completed < 40 {
		_ = deploy.Wait()
		t.Fatalf("deployment ended before the kill (%d resources):\n%s\n%s", completed, strings.Join(head, "\n"), deployErr.String())
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
	total := n + 3*unnamed
	if err == nil || !strings.Contains(out, fmt.Sprintf("Refused: the template declares %d resources, over AWS CloudFormation's quota of 500 per template", total)) {
		t.Fatalf("deploy over AWS's quota without the flag (%v):\n%.2000s", err, out)
	}
	out, err = run("deploy", tmpl, "--yes", "--allow-over-aws-limits")
	if err != nil {
		t.Fatalf("recovery deploy: %v\n%s", err, out)
	}
	if !strings.Contains(out, fmt.Sprintf("Warning: the template declares %d resources", total)) {
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
	if out, err := run("destroy", "chain", "--yes"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	if left := stackLeftovers(t, addr, "chain-"); len(left) > 0 {
		t.Errorf("left after recovery and destroy: %v", left)
	}
}

// stackLeftovers lists the IAM roles, Lambda functions and SSM parameters
// whose names start with prefix (a stack's generated names), through the APIs.
func stackLeftovers(t *testing.T, addr, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	var left []string
	roles := iam.NewListRolesPaginator(iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr), Credentials: creds}), &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		if err != nil {
			t.Fatalf("list roles: %v", err)
		}
		for _, r := range page.Roles {
			if strings.HasPrefix(aws.ToString(r.RoleName), prefix) {
				left = append(left, "role "+aws.ToString(r.RoleName))
			}
		}
	}
	fns := lambda.NewListFunctionsPaginator(lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr), Credentials: creds}), &lambda.ListFunctionsInput{})
	for fns.HasMorePages() {
		page, err := fns.NextPage(ctx)
		if err != nil {
			t.Fatalf("list functions: %v", err)
		}
		for _, f := range page.Functions {
			if strings.HasPrefix(aws.ToString(f.FunctionName), prefix) {
				left = append(left, "function "+aws.ToString(f.FunctionName))
			}
		}
	}
	params := ssm.NewDescribeParametersPaginator(ssmClient(addr), &ssm.DescribeParametersInput{})
	for params.HasMorePages() {
		page, err := params.NextPage(ctx)
		if err != nil {
			t.Fatalf("describe parameters: %v", err)
		}
		for _, p := range page.Parameters {
			if name := aws.ToString(p.Name); strings.HasPrefix(name, prefix) || strings.HasPrefix(name, "/chain/") {
				left = append(left, "parameter "+name)
			}
		}
	}
	return left
}
