// Command gate is a test function that stays busy until the file named in
// its payload exists, then answers {"real":N}: a test can act while an
// invocation is in flight without timing it.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type in struct {
	Gate string `json:"gate"`
	N    int    `json:"n"`
}

func main() {
	lambda.Start(func(e in) (map[string]int, error) {
		for e.Gate != "" {
			if _, err := os.Stat(e.Gate); err == nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		return map[string]int{"real": e.N}, nil
	})
}
