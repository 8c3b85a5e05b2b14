// Command panic is a test function that panics in its handler.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) error {
		panic("boom")
	})
}
