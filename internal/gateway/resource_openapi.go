package gateway

import (
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// An API's Body (HTTP APIs) or Body/DefinitionBody (REST APIs, what SAM's
// ServerlessRestApi carries): an OpenAPI 3 or Swagger 2 document with API
// Gateway's extensions. What nubo reads of it:
//
//	paths.{path}.{method | x-amazon-apigateway-any-method}   a route; "$default"
//	  .x-amazon-apigateway-integration (type aws_proxy)       uri → function,
//	                                                          payloadFormatVersion, timeoutInMillis
//	                                 (type mock)              requestTemplates, responses
//	  .security [{scheme: [scopes]}] (or the document's)     authorizer, scopes, API key, AWS_IAM
//	components.securitySchemes / securityDefinitions         x-amazon-apigateway-authorizer
//	                                                          (jwt, request, token), apiKey, awsSigv4
//	x-amazon-apigateway-cors                                  CORS (HTTP APIs)
//	x-amazon-apigateway-binary-media-types                    binary media types (REST)
//
// A mock whose answer is static is served (mock.go). Operations with other
// integrations (http, http_proxy, aws, a mock that needs VTL) are not served:
// their routes answer 501 saying so, and the plan warns of each
// (bodyWarnings). Everything else in the document is ignored.

// bodyDoc is a Body: a JSON object, or a JSON or YAML string.
func bodyDoc(v any) (map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return x, nil
	case string:
		var out map[string]any
		if err := json.Unmarshal([]byte(x), &out); err == nil {
			return out, nil
		}
		var y any
		if err := yaml.Unmarshal([]byte(x), &y); err != nil {
			return nil, fmt.Errorf("Body: neither JSON nor YAML: %w", err)
		}
		m, ok := jsonShape(y).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Body: not an object")
		}
		return m, nil
	}
	return nil, fmt.Errorf("Body: want an object or a string, got %T", v)
}

// jsonShape turns YAML-decoded values into JSON-decoded ones.
func jsonShape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonShape(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonShape(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonShape(e)
		}
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

// openAPIMethod maps an operation key of a path item to a route method.
func openAPIMethod(key string) (string, bool) {
	switch k := strings.ToLower(key); k {
	case "get", "post", "put", "delete", "patch", "head", "options":
		return strings.ToUpper(k), true
	case "x-amazon-apigateway-any-method", "any":
		return methodAny, true
	}
	return "", false
}

// applyBody reads doc's routes, authorizers, CORS and binary media types
// into a (whose Type is set).
func applyBody(a *API, doc map[string]any) error {
	if doc == nil {
		return nil
	}
	schemes := pobj(doc["securityDefinitions"])
	if c := pobj(doc["components"]); c != nil {
		if s := pobj(c["securitySchemes"]); s != nil {
			schemes = s
		}
	}
	authIDs := map[string]string{} // scheme name → authorizer id
	apiKeySchemes, iamSchemes := map[string]bool{}, map[string]bool{}
	unsupported := map[string]error{} // schemes nubo cannot enforce: refused where used
	for _, name := range sortedKeys(schemes) {
		sch := pobj(schemes[name])
		if strings.EqualFold(pstr(sch["x-amazon-apigateway-authtype"]), "awsSigv4") {
			iamSchemes[name] = true
			continue
		}
		az := pobj(sch["x-amazon-apigateway-authorizer"])
		if az == nil {
			if pstr(sch["type"]) == "apiKey" {
				apiKeySchemes[name] = true
			}
			continue
		}
		z, err := authorizerFromExtension(a.Type, name, az)
		if err != nil {
			unsupported[name] = fmt.Errorf("Body: security scheme %q: %w", name, err)
			continue
		}
		authIDs[name] = z.ID
		a.Authorizers = append(a.Authorizers, z)
	}
	defaultSecurity := doc["security"]
	paths := pobj(doc["paths"])
	for _, path := range sortedKeys(paths) {
		item := pobj(paths[path])
		for _, m := range sortedKeys(item) {
			method, ok := openAPIMethod(m)
			if !ok {
				continue
			}
			op := pobj(item[m])
			integ := pobj(op["x-amazon-apigateway-integration"])
			r := Route{Key: method + " " + path}
			if path == "$default" || pbool(op["isDefaultRoute"]) {
				if a.Type == TypeREST {
					continue // an HTTP API notion; REST APIs ignore it
				}
				r.Key = "$default"
			}
			typ := bodyIntegrationType(integ)
			mock, static := mockFromBody(integ)
			mapped, isMapped := mappedFromBody(integ)
			switch {
			case typ == "MOCK" && static:
				r.Integration = Integration{Mock: mock}
			case isMapped && (a.Type == TypeREST || typ == integHTTPProxy) && typ != "AWS_PROXY":
				if err := mapped.Validate(); err != nil {
					return fmt.Errorf("paths.%s.%s.x-amazon-apigateway-integration: %w", path, m, err)
				}
				r.Integration = Integration{Mapped: mapped, TimeoutMillis: pint(integ["timeoutInMillis"])}
			case typ != "AWS_PROXY":
				r.Integration = Integration{NotServed: typ}
			default:
				r.Integration = Integration{
					Function:      FunctionFromURI(pstr(integ["uri"])),
					TimeoutMillis: pint(integ["timeoutInMillis"]),
				}
				if a.Type == TypeHTTP {
					r.Integration.PayloadFormatVersion = versionString(integ["payloadFormatVersion"])
				}
			}
			sec, ok := op["security"]
			if !ok {
				sec = defaultSecurity
			}
			secList, _ := sec.([]any)
			for _, req := range secList {
				for _, name := range sortedKeys(pobj(req)) {
					if err := unsupported[name]; err != nil {
						return fmt.Errorf("%w (used by %s %s)", err, method, path)
					}
					switch {
					case authIDs[name] != "":
						r.AuthorizerID = authIDs[name]
						if a.Type == TypeHTTP {
							r.AuthorizationScopes = plist(pobj(req)[name])
						}
					case apiKeySchemes[name]:
						if a.Type == TypeREST {
							r.APIKeyRequired = true
						}
					case iamSchemes[name]:
						r.AuthorizationType = AuthIAM
					}
				}
			}
			if r.AuthorizerID != "" && r.AuthorizationType == AuthIAM {
				r.AuthorizationType = ""
			}
			a.Routes = append(a.Routes, r)
		}
	}
	if c := corsFrom(doc["x-amazon-apigateway-cors"]); c != nil {
		a.CORS = c
	}
	for _, t := range plist(doc["x-amazon-apigateway-binary-media-types"]) {
		a.BinaryMediaTypes = append(a.BinaryMediaTypes, strings.ReplaceAll(t, "~1", "/"))
	}
	return applyBodyValidation(a, doc) // resource_openapi_validation.go
}

// bodyIntegrationType is an operation's x-amazon-apigateway-integration
// type, upper case; NONE when it has none.
func bodyIntegrationType(integ map[string]any) string {
	if t := strings.ToUpper(pstr(integ["type"])); t != "" {
		return t
	}
	return "NONE"
}

// bodyWarnings names the operations of a Body (or DefinitionBody) that
// will not be served, one warning each, in path and method order.
func bodyWarnings(typ APIType, body any) []string {
	doc, err := bodyDoc(body)
	if err != nil || doc == nil {
		return nil // the apply reports a bad Body
	}
	var out []string
	paths := pobj(doc["paths"])
	for _, path := range sortedKeys(paths) {
		item := pobj(paths[path])
		for _, m := range sortedKeys(item) {
			method, ok := openAPIMethod(m)
			if !ok || path == "$default" && typ == TypeREST {
				continue
			}
			integ := pobj(pobj(item[m])["x-amazon-apigateway-integration"])
			t := bodyIntegrationType(integ)
			if mapped, ok := mappedFromBody(integ); ok && (typ == TypeREST || t == integHTTPProxy) && t != "AWS_PROXY" {
				out = append(out, mapped.warnings()...)
				continue
			}
			if _, static := mockFromBody(integ); t != "AWS_PROXY" && !(t == "MOCK" && static) {
				out = append(out, notServedWarning(method+" "+path, t))
			}
		}
	}
	return out
}

// versionString spells a payload format version ("2.0", also from 2 or 2.0).
func versionString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return fmt.Sprintf("%.1f", x)
	}
	return pstr(v)
}

