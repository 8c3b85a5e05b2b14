// Command get-material returns where a lesson's material is served from.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/nubo-run/nubo/examples/learning-platform/internal/web"
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
	get := func(ctx context.Context, r request) (material, error) {
		if r.CourseID == "" || r.Lesson < 1 {
			return material{}, errors.New("courseId and a lesson number >= 1 are required")
		}
		return material{CourseID: r.CourseID, Lesson: r.Lesson, URL: base + "/" + r.CourseID + "/lesson-" + strconv.Itoa(r.Lesson) + ".mp4"}, nil
	}
	// GET /content/{courseId}/lessons/{lesson}
	lambda.Start(web.Adapt(get, func(ev *events.APIGatewayV2HTTPRequest, r *request) error {
		n, err := strconv.Atoi(ev.PathParameters["lesson"])
		if err != nil {
			return fmt.Errorf("lesson %q is not a number", ev.PathParameters["lesson"])
		}
		r.CourseID, r.Lesson = ev.PathParameters["courseId"], n
		return nil
	}))
}
