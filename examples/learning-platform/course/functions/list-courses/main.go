// Command list-courses returns the course catalogue of the learning platform.
// The catalogue lives in the shared stack's SSM parameter named by
// CATALOGUE_PARAMETER; the function reads it with the AWS SDK, as it would on
// AWS, using only its environment.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/nubo-run/nubo/examples/learning-platform/internal/web"
)

type course struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Price int    `json:"priceCents"`
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	client := ssm.NewFromConfig(cfg)
	list := func(ctx context.Context, _ struct{}) ([]course, error) {
		out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(os.Getenv("CATALOGUE_PARAMETER"))})
		if err != nil {
			return nil, fmt.Errorf("read catalogue: %w", err)
		}
		var cs []course
		if err := json.Unmarshal([]byte(aws.ToString(out.Parameter.Value)), &cs); err != nil {
			return nil, fmt.Errorf("decode catalogue: %w", err)
		}
		return cs, nil
	}
	lambda.Start(web.Adapt(list, web.JSONBody[struct{}]))
}
