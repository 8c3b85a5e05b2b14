package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/nubo-run/nubo/internal/platform"
	"github.com/nubo-run/nubo/internal/stacks"
)

func startPlatform(b *testing.B) *platform.Platform {
	b.Helper()
	p, err := platform.New(platform.Options{DataDir: b.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	return p
}

func paramTemplate(n int, value string) string {
	var sb strings.Builder
	sb.WriteString("Resources:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  P%04d:\n    Type: AWS::SSM::Parameter\n    Properties: {Name: /bench/p%04d, Type: String, Value: %s}\n", i, i, value)
	}
	return sb.String()
}

// BenchmarkStack500 deploys 500 AWS::SSM::Parameter resources through the
// stack engine and, in the same run, creates 500 parameters directly through
// the SSM API; it reports the engine's overhead as a ratio (target ≤ 1.2),
// and the plan of the unchanged stack (target < 100 ms).
func BenchmarkStack500(b *testing.B) {
	const n = 500
	var direct, apply, plan time.Duration
	for i := 0; b.Loop(); i++ {
		p := startPlatform(b)
		c := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()),
			Credentials: credentials.NewStaticCredentialsProvider(platform.DefaultAccessKey, platform.DefaultSecretKey, "")})
		ctx := context.Background()
		start := time.Now()
		for j := range n {
			if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(fmt.Sprintf("/direct/p%04d", j)), Value: aws.String("v"), Type: "String"}); err != nil {
				b.Fatal(err)
			}
		}
		direct += time.Since(start)

		tmpl := paramTemplate(n, "v")
		start = time.Now()
		if _, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "bench", Template: tmpl}}, nil); err != nil {
			b.Fatal(err)
		}
		apply += time.Since(start)

		start = time.Now()
		pl, err := p.Stacks.Plan(ctx, stacks.PlanRequest{Stack: "bench", Template: tmpl})
		if err != nil || !pl.Empty() {
			b.Fatal(err, pl.Empty())
		}
		plan += time.Since(start)
	}
	runs := float64(b.N)
	b.ReportMetric(float64(direct.Milliseconds())/runs, "direct-ms")
	b.ReportMetric(float64(apply.Milliseconds())/runs, "apply-ms")
	b.ReportMetric(float64(apply)/float64(direct), "apply/direct")
	b.ReportMetric(float64(plan.Microseconds())/runs/1000, "plan-unchanged-ms")
}
