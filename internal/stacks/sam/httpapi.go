package sam

import (
	"regexp"
	"strings"
)

var httpAPIProps = setOf("Name", "StageName", "Tags", "PropagateTags", "DefinitionBody", "DefinitionUri",
	"StageVariables", "CorsConfiguration", "AccessLogSettings", "DefaultRouteSettings", "Auth",
	"RouteSettings", "Domain", "FailOnWarnings", "Description", "DisableExecuteApiEndpoint", "IpAddressType")

// httpAPI is an AWS::Serverless::HttpApi being assembled (or the implicit ServerlessHttpApi).
type httpAPI struct {
	id       string
	r        map[string]any
	p        map[string]any
	implicit bool
	managed  bool
	body     map[string]any
}

func skeletonOpenAPI() map[string]any {
	return map[string]any{
		"openapi": "3.0.1",
		"info":    map[string]any{"version": "1.0", "title": ref("AWS::StackName")},
		"paths":   map[string]any{},
	}
}

func (t *translator) newHTTPAPI(id string, r map[string]any, implicit bool) (*httpAPI, error) {
	p := props(r)
	if err := checkProps(id, typeHTTPAPI, p, httpAPIProps); err != nil {
		return nil, err
	}
	if err := validateHTTPAPI(id, p); err != nil {
		return nil, err
	}
	a := &httpAPI{id: id, r: r, p: p, implicit: implicit}
	_, hasBody := p["DefinitionBody"]
	_, hasURI := p["DefinitionUri"]
	switch {
	case hasBody && hasURI:
		return nil, resourceErr(id, "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.")
	case hasBody:
		b, ok := p["DefinitionBody"].(map[string]any)
		if !ok {
			return nil, resourceErr(id, "Property 'DefinitionBody' should be a map.")
		}
		a.body = b
		if !isIntrinsic(b) {
			if _, ok := b["openapi"]; !ok && p["Tags"] != nil {
				return nil, resourceErr(id, "Unable to add `Tags` because 'DefinitionBody' does not contain a valid OpenApi definition.")
			}
			if _, ok := b["openapi"]; !ok {
				return nil, resourceErr(id, "Structure of the SAM template is invalid. Invalid OpenApi document. Invalid values or missing keys for 'openapi' or 'paths' in 'DefinitionBody'.")
			}
			if tags, ok := b["tags"]; ok {
				if _, ok := tags.([]any); !ok {
					return nil, structureErr("Tags in OpenApi DefinitionBody needs to be a list.")
				}
			}
			if paths, ok := b["paths"].(map[string]any); ok {
				for _, path := range sortedKeys(paths) {
					item, ok := paths[path].(map[string]any)
					if !ok {
						continue
					}
					for _, m := range sortedKeys(item) {
						if item[m] == nil && hasDefaultAuth(p) {
							return nil, structureErr("Definition of method '%s' for path '%s' should be a map.", m, path)
						}
					}
				}
			}
		}
	case hasURI:
		if _, ok := p["CorsConfiguration"]; ok {
			return nil, resourceErr(id, "Cors works only with inline OpenApi specified in 'DefinitionBody' property.")
		}
		if _, ok := p["Tags"]; ok {
			return nil, resourceErr(id, "Tags works only with inline OpenApi specified in the 'DefinitionBody' property.")
		}
		if _, ok := p["DisableExecuteApiEndpoint"]; ok {
			return nil, resourceErr(id, "DisableExecuteApiEndpoint works only within 'DefinitionBody' property.")
		}
	default:
		a.body = skeletonOpenAPI()
		a.managed = true
	}
	if v, ok := p["Auth"]; ok {
		if _, ok := v.(map[string]any); !ok {
			return nil, resourceErr(id, "Property 'Auth' should be a map.")
		}
	}
	if v, ok := p["RouteSettings"]; ok {
		if _, ok := v.(map[string]any); !ok && !isIntrinsic(v) {
			return nil, resourceErr(id, "Property 'RouteSettings' should be a map.")
		}
	}
	return a, nil
}

