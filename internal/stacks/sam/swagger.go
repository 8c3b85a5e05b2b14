package sam

import (
	"regexp"
	"strings"
)

// The OpenAPI document of a SAM REST API: authorizers and method security, and the
// conversion of generated Swagger 2.0 to OpenAPI 3 when OpenApiVersion asks for it.

const callerCredentials = "arn:aws:iam::*:user/*"

// eventSecurity sets an Api event's Auth on its operation: the method's authorizer (or NONE),
// its API key requirement and, for AWS_IAM, the integration's credentials.
func eventSecurity(op map[string]any, ep map[string]any) {
	ea, ok := ep["Auth"].(map[string]any)
	if !ok {
		return
	}
	var sec []any
	if az, ok := ea["Authorizer"].(string); ok {
		var scopes any = []any{}
		if s, ok := ea["AuthorizationScopes"].([]any); ok {
			scopes = s
		}
		sec = append(sec, map[string]any{az: scopes})
		if az == "AWS_IAM" {
			setInvokeRole(op, ea["InvokeRole"])
		}
	}
	if boolProp(ea["ApiKeyRequired"]) {
		sec = append(sec, map[string]any{"api_key": []any{}})
	} else if b, ok := ea["ApiKeyRequired"].(bool); ok && !b && sec == nil {
		sec = []any{}
	}
	if sec != nil {
		op["security"] = sec
	}
}

func setInvokeRole(op map[string]any, role any) {
	integ, ok := op["x-amazon-apigateway-integration"].(map[string]any)
	if !ok {
		return
	}
	switch r := role.(type) {
	case nil:
		integ["credentials"] = callerCredentials
	case string:
		switch r {
		case "CALLER_CREDENTIALS":
			integ["credentials"] = callerCredentials
		case "NONE":
		default:
			integ["credentials"] = r
		}
	default:
		integ["credentials"] = r
	}
}

// operations calls fn for every operation of a document's paths (inside Fn::If branches too).
func operations(body map[string]any, fn func(path, method string, op map[string]any)) {
	paths, _ := body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, ok := paths[path].(map[string]any)
		if !ok {
			continue
		}
		items := []map[string]any{item}
		if args, ok := item["Fn::If"].([]any); ok && len(item) == 1 && len(args) == 3 {
			items = nil
			for _, b := range args[1:] {
				if bm, ok := b.(map[string]any); ok && !isIntrinsic(bm) {
					items = append(items, bm)
				}
			}
		}
		for _, item := range items {
			pathOperations(path, item, fn)
		}
	}
}

func pathOperations(path string, item map[string]any, fn func(path, method string, op map[string]any)) {
	for _, m := range sortedKeys(item) {
		switch m {
		case "parameters", "summary", "description", "servers", "$ref":
			continue
		}
		op, ok := item[m].(map[string]any)
		if !ok {
			continue
		}
		if args, ok := op["Fn::If"].([]any); ok && len(op) == 1 {
			for _, b := range args[1:] {
				if bm, ok := b.(map[string]any); ok && !isIntrinsic(bm) {
					fn(path, m, bm)
				}
			}
			continue
		}
		fn(path, m, op)
	}
}

