// Command exit is a test function that exits with status 2 mid-invocation.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) error {
		os.Exit(2)
		return nil
	})
}
