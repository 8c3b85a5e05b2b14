package sam

import "strings"

var stateMachineProps = setOf("Definition", "DefinitionUri", "Logging", "Role", "RolePath",
	"DefinitionSubstitutions", "Events", "Name", "Type", "Tags", "PropagateTags", "Policies", "Tracing",
	"PermissionsBoundary", "AutoPublishAlias", "DeploymentPreference", "UseAliasAsEventTarget")

// stateMachine expands an AWS::Serverless::StateMachine into AWS::StepFunctions::StateMachine,
// its role (<StateMachine>Role) and its event sources, each with a role (<StateMachine><Event>Role).
func (t *translator) stateMachine(id string, r map[string]any) error {
	p := props(r)
	if err := checkProps(id, typeStateMachine, p, stateMachineProps); err != nil {
		return err
	}
	if _, ok := p["DeploymentPreference"]; ok {
		if _, ok := p["AutoPublishAlias"]; !ok {
			return resourceErr(id, "'DeploymentPreference' requires 'AutoPublishAlias' property to be specified.")
		}
	}
	for _, k := range []string{"AutoPublishAlias", "DeploymentPreference", "UseAliasAsEventTarget"} {
		if _, ok := p[k]; ok {
			return unsupported(id, "Property '"+k+"'")
		}
	}
	sm := map[string]any{}
	def, hasDef := p["Definition"]
	uri, hasURI := p["DefinitionUri"]
	switch {
	case hasDef && hasURI:
		return resourceErr(id, "Specify either 'Definition' or 'DefinitionUri' property and not both.")
	case hasDef:
		dm, ok := def.(map[string]any)
		if !ok {
			return resourceErr(id, "Property 'Definition' should be a map.")
		}
		str, subs := definitionString(dm)
		sm["DefinitionString"] = str
		if len(subs) > 0 {
			sm["DefinitionSubstitutions"] = subs
		}
	case hasURI:
		if s, ok := uri.(string); ok && !strings.HasPrefix(s, "s3://") && !hasDefinitionExt(s) {
			return resourceErr(id, "'DefinitionUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.")
		}
		loc, err := t.codeLocation(id, "DefinitionUri", uri, "Bucket", "Key", "Version")
		if err != nil {
			return err
		}
		if s, ok := loc.(string); ok {
			sm["DefinitionS3Location"] = s
		} else {
			sm["DefinitionS3Location"] = loc
		}
	default:
		return resourceErr(id, "Either 'Definition' or 'DefinitionUri' property must be specified.")
	}
	for src, dst := range map[string]string{"DefinitionSubstitutions": "DefinitionSubstitutions",
		"Name": "StateMachineName", "Type": "StateMachineType", "Logging": "LoggingConfiguration",
		"Tracing": "TracingConfiguration"} {
		if v, ok := p[src]; ok {
			if dst == "DefinitionSubstitutions" {
				m, ok := v.(map[string]any)
				if !ok {
					return resourceErr(id, "Property 'DefinitionSubstitutions' should be a map.")
				}
				merged, _ := sm[dst].(map[string]any)
				if merged == nil {
					merged = map[string]any{}
				}
				for k, x := range m {
					merged[k] = x
				}
				v = merged
			}
			sm[dst] = v
		}
	}
	tags := []any{map[string]any{"Key": "stateMachine:createdBy", "Value": "SAM"}}
	if v, ok := p["Tags"]; ok {
		m, ok := v.(map[string]any)
		if !ok {
			return resourceErr(id, "Property 'Tags' should be a map.")
		}
		tags = append(tags, plainTags(m)...)
	}
	if boolProp(p["PropagateTags"]) {
		tags = tags[1:]
	}
	sm["Tags"] = tags
	if role, ok := p["Role"]; ok {
		sm["RoleArn"] = role
	} else {
		rs := &roleSpec{id: id + "Role", owner: r, principal: "states.amazonaws.com", tags: tags,
			boundary: p["PermissionsBoundary"], path: p["RolePath"]}
		if err := t.applyPolicies(id, rs, p["Policies"]); err != nil {
			return err
		}
		if tr, ok := p["Tracing"].(map[string]any); ok && boolProp(tr["Enabled"]) {
			rs.addManaged(t.managedArn("AWSXrayWriteOnlyAccess"))
		}
		if err := t.emitRole(rs); err != nil {
			return err
		}
		sm["RoleArn"] = getAtt(id+"Role", "Arn")
	}
	res := resource("AWS::StepFunctions::StateMachine", sm)
	passthrough(r, res)
	for _, k := range []string{"DependsOn", "Metadata"} {
		if v, ok := r[k]; ok {
			res[k] = v
		}
	}
	t.out[id] = res
	return t.stateMachineEvents(id, r, p, tags)
}

