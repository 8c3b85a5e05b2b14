// Command env is a test function that returns its environment, its working
// directory and its invocation context as JSON.
package main

import (
	"context"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type out struct {
	Env        map[string]string `json:"env"`
	Cwd        string            `json:"cwd"`
	RequestID  string            `json:"requestId"`
	ARN        string            `json:"arn"`
	Client     map[string]string `json:"client"`
	IdentityID string            `json:"identityId"`
	TraceID    string            `json:"traceId"`
}

func main() {
	lambda.Start(func(ctx context.Context) (out, error) {
		o := out{Env: map[string]string{}}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			o.Env[k] = v
		}
		o.Cwd, _ = os.Getwd()
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			o.RequestID = lc.AwsRequestID
			o.ARN = lc.InvokedFunctionArn
			o.Client = lc.ClientContext.Custom
			o.IdentityID = lc.Identity.CognitoIdentityID
		}
		o.TraceID, _ = ctx.Value("x-amzn-trace-id").(string)
		return o, nil
	})
}
