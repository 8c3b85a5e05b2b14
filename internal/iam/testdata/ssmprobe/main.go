// Command ssmprobe is a test function for IAM enforcement: it reads the SSM
// parameter named in its payload with the SDK, configured only from the
// environment nubo gives it (AWS_ENDPOINT_URL and its role's temporary
// credentials), and answers with the value or the error the SDK returned.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

type in struct {
	Name string `json:"name"`
}

type out struct {
	Value string `json:"value,omitempty"`
	Error string `json:"error,omitempty"`
}

func main() {
	lambda.Start(func(ctx context.Context, e in) (out, error) {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryMaxAttempts(1))
		if err != nil {
			return out{}, err
		}
		got, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(e.Name)})
		if err != nil {
			return out{Error: err.Error()}, nil
		}
		return out{Value: aws.ToString(got.Parameter.Value)}, nil
	})
}