// httpAPIEvent is a function's HttpApi event: a route on a SAM HTTP API and its permission.
func (t *translator) httpAPIEvent(f *fnCtx, name string, ep map[string]any) error {
	apiID := implicitHTTPAPI
	var apiRef any = ref(implicitHTTPAPI)
	if raw, ok := ep["ApiId"]; ok {
		id, ok := refTarget(raw)
		if !ok {
			if s, isStr := raw.(string); isStr {
				id = s
			} else {
				return eventErr(f.id, name, "Property 'ApiId' should be a string.")
			}
		}
		if _, ok := t.resources[id].(map[string]any); !ok {
			return eventErr(f.id, name, "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.")
		}
		apiID, apiRef = id, raw
	}
	path, method := "$default", "x-amazon-apigateway-any-method"
	explicitDefault := false
	rawPath, hasPath := ep["Path"]
	rawMethod, hasMethod := ep["Method"]
	if hasPath || hasMethod {
		p, ok := rawPath.(string)
		if !ok {
			if !hasPath {
				return eventErr(f.id, name, "Property 'Path' is required.")
			}
			return eventErr(f.id, name, "Property 'Path' should be a string.")
		}
		m, ok := rawMethod.(string)
		if !ok {
			if !hasMethod {
				return eventErr(f.id, name, "Property 'Method' is required.")
			}
			return eventErr(f.id, name, "Property 'Method' should be a string.")
		}
		path, method = p, strings.ToLower(m)
		explicitDefault = p == "$default" || p == "/$default"
		if method == "any" {
			method = "x-amazon-apigateway-any-method"
		}
	}
	if a := t.httpAPIs[apiID]; a != nil {
		if err := validateEventAuth(f.id, name, method, path, ep, a.p, true); err != nil {
			return err
		}
	}
	if path != "$default" && t.ownsDefaultRoute(f, apiID) {
		return t.addHTTPRoute(f, name, ep, apiID, path, method)
	}
	permPath := ""
	switch {
	case explicitDefault:
		permPath = "$default"
	case path == "$default":
		permPath = "*"
	default:
		pm := "*"
		if method != "x-amazon-apigateway-any-method" {
			pm = strings.ToUpper(method)
		}
		permPath = "*/" + pm + regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(path, "*")
	}
	t.permission(f, permissionID(f.id+name, ""), "apigateway.amazonaws.com",
		sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/"+strings.TrimPrefix(permPath, "*/"),
			map[string]any{"__ApiId__": apiRef, "__Stage__": "*"}), nil)
	return t.addHTTPRoute(f, name, ep, apiID, path, method)
}

// ownsDefaultRoute reports whether the function serves the $default route of the API: through
// another HttpApi event without Path, or in the API's own OpenAPI document. Then that route's
// permission covers every path and the translator adds no other.
func (t *translator) ownsDefaultRoute(f *fnCtx, apiID string) bool {
	evs, _ := f.p["Events"].(map[string]any)
	for _, ev := range evs {
		e, _ := ev.(map[string]any)
		if e["Type"] != "HttpApi" {
			continue
		}
		ep, _ := e["Properties"].(map[string]any)
		if _, ok := ep["Path"]; ok {
			continue
		}
		target := implicitHTTPAPI
		if raw, ok := ep["ApiId"]; ok {
			if s, ok := refTarget(raw); ok {
				target = s
			} else if s, ok := raw.(string); ok {
				target = s
			}
		}
		if target == apiID {
			return true
		}
	}
	a := t.httpAPIs[apiID]
	if a == nil || a.body == nil {
		return false
	}
	paths, _ := a.body["paths"].(map[string]any)
	item, _ := paths["$default"].(map[string]any)
	if item == nil {
		item, _ = paths["/$default"].(map[string]any)
	}
	op, _ := item["x-amazon-apigateway-any-method"].(map[string]any)
	integ, _ := op["x-amazon-apigateway-integration"].(map[string]any)
	uri := stableJSON(integ["uri"])
	return strings.Contains(uri, f.invokeSub()) || strings.Contains(uri, `["`+f.id+`","Arn"]`)
}

