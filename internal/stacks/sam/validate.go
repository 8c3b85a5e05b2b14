package sam

import (
	"fmt"
	"regexp"
	"strings"
)

// Validation the translator performs before expanding: AWS rejects these templates, so nubo does
// too, with the same wording where it matters.

// globalsAllowed are the properties each Globals section may set.
var globalsAllowed = map[string]map[string]bool{
	"Function": setOf("Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout",
		"VpcConfig", "Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias",
		"AutoPublishAliasAllProperties", "Layers", "DeploymentPreference", "RolePath", "PermissionsBoundary",
		"ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig", "AssumeRolePolicyDocument",
		"EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
		"EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop",
		"SourceKMSKeyArn", "TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig",
		"PublishToLatestPublished", "VersionDeletionPolicy"),
	"Api": setOf("Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions",
		"Variables", "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize", "Cors",
		"GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion", "Domain",
		"AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode"),
	"HttpApi": setOf("Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration",
		"DefaultRouteSettings", "Domain", "RouteSettings", "FailOnWarnings", "PropagateTags"),
	"SimpleTable":  setOf("SSESpecification"),
	"StateMachine": setOf("PropagateTags"),
	"LayerVersion": setOf("PublishLambdaVersion"),
}

// globalsOrder lists a section's allowed properties in a stable order, for messages.
var globalsOrder = map[string][]string{
	"Api": {"Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions",
		"Variables", "EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize", "Cors",
		"GatewayResponses", "AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion", "Domain",
		"AlwaysDeploy", "PropagateTags", "SecurityPolicy", "EndpointAccessMode"},
}

func checkGlobalsSection(section string, sec map[string]any) error {
	allowed := globalsAllowed[section]
	for _, k := range sortedKeys(sec) {
		if allowed[k] {
			continue
		}
		names := globalsOrder[section]
		if names == nil {
			names = sortedKeys(map[string]any(toAnyMap(allowed)))
		}
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = "'" + n + "'"
		}
		return &itemError{fmt.Sprintf("'Globals' section is invalid. '%s' is not a supported property of '%s'. Must be one of the following values - [%s]",
			k, section, strings.Join(quoted, ", "))}
	}
	return nil
}

