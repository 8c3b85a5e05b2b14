package sam

import "strings"

// restAPIAuth checks Auth and emits the permissions that let API Gateway call Lambda
// authorizers (<Api><Authorizer>AuthorizerPermission).
func (t *translator) restAPIAuth(a *restAPI) error {
	auth, ok := a.p["Auth"].(map[string]any)
	if !ok {
		return nil
	}
	if d, ok := auth["DefaultAuthorizer"]; ok {
		if _, ok := d.(string); !ok {
			return resourceErr(a.id, "DefaultAuthorizer is not a string.")
		}
	}
	raw, ok := auth["Authorizers"]
	if !ok {
		return nil
	}
	authorizers, ok := raw.(map[string]any)
	if !ok {
		return resourceErr(a.id, "Property 'Auth.Authorizers' should be a map.")
	}
	for _, name := range sortedKeys(authorizers) {
		az, ok := authorizers[name].(map[string]any)
		if !ok {
			return resourceErr(a.id, "Property 'Auth.Authorizers.%s' should be a map.", name)
		}
		if id, ok := az["Identity"]; ok {
			if _, ok := id.(map[string]any); !ok {
				return resourceErr(a.id, "Property 'Auth.Authorizers.%s.Identity' should be a map.", name)
			}
		}
		if _, ok := az["UserPoolArn"]; ok {
			continue
		}
		fnArn, ok := az["FunctionArn"]
		if !ok || boolProp(az["DisableFunctionDefaultPermissions"]) {
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
	return nil
}

var corsKeys = setOf("AllowMethods", "AllowHeaders", "AllowOrigin", "MaxAge", "AllowCredentials")

// restAPICors adds the OPTIONS preflight methods of Cors to a generated or inline swagger.
func (t *translator) restAPICors(a *restAPI) error {
	c, ok := a.p["Cors"]
	if !ok {
		return nil
	}
	origin := any(nil)
	cfg := map[string]any{}
	switch x := c.(type) {
	case string:
		origin = x
	case map[string]any:
		if isIntrinsic(x) {
			origin = x
			break
		}
		for _, k := range sortedKeys(x) {
			if !corsKeys[k] {
				return resourceErr(a.id, "Invalid key '%s' for 'Cors' property.", k)
			}
		}
		cfg = x
		origin = x["AllowOrigin"]
		if origin == nil {
			origin = "'*'"
		}
		if boolProp(x["AllowCredentials"]) && origin == "'*'" {
			return resourceErr(a.id, "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set")
		}
	default:
		if !isIntrinsic(x) {
			return resourceErr(a.id, "Type of property 'Cors' is invalid.")
		}
		origin = x
	}
	if a.body == nil {
		return resourceErr(a.id, "Cors works only with inline Swagger specified in 'DefinitionBody' property.")
	}
	if s, ok := origin.(string); ok && s == "" {
		return resourceErr(a.id, "Structure of the SAM template is invalid. Invalid input. Value for AllowedOrigins is required")
	}
	paths, _ := a.body["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		raw, ok := paths[path].(map[string]any)
		if !ok {
			continue
		}
		items := []map[string]any{raw}
		if args, ok := raw["Fn::If"].([]any); ok && len(raw) == 1 && len(args) == 3 {
			items = nil
			for _, b := range args[1:] {
				if bm, ok := b.(map[string]any); ok && !isIntrinsic(bm) {
					items = append(items, bm)
				}
			}
		} else if isIntrinsic(raw) {
			continue
		}
		for _, item := range items {
			t.addPreflight(a, item, origin, cfg)
		}
	}
	return nil
}

// addPreflight adds the OPTIONS method answering CORS preflight requests to a path item.
func (t *translator) addPreflight(a *restAPI, item map[string]any, origin any, cfg map[string]any) {
	if _, has := item["options"]; has {
		return
	}
	headers := map[string]any{}
	params := map[string]any{}
	if origin != nil {
		params["method.response.header.Access-Control-Allow-Origin"] = origin
		headers["Access-Control-Allow-Origin"] = map[string]any{"type": "string"}
	}
	if v, ok := cfg["AllowHeaders"]; ok {
		params["method.response.header.Access-Control-Allow-Headers"] = v
		headers["Access-Control-Allow-Headers"] = map[string]any{"type": "string"}
	}
	methods := cfg["AllowMethods"]
	if methods == nil {
		var ms []string
		for m := range item {
			if m == "x-amazon-apigateway-any-method" {
				ms = append(ms, "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
			} else {
				ms = append(ms, strings.ToUpper(m))
			}
		}
		ms = append(ms, "OPTIONS")
		methods = "'" + strings.Join(uniqSorted(ms), ",") + "'"
	}
	params["method.response.header.Access-Control-Allow-Methods"] = methods
	headers["Access-Control-Allow-Methods"] = map[string]any{"type": "string"}
	if v, ok := cfg["MaxAge"]; ok {
		params["method.response.header.Access-Control-Max-Age"] = v
		headers["Access-Control-Max-Age"] = map[string]any{"type": "integer"}
	}
	if boolProp(cfg["AllowCredentials"]) {
		params["method.response.header.Access-Control-Allow-Credentials"] = "'true'"
		headers["Access-Control-Allow-Credentials"] = map[string]any{"type": "string"}
	}
	options := map[string]any{
		"summary": "CORS support", "consumes": []any{"application/json"}, "produces": []any{"application/json"},
		"x-amazon-apigateway-integration": map[string]any{
			"type": "mock", "requestTemplates": map[string]any{"application/json": "{\n  \"statusCode\" : 200\n}\n"},
			"responses": map[string]any{"default": map[string]any{"statusCode": "200",
				"responseParameters": params, "responseTemplates": map[string]any{"application/json": "{}\n"}}},
		},
		"responses": map[string]any{"200": map[string]any{"description": "Default response for CORS method", "headers": headers}},
	}
	if strings.HasPrefix(openAPIVersion(a.body["openapi"]), "3") {
		// An OpenAPI 3 document gets OpenAPI 3 headers; the post-processing for OpenApiVersion
		// wraps them once more, as AWS's translator does.
		delete(options, "consumes")
		delete(options, "produces")
		for _, h := range headers {
			hm := h.(map[string]any)
			hm["schema"] = map[string]any{"type": hm["type"]}
			delete(hm, "type")
		}
	}
	item["options"] = options
}

func uniqSorted(s []string) []string {
	var out []string
	for i, x := range sortStrings(s) {
		if i == 0 || x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

func sortStrings(s []string) []string {
	c := append([]string{}, s...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	return c
}

var usagePlanKeys = setOf("CreateUsagePlan", "Description", "Quota", "Tags", "Throttle", "UsagePlanName")

// usagePlan emits Auth.UsagePlan: per API (<Api>UsagePlan, <Api>ApiKey, <Api>UsagePlanKey) or
// shared by every API of the template (ServerlessUsagePlan, ServerlessApiKey, ServerlessUsagePlanKey).
func (t *translator) usagePlan(a *restAPI, stageID string) error {
	auth, _ := a.p["Auth"].(map[string]any)
	raw, ok := auth["UsagePlan"]
	if !ok {
		return nil
	}
	up, ok := raw.(map[string]any)
	if !ok {
		return resourceErr(a.id, "'UsagePlan' must be a dictionary")
	}
	for k := range up {
		if !usagePlanKeys[k] {
			return resourceErr(a.id, "Invalid property for 'UsagePlan'")
		}
	}
	createPlan := up["CreateUsagePlan"]
	if v, ok := t.paramValue(createPlan); ok {
		createPlan = v
	}
	mode, ok := createPlan.(string)
	if !ok {
		return resourceErr(a.id, "'CreateUsagePlan' is a required field for UsagePlan.")
	}
	var planID, keyID, planKeyID string
	switch mode {
	case "NONE":
		return nil
	case "PER_API":
		planID, keyID, planKeyID = a.id+"UsagePlan", a.id+"ApiKey", a.id+"UsagePlanKey"
	case "SHARED":
		planID, keyID, planKeyID = "ServerlessUsagePlan", "ServerlessApiKey", "ServerlessUsagePlanKey"
	default:
		return resourceErr(a.id, "'CreateUsagePlan' accepts one of ['PER_API', 'SHARED', 'NONE'].")
	}
	t.renamed[a.id+".UsagePlan"] = planID
	t.renamed[a.id+".UsagePlanKey"] = planKeyID
	t.renamed[a.id+".ApiKey"] = keyID
	stage := map[string]any{"ApiId": ref(a.id), "Stage": ref(stageID)}
	if mode == "SHARED" {
		t.sharedPlanOwners = append(t.sharedPlanOwners, a.r)
	}
	if existing, ok := t.out[planID].(map[string]any); ok && mode == "SHARED" {
		pp := existing["Properties"].(map[string]any)
		pp["ApiStages"] = append(pp["ApiStages"].([]any), stage)
		deps, _ := existing["DependsOn"].([]any)
		existing["DependsOn"] = append(deps, a.id)
		if key, ok := t.out[keyID].(map[string]any); ok {
			kp := key["Properties"].(map[string]any)
			kp["StageKeys"] = append(kp["StageKeys"].([]any), map[string]any{"RestApiId": ref(a.id), "StageName": ref(stageID)})
		}
		return nil
	}
	pp := map[string]any{"ApiStages": []any{stage}}
	for _, k := range []string{"Description", "Quota", "Tags", "Throttle", "UsagePlanName"} {
		if v, ok := up[k]; ok {
			pp[k] = v
		}
	}
	plan := resource("AWS::ApiGateway::UsagePlan", pp)
	plan["DependsOn"] = []any{a.id}
	t.out[planID] = plan
	t.out[keyID] = map[string]any{"Type": "AWS::ApiGateway::ApiKey", "DependsOn": []any{planID},
		"Properties": map[string]any{"Enabled": true, "StageKeys": []any{map[string]any{"RestApiId": ref(a.id), "StageName": ref(stageID)}}}}
	t.out[planKeyID] = map[string]any{"Type": "AWS::ApiGateway::UsagePlanKey", "DependsOn": []any{keyID},
		"Properties": map[string]any{"KeyId": ref(keyID), "KeyType": "API_KEY", "UsagePlanId": ref(planID)}}
	if mode == "PER_API" {
		for _, id := range []string{planID, keyID, planKeyID} {
			passthrough(a.r, t.out[id].(map[string]any))
		}
	}
	return nil
}

// restAPIDomain emits a custom domain (without Route53): ApiGatewayDomainName<hash> and base
// path mappings.
func (t *translator) restAPIDomain(a *restAPI, stageID string) error {
	raw, ok := a.p["Domain"]
	if !ok {
		return nil
	}
	d, ok := raw.(map[string]any)
	if !ok {
		return resourceErr(a.id, "Property 'Domain' should be a map.")
	}
	dn, ok := d["DomainName"]
	if !ok {
		return resourceErr(a.id, "Custom Domains only works if both DomainName and CertificateArn are provided.")
	}
	cert, ok := d["CertificateArn"]
	if !ok {
		return resourceErr(a.id, "Custom Domains only works if both DomainName and CertificateArn are provided.")
	}
	if _, ok := d["Route53"]; ok {
		return unsupported(a.id, "Property 'Domain.Route53'")
	}
	endpoint := "REGIONAL"
	if e, ok := d["EndpointConfiguration"].(string); ok {
		endpoint = e
	}
	if endpoint != "EDGE" && endpoint != "REGIONAL" && endpoint != "PRIVATE" {
		return resourceErr(a.id, "EndpointConfiguration for Custom Domains must be one of ['EDGE', 'REGIONAL', 'PRIVATE'].")
	}
	if endpoint == "PRIVATE" {
		return unsupported(a.id, "A PRIVATE custom domain")
	}
	domID := "ApiGatewayDomainName" + hashID(dn)
	dp := map[string]any{"DomainName": dn, "EndpointConfiguration": map[string]any{"Types": []any{endpoint}}}
	if endpoint == "REGIONAL" {
		dp["RegionalCertificateArn"] = cert
	} else {
		dp["CertificateArn"] = cert
	}
	for _, k := range []string{"SecurityPolicy", "OwnershipVerificationCertificateArn"} {
		if v, ok := d[k]; ok {
			dp[k] = v
		}
	}
	if v, ok := d["IpAddressType"]; ok {
		dp["EndpointConfiguration"].(map[string]any)["IpAddressType"] = v
	}
	if _, ok := d["MutualTlsAuthentication"]; ok {
		return unsupported(a.id, "Property 'Domain.MutualTlsAuthentication'")
	}
	dom := resource("AWS::ApiGateway::DomainName", dp)
	passthrough(a.r, dom)
	t.out[domID] = dom
	t.renamed[a.id+".DomainName"] = domID
	mapping := func(id string, base any) {
		mp := map[string]any{"DomainName": ref(domID), "RestApiId": ref(a.id), "Stage": ref(stageID)}
		if base != nil {
			mp["BasePath"] = base
		}
		m := resource("AWS::ApiGateway::BasePathMapping", mp)
		passthrough(a.r, m)
		t.out[id] = m
	}
	bp, ok := d["BasePath"]
	if !ok {
		mapping(a.id+"BasePathMapping", nil)
		return nil
	}
	list, ok := bp.([]any)
	if !ok {
		if s, ok := bp.(string); ok {
			list = []any{s}
		} else {
			return resourceErr(a.id, "Property 'Domain.BasePath' should be a list.")
		}
	}
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return resourceErr(a.id, "Property 'Domain.BasePath' should be a list of strings.")
		}
		var b strings.Builder
		for _, r := range s {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		mapping(a.id+b.String()+"BasePathMapping", b.String())
	}
	return nil
}

// finishSharedUsagePlan gives the shared usage plan resources the attributes of the APIs that
// share them.
func (t *translator) finishSharedUsagePlan() {
	if len(t.sharedPlanOwners) == 0 {
		return
	}
	for _, id := range []string{"ServerlessUsagePlan", "ServerlessApiKey", "ServerlessUsagePlanKey"} {
		if r, ok := t.out[id].(map[string]any); ok {
			t.sharedAttributes(r, t.sharedPlanOwners, "SharedUsagePlanCondition")
		}
	}
}