func (t *translator) addHTTPRoute(f *fnCtx, name string, ep map[string]any, apiID, path, method string) error {
	a := t.httpAPIs[apiID]
	if a == nil || a.body == nil || isIntrinsic(a.body) {
		return nil
	}
	isDefault := false
	if _, has := ep["Path"]; !has {
		isDefault = true
	}
	paths, ok := a.body["paths"].(map[string]any)
	if !ok {
		if a.body["paths"] != nil {
			return nil
		}
		paths = map[string]any{}
		a.body["paths"] = paths
	}
	item, _ := paths[path].(map[string]any)
	if item == nil {
		if paths[path] != nil {
			return nil
		}
		item = map[string]any{}
		paths[path] = item
	}
	var existing map[string]any
	if cur, dup := item[method]; dup {
		if a.managed {
			return eventErr(f.id, name, "API method '%s' defined multiple times for path '%s'.", method, path)
		}
		existing, _ = cur.(map[string]any)
		if cur == nil {
			existing = map[string]any{"responses": map[string]any{}}
			item[method] = existing
		}
		if existing == nil || isIntrinsic(existing) || existing["x-amazon-apigateway-integration"] != nil {
			return nil
		}
	}
	integ := map[string]any{"type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "2.0",
		"uri": sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/" + f.invokeSub() + "/invocations")}
	if v, ok := ep["PayloadFormatVersion"]; ok {
		integ["payloadFormatVersion"] = v
	}
	if v, ok := ep["TimeoutInMillis"]; ok {
		integ["timeoutInMillis"] = v
	}
	if existing != nil {
		existing["x-amazon-apigateway-integration"] = integ
		if _, ok := existing["responses"]; !ok {
			existing["responses"] = map[string]any{}
		}
		return nil
	}
	op := map[string]any{"x-amazon-apigateway-integration": integ, "responses": map[string]any{}}
	if isDefault {
		op["isDefaultRoute"] = true
	}
	var params []any
	for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
		params = append(params, map[string]any{"in": "path", "name": m[1], "required": true})
	}
	if params != nil {
		op["parameters"] = params
	}
	if ea, ok := ep["Auth"].(map[string]any); ok {
		if az, ok := ea["Authorizer"].(string); ok {
			var scopes any = []any{}
			if s, ok := ea["AuthorizationScopes"].([]any); ok && az != "AWS_IAM" {
				scopes = s
			}
			op["security"] = []any{map[string]any{az: scopes}}
		} else if s, ok := ea["AuthorizationScopes"].([]any); ok {
			op[eventScopesKey] = s // for the API's default authorizer, known when the API is written
		}
	}
	if cond, ok := f.r["Condition"]; ok {
		item[method] = conditionalOp(cond, op)
	} else {
		item[method] = op
	}
	return nil
}