// restAuthToSwagger writes the API's Auth into its document: securityDefinitions for the
// authorizers, AWS_IAM and API keys, and the default authorizer on operations without one.
func (t *translator) restAuthToSwagger(a *restAPI) {
	if a.body == nil || isIntrinsic(a.body) {
		return
	}
	auth, _ := a.p["Auth"].(map[string]any)
	defs := map[string]any{}
	azs, _ := auth["Authorizers"].(map[string]any)
	for _, name := range sortedKeys(azs) {
		if az, ok := azs[name].(map[string]any); ok {
			defs[name] = t.authorizerDefinition(az)
		}
	}
	def, _ := auth["DefaultAuthorizer"].(string)
	apiKey := boolProp(auth["ApiKeyRequired"])
	preflightAuth := true
	if v, ok := auth["AddDefaultAuthorizerToCorsPreflight"].(bool); ok {
		preflightAuth = v
	}
	preflightKey := true
	if v, ok := auth["AddApiKeyRequiredToCorsPreflight"].(bool); ok {
		preflightKey = v
	}
	usesIAM, usesKey := def == "AWS_IAM", apiKey
	operations(a.body, func(path, method string, op map[string]any) {
		if !a.managed {
			if _, has := op["security"]; has {
				return
			}
		}
		sec, has := op["security"].([]any)
		if !has {
			if def != "" && (method != "options" || preflightAuth) {
				sec = append(sec, map[string]any{def: []any{}})
				if def == "AWS_IAM" {
					setInvokeRole(op, auth["InvokeRole"])
				}
			}
			if apiKey && (method != "options" || preflightKey) {
				sec = append(sec, map[string]any{"api_key": []any{}})
			}
			if sec != nil {
				op["security"] = sec
			}
		}
		for _, s := range sec {
			m, _ := s.(map[string]any)
			if _, ok := m["AWS_IAM"]; ok {
				usesIAM = true
			}
			if _, ok := m["api_key"]; ok {
				usesKey = true
			}
		}
	})
	if usesIAM {
		defs["AWS_IAM"] = map[string]any{"type": "apiKey", "name": "Authorization", "in": "header",
			"x-amazon-apigateway-authtype": "awsSigv4"}
	}
	if usesKey {
		defs["api_key"] = map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
	}
	if len(defs) == 0 {
		return
	}
	holder, key := a.body, "securityDefinitions"
	_, swagger2 := a.body["swagger"]
	if v := openAPIVersion(a.body["openapi"]); strings.HasPrefix(v, "3") || !swagger2 && strings.HasPrefix(openAPIVersion(a.p["OpenApiVersion"]), "3") {
		comps, _ := a.body["components"].(map[string]any)
		if comps == nil {
			comps = map[string]any{}
			a.body["components"] = comps
		}
		holder, key = comps, "securitySchemes"
	}
	existing, _ := holder[key].(map[string]any)
	if existing == nil {
		existing = map[string]any{}
	}
	for k, v := range defs {
		if _, ok := existing[k]; !ok {
			existing[k] = v
		}
	}
	holder[key] = existing
}

// authorizerDefinition is a REST API authorizer as an OpenAPI security scheme.
func (t *translator) authorizerDefinition(az map[string]any) map[string]any {
	identity, _ := az["Identity"].(map[string]any)
	header := any("Authorization")
	if h, ok := identity["Header"]; ok {
		header = h
	}
	if pools, ok := az["UserPoolArn"]; ok {
		list, isList := pools.([]any)
		if !isList {
			list = []any{pools}
		}
		x := map[string]any{"type": "cognito_user_pools", "providerARNs": list}
		if v, ok := identity["ValidationExpression"]; ok {
			x["identityValidationExpression"] = v
		}
		if v, ok := identity["ReauthorizeEvery"]; ok {
			x["authorizerResultTtlInSeconds"] = v
		}
		return map[string]any{"type": "apiKey", "name": header, "in": "header",
			"x-amazon-apigateway-authtype": "cognito_user_pools", "x-amazon-apigateway-authorizer": x}
	}
	x := map[string]any{
		"authorizerUri": sub(t.arn("apigateway", "${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations"),
			map[string]any{"__FunctionArn__": az["FunctionArn"]}),
	}
	if v, ok := az["FunctionInvokeRole"]; ok {
		x["authorizerCredentials"] = v
	}
	if v, ok := identity["ReauthorizeEvery"]; ok {
		x["authorizerResultTtlInSeconds"] = v
	}
	out := map[string]any{"type": "apiKey", "in": "header", "x-amazon-apigateway-authtype": "custom",
		"x-amazon-apigateway-authorizer": x}
	if pt, _ := az["FunctionPayloadType"].(string); pt == "REQUEST" {
		x["type"] = "request"
		out["name"] = "Unused"
		var sources []string
		for _, kp := range [][2]string{{"Headers", "method.request.header."}, {"QueryStrings", "method.request.querystring."},
			{"StageVariables", "stageVariables."}, {"Context", "context."}} {
			l, _ := identity[kp[0]].([]any)
			for _, e := range l {
				if s, ok := e.(string); ok {
					sources = append(sources, kp[1]+s)
				}
			}
		}
		if len(sources) > 0 {
			x["identitySource"] = strings.Join(sources, ", ")
		}
		return out
	}
	x["type"] = "token"
	out["name"] = header
	if v, ok := identity["ValidationExpression"]; ok {
		x["identityValidationExpression"] = v
	}
	return out
}

