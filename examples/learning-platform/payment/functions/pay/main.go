// Command pay takes a card payment for a course. The card processor is a
// third party in seed 001; this function validates the card number (Luhn)
// and returns a receipt.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/nubo-run/nubo/examples/learning-platform/internal/web"
)

type request struct {
	UserID   string `json:"userId"`
	CourseID string `json:"courseId"`
	Card     string `json:"card"`
	Amount   int    `json:"amountCents"`
}

type receipt struct {
	Receipt  string `json:"receipt"`
	Amount   int    `json:"amountCents"`
	Currency string `json:"currency"`
}

func main() {
	pay := func(ctx context.Context, r request) (receipt, error) {
		card := strings.ReplaceAll(r.Card, " ", "")
		if !luhn(card) {
			return receipt{}, errors.New("card number is not valid")
		}
		if r.Amount <= 0 {
			return receipt{}, fmt.Errorf("amountCents must be positive, got %d", r.Amount)
		}
		h := sha256.Sum256([]byte(r.UserID + "/" + r.CourseID + "/" + card))
		return receipt{Receipt: "rcpt-" + hex.EncodeToString(h[:8]), Amount: r.Amount, Currency: os.Getenv("CURRENCY")}, nil
	}
	// POST /payments with the request as the JSON body.
	lambda.Start(web.Adapt(pay, web.JSONBody[request]))
}

func luhn(s string) bool {
	if len(s) < 12 {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