// emitHTTPAPI writes an ApiGatewayV2 API, its stage, authorizer permissions and domain.
func (t *translator) emitHTTPAPI(a *httpAPI) error {
	p := a.p
	ap := map[string]any{}
	if a.body != nil {
		if a.managed {
			t.conditionalPaths(a.id, a.body)
		}
		if !isIntrinsic(a.body) {
			list, _ := a.body["tags"].([]any)
			var kept []any
			for _, x := range list {
				if m, ok := x.(map[string]any); !ok || m["name"] != "httpapi:createdBy" {
					kept = append(kept, x)
				}
			}
			if tags, ok := p["Tags"].(map[string]any); ok {
				for _, k := range sortedKeys(tags) {
					kept = append(kept, map[string]any{"name": k, "x-amazon-apigateway-tag-value": tags[k]})
				}
			}
			a.body["tags"] = append(kept, map[string]any{"name": "httpapi:createdBy", "x-amazon-apigateway-tag-value": "SAM"})
			info, _ := a.body["info"].(map[string]any)
			if d, ok := p["Description"]; ok {
				if info == nil {
					info = map[string]any{}
					a.body["info"] = info
				}
				info["description"] = d
			}
			if n, ok := p["Name"]; ok && a.managed && info != nil {
				info["title"] = n
			}
			if boolProp(p["FailOnWarnings"]) {
				// API Gateway warns about a path that does not start with "/".
				if paths, ok := a.body["paths"].(map[string]any); ok {
					if v, ok := paths["$default"]; ok {
						delete(paths, "$default")
						paths["/$default"] = v
					}
				}
			}
			t.httpAuthToOpenAPI(a)
			operations(a.body, func(_, _ string, op map[string]any) { delete(op, eventScopesKey) })
		}
		ap["Body"] = a.body
	} else if uri, ok := p["DefinitionUri"]; ok {
		loc, err := t.codeLocation(a.id, "DefinitionUri", uri, "Bucket", "Key", "Version")
		if err != nil {
			return err
		}
		ap["BodyS3Location"] = loc
	}
	for _, k := range []string{"FailOnWarnings", "DisableExecuteApiEndpoint", "IpAddressType", "Name"} {
		if v, ok := p[k]; ok {
			if k == "Name" && a.managed {
				continue // the title of the generated document
			}
			ap[k] = v
		}
	}
	if c, ok := p["CorsConfiguration"]; ok {
		if m, ok := c.(map[string]any); ok && !isIntrinsic(m) {
			for _, k := range sortedKeys(m) {
				switch k {
				case "AllowOrigins", "AllowHeaders", "AllowMethods", "ExposeHeaders", "MaxAge", "AllowCredentials":
				default:
					return resourceErr(a.id, "Invalid key '%s' for 'Cors' property.", k)
				}
			}
		}
		if a.body != nil {
			if v := t.corsV2(c); v != nil {
				a.body["x-amazon-apigateway-cors"] = v
			}
		}
	}
	api := resource("AWS::ApiGatewayV2::Api", ap)
	passthrough(a.r, api)
	if d, ok := a.r["DependsOn"]; ok {
		api["DependsOn"] = d
	}
	t.out[a.id] = api

	stageName := p["StageName"]
	if s, ok := stageName.(string); stageName == nil || ok && s == "" {
		stageName = "$default"
	}
	prefix, _ := stageName.(string)
	var stageID string
	switch {
	case isAlnum(prefix):
		stageID = a.id + prefix + "Stage"
	case prefix == "$default":
		stageID = a.id + "ApiGatewayDefaultStage"
	default:
		stageID = a.id + "Stage" + hashID(prefix)
	}
	sp := map[string]any{"ApiId": ref(a.id), "StageName": stageName, "AutoDeploy": true}
	for _, k := range []string{"StageVariables", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings"} {
		if v, ok := p[k]; ok {
			sp[k] = v
		}
	}
	if a.body != nil && !isIntrinsic(a.body) {
		st := map[string]any{"httpapi:createdBy": "SAM"}
		if tags, ok := p["Tags"].(map[string]any); ok {
			for k, v := range tags {
				st[k] = v
			}
		}
		sp["Tags"] = st
	} else if tags, ok := p["Tags"].(map[string]any); ok {
		sp["Tags"] = tags
	}
	stage := resource("AWS::ApiGatewayV2::Stage", sp)
	passthrough(a.r, stage)
	t.out[stageID] = stage
	t.renamed[a.id+".Stage"] = stageID

	if auth, ok := p["Auth"].(map[string]any); ok {
		if azs, ok := auth["Authorizers"].(map[string]any); ok {
			for _, name := range sortedKeys(azs) {
				az, _ := azs[name].(map[string]any)
				fnArn, ok := az["FunctionArn"]
				if !ok || !boolProp(az["EnableFunctionDefaultPermissions"]) {
					continue
				}
				perm := resource("AWS::Lambda::Permission", map[string]any{
					"Action": "lambda:InvokeFunction", "FunctionName": fnArn, "Principal": "apigateway.amazonaws.com",
					"SourceArn": sub(t.arn("execute-api", "${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*"),
						map[string]any{"__ApiId__": ref(a.id)}),
				})
				passthrough(a.r, perm)
				t.out[a.id+name+"AuthorizerPermission"] = perm
			}
		}
	}
	return t.httpAPIDomain(a)
}

