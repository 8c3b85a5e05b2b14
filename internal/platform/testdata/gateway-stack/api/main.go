// Command api is a function behind the gateway in tests: it answers any API
// Gateway proxy event (payload 1.0 or 2.0, function URLs) with a JSON
// summary of what it received. A "sleep" query parameter (milliseconds)
// makes it wait first.
package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	Resource              string            `json:"resource"`
	Path                  string            `json:"path"`
	HTTPMethod            string            `json:"httpMethod"`
	PathParameters        map[string]string `json:"pathParameters"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	RequestContext        struct {
		Stage      string `json:"stage"`
		DomainName string `json:"domainName"`
	} `json:"requestContext"`
}

type summary struct {
	Function   string            `json:"function"`
	Version    string            `json:"version"`
	RouteKey   string            `json:"routeKey,omitempty"`
	Resource   string            `json:"resource,omitempty"`
	Path       string            `json:"path"`
	Method     string            `json:"method,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	Stage      string            `json:"stage"`
	DomainName string            `json:"domainName"`
	Tag        string            `json:"tag,omitempty"`
	// FunctionVersion is the version that runs (AWS_LAMBDA_FUNCTION_VERSION)
	// and CodeTag what a test added to the code (codeTag, set by a file
	// it writes beside this one).
	FunctionVersion string `json:"functionVersion"`
	CodeTag         string `json:"codeTag,omitempty"`
}

var codeTag string

func main() {
	lambda.Start(func(ctx context.Context, e event) (map[string]any, error) {
		if ms, err := strconv.Atoi(e.QueryStringParameters["sleep"]); err == nil {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		s := summary{Function: os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), Version: e.Version, RouteKey: e.RouteKey,
			Resource: e.Resource, Path: e.RawPath, Method: e.HTTPMethod, Params: e.PathParameters,
			Stage: e.RequestContext.Stage, DomainName: e.RequestContext.DomainName, Tag: os.Getenv("TAG"),
			FunctionVersion: os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"), CodeTag: codeTag}
		if s.Path == "" {
			s.Path = e.Path
		}
		b, _ := json.Marshal(s)
		return map[string]any{"statusCode": 200, "headers": map[string]string{"content-type": "application/json"}, "body": string(b)}, nil
	})
}
