// Command sleep is a test function that sleeps for the number of
// milliseconds in its payload, then reports the deadline it was given.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, ms int) (map[string]int64, error) {
		time.Sleep(time.Duration(ms) * time.Millisecond)
		dl, _ := ctx.Deadline()
		return map[string]int64{"deadlineMs": dl.UnixMilli()}, nil
	})
}