// toOpenAPI3 turns a generated Swagger 2.0 document into OpenAPI 3 (OpenApiVersion 3.x): the
// version key, and request models as request bodies.
func toOpenAPI3(body map[string]any, version string) {
	if _, ok := body["swagger"]; !ok {
		return
	}
	delete(body, "swagger")
	body["openapi"] = version
	operations(body, func(_, _ string, op map[string]any) {
		params, _ := op["parameters"].([]any)
		var kept []any
		for _, p := range params {
			pm, _ := p.(map[string]any)
			if pm["in"] == "body" {
				schema, _ := pm["schema"].(map[string]any)
				if r, ok := schema["$ref"].(string); ok {
					schema = map[string]any{"$ref": strings.Replace(r, "#/definitions/", "#/components/schemas/", 1)}
				}
				op["requestBody"] = map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": schema}},
					"required": pm["required"]}
				continue
			}
			kept = append(kept, p)
		}
		if params != nil {
			if kept == nil {
				delete(op, "parameters")
			} else {
				op["parameters"] = kept
			}
		}
	})
}

// openAPI3Postprocess moves what SAM writes in Swagger 2.0 terms into OpenAPI 3 places when the
// document is OpenAPI 3 (OpenApiVersion, else the document's own version; a "swagger" document is
// left alone): security definitions and models into components, and the CORS preflight methods'
// response headers under "schema".
func openAPI3Postprocess(body map[string]any, apiVersion any) {
	if _, ok := body["swagger"]; ok {
		return
	}
	version := openAPIVersion(apiVersion)
	if version == "" {
		version = openAPIVersion(body["openapi"])
	}
	if !regexp.MustCompile(`^3\.\d+(\.\d+)?$`).MatchString(version) {
		return
	}
	for _, kv := range [][2]string{{"securityDefinitions", "securitySchemes"}, {"definitions", "schemas"}} {
		v, ok := body[kv[0]]
		if !ok || v == nil {
			continue
		}
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			continue
		}
		comps, _ := body["components"].(map[string]any)
		if comps == nil {
			comps = map[string]any{}
		}
		comps[kv[1]] = v
		body["components"] = comps
		delete(body, kv[0])
	}
	paths, _ := body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		options, ok := item["options"].(map[string]any)
		if !ok {
			continue
		}
		delete(options, "produces")
		delete(options, "consumes")
		resps, _ := options["responses"].(map[string]any)
		r200, _ := resps["200"].(map[string]any)
		headers, _ := r200["headers"].(map[string]any)
		for h, v := range headers {
			headers[h] = map[string]any{"schema": v}
		}
	}
}

// eventRequest sets an Api event's RequestModel and RequestParameters on its operation.
func eventRequest(op map[string]any, ep map[string]any) {
	if rm, ok := ep["RequestModel"].(map[string]any); ok {
		if model, ok := rm["Model"].(string); ok {
			name := strings.ToLower(model)
			required := true
			if b, ok := rm["Required"].(bool); ok {
				required = b
			}
			param := map[string]any{"in": "body", "name": name, "required": required,
				"schema": map[string]any{"$ref": "#/definitions/" + name}}
			op["parameters"] = append(paramsOf(op), param)
			vb, hasB := rm["ValidateBody"].(bool)
			vp, hasP := rm["ValidateParameters"].(bool)
			if hasB || hasP {
				op["x-amazon-apigateway-request-validator"] = validatorName(vb, vp)
			}
		}
	}
	rps, ok := ep["RequestParameters"].([]any)
	if !ok {
		return
	}
	var cacheKeys []any
	for _, rp := range rps {
		var full string
		required, caching := false, false
		switch x := rp.(type) {
		case string:
			full = x
		case map[string]any:
			for k, v := range x {
				full = k
				if m, ok := v.(map[string]any); ok {
					required = boolProp(m["Required"])
					caching = boolProp(m["Caching"])
				}
			}
		}
		rest, ok := strings.CutPrefix(full, "method.request.")
		if !ok {
			continue
		}
		loc, name, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		if loc == "querystring" {
			loc = "query"
		}
		op["parameters"] = append(paramsOf(op), map[string]any{"in": loc, "name": name, "required": required, "type": "string"})
		if caching {
			cacheKeys = append(cacheKeys, full)
		}
	}
	if cacheKeys != nil {
		if integ, ok := op["x-amazon-apigateway-integration"].(map[string]any); ok {
			integ["cacheKeyParameters"] = cacheKeys
		}
	}
}

func paramsOf(op map[string]any) []any {
	p, _ := op["parameters"].([]any)
	return p
}

