package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Request validation of REST APIs (AWS::ApiGateway::RequestValidator on a
// Method, or x-amazon-apigateway-request-validator in a Body), as API
// Gateway does it: with ValidateRequestParameters, the method's required
// request parameters (method.request.querystring.q, .header.h, .path.p)
// must be present and non-empty, else 400 "Missing required request
// parameters: [q, h]" (gateway response BAD_REQUEST_PARAMETERS); with
// ValidateRequestBody, the body must validate against the method's request
// model for its content type (JSON Schema draft 4, the models of the API:
// AWS::ApiGateway::Model), else 400 "Invalid request body"
// (BAD_REQUEST_BODY). Parameters are checked before the body.

// RequestValidation is what a method's validator checks.
type RequestValidation struct {
	Body   bool `json:"body,omitempty"`
	Params bool `json:"params,omitempty"`
	// Required are the method's required request parameters, spelled
	// "method.request.querystring.NAME" (header, path).
	Required []string `json:"required,omitempty"`
	// Models maps a content type ("application/json", or "$default") to
	// the name of one of the API's Models.
	Models map[string]string `json:"models,omitempty"`
}

// modelURL is the address API Gateway gives a model, which other models'
// $ref name it by.
func modelURL(apiID, name string) string {
	return "https://apigateway.amazonaws.com/restapis/" + apiID + "/models/" + name
}

// compileModels compiles the API's models (name -> JSON Schema text); a
// model may $ref another by its modelURL.
func compileModels(apiID string, models map[string]json.RawMessage) (map[string]*jsonschema.Schema, error) {
	if len(models) == 0 {
		return nil, nil
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(noLoader{})
	names := sortedKeys(models)
	for _, name := range names {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(models[name]))
		if err != nil {
			return nil, fmt.Errorf("model %s: schema: %w", name, err)
		}
		if err := c.AddResource(modelURL(apiID, name), doc); err != nil {
			return nil, fmt.Errorf("model %s: schema: %w", name, err)
		}
	}
	out := make(map[string]*jsonschema.Schema, len(models))
	for _, name := range names {
		s, err := c.Compile(modelURL(apiID, name))
		if err != nil {
			return nil, fmt.Errorf("model %s: schema: %w", name, err)
		}
		out[name] = s
	}
	return out, nil
}

// noLoader refuses to fetch schemas: a $ref names one of the API's models.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("$ref %s: not a model of this API", url)
}

// validateValidation checks the routes' validators name models that exist
// and that the models compile.
func (a *API) validateValidation() error {
	if len(a.Models) > 0 && a.Type != TypeREST {
		return invalid("api %s: models: REST APIs only", a.ID)
	}
	if _, err := compileModels(a.ID, a.Models); err != nil {
		return invalid("api %s: %v", a.ID, err)
	}
	for i, r := range a.Routes {
		v := r.Validation
		if v == nil {
			continue
		}
		for ct, name := range v.Models {
			if _, ok := a.Models[name]; !ok && v.Body {
				return invalid("api %s: routes[%d] (%s): request model %q for %s: no such model", a.ID, i, r.Key, name, ct)
			}
		}
		for _, p := range v.Required {
			if _, _, ok := requestParam(p); !ok {
				return invalid("api %s: routes[%d] (%s): request parameter %q: want method.request.querystring|header|path.NAME", a.ID, i, r.Key, p)
			}
		}
	}
	return nil
}

// requestParam splits "method.request.querystring.q" into its place and name.
func requestParam(p string) (where, name string, ok bool) {
	rest, ok := strings.CutPrefix(p, "method.request.")
	if !ok {
		return "", "", false
	}
	where, name, ok = strings.Cut(rest, ".")
	switch where {
	case "querystring", "header", "path", "multivaluequerystring", "multivalueheader":
		return where, name, ok && name != ""
	}
	return "", "", false
}

// compiledValidation is a route's validation with its models compiled.
type compiledValidation struct {
	cfg    *RequestValidation
	models map[string]*jsonschema.Schema // content type -> schema
}

func compileValidation(v *RequestValidation, models map[string]*jsonschema.Schema) *compiledValidation {
	if v == nil || !v.Body && !v.Params {
		return nil
	}
	cv := &compiledValidation{cfg: v, models: map[string]*jsonschema.Schema{}}
	for ct, name := range v.Models {
		if s := models[name]; s != nil {
			cv.models[strings.ToLower(ct)] = s
		}
	}
	return cv
}

// check validates a request: failNone, or the failure with its message.
func (v *compiledValidation) check(r *http.Request, params []param, body []byte) (failure, string) {
	if v.cfg.Params {
		if missing := v.missing(r, params); len(missing) > 0 {
			return failBadParams, "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
		}
	}
	if v.cfg.Body {
		if s := v.model(r.Header.Get("Content-Type")); s != nil && !validBody(s, body) {
			return failBadBody, "Invalid request body"
		}
	}
	return -1, ""
}

// missing lists the required parameters the request lacks.
func (v *compiledValidation) missing(r *http.Request, params []param) []string {
	var out []string
	q := r.URL.Query()
	for _, p := range v.cfg.Required {
		where, name, _ := requestParam(p)
		var have bool
		switch where {
		case "querystring", "multivaluequerystring":
			have = q.Get(name) != ""
		case "header", "multivalueheader":
			have = r.Header.Get(name) != ""
		case "path":
			for _, pp := range params {
				have = have || pp.name == name && pp.value != ""
			}
		}
		if !have {
			out = append(out, name)
		}
	}
	return out
}

// model is the schema for a content type: its own model, else $default;
// a request without Content-Type is application/json, as API Gateway
// assumes.
func (v *compiledValidation) model(ct string) *jsonschema.Schema {
	mt := "application/json"
	if ct != "" {
		if m, _, err := mime.ParseMediaType(ct); err == nil {
			mt = m
		} else {
			mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
		}
	}
	if s := v.models[mt]; s != nil {
		return s
	}
	return v.models["$default"]
}

// validBody: an empty body is validated as {} (API Gateway's reading of
// a missing payload); a body that is not JSON is invalid.
func validBody(s *jsonschema.Schema, body []byte) bool {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return false
	}
	return s.Validate(doc) == nil
}

// requiredFrom reads a method's RequestParameters ({"method.request.querystring.q": true})
// into the sorted list of required ones.
func requiredFrom(m map[string]any) []string {
	var out []string
	for k, v := range m {
		if pbool(v) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
