// Command memhog is a test function that allocates and touches the number of
// megabytes in its payload.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	var keep [][]byte
	lambda.Start(func(_ context.Context, mb int) (int, error) {
		for range mb {
			b := make([]byte, 1<<20)
			for i := range b {
				b[i] = 1
			}
			keep = append(keep, b)
		}
		return len(keep), nil
	})
}
