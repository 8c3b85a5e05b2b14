package functions

import (
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// TagResource, UntagResource and ListTags on the Lambda API: the resource is
// a function's ARN in the path (/2017-03-31/tags/{ARN}); the tags are kept
// with the function's configuration, so they last as long as it does. A
// code signing config's ARN names its tags (api_codesigning.go).
// Each is authorized as lambda:TagResource, lambda:UntagResource or
// lambda:ListTags on the function's ARN (api_ops.go).

// taggedFunction is the function the path's ARN names. Lambda takes only an
// unqualified function ARN of this account and region here.
func (a *lambdaAPI) taggedFunction(raw string) (string, error) {
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
	Resource string            `aws:"uri=Resource" json:"-"`
	Tags     map[string]string `json:"Tags"`
}

// authz: the tags TagResource sets are aws:RequestTag/* and aws:TagKeys.
func (in *tagResourceInput) authz(_ string, t *awsapi.Target) { t.RequestTags = in.Tags }

func (a *lambdaAPI) tagResource(c *awsapi.Call, in *tagResourceInput) (awsapi.None, error) {
	if isCSCARN(in.Resource) { // api_codesigning.go
		if len(in.Tags) == 0 {
			return awsapi.None{}, awsapi.InvalidParameter("Tags is required: a map of one or more tags")
		}
		_, err := a.tagCSC(c, in.Resource, in.Tags, nil)
		return awsapi.None{}, err
	}
	name, err := a.taggedFunction(in.Resource)
	if err != nil {
		return awsapi.None{}, err
	}
	if len(in.Tags) == 0 {
		return awsapi.None{}, awsapi.InvalidParameter("Tags is required: a map of one or more tags")
	}
	if _, err := a.s.TagFunction(c.Context(), name, in.Tags); err != nil {
		return awsapi.None{}, a.notFound(name, err)
	}
	return awsapi.None{}, nil
}

type untagResourceInput struct {
	Resource string   `aws:"uri=Resource" json:"-"`
	TagKeys  []string `aws:"querystring=tagKeys" json:"-"`
}

func (a *lambdaAPI) untagResource(c *awsapi.Call, in *untagResourceInput) (awsapi.None, error) {
	if isCSCARN(in.Resource) {
		if len(in.TagKeys) == 0 {
			return awsapi.None{}, awsapi.InvalidParameter("tagKeys is required: one or more tag keys to remove")
		}
		_, err := a.tagCSC(c, in.Resource, nil, in.TagKeys)
		return awsapi.None{}, err
	}
	name, err := a.taggedFunction(in.Resource)
	if err != nil {
		return awsapi.None{}, err
	}
	if len(in.TagKeys) == 0 {
		return awsapi.None{}, awsapi.InvalidParameter("tagKeys is required: one or more tag keys to remove")
	}
	if _, err := a.s.UntagFunction(c.Context(), name, in.TagKeys); err != nil {
		return awsapi.None{}, a.notFound(name, err)
	}
	return awsapi.None{}, nil
}

type tagsRef struct {
	Resource string `aws:"uri=Resource" json:"-"`
}

type listTagsOutput struct {
	Tags map[string]string `json:"Tags"`
}

func (a *lambdaAPI) listTags(c *awsapi.Call, in *tagsRef) (listTagsOutput, error) {
	if isCSCARN(in.Resource) {
		tags, err := a.tagCSC(c, in.Resource, nil, nil)
		return listTagsOutput{Tags: tags}, err
	}
	name, err := a.taggedFunction(in.Resource)
	if err != nil {
		return listTagsOutput{}, err
	}
	fc, err := a.s.Get(c.Context(), name)
	if err != nil {
		return listTagsOutput{}, a.notFound(name, err)
	}
	return listTagsOutput{Tags: wireTags(fc.Tags)}, nil
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
