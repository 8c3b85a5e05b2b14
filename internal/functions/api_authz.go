package functions

import (
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// target is the authorization question of a request to the operation
// authorized as action: the layer (version) its path names; else the
// function its path names (by name or, for the tag operations, by ARN),
// qualified by the version or alias the request names (requestQualifier),
// with the function's resource-based policy and tags (aws:ResourceTag/*;
// a missing function is the handler's 404 to give); the condition keys of
// its body (condkeys.go) and, for TagResource, the tags it sets. A name
// that does not parse leaves "*": the handler refuses it before it acts.
func (a *lambdaAPI) target(r *http.Request, action string) awsapi.Target {
	t := awsapi.Target{Resource: "*", Context: bodyConditionKeys(action, r)}
	if layer := r.PathValue("LayerName"); layer != "" {
		t.Resource = a.s.LayerARN(layer)
		if v := r.PathValue("VersionNumber"); v != "" {
			t.Resource += ":" + v
		}
		return t
	}
	if action == "lambda:TagResource" {
		t.RequestTags = peekTags(r)
	}
	raw := r.PathValue("FunctionName")
	if raw == "" {
		raw = r.PathValue("Resource") // the tag operations
	}
	if raw == "" {
		return t
	}
	name, qual, err := parseFunctionRef(raw)
	if err != nil {
		return t
	}
	t.Resource = a.s.qualifiedARN(name, requestQualifier(r, qual))
	if rp := a.s.opts.ResourcePolicy; rp != nil {
		t.ResourcePolicy = rp(name)
	}
	if c, err := a.s.reg.current(r.Context(), name); err == nil {
		t.ResourceTags = c.Tags
	}
	return t
}

// layerVersionByARNTarget: GetLayerVersionByArn is lambda:GetLayerVersion
// on the layer version ARN it asks for.
func layerVersionByARNTarget(c *awsapi.Call) ([]awsapi.Target, error) {
	arn := c.R.URL.Query().Get("Arn")
	if arn == "" {
		arn = "*"
	}
	return []awsapi.Target{{Resource: arn}}, nil
}
