// Command error is a test function that always returns an error.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) error {
		return errors.New("something went wrong")
	})
}