// corsV2 is CorsConfiguration as the x-amazon-apigateway-cors extension: true allows every
// origin; keys are lower-camel; AllowCredentials appears only when true.
func (t *translator) corsV2(c any) any {
	if pv, ok := t.paramValue(c); ok {
		c = pv
	}
	switch x := c.(type) {
	case bool:
		if x {
			return map[string]any{"allowOrigins": []any{"*"}}
		}
		return nil
	case string:
		if x == "true" {
			return map[string]any{"allowOrigins": []any{"*"}}
		}
		return x
	case map[string]any:
		if args, ok := x["Fn::If"].([]any); ok && len(x) == 1 && len(args) == 3 {
			return map[string]any{"Fn::If": []any{args[0], t.corsV2(args[1]), t.corsV2(args[2])}}
		}
		if isIntrinsic(x) {
			return x
		}
		out := map[string]any{}
		for k, v := range x {
			if k == "AllowCredentials" && !boolProp(v) {
				if _, isBool := v.(bool); isBool {
					continue
				}
			}
			out[lowerFirst(k)] = v
		}
		return out
	}
	return c
}

func (t *translator) httpAPIDomain(a *httpAPI) error {
	raw, ok := a.p["Domain"]
	if !ok {
		return nil
	}
	d, ok := raw.(map[string]any)
	if !ok {
		return resourceErr(a.id, "Property 'Domain' should be a map.")
	}
	dn, ok1 := d["DomainName"]
	cert, ok2 := d["CertificateArn"]
	if !ok1 || !ok2 {
		return resourceErr(a.id, "Custom Domains only works if both DomainName and CertificateArn are provided.")
	}
	if _, ok := d["Route53"]; ok {
		return unsupported(a.id, "Property 'Domain.Route53'")
	}
	endpoint := "REGIONAL"
	if e, ok := d["EndpointConfiguration"].(string); ok {
		endpoint = e
	}
	if endpoint != "REGIONAL" {
		return resourceErr(a.id, "EndpointConfiguration for Custom Domains must be one of ['REGIONAL'].")
	}
	domID := "ApiGatewayDomainNameV2" + hashID(dn)
	cfg := map[string]any{"CertificateArn": cert, "EndpointType": endpoint}
	for _, k := range []string{"SecurityPolicy", "OwnershipVerificationCertificateArn", "IpAddressType"} {
		if v, ok := d[k]; ok {
			cfg[k] = v
		}
	}
	dom := resource("AWS::ApiGatewayV2::DomainName", map[string]any{"DomainName": dn, "DomainNameConfigurations": []any{cfg}})
	passthrough(a.r, dom)
	t.out[domID] = dom
	t.renamed[a.id+".DomainName"] = domID
	mapping := func(id string, key any) {
		mp := map[string]any{"DomainName": ref(domID), "ApiId": ref(a.id), "Stage": ref(a.id + ".Stage")}
		if key != nil {
			mp["ApiMappingKey"] = key
		}
		m := resource("AWS::ApiGatewayV2::ApiMapping", mp)
		passthrough(a.r, m)
		t.out[id] = m
	}
	bp, ok := d["BasePath"]
	if !ok {
		mapping(a.id+"ApiMapping", nil)
		return nil
	}
	list, ok := bp.([]any)
	if !ok {
		list = []any{bp}
	}
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return resourceErr(a.id, "Basepath must be a string.")
		}
		if regexp.MustCompile(`[^0-9a-zA-Z/\-_]+`).MatchString(s) {
			return resourceErr(a.id, "Invalid Basepath name provided.")
		}
		key := strings.Trim(s, "/")
		mapping(a.id+regexp.MustCompile(`[\-_/]+`).ReplaceAllString(s, "")+"ApiMapping", key)
	}
	return nil
}

var httpMethods = setOf("get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method")

func hasDefaultAuth(p map[string]any) bool {
	auth, _ := p["Auth"].(map[string]any)
	_, ok := auth["DefaultAuthorizer"]
	return ok
}

