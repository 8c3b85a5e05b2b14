package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// TestUp_ServerFlags: up takes serve's server flags (one definition), and
// tells how other commands find a server on a port that is not the default.
func TestUp_ServerFlags(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"up", "../../examples/shared-config", "--data", t.TempDir(), "--addr", addr, "--http-addr", "127.0.0.1:0",
			"--region", "eu-west-1", "--account-id", "111122223333", "--idle-timeout", "1m"}, &out, &errOut)
	}()
	waitFor(t, "stacks up", 60*time.Second, func() bool {
		select {
		case code := <-done:
			t.Fatalf("up exited %d:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		return strings.Contains(out.String(), "2 stack(s) up")
	})
	if want := "export NUBO_ENDPOINT=http://" + addr; !strings.Contains(out.String(), want) {
		t.Errorf("up does not say %q:\n%s", want, out.String())
	}
	c := ssm.New(ssm.Options{Region: "eu-west-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	p, err := c.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/app/api-url")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(p.Parameter.ARN), "arn:aws:ssm:eu-west-1:111122223333:parameter/app/api-url"; got != want {
		t.Errorf("ARN %s, want %s", got, want)
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
