package platform

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/iam"
)

// benchInvoker is a platform with a warm echo function and a Lambda client
// signed as a role session allowed to invoke it: under enforce every
// invoke is a real policy evaluation (the server's own keys skip it).
type benchInvoker struct {
	client *lambda.Client
}

func newBenchInvoker(b *testing.B, mode iam.Mode) *benchInvoker {
	b.Helper()
	o := Options{DataDir: b.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", IAM: mode}
	p, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	ctx := context.Background()
	c := clientsFor(p.EndpointURL())
	out, err := c.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("invoker"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		b.Fatal(err)
	}
	role := aws.ToString(out.Role.Arn)
	if _, err := c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("invoker"), PolicyName: aws.String("invoke"),
		PolicyDocument: aws.String(allowDoc("Allow", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:000000000000:function:echo"))}); err != nil {
		b.Fatal(err)
	}
	zipData := fnZip(b, "echo")
	if _, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("echo"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: zipData},
	}); err != nil {
		b.Fatal(err)
	}
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, "bench"), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	bi := &benchInvoker{client: lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})}
	for range 20 { // warm: an instance, the role's compiled policies, connections
		bi.invoke(b)
	}
	return bi
}

func (bi *benchInvoker) invoke(b *testing.B) time.Duration {
	start := time.Now()
	out, err := bi.client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"k":"v"}`)})
	d := time.Since(start)
	if err != nil || out.FunctionError != nil {
		b.Fatalf("invoke: %v", err)
	}
	return d
}

// BenchmarkWarmInvokeIAM compares a warm synchronous invoke through the
// Invoke API under --iam enforce and --iam off, interleaved so both see the
// same machine: it reports each median and enforce/off (target <= 1.03).
func BenchmarkWarmInvokeIAM(b *testing.B) {
	enforce, off := newBenchInvoker(b, iam.Enforce), newBenchInvoker(b, iam.Off)
	on, of := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			on = append(on, enforce.invoke(b))
			of = append(of, off.invoke(b))
		} else {
			of = append(of, off.invoke(b))
			on = append(on, enforce.invoke(b))
		}
	}
	b.StopTimer()
	median := func(ds []time.Duration) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[len(ds)/2].Nanoseconds())
	}
	mOn, mOff := median(on), median(of)
	b.ReportMetric(mOn/1e3, "enforce-µs")
	b.ReportMetric(mOff/1e3, "off-µs")
	b.ReportMetric(mOn/mOff, "enforce/off")
}
