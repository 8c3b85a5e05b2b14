package gateway

import (
	"encoding/json"
	"fmt"
	"strings"
)

// A REST API Body's request validation and gateway responses, as SAM's
// Api (RequestModel, RequestParameters, Models, GatewayResponses) and
// OpenAPI imports write them:
//
//	x-amazon-apigateway-gateway-responses.{TYPE}   statusCode, responseParameters, responseTemplates
//	definitions / components.schemas               the API's models ($refs between them kept)
//	x-amazon-apigateway-request-validators.{name}  validateRequestBody, validateRequestParameters
//	x-amazon-apigateway-request-validator          the document's default validator, or an operation's
//	parameters (path item's and operation's)       required query, header and path parameters;
//	                                               Swagger 2's "in: body" schema, OpenAPI 3's
//	                                               requestBody.content.{type}.schema: the request models

// applyBodyValidation reads doc's models, validators and gateway responses
// into a REST API whose routes applyBody has read.
func applyBodyValidation(a *API, doc map[string]any) error {
	if a.Type != TypeREST || doc == nil {
		return nil
	}
	grs := pobj(doc["x-amazon-apigateway-gateway-responses"])
	for _, typ := range sortedKeys(grs) {
		m := pobj(grs[typ])
		gr, err := gatewayResponseOf(typ, pstr(m["statusCode"]), strMap(m["responseParameters"]), strMap(m["responseTemplates"]))
		if err != nil {
			return fmt.Errorf("x-amazon-apigateway-gateway-responses.%s: %w", typ, err)
		}
		if a.GatewayResponses == nil {
			a.GatewayResponses = map[string]GatewayResponse{}
		}
		a.GatewayResponses[typ] = gr
	}
	defs, refPrefix := pobj(doc["definitions"]), "#/definitions/"
	if c := pobj(doc["components"]); c != nil && pobj(c["schemas"]) != nil {
		defs, refPrefix = pobj(c["schemas"]), "#/components/schemas/"
	}
	for _, name := range sortedKeys(defs) {
		b, err := json.Marshal(modelRefs(defs[name], refPrefix, a.ID))
		if err != nil {
			return fmt.Errorf("definitions.%s: %w", name, err)
		}
		if a.Models == nil {
			a.Models = map[string]json.RawMessage{}
		}
		a.Models[name] = b
	}
	dropBadModels(a)
	validators := pobj(doc["x-amazon-apigateway-request-validators"])
	if len(validators) == 0 {
		return nil
	}
	byKey := map[string]*Route{}
	for i := range a.Routes {
		byKey[a.Routes[i].Key] = &a.Routes[i]
	}
	defaultValidator := pstr(doc["x-amazon-apigateway-request-validator"])
	consumes := plist(doc["consumes"])
	paths := pobj(doc["paths"])
	for _, path := range sortedKeys(paths) {
		item := pobj(paths[path])
		for _, m := range sortedKeys(item) {
			method, ok := openAPIMethod(m)
			if !ok {
				continue
			}
			r := byKey[method+" "+path]
			op := pobj(item[m])
			name := defaultValidator
			if v, ok := op["x-amazon-apigateway-request-validator"]; ok {
				name = pstr(v)
			}
			if r == nil || name == "" {
				continue
			}
			vm, ok := validators[name]
			if !ok {
				return fmt.Errorf("%s %s: x-amazon-apigateway-request-validator %q: no such validator", method, path, name)
			}
			v := &RequestValidation{Body: pbool(pobj(vm)["validateRequestBody"]), Params: pbool(pobj(vm)["validateRequestParameters"])}
			opConsumes := consumes
			if c := plist(op["consumes"]); len(c) > 0 {
				opConsumes = c
			}
			params := append(cloneSlice(anyList(item["parameters"])), anyList(op["parameters"])...)
			for _, p := range params {
				pm := pobj(p)
				switch in := pstr(pm["in"]); in {
				case "query", "header", "path":
					if pbool(pm["required"]) {
						where := map[string]string{"query": "querystring", "header": "header", "path": "path"}[in]
						v.Required = append(v.Required, "method.request."+where+"."+pstr(pm["name"]))
					}
				case "body":
					if model := bodyModel(a, pm["schema"], refPrefix, method, path); model != "" {
						if len(opConsumes) == 0 {
							opConsumes = []string{"application/json"}
						}
						for _, ct := range opConsumes {
							setModel(v, ct, model)
						}
					}
				}
			}
			for _, ct := range sortedKeys(pobj(pobj(op["requestBody"])["content"])) {
				schema := pobj(pobj(pobj(op["requestBody"])["content"])[ct])["schema"]
				if model := bodyModel(a, schema, refPrefix, method, path); model != "" {
					setModel(v, ct, model)
				}
			}
			for ct, model := range v.Models {
				if _, ok := a.Models[model]; !ok {
					delete(v.Models, ct) // a definition that is not a usable schema
				}
			}
			if v.Body || v.Params {
				r.Validation = v
			}
		}
	}
	return nil
}

// dropBadModels leaves out the Body's definitions that are not JSON
// Schema draft 4 (with the models they reference): a document's schemas
// are not all request models, and one that cannot validate anything
// validates nothing.
func dropBadModels(a *API) {
	for range len(a.Models) {
		if _, err := compileModels(a.ID, a.Models); err == nil {
			return
		}
		for _, name := range sortedKeys(a.Models) {
			if _, err := compileModels(a.ID, map[string]json.RawMessage{name: a.Models[name]}); err != nil && !strings.Contains(err.Error(), "$ref") {
				delete(a.Models, name)
			}
		}
		for _, name := range sortedKeys(a.Models) {
			if _, err := compileModels(a.ID, a.Models); err != nil && strings.Contains(err.Error(), "model "+name+":") {
				delete(a.Models, name)
			}
		}
	}
}

func setModel(v *RequestValidation, ct, model string) {
	if v.Models == nil {
		v.Models = map[string]string{}
	}
	v.Models[ct] = model
}

// bodyModel is the model a body schema names: a $ref to a definition, or
// an inline schema made a model of its own.
func bodyModel(a *API, schema any, refPrefix, method, path string) string {
	s := pobj(schema)
	if s == nil {
		return ""
	}
	if ref, ok := strings.CutPrefix(pstr(s["$ref"]), refPrefix); ok && len(s) == 1 {
		return ref
	}
	name := "Inline" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, method+path)
	b, err := json.Marshal(modelRefs(s, refPrefix, a.ID))
	if err != nil {
		return ""
	}
	if a.Models == nil {
		a.Models = map[string]json.RawMessage{}
	}
	a.Models[name] = b
	return name
}

// modelRefs rewrites a document's local $refs (#/definitions/X) to the
// model addresses validation compiles them under.
func modelRefs(v any, prefix, apiID string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				if name, ok := strings.CutPrefix(s, prefix); ok {
					out[k] = modelURL(apiID, name)
					continue
				}
			}
			out[k] = modelRefs(e, prefix, apiID)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = modelRefs(e, prefix, apiID)
		}
		return out
	}
	return v
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}
