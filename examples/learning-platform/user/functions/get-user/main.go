// Command get-user returns a user's profile. Authentication is a third-party
// service in seed 001; here the user id arrives in the event.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/nubo-run/nubo/examples/learning-platform/internal/web"
)

type request struct {
	UserID string `json:"userId"`
}

type profile struct {
	UserID   string `json:"userId"`
	Platform string `json:"platform"`
}

func main() {
	get := func(ctx context.Context, r request) (profile, error) {
		if r.UserID == "" {
			return profile{}, errors.New("userId is required")
		}
		return profile{UserID: r.UserID, Platform: os.Getenv("PLATFORM_NAME")}, nil
	}
	// GET /users/{userId}
	lambda.Start(web.Adapt(get, func(ev *events.APIGatewayV2HTTPRequest, r *request) error {
		r.UserID = ev.PathParameters["userId"]
		return nil
	}))
}
