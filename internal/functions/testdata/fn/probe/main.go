// Command probe is a test function for the functions API: it logs the id in
// its payload, sleeps, optionally fails, and optionally calls the Lambda API
// back with the credentials and endpoint nubo gave it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
)

type in struct {
	ID      string `json:"id"`
	SleepMs int    `json:"sleepMs"`
	Fail    bool   `json:"fail"`
	// CallBack asks the Lambda API for this function, signed with the
	// instance's temporary credentials, at AWS_ENDPOINT_URL.
	CallBack string `json:"callBack"`
	// A destination record (when probe is another function's destination).
	RequestContext *struct {
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload struct {
		ID string `json:"id"`
	} `json:"requestPayload"`
}

func main() {
	lambda.Start(func(ctx context.Context, e in) (map[string]string, error) {
		if rc := e.RequestContext; rc != nil {
			fmt.Printf("record %s %d %s\n", rc.Condition, rc.ApproximateInvokeCount, e.RequestPayload.ID)
			return map[string]string{"record": rc.Condition}, nil
		}
		fmt.Printf("probe %s\n", e.ID)
		time.Sleep(time.Duration(e.SleepMs) * time.Millisecond)
		if e.Fail {
			return nil, errors.New("probe failed on purpose")
		}
		out := map[string]string{"id": e.ID}
		if e.CallBack != "" {
			cfg, err := config.LoadDefaultConfig(ctx)
			if err != nil {
				return nil, err
			}
			got, err := awslambda.NewFromConfig(cfg).GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String(e.CallBack)})
			if err != nil {
				return nil, err
			}
			out["calledBack"] = aws.ToString(got.Configuration.FunctionArn)
		}
		if dir := os.Getenv("PROBE_MARK_DIR"); dir != "" && e.ID != "" {
			// A mark on disk, which a crash of nubo cannot lose (its log
			// lines of the last milliseconds it can).
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(e.ID)), nil, 0o644); err != nil {
				return nil, err
			}
		}
		fmt.Printf("probe %s done\n", e.ID)
		return out, nil
	})
}
