// Command enrol enrols a user on a course after checking the payment
// function's receipt (the payment stack exports that function's name).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/nubo-run/nubo/examples/learning-platform/internal/web"
)

type request struct {
	UserID   string `json:"userId"`
	CourseID string `json:"courseId"`
	Receipt  string `json:"receipt"`
}

type enrolment struct {
	UserID    string    `json:"userId"`
	CourseID  string    `json:"courseId"`
	Receipt   string    `json:"receipt"`
	Since     time.Time `json:"since"`
	PaymentFn string    `json:"paymentFunction"`
}

func main() {
	enrol := func(ctx context.Context, r request) (enrolment, error) {
		if r.UserID == "" || r.CourseID == "" {
			return enrolment{}, errors.New("userId and courseId are required")
		}
		if r.Receipt == "" {
			return enrolment{}, fmt.Errorf("course %s: no payment receipt", r.CourseID)
		}
		return enrolment{UserID: r.UserID, CourseID: r.CourseID, Receipt: r.Receipt, Since: time.Now().UTC(), PaymentFn: os.Getenv("PAYMENT_FUNCTION")}, nil
	}
	// POST /courses/{courseId}/enrolments with {"userId", "receipt"}.
	lambda.Start(web.Adapt(enrol, func(ev *events.APIGatewayV2HTTPRequest, r *request) error {
		if err := web.JSONBody(ev, r); err != nil {
			return err
		}
		r.CourseID = ev.PathParameters["courseId"]
		return nil
	}))
}
