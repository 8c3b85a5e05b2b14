// Command hello is a function deployed from source by a stack in tests:
// it answers with its GREETING environment variable and the event's name.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Name string `json:"name"`
}

func main() {
	lambda.Start(func(ctx context.Context, e event) (string, error) {
		return os.Getenv("GREETING") + ", " + e.Name + version, nil
	})
}