// httpAuthToOpenAPI writes an HTTP API's Auth into its OpenAPI document: security schemes for
// JWT, Lambda and IAM authorizers, and the default authorizer on routes without one.
func (t *translator) httpAuthToOpenAPI(a *httpAPI) {
	auth, ok := a.p["Auth"].(map[string]any)
	if !ok {
		return
	}
	schemes := map[string]any{}
	scopesOf := map[string]any{}
	azs, _ := auth["Authorizers"].(map[string]any)
	for _, name := range sortedKeys(azs) {
		az, ok := azs[name].(map[string]any)
		if !ok {
			continue
		}
		if s, ok := az["AuthorizationScopes"].([]any); ok {
			scopesOf[name] = s
		}
		if jc, ok := az["JwtConfiguration"].(map[string]any); ok {
			cfg := map[string]any{}
			for k, v := range jc {
				cfg[lowerFirst(k)] = v
			}
			x := map[string]any{"type": "jwt", "jwtConfiguration": cfg}
			if v, ok := az["IdentitySource"]; ok {
				x["identitySource"] = v
			}
			schemes[name] = map[string]any{"type": "oauth2", "x-amazon-apigateway-authorizer": x}
			continue
		}
		if _, ok := az["FunctionArn"]; !ok {
			continue
		}
		x := map[string]any{"type": "request",
			"authorizerUri": sub(t.arn("apigateway", "${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations"),
				map[string]any{"__FunctionArn__": az["FunctionArn"]})}
		if v, ok := az["AuthorizerPayloadFormatVersion"]; ok {
			x["authorizerPayloadFormatVersion"] = v
		}
		if v, ok := az["FunctionInvokeRole"]; ok && v != "NONE" {
			x["authorizerCredentials"] = v
		}
		if v, ok := az["EnableSimpleResponses"]; ok && v != false {
			x["enableSimpleResponses"] = v
		}
		if idn, ok := az["Identity"].(map[string]any); ok {
			var sources []any
			for _, kp := range [][2]string{{"Headers", "$request.header."}, {"QueryStrings", "$request.querystring."},
				{"StageVariables", "$stageVariables."}, {"Context", "$context."}} {
				l, _ := idn[kp[0]].([]any)
				for _, e := range l {
					if s, ok := e.(string); ok {
						sources = append(sources, kp[1]+s)
					}
				}
			}
			if sources == nil {
				sources = []any{}
			}
			x["identitySource"] = sources
			if v, ok := idn["ReauthorizeEvery"]; ok {
				x["authorizerResultTtlInSeconds"] = v
			}
		}
		schemes[name] = map[string]any{"type": "apiKey", "name": "Unused", "in": "header", "x-amazon-apigateway-authorizer": x}
	}
	if _, userDefined := azs["AWS_IAM"]; boolProp(auth["EnableIamAuthorizer"]) && !userDefined {
		schemes["AWS_IAM"] = map[string]any{"type": "apiKey", "name": "Authorization", "in": "header",
			"x-amazon-apigateway-authtype": "awsSigv4"}
	}
	def, _ := auth["DefaultAuthorizer"].(string)
	operations(a.body, func(_, method string, op map[string]any) {
		eventScopes, hasEventScopes := op[eventScopesKey]
		delete(op, eventScopesKey)
		if method == "options" {
			return
		}
		if _, has := op["security"]; has || def == "" {
			if sec, ok := op["security"].([]any); ok && len(sec) == 1 {
				if m, ok := sec[0].(map[string]any); ok && len(m) == 1 {
					for k, v := range m {
						if l, ok := v.([]any); ok && len(l) == 0 && scopesOf[k] != nil && k != "AWS_IAM" {
							m[k] = scopesOf[k]
						}
					}
				}
			}
			return
		}
		var scopes any = []any{}
		if s, ok := scopesOf[def]; ok {
			scopes = s
		}
		if hasEventScopes {
			scopes = eventScopes
		}
		op["security"] = []any{map[string]any{def: scopes}}
	})
	if len(schemes) == 0 {
		return
	}
	comps, _ := a.body["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
		a.body["components"] = comps
	}
	existing, _ := comps["securitySchemes"].(map[string]any)
	if existing == nil {
		existing = map[string]any{}
	}
	for k, v := range schemes {
		if _, ok := existing[k]; !ok {
			existing[k] = v
		}
	}
	comps["securitySchemes"] = existing
}

// eventScopesKey marks, until the API is written, an operation whose event gives
// AuthorizationScopes for the API's default authorizer.
const eventScopesKey = "x-nubo-event-scopes"
