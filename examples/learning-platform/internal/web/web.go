// Package web lets one learning-platform function answer both ways it is
// called: invoked directly with its request as the event (nubo invoke, the
// Lambda API), and through the platform's HTTP API (an API Gateway payload
// 2.0 event, answered with a proxy response).
package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is a function's logic on its own request type.
type Handler[In, Out any] func(ctx context.Context, in In) (Out, error)

// FromHTTP fills the request from an HTTP API event (path parameters, body).
type FromHTTP[In any] func(ev *events.APIGatewayV2HTTPRequest, in *In) error

// Adapt returns the Lambda handler: an HTTP API event gets a JSON response
// (400 with {"message"} when the logic refuses the request), any other event
// is decoded as In and answered with Out.
func Adapt[In, Out any](h Handler[In, Out], fromHTTP FromHTTP[In]) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct {
			RouteKey       string          `json:"routeKey"`
			RequestContext json.RawMessage `json:"requestContext"`
		}
		if json.Unmarshal(raw, &probe) == nil && probe.RouteKey != "" && len(probe.RequestContext) > 0 {
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, err
			}
			var in In
			if err := fromHTTP(&ev, &in); err != nil {
				return respond(http.StatusBadRequest, map[string]string{"message": err.Error()}), nil
			}
			out, err := h(ctx, in)
			if err != nil {
				return respond(http.StatusBadRequest, map[string]string{"message": err.Error()}), nil
			}
			return respond(http.StatusOK, out), nil
		}
		var in In
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &in); err != nil {
				return nil, err
			}
		}
		return h(ctx, in)
	}
}

// JSONBody decodes the HTTP request's body into in (an empty body is fine).
func JSONBody[In any](ev *events.APIGatewayV2HTTPRequest, in *In) error {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded { // API Gateway encodes bodies of non-text content types
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return err
		}
	}
	if len(body) == 0 {
		return nil
	}
	return json.Unmarshal(body, in)
}

func respond(status int, v any) events.APIGatewayV2HTTPResponse {
	b, _ := json.Marshal(v)
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(b)}
}
