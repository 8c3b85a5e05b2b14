// Command logger is a test function that writes the lines in its payload to
// stdout and stderr (alternating, the last one without a newline) and
// returns how many it wrote.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	fmt.Println("init line")
	lambda.Start(func(_ context.Context, lines []string) (int, error) {
		for i, l := range lines {
			w := os.Stdout
			if i%2 == 1 {
				w = os.Stderr
			}
			if i == len(lines)-1 {
				fmt.Fprint(w, l)
			} else {
				fmt.Fprintln(w, l)
			}
		}
		return len(lines), nil
	})
}