func toAnyMap(m map[string]bool) map[string]any {
	out := make(map[string]any, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// validateResource checks the resource attributes of a SAM resource.
func validateAttributes(id string, r map[string]any) error {
	if c, ok := r["Condition"]; ok {
		if _, ok := c.(string); !ok {
			return structureErr("Every Condition member must be a string.")
		}
	}
	if d, ok := r["DependsOn"]; ok {
		switch x := d.(type) {
		case string:
		case []any:
			for _, e := range x {
				if _, ok := e.(string); !ok {
					return resourceErr(id, "Invalid type for field 'DependsOn'. Expected a string or list of strings.")
				}
			}
		default:
			return resourceErr(id, "Invalid type for field 'DependsOn'. Expected a string or list of strings.")
		}
	}
	if ig, ok := r["IgnoreGlobals"]; ok {
		switch x := ig.(type) {
		case string:
			if x != "*" {
				return resourceErr(id, "Resource %s has invalid resource attribute 'IgnoreGlobals' on item '%s'.", id, x)
			}
		case []any:
			for _, e := range x {
				s, _ := e.(string)
				if !functionProps[s] && !apiProps[s] && !httpAPIProps[s] {
					return resourceErr(id, "Resource %s has invalid resource attribute 'IgnoreGlobals' on item '%s'.", id, s)
				}
			}
		}
	}
	return nil
}

// validateFunction checks function properties AWS rejects.
func validateFunction(id string, p map[string]any) error {
	if role, ok := p["Role"]; ok {
		if _, isStr := role.(string); !isStr && !isIntrinsic(role) {
			return resourceErr(id, "Property 'Role' should be a string.")
		}
	}
	if d, ok := p["DeadLetterQueue"].(map[string]any); ok {
		if typ, ok := d["Type"]; ok {
			if _, ok := typ.(string); !ok && !isIntrinsic(typ) {
				return resourceErr(id, "Property 'DeadLetterQueue.Type' should be a string.")
			}
		}
	}

	if u, ok := p["FunctionUrlConfig"].(map[string]any); ok {
		if c, ok := u["Cors"]; ok {
			cm, ok := c.(map[string]any)
			if !ok {
				return resourceErr(id, "Property 'FunctionUrlConfig.Cors' should be a map.")
			}
			for _, k := range sortedKeys(cm) {
				switch k {
				case "AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders":
				case "MaxAge":
					if _, ok := cm[k].(int); !ok && !isIntrinsic(cm[k]) {
						return resourceErr(id, "MaxAge must be of type int.")
					}
				default:
					return resourceErr(id, "%s is not a valid property for configuring Cors.", k)
				}
			}
		}
	}
	if e, ok := p["EventInvokeConfig"].(map[string]any); ok {
		if dc, ok := e["DestinationConfig"].(map[string]any); ok {
			for _, which := range []string{"OnSuccess", "OnFailure"} {
				d, _ := dc[which].(map[string]any)
				if ifv, ok := d["Destination"].(map[string]any); ok {
					if args, ok := ifv["Fn::If"]; ok {
						if l, ok := args.([]any); !ok || len(l) != 3 {
							return resourceErr(id+"EventInvokeConfig", "Malformed 'Destination' property: Fn::If requires 3 arguments.")
						}
					}
				}
			}
		}
	}
	return nil
}

var gatewayResponseParams = setOf("Headers", "Paths", "QueryStrings")

// validateRestAPI checks SAM Api properties AWS rejects.
func validateRestAPI(id string, p map[string]any, params map[string]bool) error {
	if v, ok := p["FailOnWarnings"]; ok {
		if _, ok := v.(bool); !ok && !isIntrinsic(v) {
			return resourceErr(id, "Type of property 'FailOnWarnings' is invalid.")
		}
	}
	if v, ok := p["Models"]; ok {
		if _, ok := v.(map[string]any); !ok {
			return resourceErr(id, "Property 'Models' should be a map.")
		}
	}
	if v, ok := p["GatewayResponses"]; ok {
		if isIntrinsic(v) {
			return resourceErr(id, "Unable to set GatewayResponses attribute because intrinsic functions are not supported for this field.")
		}
		grs, ok := v.(map[string]any)
		if !ok {
			return resourceErr(id, "Property 'GatewayResponses' should be a map.")
		}
		for _, name := range sortedKeys(grs) {
			if isIntrinsic(grs[name]) {
				return resourceErr(id, "Unable to set GatewayResponses attribute because intrinsic functions are not supported for this field.")
			}
			gr, ok := grs[name].(map[string]any)
			if !ok {
				return resourceErr(id, "Invalid property type '%s' for GatewayResponses. Expected an object of type 'GatewayResponse'.", pyType(grs[name]))
			}
			for _, k := range sortedKeys(gr) {
				switch k {
				case "ResponseParameters":
					rp, ok := gr[k].(map[string]any)
					if !ok {
						return resourceErr(id, "Property 'GatewayResponses.%s.ResponseParameters' should be a map.", name)
					}
					for _, pk := range sortedKeys(rp) {
						if !gatewayResponseParams[pk] {
							return resourceErr(id, "Invalid gateway response parameter '%s'", pk)
						}
					}
				case "ResponseTemplates":
				case "StatusCode":
					switch sc := gr[k].(type) {
					case int, float64:
					case string:
						if _, err := fmt.Sscanf(sc, "%d", new(int)); err != nil {
							return resourceErr(id, "Property 'StatusCode' must be numeric")
						}
					}
				default:
					return resourceErr(id, "Invalid property '%s' in 'GatewayResponses' property '%s'.", k, name)
				}
			}
		}
	}
	auth, _ := p["Auth"].(map[string]any)
	if rp, ok := auth["ResourcePolicy"]; ok {
		m, ok := rp.(map[string]any)
		if !ok {
			return structureErr("ResourcePolicy must be a map (ResourcePolicyStatement).")
		}
		for _, k := range []string{"SourceVpcBlacklist", "SourceVpcWhitelist"} {
			v, ok := m[k]
			if !ok {
				continue
			}
			l, ok := v.([]any)
			bad := !ok
			for _, e := range l {
				if _, ok := e.(string); !ok && !params[refName(e)] {
					bad = true
				}
			}
			if bad {
				alt := strings.Replace(k, "Source", "Intrinsic", 1)
				return structureErr("%s must be a list of strings. Use %s instead for values that use Intrinsic Functions", k, alt)
			}
		}
	}
	if azs, ok := auth["Authorizers"].(map[string]any); ok {
		for _, name := range sortedKeys(azs) {
			az, _ := azs[name].(map[string]any)
			idn, ok := az["Identity"].(map[string]any)
			if !ok {
				continue
			}
			if h, ok := idn["Headers"]; ok {
				l, ok := h.([]any)
				if !ok {
					return resourceErr(id, "Property 'Authorizers.%s.Identity.Headers' should be a list.", name)
				}
				for i, e := range l {
					if _, ok := e.(string); !ok {
						return resourceErr(id, "Property 'Authorizers.%s.Identity.Headers[%d]' should be a string.", name, i)
					}
				}
			}
			for _, k := range []string{"QueryStrings", "StageVariables", "Context"} {
				if v, ok := idn[k]; ok {
					if _, ok := v.([]any); !ok {
						return resourceErr(id, "Property 'Authorizers.%s.Identity.%s' should be a list.", name, k)
					}
				}
			}
		}
	}
	if body, ok := p["DefinitionBody"].(map[string]any); ok && isIntrinsic(body) && p["DisableExecuteApiEndpoint"] != nil {
		return structureErr("Invalid Swagger document or the Swagger document is not explicitly defined in 'DefinitionBody'.")
	}
	if body, ok := p["DefinitionBody"].(map[string]any); ok && !isIntrinsic(body) {
		if sd, ok := body["securityDefinitions"]; ok {
			if _, ok := sd.(map[string]any); !ok {
				return structureErr("securityDefinitions must be a dictionary.")
			}
		}
		if _, ok := p["EndpointConfiguration"]; ok || p["DisableExecuteApiEndpoint"] != nil {
			if ec, ok := body["x-amazon-apigateway-endpoint-configuration"]; ok {
				if _, ok := ec.(map[string]any); !ok {
					return structureErr("Invalid OpenAPI definition: The value of 'x-amazon-apigateway-endpoint-configuration' should be a map.")
				}
			}
			if servers, ok := body["servers"].([]any); ok {
				for i, s := range servers {
					sm, _ := s.(map[string]any)
					if ec, ok := sm["x-amazon-apigateway-endpoint-configuration"]; ok {
						if _, ok := ec.(map[string]any); !ok {
							return structureErr("Invalid OpenAPI definition of 'servers[%d]': The value of 'x-amazon-apigateway-endpoint-configuration' should be a map.", i)
						}
					}
				}
			}
		}
		if _, hasSwagger := body["swagger"]; !hasSwagger && !isIntrinsic(body) {
			if _, hasOpenAPI := body["openapi"]; !hasOpenAPI && p["DisableExecuteApiEndpoint"] != nil {
				return structureErr("Invalid Swagger document or the Swagger document is not explicitly defined in 'DefinitionBody'.")
			}
		}
		if paths, ok := body["paths"].(map[string]any); ok {
			for _, path := range sortedKeys(paths) {
				item, _ := paths[path].(map[string]any)
				for _, m := range sortedKeys(item) {
					op, _ := item[m].(map[string]any)
					if sec, ok := op["security"].([]any); ok {
						for _, s := range sec {
							if _, ok := s.(map[string]any); !ok {
								return structureErr("CustomAuthorizer in Security for path %s method %s is not a valid dictionary.", path, m)
							}
						}
					}
					if _, ok := p["Cors"]; ok && m == "options" {
						if r, ok := op["responses"]; ok {
							rm, ok := r.(map[string]any)
							if !ok {
								return structureErr("Invalid responses in options method for path %s: It should be a map.", path)
							}
							for _, code := range sortedKeys(rm) {
								resp, _ := rm[code].(map[string]any)
								if h, ok := resp["headers"]; ok {
									if _, ok := h.(map[string]any); !ok {
										return structureErr("Value of response's headers in options method for path %s must be a dictionary according to Swagger spec.", path)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return nil
}

// pyType names a value's type as Python does in the translator's messages.
func pyType(v any) string {
	switch v.(type) {
	case int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case bool:
		return "bool"
	case []any:
		return "list"
	case nil:
		return "NoneType"
	}
	return "dict"
}

// validateHTTPAPI checks SAM HttpApi properties AWS rejects.
func validateHTTPAPI(id string, p map[string]any) error {
	auth, _ := p["Auth"].(map[string]any)
	if _, ok := auth["DefaultAuthorizer"]; ok {
		body, _ := p["DefinitionBody"].(map[string]any)
		paths, _ := body["paths"].(map[string]any)
		for _, path := range sortedKeys(paths) {
			item, _ := paths[path].(map[string]any)
			if _, ok := item["any"]; ok {
				return structureErr("Could not find x-amazon-apigateway-any-method in %s within DefinitionBody.", path)
			}
		}
	}
	if raw, ok := auth["Authorizers"]; ok {
		azs, ok := raw.(map[string]any)
		if !ok {
			return resourceErr(id, "Property 'Auth.Authorizers' should be a map.")
		}
		for _, name := range sortedKeys(azs) {
			az, ok := azs[name].(map[string]any)
			if !ok {
				return resourceErr(id, "Property 'Auth.Authorizers.%s' should be a map.", name)
			}
			if jc, ok := az["JwtConfiguration"]; ok {
				if _, ok := jc.(map[string]any); !ok {
					return resourceErr(id, "Property 'JwtConfiguration' should be a map.")
				}
			}
			_, isJWT := az["JwtConfiguration"]
			_, hasFn := az["FunctionArn"]
			_, hasPayload := az["AuthorizerPayloadFormatVersion"]
			if isJWT {
				continue
			}
			if hasFn && !hasPayload {
				return resourceErr(id, "%s Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'.", name)
			}
			if hasPayload && !hasFn {
				return resourceErr(id, "%s Lambda Authorizer must define 'FunctionArn'.", name)
			}
			if idn, ok := az["Identity"].(map[string]any); ok {
				for _, k := range []string{"Headers", "QueryStrings", "StageVariables", "Context"} {
					v, ok := idn[k]
					if !ok {
						continue
					}
					l, ok := v.([]any)
					if !ok {
						return resourceErr(id, "Property 'Authorizers.%s.Identity.%s' should be a list.", name, k)
					}
					for i, e := range l {
						if _, ok := e.(string); !ok {
							return resourceErr(id, "Property 'Authorizers.%s.Identity.%s[%d]' should be a string.", name, k, i)
						}
					}
				}
			}
			if v, ok := az["EnableFunctionDefaultPermissions"]; ok {
				if _, ok := v.(bool); !ok {
					return resourceErr(id, "Property 'Authorizers.%s.EnableFunctionDefaultPermissions' should be a boolean.", name)
				}
			}
		}
	}
	return nil
}

// validateAPIEventAuth checks an Api or HttpApi event's Auth against its API's.
func validateEventAuth(fid, name, method, path string, ep, apiProps map[string]any, http bool) error {
	ea, ok := ep["Auth"].(map[string]any)
	if !ok {
		return nil
	}
	apiAuth, _ := apiProps["Auth"].(map[string]any)
	if boolProp(ea["OverrideApiAuth"]) {
		if ea["Authorizer"] == nil && ea["ApiKeyRequired"] == nil && ea["ResourcePolicy"] == nil {
			return eventErr(fid, name, "Must define one of: Authorizer, ApiKeyRequired or ResourcePolicy when using the OverrideApiAuth property.")
		}
	}
	if raw, ok := ea["Authorizer"]; ok {
		az, ok := raw.(string)
		if !ok {
			return eventErr(fid, name, "Unable to set Authorizer [%v] on API method [%s] for path [%s]. The method authorizer must be a string with a corresponding authorizer in the API's Authorizers property.", pyRepr(raw), method, path)
		}
		azs, _ := apiAuth["Authorizers"].(map[string]any)
		switch {
		case az == "NONE":
			if _, ok := apiAuth["DefaultAuthorizer"]; !ok {
				return eventErr(fid, name, "Unable to set Authorizer on API method [%s] for path [%s] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.", method, path)
			}
		case az == "AWS_IAM" && !http:
		case az == "AWS_IAM" && http:
			if !boolProp(apiAuth["EnableIamAuthorizer"]) {
				if _, ok := azs[az]; !ok {
					return eventErr(fid, name, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because the related API does not define any Authorizers.", az, method, path)
				}
			}
		case azs == nil:
			return eventErr(fid, name, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because the related API does not define any Authorizers.", az, method, path)
		default:
			if _, ok := azs[az]; !ok {
				return eventErr(fid, name, "Unable to set Authorizer [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Authorizers.", az, method, path)
			}
		}
	}
	if v, ok := ea["ApiKeyRequired"]; ok && !http {
		if b, ok := v.(bool); ok && !b {
			if _, ok := apiAuth["ApiKeyRequired"]; !ok {
				return eventErr(fid, name, "Unable to set ApiKeyRequired [False] on API method [%s] for path [%s] because the related API does not specify any ApiKeyRequired.", method, path)
			}
		}
	}
	return nil
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// validateRequestModel checks an Api event's RequestModel against its API.
func validateRequestModel(fid, name, method, path string, ep, apiProps map[string]any) error {
	rm, ok := ep["RequestModel"].(map[string]any)
	if !ok {
		return nil
	}
	model, _ := rm["Model"].(string)
	if raw, ok := apiProps["Models"]; ok {
		models, ok := raw.(map[string]any)
		if !ok {
			return eventErr(fid, name, "Unable to set RequestModel [%s] on API method [%s] for path [%s] because the related API Models defined is of invalid type.", model, method, path)
		}
		if _, ok := models[model]; !ok {
			return eventErr(fid, name, "Unable to set RequestModel [%s] on API method [%s] for path [%s] because it wasn't defined in the API's Models.", model, method, path)
		}
	} else {
		return eventErr(fid, name, "Unable to set RequestModel [%s] on API method [%s] for path [%s] because the related API does not define any Models.", model, method, path)
	}
	for _, k := range []string{"ValidateBody", "ValidateParameters"} {
		if v, ok := rm[k]; ok {
			if _, ok := v.(bool); !ok {
				return eventErr(fid, name, "Unable to set Validator to RequestModel [%s] on API method [%s] for path [%s] ValidateBody and ValidateParameters must be a boolean type, strings or intrinsics are not supported.", model, method, path)
			}
		}
	}
	return nil
}

func refName(v any) string {
	s, _ := refTarget(v)
	return s
}

var subVariable = regexp.MustCompile(`\$\{([^!][^}]*)\}`)

// checkSubVariables rejects Fn::Sub strings that substitute a list-valued parameter, as the
// translator does where it resolves parameters.
func (t *translator) checkSubVariables(v any) error {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["Fn::Sub"].(string); ok && len(x) == 1 {
			for _, m := range subVariable.FindAllStringSubmatch(s, -1) {
				if pv, ok := t.paramValue(ref(m[1])); ok {
					if l, ok := pv.([]any); ok {
						return structureErr("Invalid Fn::Sub variable value %s. Fn::Sub expects all variables to be strings.", pyRepr(l))
					}
				}
			}
			return nil
		}
		for _, k := range sortedKeys(x) {
			if err := t.checkSubVariables(x[k]); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := t.checkSubVariables(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkZipRuntime: a zip function needs Runtime and Handler (checked after its events, as AWS's
// translator reports event problems first).
func checkZipRuntime(id string, p map[string]any) error {
	_, image := p["ImageUri"]
	if pt, _ := p["PackageType"].(string); pt != "Image" && !image {
		if p["Runtime"] == nil || p["Handler"] == nil {
			return resourceErr(id, "Runtime and Handler needs to be present when PackageType is of type `Zip`")
		}
	}
	return nil
}

var requestParameterName = regexp.MustCompile(`^method\.request\.(querystring|path|header)\.`)

// validateRequestParameters checks an Api event's RequestParameters: names like
// method.request.header.X, each a string or a map of Required/Caching.
func validateRequestParameters(fid, name string, ep map[string]any) error {
	raw, ok := ep["RequestParameters"]
	if !ok {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return eventErr(fid, name, "Invalid value for 'RequestParameters' property. Property must be either a string or an object")
	}
	const badName = "Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'."
	for _, p := range list {
		switch x := p.(type) {
		case string:
			if !requestParameterName.MatchString(x) {
				return eventErr(fid, name, badName)
			}
		case map[string]any:
			for _, k := range sortedKeys(x) {
				if !requestParameterName.MatchString(k) {
					return eventErr(fid, name, badName)
				}
				settings, ok := x[k].(map[string]any)
				if !ok {
					return eventErr(fid, name, "Invalid value for 'RequestParameters' property. Values must be an object, e.g { Required: true, Caching: false }")
				}
				for sk := range settings {
					if sk != "Required" && sk != "Caching" {
						return eventErr(fid, name, "Invalid value for 'RequestParameters' property. Values must be an object, e.g { Required: true, Caching: false }")
					}
				}
			}
		default:
			return eventErr(fid, name, "Invalid value for 'RequestParameters' property. Property must be either a string or an object")
		}
	}
	return nil
}
