package gateway

import "errors"

// Sentinel errors. The platform's Invoker adapter maps the functions
// context's errors onto the first three; the handler maps them to the status
// codes API Gateway answers with.
var (
	// ErrThrottled: the function has no concurrency left (429).
	ErrThrottled = errors.New("function throttled")
	// ErrTimeout: the invocation did not finish in time (504, HTTP APIs 503).
	ErrTimeout = errors.New("integration timed out")
	// ErrFunctionNotFound: the integration names no function (500).
	ErrFunctionNotFound = errors.New("function not found")
	// ErrAccessDenied: the function's resource policy does not let the
	// gateway invoke it (AWS::Lambda::Permission missing): 500 on APIs, as
	// API Gateway's "Invalid permissions on Lambda function"; 403 Forbidden
	// on function URLs.
	ErrAccessDenied = errors.New("function policy does not allow the invocation")

	// ErrNotFound: no API, domain or function URL with that id.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a configuration failed validation; the message names the field.
	ErrInvalid = errors.New("invalid configuration")
)
