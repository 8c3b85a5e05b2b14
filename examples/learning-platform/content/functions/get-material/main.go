// Command get-material returns where a lesson's material is served from.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type request struct {
	CourseID string `json:"courseId"`
	Lesson   int    `json:"lesson"`
}

type material struct {
	CourseID string `json:"courseId"`
	Lesson   int    `json:"lesson"`
	URL      string `json:"url"`
}

func main() {
	base := os.Getenv("CONTENT_BASE_URL")
	lambda.Start(func(ctx context.Context, r request) (material, error) {
		if r.CourseID == "" || r.Lesson < 1 {
			return material{}, errors.New("courseId and a lesson number >= 1 are required")
		}
		return material{CourseID: r.CourseID, Lesson: r.Lesson, URL: base + "/" + r.CourseID + "/lesson-" + itoa(r.Lesson) + ".mp4"}, nil
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
