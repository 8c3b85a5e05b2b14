// Command get-user returns a user's profile. Authentication is a third-party
// service in seed 001; here the user id arrives in the event.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type request struct {
	UserID string `json:"userId"`
}

type profile struct {
	UserID   string `json:"userId"`
	Platform string `json:"platform"`
}

func main() {
	lambda.Start(func(ctx context.Context, r request) (profile, error) {
		if r.UserID == "" {
			return profile{}, errors.New("userId is required")
		}
		return profile{UserID: r.UserID, Platform: os.Getenv("PLATFORM_NAME")}, nil
	})
}
