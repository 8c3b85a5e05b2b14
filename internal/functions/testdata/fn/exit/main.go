// Command exit is a test function that says so, then exits with status 2
// mid-invocation.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) error {
		fmt.Fprintln(os.Stderr, "exiting now")
		os.Exit(2)
		return nil
	})
}