func (t *translator) stateMachineEvents(id string, r, p map[string]any, tags []any) error {
	evs, ok := p["Events"]
	if !ok || evs == nil {
		return nil
	}
	m, ok := evs.(map[string]any)
	if !ok {
		return resourceErr(id, "Property 'Events' should be a map.")
	}
	for _, name := range sortedKeys(m) {
		ev, ok := m[name].(map[string]any)
		if !ok {
			return eventErr(id, name, "Event should be a map.")
		}
		typ, _ := ev["Type"].(string)
		ep, ok := ev["Properties"].(map[string]any)
		if !ok {
			return eventErr(id, name, "Properties should be a map.")
		}
		lid := id + name
		startPolicy := func(roleID, principal, policyName string) *roleSpec {
			var roleTags []any
			if boolProp(p["PropagateTags"]) {
				roleTags = tags
			}
			return &roleSpec{id: roleID, owner: r, principal: principal, boundary: p["PermissionsBoundary"], tags: roleTags,
				inline: []any{map[string]any{"PolicyName": policyName, "PolicyDocument": map[string]any{
					"Statement": []any{map[string]any{"Action": "states:StartExecution", "Effect": "Allow", "Resource": ref(id)}}}}}}
		}
		var err error
		switch typ {
		case "Schedule", "CloudWatchEvent", "EventBridgeRule":
			roleID := lid + "Role"
			var roleArn any = getAtt(roleID, "Arn")
			given, hasRole := ep["RoleArn"]
			if hasRole {
				roleArn = given
			}
			err = t.ruleEvent(id, name, typ, ep, r, ruleTarget{arn: ref(id), idSuffix: "StepFunctionsTarget",
				roleArn: roleArn})
			if err == nil && !hasRole {
				err = t.emitRole(startPolicy(roleID, "events.amazonaws.com", roleID+"StartExecutionPolicy"))
			}
		case "ScheduleV2":
			if q, ok := ep["DeadLetterConfig"].(map[string]any); ok {
				if _, ok := q["QueueLogicalId"]; ok {
					if _, isStr := q["QueueLogicalId"].(string); !isStr {
						return &itemError{"Event with id [" + lid + "] is invalid. QueueLogicalId must be a string"}
					}
				}
			}
			err = t.scheduleV2(id, name, ep, r, ref(id), "states:StartExecution", "StartExecutionPolicy")
		case "Api":
			err = t.stateMachineAPIEvent(id, name, r, ep)
			if err == nil {
				roleID := lid + "Role"
				err = t.emitRole(startPolicy(roleID, "apigateway.amazonaws.com", roleID+"StartExecutionPolicy"))
			}
		default:
			err = eventErr(id, name, "Event type '%s' is not supported by nubo's SAM transform yet.", typ)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stateMachineAPIEvent adds a StartExecution integration to a SAM REST API.
func (t *translator) stateMachineAPIEvent(id, name string, r, ep map[string]any) error {
	path, ok := ep["Path"].(string)
	if !ok {
		return eventErr(id, name, "Property 'Path' should be a string.")
	}
	method, ok := ep["Method"].(string)
	if !ok {
		return eventErr(id, name, "Property 'Method' should be a string.")
	}
	if v, ok := ep["UnescapeMappingTemplate"]; ok {
		if _, ok := v.(bool); !ok {
			return resourceErr(id+name, "Type of property 'UnescapeMappingTemplate' is invalid.")
		}
	}
	apiID := implicitRestAPI
	if raw, ok := ep["RestApiId"]; ok {
		s, ok := refTarget(raw)
		if !ok {
			if s, ok = raw.(string); !ok {
				return eventErr(id, name, "Property 'RestApiId' should be a string.")
			}
		}
		target, ok := t.resources[s].(map[string]any)
		if !ok || target["Type"] != typeAPI {
			return eventErr(id, name, "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.")
		}
		apiID = s
	}
	a := t.restAPIs[apiID]
	if a == nil || !a.managed {
		return nil
	}
	if auth, ok := ep["Auth"].(map[string]any); ok {
		if az, ok := auth["Authorizer"].(string); ok && az != "NONE" && az != "AWS_IAM" {
			apiAuth, _ := a.p["Auth"].(map[string]any)
			azs, _ := apiAuth["Authorizers"].(map[string]any)
			if azs == nil {
				return &itemError{"Event with id [" + name + "] is invalid. Unable to set Authorizer [" + az + "] on API method [" + lowerMethod(method) + "] for path [" + path + "] because the related API does not define any Authorizers."}
			}
			if _, ok := azs[az]; !ok {
				return &itemError{"Event with id [" + name + "] is invalid. Unable to set Authorizer [" + az + "] on API method [" + lowerMethod(method) + "] for path [" + path + "] because it wasn't defined in the API's Authorizers."}
			}
		} else if az == "NONE" {
			apiAuth, _ := a.p["Auth"].(map[string]any)
			if _, ok := apiAuth["DefaultAuthorizer"]; !ok {
				return &itemError{"Event with id [" + name + "] is invalid. Unable to set Authorizer on API method [" + lowerMethod(method) + "] for path [" + path + "] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified."}
			}
		}
	}
	ea, _ := ep["Auth"].(map[string]any)
	rp, ok := ea["ResourcePolicy"].(map[string]any)
	if !ok {
		apiAuth, _ := a.p["Auth"].(map[string]any)
		rp, _ = apiAuth["ResourcePolicy"].(map[string]any)
	}
	if rp != nil {
		a.policy = append(a.policy, t.resourcePolicyStatements(rp, a.p["StageName"], lowerMethod(method), path)...)
	}
	paths, _ := a.body["paths"].(map[string]any)
	if paths == nil {
		paths = map[string]any{}
		a.body["paths"] = paths
	}
	item, _ := paths[path].(map[string]any)
	if item == nil {
		item = map[string]any{}
		paths[path] = item
	}
	m := lowerMethod(method)
	if m == "any" {
		m = "x-amazon-apigateway-any-method"
	}
	if _, dup := item[m]; dup {
		return eventErr(id, name, "API method \"%s\" defined multiple times for path \"%s\".", m, path)
	}
	input := `$util.escapeJavaScript($input.json('$'))`
	if boolProp(ep["UnescapeMappingTemplate"]) {
		input += `.replaceAll("\\'","'")`
	}
	op := map[string]any{
		"x-amazon-apigateway-integration": map[string]any{
			"type": "aws", "httpMethod": "POST",
			"uri":         sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartExecution"),
			"credentials": getAtt(id+name+"Role", "Arn"),
			"requestTemplates": map[string]any{"application/json": sub(
				`{"input": "` + input + `", "stateMachineArn": "${` + id + `}"}`)},
			"responses": map[string]any{"200": map[string]any{"statusCode": "200"}, "400": map[string]any{"statusCode": "400"}},
		},
		"responses": map[string]any{"200": map[string]any{"description": "OK"}, "400": map[string]any{"description": "Bad Request"}},
	}
	if cond, ok := r["Condition"]; ok {
		item[m] = conditionalOp(cond, op)
	} else {
		item[m] = op
	}
	return nil
}

func lowerMethod(m string) string {
	b := []byte(m)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// hasDefinitionExt tells a local definition file (packaged by the deployer) from a malformed URI.
func hasDefinitionExt(s string) bool {
	for _, ext := range []string{".json", ".yaml", ".yml"} {
		if strings.HasSuffix(strings.ToLower(s), ext) {
			return true
		}
	}
	return false
}
