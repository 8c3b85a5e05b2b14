package functions

import (
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// TagResource, UntagResource and ListTags on the Lambda API: the resource is
// a function's ARN in the path (/2017-03-31/tags/{ARN}); the tags are kept
// with the function's configuration, so they last as long as it does.
// Each is authorized as lambda:TagResource, lambda:UntagResource or
// lambda:ListTags on the function's ARN (api_ops.go).

// taggedFunction is the function the path's ARN names. Lambda takes only an
// unqualified function ARN of this account and region here.
func (a *lambdaAPI) taggedFunction(r *http.Request) (string, error) {
	raw := r.PathValue("Resource")
	arn, err := awsapi.ParseARN(raw)
	if err != nil || arn.Service != "lambda" || !strings.HasPrefix(arn.Resource, "function:") {
		return "", awsapi.Errorf(http.StatusBadRequest, "ValidationException",
			"1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must be a function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)", raw)
	}
	name, qual, err := parseFunctionRef(raw)
	if err != nil {
		return "", awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: %v", raw, err)
	}
	if qual != "" {
		return "", awsapi.InvalidParameter("Tags are not supported on function versions or aliases: %s", raw)
	}
	if arn.AccountID != a.s.account.ID || arn.Region != a.s.account.Region {
		return "", &notFoundError{arn: raw}
	}
	return name, nil
}

type tagResourceInput struct {
	Tags map[string]string `json:"Tags"`
}

func (a *lambdaAPI) tagResource(w http.ResponseWriter, r *http.Request) error {
	name, err := a.taggedFunction(r)
	if err != nil {
		return err
	}
	var in tagResourceInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if len(in.Tags) == 0 {
		return awsapi.InvalidParameter("Tags is required: a map of one or more tags")
	}
	if _, err := a.s.TagFunction(r.Context(), name, in.Tags); err != nil {
		return a.notFound(name, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *lambdaAPI) untagResource(w http.ResponseWriter, r *http.Request) error {
	name, err := a.taggedFunction(r)
	if err != nil {
		return err
	}
	keys := r.URL.Query()["tagKeys"]
	if len(keys) == 0 {
		return awsapi.InvalidParameter("tagKeys is required: one or more tag keys to remove")
	}
	if _, err := a.s.UntagFunction(r.Context(), name, keys); err != nil {
		return a.notFound(name, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *lambdaAPI) listTags(w http.ResponseWriter, r *http.Request) error {
	name, err := a.taggedFunction(r)
	if err != nil {
		return err
	}
	c, err := a.s.Get(r.Context(), name)
	if err != nil {
		return a.notFound(name, err)
	}
	awsapi.WriteJSON(w, http.StatusOK, map[string]any{"Tags": wireTags(c.Tags)})
	return nil
}

// wireTags is a function's tags as the API answers them: never null.
func wireTags(tags map[string]string) map[string]string {
	if tags == nil {
		return map[string]string{}
	}
	return tags
}

// visibleTags is what GetFunction shows of a function's tags: Lambda
// requires lambda:ListTags besides lambda:GetFunction to see them.
func (a *lambdaAPI) visibleTags(r *http.Request, c *Config) map[string]string {
	if len(c.Tags) == 0 {
		return map[string]string{}
	}
	if err := a.authorize(r, "lambda:ListTags", c.ARN, nil); err != nil {
		return map[string]string{}
	}
	return c.Tags
}

// authorizeCreateTags: creating a function with tags needs lambda:TagResource.
func (a *lambdaAPI) authorizeCreateTags(r *http.Request, name string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	return awsapi.Authorize(r.Context(), a.s.opts.Authorizer, awsapi.AuthzRequest{
		Service: "lambda", Action: "lambda:TagResource", Resource: a.s.account.FunctionARN(name), RequestTags: tags, HTTP: r,
	})
}

// peekTags reads the Tags a TagResource body sets (aws:RequestTag/*,
// aws:TagKeys), leaving the body for the handler; nil when it cannot.
func peekTags(r *http.Request) map[string]string {
	var in struct {
		Tags map[string]string `json:"Tags"`
	}
	if !peekJSON(r, &in) {
		return nil
	}
	return in.Tags
}