func validatorName(body, params bool) string {
	switch {
	case body && params:
		return "body-and-params"
	case body:
		return "body-only"
	case params:
		return "params-only"
	}
	return "no-validation"
}

// restDocumentExtras writes the API-level settings SAM keeps in the document: models,
// request validators, gateway responses, binary media types and the execute-api switch.
func (t *translator) restDocumentExtras(a *restAPI) {
	if a.body == nil || isIntrinsic(a.body) {
		return
	}
	p := a.p
	if models, ok := p["Models"].(map[string]any); ok {
		defs, _ := a.body["definitions"].(map[string]any)
		if defs == nil {
			defs = map[string]any{}
		}
		for k, v := range models {
			defs[strings.ToLower(k)] = v
		}
		a.body["definitions"] = defs
	}
	validators := map[string]any{}
	operations(a.body, func(_, _ string, op map[string]any) {
		if v, ok := op["x-amazon-apigateway-request-validator"].(string); ok {
			body := v == "body-and-params" || v == "body-only"
			params := v == "body-and-params" || v == "params-only"
			if v == "no-validation" || body || params {
				validators[v] = map[string]any{"validateRequestBody": body, "validateRequestParameters": params}
			}
		}
	})
	if len(validators) > 0 && a.managed {
		existing, _ := a.body["x-amazon-apigateway-request-validators"].(map[string]any)
		if existing == nil {
			existing = map[string]any{}
		}
		for k, v := range validators {
			existing[k] = v
		}
		a.body["x-amazon-apigateway-request-validators"] = existing
	}
	if grs, ok := p["GatewayResponses"].(map[string]any); ok {
		out := map[string]any{}
		for name, raw := range grs {
			gr, _ := raw.(map[string]any)
			params := map[string]any{}
			rp, _ := gr["ResponseParameters"].(map[string]any)
			for _, kp := range [][2]string{{"Headers", "gatewayresponse.header."}, {"Paths", "gatewayresponse.path."},
				{"QueryStrings", "gatewayresponse.querystring."}} {
				m, _ := rp[kp[0]].(map[string]any)
				for k, v := range m {
					params[kp[1]+k] = v
				}
			}
			templates, _ := gr["ResponseTemplates"].(map[string]any)
			if templates == nil {
				templates = map[string]any{}
			}
			r := map[string]any{"responseParameters": params, "responseTemplates": templates}
			switch sc := gr["StatusCode"].(type) {
			case nil:
			case string:
				r["statusCode"] = sc
			default:
				r["statusCode"] = stableJSON(sc)
			}
			out[name] = r
		}
		a.body["x-amazon-apigateway-gateway-responses"] = out
	}
	if bmt, ok := p["BinaryMediaTypes"].([]any); ok {
		var list []any
		for _, v := range bmt {
			if pv, ok := t.paramValue(v); ok {
				v = pv
			}
			switch x := v.(type) {
			case string:
				v = strings.ReplaceAll(x, "~1", "/")
			case map[string]any:
				if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
					if d, ok := j[0].(string); ok {
						v = map[string]any{"Fn::Join": []any{strings.ReplaceAll(d, "~1", "/"), j[1]}}
					}
				}
			}
			list = append(list, v)
		}
		existing, _ := a.body["x-amazon-apigateway-binary-media-types"].([]any)
		a.body["x-amazon-apigateway-binary-media-types"] = append(existing, list...)
	}
	if v, ok := p["DisableExecuteApiEndpoint"]; ok {
		cfg := map[string]any{"disableExecuteApiEndpoint": v}
		if s, _ := a.body["openapi"].(string); strings.HasPrefix(s, "3") || strings.HasPrefix(openAPIVersion(p["OpenApiVersion"]), "3") {
			servers, _ := a.body["servers"].([]any)
			if len(servers) == 0 {
				servers = []any{map[string]any{}}
			}
			if s0, ok := servers[0].(map[string]any); ok {
				ec, _ := s0["x-amazon-apigateway-endpoint-configuration"].(map[string]any)
				if ec == nil {
					ec = map[string]any{}
				}
				ec["disableExecuteApiEndpoint"] = v
				s0["x-amazon-apigateway-endpoint-configuration"] = ec
			}
			a.body["servers"] = servers
		} else {
			ec, _ := a.body["x-amazon-apigateway-endpoint-configuration"].(map[string]any)
			if ec == nil {
				ec = map[string]any{}
			}
			for k, x := range cfg {
				ec[k] = x
			}
			a.body["x-amazon-apigateway-endpoint-configuration"] = ec
		}
	}
}

