package sam

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

var apiProps = setOf("Name", "StageName", "Tags", "PropagateTags", "DefinitionBody", "DefinitionUri",
	"MergeDefinitions", "CacheClusterEnabled", "CacheClusterSize", "Variables", "EndpointConfiguration",
	"MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize", "Cors", "Auth", "GatewayResponses",
	"AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion", "Models", "Domain",
	"FailOnWarnings", "Description", "Mode", "DisableExecuteApiEndpoint", "ApiKeySourceType", "AlwaysDeploy",
	"Policy", "SecurityPolicy", "EndpointAccessMode")

// restAPI is an AWS::Serverless::Api being assembled: the template's own or the implicit
// ServerlessRestApi that collects the Api events without RestApiId.
type restAPI struct {
	id       string
	r        map[string]any
	p        map[string]any
	implicit bool
	managed  bool           // the swagger is generated: events add their paths
	body     map[string]any // swagger/OpenAPI document, nil with DefinitionUri
	policy   []any          // resource policy statements of the events, in event order
}

// addImplicitAPIs inserts ServerlessRestApi / ServerlessHttpApi when events need them, before
// Globals apply (the Api and HttpApi globals reach the implicit APIs too).
func (t *translator) addImplicitAPIs() {
	needRest, needHTTP := false, false
	var restOwners, httpOwners []map[string]any
	for _, id := range sortedKeys(t.resources) {
		r := t.resources[id].(map[string]any)
		typ := r["Type"]
		if typ != typeFunction && typ != typeStateMachine {
			continue
		}
		p, _ := r["Properties"].(map[string]any)
		evs, _ := p["Events"].(map[string]any)
		for _, ev := range evs {
			e, _ := ev.(map[string]any)
			ep, _ := e["Properties"].(map[string]any)
			switch e["Type"] {
			case "Api":
				if _, ok := ep["RestApiId"]; !ok {
					needRest = true
					restOwners = appendOwner(restOwners, r)
				}
			case "HttpApi":
				if typ == typeFunction {
					if _, ok := ep["ApiId"]; !ok {
						needHTTP = true
						httpOwners = appendOwner(httpOwners, r)
					}
				}
			}
		}
	}
	if needRest {
		r := map[string]any{"Type": typeAPI, "Properties": map[string]any{"StageName": "Prod"}, "nubo:implicit": true}
		t.sharedAttributes(r, restOwners, implicitRestAPI+"Condition")
		t.implicitOwners[implicitRestAPI] = restOwners
		t.resources[implicitRestAPI] = r
	}
	if needHTTP {
		r := map[string]any{"Type": typeHTTPAPI, "Properties": map[string]any{}, "nubo:implicit": true}
		t.sharedAttributes(r, httpOwners, implicitHTTPAPI+"Condition")
		t.implicitOwners[implicitHTTPAPI] = httpOwners
		t.resources[implicitHTTPAPI] = r
	}
}

func skeletonSwagger() map[string]any {
	return map[string]any{
		"swagger": "2.0",
		"info":    map[string]any{"version": "1.0", "title": ref("AWS::StackName")},
		"paths":   map[string]any{},
	}
}

// collectAPIs prepares every SAM REST and HTTP API before events add to them.
func (t *translator) collectAPIs(ids []string) {
	for _, id := range ids {
		r := t.resources[id].(map[string]any)
		implicit, _ := r["nubo:implicit"].(bool)
		delete(r, "nubo:implicit")
		if implicit {
			if p, ok := r["Properties"].(map[string]any); ok {
				propagatedTags(t.implicitOwners[id], p)
			}
		}
		switch r["Type"] {
		case typeAPI:
			a, err := t.newRestAPI(id, r, implicit)
			if err != nil {
				t.fail(err)
				continue
			}
			t.restAPIs[id] = a
		case typeHTTPAPI:
			a, err := t.newHTTPAPI(id, r, implicit)
			if err != nil {
				t.fail(err)
				continue
			}
			t.httpAPIs[id] = a
		}
	}
}

