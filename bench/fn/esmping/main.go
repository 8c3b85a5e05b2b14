// Command esmping is the event source mapping benchmark's function: it
// posts the body of each SQS record it is given to PING_URL.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	url := os.Getenv("PING_URL")
	lambda.Start(func(ctx context.Context, ev events.SQSEvent) error {
		for _, r := range ev.Records {
			resp, err := http.Post(url, "text/plain", strings.NewReader(r.Body))
			if err != nil {
				return fmt.Errorf("ping: %w", err)
			}
			_ = resp.Body.Close()
		}
		return nil
	})
}