// binaryTypesForAPI escapes media types for the RestApi's BinaryMediaTypes ("/" is "~1").
func (t *translator) binaryTypesForAPI(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(list))
	for i, e := range list {
		if pv, ok := t.paramValue(e); ok {
			e = pv
		}
		switch x := e.(type) {
		case string:
			out[i] = strings.ReplaceAll(x, "/", "~1")
		case map[string]any:
			if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
				if d, ok := j[0].(string); ok {
					out[i] = map[string]any{"Fn::Join": []any{strings.ReplaceAll(d, "/", "~1"), j[1]}}
					continue
				}
			}
			out[i] = x
		default:
			out[i] = x
		}
	}
	return out
}

// resourcePolicyStatements turns a ResourcePolicy (SAM's account, IP range and VPC lists) into
// policy statements for one operation: execute-api:/<stage>/<METHOD><path>.
func (t *translator) resourcePolicyStatements(rp map[string]any, stage any, method, path string) []any {
	m := strings.ToUpper(method)
	if method == "any" || method == "x-amazon-apigateway-any-method" {
		m = "*"
	}
	resource := []any{sub("execute-api:/${__Stage__}/"+m+path, map[string]any{"__Stage__": stage})}
	stmt := func(effect string, principal any, cond map[string]any) map[string]any {
		s := map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Principal": principal, "Resource": resource}
		if cond != nil {
			s["Condition"] = cond
		}
		return s
	}
	list := func(v any) []any {
		l, ok := v.([]any)
		if !ok {
			l = []any{v}
		}
		out := make([]any, len(l))
		for i, e := range l {
			if pv, ok := t.paramValue(e); ok {
				e = pv
			}
			out[i] = e
		}
		return out
	}
	var out []any
	if cs, ok := rp["CustomStatements"]; ok {
		l, isList := cs.([]any)
		if !isList {
			l = []any{cs}
		}
		out = append(out, l...)
	}
	if v, ok := rp["AwsAccountWhitelist"]; ok {
		out = append(out, stmt("Allow", map[string]any{"AWS": list(v)}, nil))
	}
	if v, ok := rp["AwsAccountBlacklist"]; ok {
		out = append(out, stmt("Deny", map[string]any{"AWS": list(v)}, nil))
	}
	for _, c := range []struct {
		key, op, attr string
	}{
		{"IpRangeWhitelist", "NotIpAddress", "aws:SourceIp"},
		{"IpRangeBlacklist", "IpAddress", "aws:SourceIp"},
		{"SourceVpcWhitelist", "StringNotEquals", "aws:SourceVpc"},
		{"SourceVpcBlacklist", "StringEquals", "aws:SourceVpc"},
		{"IntrinsicVpcWhitelist", "StringNotEquals", "aws:SourceVpc"},
		{"IntrinsicVpcBlacklist", "StringEquals", "aws:SourceVpc"},
		{"IntrinsicVpceWhitelist", "StringNotEquals", "aws:SourceVpce"},
		{"IntrinsicVpceBlacklist", "StringEquals", "aws:SourceVpce"},
	} {
		if v, ok := rp[c.key]; ok {
			out = append(out, stmt("Allow", "*", nil),
				stmt("Deny", "*", map[string]any{c.op: map[string]any{c.attr: list(v)}}))
		}
	}
	return out
}

// addPolicy adds statements to the document's x-amazon-apigateway-policy.
func addPolicy(body map[string]any, stmts []any) {
	if len(stmts) == 0 || body == nil || isIntrinsic(body) {
		return
	}
	pol, _ := body["x-amazon-apigateway-policy"].(map[string]any)
	if pol == nil {
		pol = map[string]any{"Version": "2012-10-17"}
	}
	var all []any
	switch x := pol["Statement"].(type) {
	case []any:
		all = x
	case nil:
	default:
		all = []any{x}
	}
	seen := map[string]bool{}
	for _, s := range all {
		seen[stableJSON(s)] = true
	}
	for _, s := range stmts {
		if k := stableJSON(s); !seen[k] {
			seen[k] = true
			all = append(all, s)
		}
	}
	if len(all) == 1 {
		pol["Statement"] = all[0]
	} else {
		pol["Statement"] = all
	}
	body["x-amazon-apigateway-policy"] = pol
}
