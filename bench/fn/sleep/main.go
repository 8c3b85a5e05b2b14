// Command sleep holds its instance busy for the number of milliseconds in
// the event's "ms" field, so a benchmark can force N instances to exist.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	MS int `json:"ms"`
}

func main() {
	lambda.Start(func(ctx context.Context, ev event) (string, error) {
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		return "ok", nil
	})
}
