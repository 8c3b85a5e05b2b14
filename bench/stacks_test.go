package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
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

// stackTemplate is a generated stack of fns functions (inline Python, so no
// build) and params SSM parameters.
func stackTemplate(fns, params int, value string) string {
	var sb strings.Builder
	sb.WriteString("Resources:\n")
	for i := range fns {
		fmt.Fprintf(&sb, "  F%04d:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: bench-f%04d\n      Runtime: python3.12\n      Handler: index.handler\n      Role: arn:aws:iam::000000000000:role/bench\n      Code: {ZipFile: \"def handler(e, c):\\n    return e\\n\"}\n", i, i)
	}
	for i := range params {
		fmt.Fprintf(&sb, "  P%04d:\n    Type: AWS::SSM::Parameter\n    Properties: {Name: /bench/p%04d, Type: String, Value: %s}\n", i, i, value)
	}
	return sb.String()
}

// pyZip is what CloudFormation makes of that inline code: index.py in a zip.
func pyZip(b *testing.B) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("index.py")
	if err == nil {
		_, err = w.Write([]byte("def handler(e, c):\n    return e\n"))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkStack500 deploys a generated 500-resource stack (100 functions,
// 400 SSM parameters) through the stack engine and, in the same run, creates
// the same resources directly through the Lambda and SSM APIs with
// aws-sdk-go-v2; it reports the engine's overhead as a ratio (target ≤ 1.2),
// and the plan of the unchanged stack (target < 100 ms).
func BenchmarkStack500(b *testing.B) {
	const fns, params = 100, 400
	var direct, apply, plan time.Duration
	for i := 0; b.Loop(); i++ {
		p := startPlatform(b)
		creds := credentials.NewStaticCredentialsProvider(platform.DefaultAccessKey, platform.DefaultSecretKey, "")
		c := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()), Credentials: creds})
		lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()), Credentials: creds})
		ctx := context.Background()
		// CreateFunction refuses a role that does not exist, as Lambda does.
		ic := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()), Credentials: creds})
		if _, err := ic.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bench"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
			b.Fatal(err)
		}
		code := pyZip(b)
		start := time.Now()
		for j := range fns {
			if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fmt.Sprintf("direct-f%04d", j)),
				Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Role: aws.String("arn:aws:iam::000000000000:role/bench"),
				Code: &lambdatypes.FunctionCode{ZipFile: code}}); err != nil {
				b.Fatal(err)
			}
		}
		for j := range params {
			if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(fmt.Sprintf("/direct/p%04d", j)), Value: aws.String("v"), Type: "String"}); err != nil {
				b.Fatal(err)
			}
		}
		direct += time.Since(start)

		tmpl := stackTemplate(fns, params, "v")
		start = time.Now()
		if _, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "bench", Template: tmpl, BaseDir: b.TempDir()}}, nil); err != nil {
			b.Fatal(err)
		}
		apply += time.Since(start)

		start = time.Now()
		pl, err := p.Stacks.Plan(ctx, stacks.PlanRequest{Stack: "bench", Template: tmpl, BaseDir: b.TempDir()})
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
