package functions

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// maxPeekBody bounds the body bodyConditionKeys reads; the operations it
// reads are small JSON documents.
const maxPeekBody = 64 << 10

// bodyConditionKeys returns the condition keys Lambda's service
// authorization reference lists for an operation whose values are in the
// request body: lambda:FunctionUrlAuthType (Create/UpdateFunctionUrlConfig,
// AddPermission) and lambda:Principal (AddPermission). It reads the body
// and puts it back for the handler; a body it cannot read gives no keys (an
// Allow that needs them does not apply).
func bodyConditionKeys(action string, r *http.Request) map[string][]string {
	switch action {
	case "lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "lambda:AddPermission":
	default:
		return nil
	}
	var in struct {
		AuthType            *string `json:"AuthType"`
		FunctionURLAuthType string  `json:"FunctionUrlAuthType"`
		Principal           string  `json:"Principal"`
	}
	if !peekJSON(r, &in) {
		return nil
	}
	return conditionKeys(action, in.AuthType, in.FunctionURLAuthType, in.Principal)
}

// conditionKeys are the body condition keys of action given the body's
// AuthType (the URL operations), FunctionUrlAuthType and Principal
// (AddPermission); nil when there are none.
func conditionKeys(action string, authType *string, fnURLAuthType, principal string) map[string][]string {
	keys := map[string][]string{}
	switch action {
	case "lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig":
		if authType != nil {
			keys["lambda:FunctionUrlAuthType"] = []string{*authType}
		}
	case "lambda:AddPermission":
		if fnURLAuthType != "" {
			keys["lambda:FunctionUrlAuthType"] = []string{fnURLAuthType}
		}
		if principal != "" {
			keys["lambda:Principal"] = []string{principal}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return keys
}

// peekJSON decodes the request's JSON body into v and puts the body back for
// the handler; false when there is none, it is too large to peek at, or it
// does not decode.
func peekJSON(r *http.Request, v any) bool {
	if r.Body == nil {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxPeekBody+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), r.Body))
	if err != nil || len(b) > maxPeekBody {
		return false
	}
	return json.Unmarshal(b, v) == nil
}
