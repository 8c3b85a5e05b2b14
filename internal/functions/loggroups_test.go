package functions

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/logs"
)

// createLoggingFn creates an echo function logging to group.
func (h *harness) createLoggingFn(t *testing.T, name, group string) {
	t.Helper()
	if _, err := h.client.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: "provided.al2023", Handler: aws.String("echo"),
		Role:          aws.String("arn:aws:iam::000000000000:role/test-role"),
		Code:          &lambdaTypesFunctionCode{ZipFile: bootstrapZip(t, name)},
		LoggingConfig: &lambdatypes.LoggingConfig{LogGroup: aws.String(group)},
	}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

// The service names the log groups its functions write to (logs.Sources):
// each group once, the lines of /aws/lambda/NAME being NAME's when NAME
// logs there, else those of the first function, by name, logging to it.
func TestLogSources(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "alpha", "echo")                        // /aws/lambda/alpha
	h.createLoggingFn(t, "aardvark", "/aws/lambda/alpha") // shares alpha's group, sorts first
	h.createLoggingFn(t, "beta", "/shared/app")
	h.createLoggingFn(t, "gamma", "/shared/app")
	h.createLoggingFn(t, "eta", "/aws/lambda/zeta") // no function zeta

	for group, want := range map[string]string{"/aws/lambda/alpha": "alpha", "/shared/app": "beta", "/aws/lambda/zeta": "eta"} {
		src, err := h.svc.LogSource(ctx, group)
		if err != nil || src.Group != group || src.Key != want || src.Created.IsZero() {
			t.Errorf("LogSource(%s) = %+v, %v; want the lines of %s", group, src, err, want)
		}
	}
	for _, group := range []string{"/aws/lambda/beta", "/aws/lambda/nope", "/shared"} {
		if src, err := h.svc.LogSource(ctx, group); !errors.Is(err, logs.ErrGroupNotFound) {
			t.Errorf("LogSource(%s) = %+v, %v; want ErrGroupNotFound", group, src, err)
		}
	}
	all, err := h.svc.LogSources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Group+"="+s.Key)
	}
	if got := strings.Join(names, " "); got != "/aws/lambda/alpha=aardvark /shared/app=beta /aws/lambda/zeta=eta" {
		t.Fatalf("LogSources: %s", got)
	}

	// Through the Logs API: a function's lines are read from its own log group.
	if _, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("beta"), Payload: []byte(`{"from":"beta"}`)}); err != nil {
		t.Fatal(err)
	}
	cw := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(h.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	waitFor(t, "beta's line in /shared/app", func() bool {
		out, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/shared/app"), FilterPattern: aws.String(`"echo {\"from\":\"beta\"}"`)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Events) == 1
	})
	groups, err := cw.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, g := range groups.LogGroups {
		names = append(names, aws.ToString(g.LogGroupName))
	}
	if got := strings.Join(names, " "); got != "/aws/lambda/alpha /aws/lambda/zeta /shared/app" {
		t.Fatalf("DescribeLogGroups: %s", got)
	}
}
