// Command notify is the event bus benchmark's function: it posts the id of
// the EventBridge event it receives to NOTIFY_URL, so the benchmark sees
// when the function saw the event.
package main

import (
	"context"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	url := os.Getenv("NOTIFY_URL")
	lambda.Start(func(ctx context.Context, ev events.EventBridgeEvent) error {
		resp, err := http.Post(url, "text/plain", strings.NewReader(ev.ID))
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
}
