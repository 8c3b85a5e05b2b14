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
// A name that does not parse leaves "*": the handler refuses it before it
// acts. What the body says (condition keys, the tags TagResource sets) is
// the input's to add (bodyAuthz).
func (a *lambdaAPI) target(r *http.Request, action string) awsapi.Target {
	t := awsapi.Target{Resource: "*"}
	if layer := r.PathValue("LayerName"); layer != "" {
		t.Resource = a.s.LayerARN(layer)
		if v := r.PathValue("VersionNumber"); v != "" {
			t.Resource += ":" + v
		}
		return t
	}
	if csc := r.PathValue("CodeSigningConfigArn"); csc != "" {
		t.Resource = csc // api_codesigning.go
		return t
	}
	raw := r.PathValue("FunctionName")
	if raw == "" {
		raw = r.PathValue("Resource") // the tag operations
	}
	if raw == "" {
		raw = r.PathValue("ResourceArn") // the resource policy operations
	}
	if raw == "" {
		return t
	}
	if isCSCARN(raw) { // a code signing config's tags
		t.Resource = raw
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

// bodyAuthz is an input whose body says something its authorization asks
// about: Lambda's body condition keys (condkeys.go), the tags TagResource
// sets.
type bodyAuthz interface {
	authz(action string, t *awsapi.Target)
}

// op declares a typed operation authorized as action on the request's
// target, with what its input's body adds.
func op[In, Out any](a *lambdaAPI, name, action, route string, status int, h func(*awsapi.Call, *In) (Out, error)) awsapi.Op[In, Out] {
	return awsapi.Op[In, Out]{Name: name, Action: action, HTTP: route, Status: status, Handler: h,
		Resources: func(c *awsapi.Call, in *In) ([]awsapi.Target, error) {
			t := a.target(c.R, action)
			if b, ok := any(in).(bodyAuthz); ok {
				b.authz(action, &t)
			}
			return []awsapi.Target{t}, nil
		}}
}

// raw declares an operation whose handler reads the request and writes the
// response, authorized as action on the request's target.
func (a *lambdaAPI) raw(name, action, route string, h func(http.ResponseWriter, *http.Request) error) awsapi.RawOp {
	return awsapi.RawOp{Name: name, Action: action, HTTP: route, Handler: h,
		Resources: func(c *awsapi.Call) ([]awsapi.Target, error) {
			t := a.target(c.R, action)
			t.Context = bodyConditionKeys(action, c.R)
			return []awsapi.Target{t}, nil
		}}
}
