// Command sigterm is a test function that registers for SIGTERM and writes
// the file named by MARKER_FILE when it arrives.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.StartWithOptions(func(context.Context) (string, error) {
		return "ok", nil
	}, lambda.WithEnableSIGTERM(func() {
		_ = os.WriteFile(os.Getenv("MARKER_FILE"), []byte("sigterm"), 0o644)
	}))
}
