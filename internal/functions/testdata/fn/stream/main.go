// Command stream is a test function that returns an io.Reader, so
// aws-lambda-go posts a chunked response; with {"fail":true} the reader fails
// after the first chunk and the error travels in the response trailers.
package main

import (
	"context"
	"errors"
	"io"

	"github.com/aws/aws-lambda-go/lambda"
)

type in struct {
	Chunks []string `json:"chunks"`
	Fail   bool     `json:"fail"`
}

func main() {
	lambda.Start(func(_ context.Context, e in) (io.Reader, error) {
		pr, pw := io.Pipe()
		go func() {
			for i, c := range e.Chunks {
				if _, err := pw.Write([]byte(c)); err != nil {
					return
				}
				if e.Fail && i == 0 {
					pw.CloseWithError(errors.New("stream broke"))
					return
				}
			}
			pw.Close()
		}()
		return pr, nil
	})
}