func (t *translator) newRestAPI(id string, r map[string]any, implicit bool) (*restAPI, error) {
	p := props(r)
	if err := checkProps(id, typeAPI, p, apiProps); err != nil {
		return nil, err
	}
	if err := validateRestAPI(id, p, t.parameterNames()); err != nil {
		return nil, err
	}
	if auth, ok := p["Auth"].(map[string]any); ok {
		if err := t.checkSubVariables(auth["ResourcePolicy"]); err != nil {
			return nil, err
		}
	}
	a := &restAPI{id: id, r: r, p: p, implicit: implicit}
	_, hasBody := p["DefinitionBody"]
	_, hasURI := p["DefinitionUri"]
	if hasBody && hasURI {
		return nil, resourceErr(id, "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.")
	}
	if sn, ok := p["StageName"]; ok {
		if s, ok := sn.(string); ok && s == "" {
			return nil, resourceErr(id, "StageName cannot be empty.")
		}
	}
	if v, ok := p["OpenApiVersion"]; ok {
		s, ok := v.(string)
		if f, isNum := v.(float64); isNum {
			s, ok = strconv.FormatFloat(f, 'f', -1, 64), true
			if f == float64(int(f)) {
				s += ".0"
			}
		}
		if !ok {
			return nil, resourceErr(id, "Property 'OpenApiVersion' should be a string.")
		}
		if !regexp.MustCompile(`^3\.\d+(\.\d+)?$`).MatchString(s) && s != "2.0" {
			return nil, resourceErr(id, "The OpenApiVersion value must be of the format '3.0.0'.")
		}
	}
	switch {
	case hasBody:
		b, ok := p["DefinitionBody"].(map[string]any)
		if !ok {
			return nil, resourceErr(id, "Property 'DefinitionBody' should be a map.")
		}
		a.body = b
		if m, ok := p["MergeDefinitions"].(bool); ok && m {
			a.managed = true
		}
	case hasURI:
		if _, ok := p["Cors"]; ok {
			return nil, resourceErr(id, "Cors works only with inline Swagger specified in 'DefinitionBody' property.")
		}
		if _, ok := p["MergeDefinitions"]; ok {
			return nil, resourceErr(id, "Cannot set 'MergeDefinitions' to True when using `DefinitionUri`.")
		}
	default:
		a.body = skeletonSwagger()
		a.managed = true
	}
	if _, ok := p["DisableExecuteApiEndpoint"]; ok && !hasBody && !a.managed {
		return nil, resourceErr(id, "DisableExecuteApiEndpoint works only within 'DefinitionBody' property.")
	}
	if auth, ok := p["Auth"]; ok {
		if _, ok := auth.(map[string]any); !ok {
			return nil, resourceErr(id, "Property 'Auth' should be a map.")
		}
	}
	if hasBody {
		if err := validateSwaggerPaths(a.body); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func validateSwaggerPaths(body map[string]any) error {
	paths, ok := body["paths"].(map[string]any)
	if !ok {
		return nil
	}
	for _, path := range sortedKeys(paths) {
		v := paths[path]
		if intrinsicName(v) == "Fn::If" {
			if _, ok := v.(map[string]any)["Fn::If"].([]any); !ok {
				return structureErr("Value of Fn::If must be a list.")
			}
			continue
		}
		if _, ok := v.(map[string]any); !ok {
			return structureErr("Value of '%s' path must be a dictionary according to Swagger spec.", path)
		}
	}
	return nil
}

// apiEvent is a function's Api event: a route on a SAM REST API and the permission to call it.
func (t *translator) apiEvent(f *fnCtx, name string, ep map[string]any) error {
	path, ok := ep["Path"].(string)
	if !ok {
		if _, has := ep["Path"]; !has {
			return eventErr(f.id, name, "Property 'Path' is required.")
		}
		return eventErr(f.id, name, "Property 'Path' should be a string.")
	}
	method, ok := ep["Method"].(string)
	if !ok {
		if _, has := ep["Method"]; !has {
			return eventErr(f.id, name, "Property 'Method' is required.")
		}
		return eventErr(f.id, name, "Property 'Method' should be a string.")
	}
	method = strings.ToLower(method)
	if err := validateRequestParameters(f.id, name, ep); err != nil {
		return err
	}
	apiID := implicitRestAPI
	var apiRef any = ref(implicitRestAPI)
	suffix := "Prod"
	if raw, ok := ep["RestApiId"]; ok {
		id, ok := raw.(string)
		if !ok {
			if id, ok = refTarget(raw); !ok {
				return eventErr(f.id, name, "Property 'RestApiId' should be a string.")
			}
		}
		target, ok := t.resources[id].(map[string]any)
		if !ok {
			return eventErr(f.id, name, "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.")
		}
		if target["Type"] == typeHTTPAPI {
			return eventErr(f.id, name, "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.")
		}
		apiID, apiRef = id, raw
		tp, _ := target["Properties"].(map[string]any)
		switch sn := tp["StageName"].(type) {
		case string:
			if sn == "" {
				return resourceErr(id, "StageName cannot be empty.")
			}
			suffix = sn
		default:
			suffix = "Stage"
		}
		if target["Type"] != typeAPI {
			// Another API (an AWS::ApiGateway::RestApi whose methods the
			// template writes): as AWS's translator, the event only lets
			// API Gateway invoke the function (resources_to_link_for_rest_api
			// accepts any resource of the template; only an HttpApi is
			// refused, by the implicit API plugin).
			t.restPermission(f, name, suffix, apiRef, method, path)
			return nil
		}
	}
	a := t.restAPIs[apiID]
	if a == nil {
		return nil // the API itself was rejected
	}
	if err := validateEventAuth(f.id, name, method, path, ep, a.p, false); err != nil {
		return err
	}
	if err := validateRequestModel(f.id, name, method, path, ep, a.p); err != nil {
		return err
	}
	trimmed := path
	if len(trimmed) > 1 {
		trimmed = strings.TrimSuffix(trimmed, "/")
	}
	t.restPermission(f, name, suffix, apiRef, method, path)
	if a.body != nil && !isIntrinsic(a.body) {
		ea, _ := ep["Auth"].(map[string]any)
		rp, ok := ea["ResourcePolicy"].(map[string]any)
		if !ok {
			apiAuth, _ := a.p["Auth"].(map[string]any)
			rp, _ = apiAuth["ResourcePolicy"].(map[string]any)
		}
		if rp != nil {
			stage := a.p["StageName"]
			if stage == nil {
				stage = "Prod"
			}
			a.policy = append(a.policy, t.resourcePolicyStatements(rp, stage, method, trimmed)...)
		}
	}
	if !a.managed || a.body == nil {
		return nil
	}
	paths, ok := a.body["paths"].(map[string]any)
	if !ok {
		paths = map[string]any{}
		a.body["paths"] = paths
	}
	item, _ := paths[path].(map[string]any)
	if item == nil {
		item = map[string]any{}
		paths[path] = item
	}
	swMethod := method
	if method == "any" {
		swMethod = "x-amazon-apigateway-any-method"
	}
	if _, dup := item[swMethod]; dup {
		return eventErr(f.id, name, "API method \"%s\" defined multiple times for path \"%s\".", method, path)
	}
	integ := map[string]any{
		"type": "aws_proxy", "httpMethod": "POST",
		"uri": sub(t.arn("apigateway", "${AWS::Region}:lambda:path/2015-03-31/functions/"+f.invokeSub()+"/invocations")),
	}
	if mode, ok := ep["ResponseTransferMode"]; ok && mode != "BUFFERED" {
		if mode == "RESPONSE_STREAM" || mode == "STREAM" {
			mode = "STREAM"
			integ["uri"] = sub(t.arn("apigateway", "${AWS::Region}:lambda:path/2021-11-15/functions/"+f.invokeSub()+"/response-streaming-invocations"))
		}
		integ["responseTransferMode"] = mode
	}
	if v, ok := ep["TimeoutInMillis"]; ok {
		integ["timeoutInMillis"] = v
	}
	op := map[string]any{"x-amazon-apigateway-integration": integ, "responses": map[string]any{}}
	eventSecurity(op, ep)
	eventRequest(op, ep)
	if cond, ok := f.r["Condition"]; ok {
		item[swMethod] = conditionalOp(cond, op)
	} else {
		item[swMethod] = op
	}
	return nil
}

// emitRestAPI writes the RestApi, its Deployment and Stage, and the auth, usage plan and
// domain resources of a SAM REST API.
func (t *translator) emitRestAPI(a *restAPI) error {
	p := a.p
	rp := map[string]any{}
	if a.body != nil {
		rp["Body"] = a.body
	} else if uri, ok := p["DefinitionUri"]; ok {
		loc, err := t.codeLocation(a.id, "DefinitionUri", uri, "Bucket", "Key", "Version")
		if err != nil {
			return err
		}
		if s, ok := loc.(string); ok {
			rp["BodyS3Location"] = s
		} else {
			rp["BodyS3Location"] = loc
		}
	}
	for _, k := range []string{"Name", "Description", "MinimumCompressionSize",
		"FailOnWarnings", "Mode", "ApiKeySourceType", "Policy", "SecurityPolicy", "EndpointAccessMode"} {
		if v, ok := p[k]; ok {
			rp[k] = v
		}
	}
	if v, ok := p["BinaryMediaTypes"]; ok {
		rp["BinaryMediaTypes"] = t.binaryTypesForAPI(v)
	}
	if v, ok := p["DisableExecuteApiEndpoint"]; ok && (a.body == nil || isIntrinsic(a.body)) {
		rp["DisableExecuteApiEndpoint"] = v
	}
	if ec, ok := p["EndpointConfiguration"]; ok {
		// As AWS's translator (_set_endpoint_configuration): a mapping with a
		// Type gives Types, VpcEndpointIds (from VPCEndpointIds or
		// VpcEndpointIds) and IpAddressType, and drops any other key (a Ref
		// to the API itself there would otherwise make it depend on itself);
		// anything else (a name, an intrinsic) is the one type.
		if m, ok := ec.(map[string]any); ok && !isIntrinsic(m) && truthy(m["Type"]) {
			if _, a1 := m["VPCEndpointIds"]; a1 {
				if _, a2 := m["VpcEndpointIds"]; a2 {
					return resourceErr(a.id, "'VPCEndpointIds' and 'VpcEndpointIds' cannot be used together in EndpointConfiguration.")
				}
			}
			rp["Parameters"] = map[string]any{"endpointConfigurationTypes": m["Type"]}
			out := map[string]any{"Types": []any{m["Type"]}}
			_, hasUpper := m["VPCEndpointIds"]
			_, hasLower := m["VpcEndpointIds"]
			if hasUpper || hasLower {
				v := m["VPCEndpointIds"]
				if !truthy(v) {
					v = m["VpcEndpointIds"]
				}
				out["VpcEndpointIds"] = v
			}
			if v, ok := m["IpAddressType"]; ok {
				out["IpAddressType"] = v
			}
			rp["EndpointConfiguration"] = out
		} else {
			rp["Parameters"] = map[string]any{"endpointConfigurationTypes": ec}
			rp["EndpointConfiguration"] = map[string]any{"Types": []any{ec}}
		}
	}
	if err := t.restAPIAuth(a); err != nil {
		return err
	}
	if a.managed && a.body != nil {
		t.conditionalPaths(a.id, a.body)
	}
	if err := t.restAPICors(a); err != nil {
		return err
	}
	t.restAuthToSwagger(a)
	if auth, ok := p["Auth"].(map[string]any); ok {
		if rp, ok := auth["ResourcePolicy"].(map[string]any); ok {
			if cs, ok := rp["CustomStatements"]; ok {
				l, isList := cs.([]any)
				if !isList {
					l = []any{cs}
				}
				addPolicy(a.body, l)
			}
		}
	}
	addPolicy(a.body, a.policy)
	t.restDocumentExtras(a)
	if v := openAPIVersion(p["OpenApiVersion"]); strings.HasPrefix(v, "3") && a.managed && a.body != nil {
		toOpenAPI3(a.body, v)
	}
	if a.body != nil && !isIntrinsic(a.body) {
		openAPI3Postprocess(a.body, p["OpenApiVersion"])
	}
	if tags, ok := p["Tags"].(map[string]any); ok && boolProp(p["PropagateTags"]) {
		rp["Tags"] = plainTags(tags)
	}
	api := resource("AWS::ApiGateway::RestApi", rp)
	passthrough(a.r, api)
	if d, ok := a.r["DependsOn"]; ok {
		api["DependsOn"] = d
	}
	t.out[a.id] = api

	stageName := p["StageName"]
	if stageName == nil {
		stageName = "Prod"
	}
	var hashInput any = a.body
	if a.body == nil {
		hashInput = rp["BodyS3Location"]
	}
	full := sha1Hex(stableJSON(map[string]any{"body": hashInput, "stage": stageName}))
	depID := a.id + "Deployment" + full[:10]
	dp := map[string]any{"RestApiId": ref(a.id), "Description": "RestApi deployment id: " + full}
	if v := openAPIVersion(p["OpenApiVersion"]); !strings.HasPrefix(v, "3") {
		dp["StageName"] = "Stage"
	}
	dep := resource("AWS::ApiGateway::Deployment", dp)
	passthrough(a.r, dep)
	t.out[depID] = dep

	prefix, _ := stageName.(string)
	stageID := a.id + prefix + "Stage"
	if !isAlnum(prefix) {
		stageID = a.id + "Stage" + hashID(prefix)
	}
	sp := map[string]any{"RestApiId": ref(a.id), "DeploymentId": ref(depID), "StageName": stageName}
	for k, v := range map[string]string{"Variables": "Variables", "MethodSettings": "MethodSettings",
		"CacheClusterEnabled": "CacheClusterEnabled", "CacheClusterSize": "CacheClusterSize",
		"TracingEnabled": "TracingEnabled", "AccessLogSetting": "AccessLogSetting", "CanarySetting": "CanarySetting"} {
		if x, ok := p[k]; ok {
			sp[v] = x
		}
	}
	if tags, ok := p["Tags"].(map[string]any); ok {
		sp["Tags"] = plainTags(tags)
	}
	stage := resource("AWS::ApiGateway::Stage", sp)
	passthrough(a.r, stage)
	t.out[stageID] = stage
	// SAM's referable properties: !Ref MyApi.Stage, !Ref MyApi.Deployment.
	t.renamed[a.id+".Stage"] = stageID
	t.renamed[a.id+".Deployment"] = depID

	if err := t.usagePlan(a, stageID); err != nil {
		return err
	}
	return t.restAPIDomain(a, stageID)
}

func boolProp(v any) bool {
	b, _ := v.(bool)
	return b
}

// openAPIVersion is OpenApiVersion as a string (YAML may have read 3.0 as a number).
func openAPIVersion(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if x == float64(int(x)) {
			s += ".0"
		}
		return s
	case int:
		return strconv.Itoa(x) + ".0"
	}
	return ""
}

func appendOwner(owners []map[string]any, r map[string]any) []map[string]any {
	for _, o := range owners {
		if isSameMap(o, r) {
			return owners
		}
	}
	return append(owners, r)
}

// isSameMap reports whether a and b are the same map (not equal contents).
func isSameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

// propagatedTags gives an implicit API the tags of the functions and state machines that
// propagate theirs (PropagateTags).
func propagatedTags(owners []map[string]any, p map[string]any) map[string]any {
	var tags map[string]any
	for _, o := range owners { // the last propagating owner wins, as with AWS's translator
		op, _ := o["Properties"].(map[string]any)
		if !boolProp(op["PropagateTags"]) {
			continue
		}
		if m, ok := op["Tags"].(map[string]any); ok {
			tags = m
		}
	}
	if len(tags) > 0 {
		p["Tags"] = tags
		p["PropagateTags"] = true
	}
	return p
}

// truthy is Python's truth of a template value (the translator's "or" and
// "if value.get(...)").
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// restPermission lets API Gateway invoke f for the Api event name (method
// and path on the API apiRef names, any stage).
func (t *translator) restPermission(f *fnCtx, name, suffix string, apiRef any, method, path string) {
	trimmed := path
	if len(trimmed) > 1 {
		trimmed = strings.TrimSuffix(trimmed, "/")
	}
	permMethod := strings.ToUpper(method)
	if method == "any" {
		permMethod = "*"
	}
	permPath := regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(trimmed, "*")
	t.permission(f, permissionID(f.id+name, suffix), "apigateway.amazonaws.com",
		sub(t.arn("execute-api", "${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/"+permMethod+permPath),
			map[string]any{"__ApiId__": apiRef, "__Stage__": "*"}), nil)
}