func authorizerFromExtension(t APIType, name string, az map[string]any) (Authorizer, error) {
	z := Authorizer{ID: authorizerID(name), Name: name}
	src := az["identitySource"]
	switch s := src.(type) {
	case string:
		z.IdentitySource = []string{s} // Normalize splits "a, b"
	default:
		z.IdentitySource = plist(s)
	}
	switch strings.ToLower(pstr(az["type"])) {
	case "jwt":
		z.Type = AuthorizerJWT
		jc := pobj(az["jwtConfiguration"])
		z.Issuer, z.Audience = pstr(jc["issuer"]), plist(jc["audience"])
	case "request":
		z.Type = AuthorizerRequest
	case "token":
		z.Type = AuthorizerToken
	case "cognito_user_pools":
		return z, fmt.Errorf("type cognito_user_pools: not supported (use a JWT authorizer)")
	default:
		return z, fmt.Errorf("type %q: want jwt, request or token", pstr(az["type"]))
	}
	if z.Type != AuthorizerJWT {
		z.Function = FunctionFromURI(pstr(az["authorizerUri"]))
		z.SimpleResponses = pbool(az["enableSimpleResponses"])
		z.ResultTTLSeconds = pint(az["authorizerResultTtlInSeconds"])
		if t == TypeHTTP {
			z.PayloadFormatVersion = versionString(az["authorizerPayloadFormatVersion"])
		} else {
			if _, set := az["authorizerResultTtlInSeconds"]; !set {
				z.ResultTTLSeconds = 300 // REST's default
			}
			if z.Type == AuthorizerRequest && len(z.IdentitySource) == 0 {
				z.ResultTTLSeconds = 0
			}
		}
	}
	return z, nil
}

// authorizerID makes an authorizer id of a scheme name.
func authorizerID(name string) string {
	var b strings.Builder
	for _, c := range name {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return NewID()
	}
	return b.String()
}
