package sam

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

var functionProps = setOf("FunctionName", "Handler", "Runtime", "CodeUri", "ImageUri", "PackageType",
	"InlineCode", "DeadLetterQueue", "Description", "MemorySize", "Timeout", "VpcConfig", "Role",
	"AssumeRolePolicyDocument", "Policies", "RolePath", "PermissionsBoundary", "Environment", "Events",
	"Tags", "PropagateTags", "Tracing", "KmsKeyArn", "DeploymentPreference", "ReservedConcurrentExecutions",
	"Layers", "EventInvokeConfig", "EphemeralStorage", "AutoPublishAlias", "AutoPublishCodeSha256",
	"AutoPublishAliasAllProperties", "VersionDescription", "ProvisionedConcurrencyConfig",
	"FileSystemConfigs", "ImageConfig", "CodeSigningConfigArn", "Architectures", "SnapStart",
	"FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "SourceKMSKeyArn",
	"CapacityProviderConfig", "FunctionScalingConfig", "VersionDeletionPolicy", "PublishToLatestPublished",
	"TenancyConfig", "DurableConfig")

// functionPassThrough are SAM properties copied unchanged onto AWS::Lambda::Function.
var functionPassThrough = []string{"FunctionName", "Handler", "Runtime", "Description", "MemorySize",
	"Timeout", "VpcConfig", "Environment", "KmsKeyArn", "ReservedConcurrentExecutions", "Layers",
	"EphemeralStorage", "FileSystemConfigs", "ImageConfig", "CodeSigningConfigArn", "Architectures",
	"SnapStart", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "PackageType",
	"TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig",
	"PublishToLatestPublished"}

// notYet are function properties that need resources nubo's transform does not generate yet.
var functionNotYet = []string{}

func setOf(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return m
}

func checkProps(id, typ string, p map[string]any, allowed map[string]bool) error {
	for _, k := range sortedKeys(p) {
		if !allowed[k] {
			return resourceErr(id, "property %s not defined for resource of type %s", k, typ)
		}
	}
	return nil
}

// function expands an AWS::Serverless::Function into its Lambda function, execution role, URL,
// event invoke config and event sources.
func (t *translator) function(id string, r map[string]any) error {
	p := props(r)
	if err := checkProps(id, typeFunction, p, functionProps); err != nil {
		return err
	}
	if err := validateFunction(id, p); err != nil {
		return err
	}
	for _, k := range functionNotYet {
		if _, ok := p[k]; ok {
			return unsupported(id, "Property '"+k+"'")
		}
	}
	if _, ok := p["TenancyConfig"]; ok {
		if _, ok := p["FunctionUrlConfig"]; ok {
			return resourceErr(id, "Function URL is not supported for functions enabled with tenancy configuration.")
		}
		if _, ok := p["SnapStart"]; ok {
			return resourceErr(id, "SnapStart is not supported for functions enabled with tenancy configuration.")
		}
	}
	fn := map[string]any{}
	for _, k := range functionPassThrough {
		if v, ok := p[k]; ok {
			fn[k] = v
		}
	}
	if cp, ok := p["CapacityProviderConfig"].(map[string]any); ok && !isIntrinsic(cp) {
		inner := map[string]any{}
		for k, v := range cp {
			if k == "Arn" {
				k = "CapacityProviderArn"
			}
			inner[k] = v
		}
		fn["CapacityProviderConfig"] = map[string]any{"LambdaManagedInstancesCapacityProviderConfig": inner}
	}
	// A code problem is reported after the events', as AWS's translator orders them.
	code, codeErr := t.functionCode(id, p)
	if code != nil {
		fn["Code"] = code
	}
	if tracingEnabled(t, p["Tracing"]) {
		mode := p["Tracing"]
		switch x := mode.(type) {
		case int:
			mode = fmt.Sprint(x)
		case float64:
			mode = fmt.Sprint(x)
		}
		fn["TracingConfig"] = map[string]any{"Mode": mode}
	}
	if v, ok := p["SourceKMSKeyArn"]; ok {
		if m, ok := fn["Code"].(map[string]any); ok {
			m["SourceKMSKeyArn"] = v
		}
	}
	var dlq map[string]any
	if v, ok := p["DeadLetterQueue"]; ok {
		dlq, ok = v.(map[string]any)
		if !ok {
			return resourceErr(id, "'DeadLetterQueue' requires Type and TargetArn properties to be specified.")
		}
		if isIntrinsic(dlq["Type"]) {
			v, ok := t.paramValue(dlq["Type"])
			if _, isStr := v.(string); !ok || !isStr {
				return resourceErr(id, "Property 'DeadLetterQueue.Type' should be a string.")
			}
			dlq = deepCopy(dlq).(map[string]any)
			dlq["Type"] = v
		}
		typ, _ := dlq["Type"].(string)
		if dlq["TargetArn"] == nil || (typ != "SNS" && typ != "SQS") {
			if dlq["TargetArn"] == nil || dlq["Type"] == nil {
				return resourceErr(id, "'DeadLetterQueue' requires Type and TargetArn properties to be specified.")
			}
			if !isIntrinsic(dlq["Type"]) {
				return resourceErr(id, "'DeadLetterQueue' requires Type of SNS or SQS")
			}
		}
		fn["DeadLetterConfig"] = map[string]any{"TargetArn": dlq["TargetArn"]}
	}
	tags, err := samTags(id, p["Tags"])
	if err != nil {
		return err
	}
	if boolProp(p["PropagateTags"]) {
		// The translator drops its own marker when the template's tags propagate.
		tags = tags[1:]
	}
	fn["Tags"] = tags

	role := p["Role"]
	f := &fnCtx{id: id, r: r, p: p, tags: tags}
	roleCond, roleIf, err := t.conditionalRole(id, role)
	if err != nil {
		return err
	}
	if role == nil || roleIf != nil {
		if _, exists := t.resources[id+"Role"]; exists {
			return &itemError{fmt.Sprintf("Transforming resource with id [%s] attempts to create a new resource with id [%sRole] and type \"AWS::IAM::Role\". A resource with that id already exists within this template. Please use a different id for that resource.", id, id)}
		}
		f.role = t.newFunctionRole(id, r, p, tags)
		f.role.condition = roleCond
		fn["Role"] = getAtt(id+"Role", "Arn")
		if roleIf != nil {
			fn["Role"] = roleIf
		}
		if dlq != nil {
			action := "sqs:SendMessage"
			if dlq["Type"] == "SNS" {
				action = "sns:Publish"
			}
			f.role.inline = append(f.role.inline, map[string]any{
				"PolicyName": "DeadLetterQueuePolicy",
				"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
					map[string]any{"Action": action, "Effect": "Allow", "Resource": dlq["TargetArn"]}}},
			})
		}
		if err := t.applyPolicies(id, f.role, p["Policies"]); err != nil {
			return err
		}
	} else {
		fn["Role"] = role
	}
	lf := resource("AWS::Lambda::Function", fn)
	passthrough(r, lf)
	for _, k := range []string{"DependsOn", "Metadata"} {
		if v, ok := r[k]; ok {
			lf[k] = v
		}
	}
	t.out[id] = lf

	if _, ok := p["AutoPublishAlias"]; ok {
		if err := t.autoPublishAlias(f, fn); err != nil {
			return err
		}
	} else if _, ok := p["ProvisionedConcurrencyConfig"]; ok {
		return resourceErr(id, "To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function")
	}
	if dp, ok := p["DeploymentPreference"]; ok {
		if err := t.deploymentPreference(f, dp); err != nil {
			return err
		}
	}
	if v, ok := p["EventInvokeConfig"]; ok {
		if err := t.eventInvokeConfig(f, v); err != nil {
			return err
		}
	}
	if v, ok := p["FunctionUrlConfig"]; ok {
		if err := t.functionURL(f, v); err != nil {
			return err
		}
	}
	if err := t.functionEvents(f); err != nil {
		return err
	}
	if codeErr != nil {
		return codeErr
	}
	if err := checkZipRuntime(id, p); err != nil {
		return err
	}
	if f.role != nil {
		if err := t.emitRole(f.role); err != nil {
			return err
		}
	}
	return nil
}

// fnCtx is one function being expanded, shared by its event sources.
type fnCtx struct {
	id   string
	r    map[string]any
	p    map[string]any
	tags []any
	role *roleSpec // nil when the template gives Role

	alias, aliasName string // the published alias (AutoPublishAlias): its logical ID and name
}

func (f *fnCtx) attrs(dst map[string]any) map[string]any {
	passthrough(f.r, dst)
	return dst
}

func (t *translator) functionCode(id string, p map[string]any) (any, error) {
	_, hasURI := p["CodeUri"]
	_, hasInline := p["InlineCode"]
	_, hasImage := p["ImageUri"]
	switch {
	case hasInline:
		return map[string]any{"ZipFile": p["InlineCode"]}, nil
	case hasImage:
		return map[string]any{"ImageUri": p["ImageUri"]}, nil
	case hasURI:
		return t.codeLocation(id, "CodeUri", p["CodeUri"], "S3Bucket", "S3Key", "S3ObjectVersion")
	}
	if p["PackageType"] == "Image" {
		return nil, resourceErr(id, "'ImageUri' property must be specified for 'Image' PackageType.")
	}
	return nil, resourceErr(id, "Only one of 'InlineCode' or 'CodeUri' can be set.")
}

// codeLocation turns an s3:// URI, a {Bucket, Key, Version} map or a local path into a code
// location. A local path (relative or absolute) is kept as a string, the convention of
// `aws cloudformation package`: the deployer packages it.
func (t *translator) codeLocation(id, prop string, v any, bucketKey, keyKey, versionKey string) (any, error) {
	if pv, ok := t.paramValue(v); ok {
		v = pv
	}
	switch u := v.(type) {
	case string:
		if dynamicRef.MatchString(u) {
			return nil, resourceErr(id, "Unsupported dynamic reference detected in '%s'. Please consider using alternative 'FunctionCode' object format.", prop)
		}
		if strings.HasPrefix(u, "s3://") {
			loc, err := parseS3URI(u)
			if err != nil {
				return nil, resourceErr(id, "'%s' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.", prop)
			}
			out := map[string]any{bucketKey: loc.bucket, keyKey: loc.key}
			if loc.version != "" {
				out[versionKey] = loc.version
			}
			return out, nil
		}
		if u == "" || strings.Contains(u, "://") {
			return nil, resourceErr(id, "'%s' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.", prop)
		}
		return u, nil
	case map[string]any:
		if isIntrinsic(u) {
			return map[string]any{bucketKey: map[string]any{"Fn::Select": []any{2, map[string]any{"Fn::Split": []any{"/", u}}}}, keyKey: u}, nil
		}
		if u["Bucket"] == nil || u["Key"] == nil {
			return nil, resourceErr(id, "'%s' requires Bucket and Key properties to be specified.", prop)
		}
		out := map[string]any{bucketKey: u["Bucket"], keyKey: u["Key"]}
		if ver, ok := u["Version"]; ok {
			out[versionKey] = ver
		}
		return out, nil
	}
	return nil, resourceErr(id, "'%s' must be of type dict or string.", prop)
}

type s3Loc struct{ bucket, key, version string }

func parseS3URI(s string) (s3Loc, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || strings.TrimPrefix(u.Path, "/") == "" {
		return s3Loc{}, fmt.Errorf("not an s3 uri: %q", s)
	}
	return s3Loc{bucket: u.Host, key: strings.TrimPrefix(u.Path, "/"), version: u.Query().Get("versionId")}, nil
}

// samTags turns a SAM tag map into a CloudFormation tag list led by lambda:createdBy=SAM.
func samTags(id string, v any) ([]any, error) {
	out := []any{map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}}
	if v == nil {
		return out, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, resourceErr(id, "Property 'Tags' should be a map.")
	}
	if _, ok := m["lambda:createdBy"]; ok {
		return nil, resourceErr(id, "lambda:createdBy is a reserved Tag key name and cannot be set on your resource. Please change the tag key in the input.")
	}
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"Key": k, "Value": m[k]})
	}
	return out, nil
}

// plainTags is a CloudFormation tag list from a SAM tag map, without the SAM marker.
func plainTags(m map[string]any) []any {
	var out []any
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"Key": k, "Value": m[k]})
	}
	return out
}

func (t *translator) eventInvokeConfig(f *fnCtx, v any) error {
	cfg, ok := v.(map[string]any)
	if !ok {
		return resourceErr(f.id, "Property 'EventInvokeConfig' should be a map.")
	}
	lid := f.id + "EventInvokeConfig"
	p := map[string]any{"FunctionName": ref(f.id), "Qualifier": "$LATEST", "DestinationConfig": map[string]any{}}
	if f.alias != "" {
		p["Qualifier"] = f.aliasName
	}
	for _, k := range []string{"MaximumEventAgeInSeconds", "MaximumRetryAttempts"} {
		if x, ok := cfg[k]; ok {
			p[k] = x
		}
	}
	if dc, ok := cfg["DestinationConfig"].(map[string]any); ok {
		out := map[string]any{}
		for _, which := range []string{"OnSuccess", "OnFailure"} {
			d, ok := dc[which].(map[string]any)
			if !ok {
				continue
			}
			dest, hasDest := d["Destination"]
			typ, _ := d["Type"].(string)
			if !hasDest {
				// SQS and SNS destinations may be left to the translator: it creates them.
				switch typ {
				case "SQS":
					id := lid + which + "Queue"
					t.out[id] = f.attrs(resource("AWS::SQS::Queue", map[string]any{}))
					dest = getAtt(id, "Arn")
				case "SNS":
					id := lid + which + "Topic"
					t.out[id] = f.attrs(resource("AWS::SNS::Topic", map[string]any{}))
					dest = ref(id)
				default:
					return resourceErr(lid, "Destination is required if Type is not SQS or SNS")
				}
			}
			out[which] = map[string]any{"Destination": dest}
			action := map[string]string{"SQS": "sqs:SendMessage", "SNS": "sns:publish", "Lambda": "lambda:InvokeFunction",
				"EventBridge": "events:PutEvents", "S3Bucket": "s3:PutObject"}[typ]
			if f.role != nil && action != "" {
				f.role.inline = append(f.role.inline, map[string]any{
					"PolicyName": lid + which + typ + "Policy",
					"PolicyDocument": map[string]any{"Statement": []any{
						map[string]any{"Action": action, "Effect": "Allow", "Resource": dest}}},
				})
			}
		}
		p["DestinationConfig"] = out
	}
	eic := f.attrs(resource("AWS::Lambda::EventInvokeConfig", p))
	if f.alias != "" {
		eic["DependsOn"] = []any{f.alias}
	}
	t.out[lid] = eic
	return nil
}

func (t *translator) functionURL(f *fnCtx, v any) error {
	cfg, ok := v.(map[string]any)
	if !ok {
		return resourceErr(f.id, "Property 'FunctionUrlConfig' should be a map.")
	}
	auth, has := cfg["AuthType"]
	if !has {
		return resourceErr(f.id, "AuthType is required to configure function property `FunctionUrlConfig`. Please provide either AWS_IAM or NONE.")
	}
	for _, k := range sortedKeys(cfg) {
		switch k {
		case "AuthType", "Cors", "InvokeMode":
		default:
			return resourceErr(f.id, "%s is not a valid property for configuring FunctionUrlConfig.", k)
		}
	}
	p := map[string]any{"TargetFunctionArn": f.invokeRef(), "AuthType": auth}
	for _, k := range []string{"Cors", "InvokeMode"} {
		if x, ok := cfg[k]; ok {
			p[k] = x
		}
	}
	t.out[f.id+"Url"] = f.attrs(resource("AWS::Lambda::Url", p))
	if s, ok := auth.(string); ok && s == "NONE" {
		t.out[f.id+"UrlPublicPermissions"] = f.attrs(resource("AWS::Lambda::Permission", map[string]any{
			"Action": "lambda:InvokeFunctionUrl", "FunctionName": f.invokeRef(), "Principal": "*",
			"FunctionUrlAuthType": "NONE"}))
		t.out[f.id+"URLInvokeAllowPublicAccess"] = f.attrs(resource("AWS::Lambda::Permission", map[string]any{
			"Action": "lambda:InvokeFunction", "FunctionName": f.invokeRef(), "Principal": "*",
			"InvokedViaFunctionUrl": true}))
	}
	return nil
}

// permission is a Lambda permission for a service principal.
func (t *translator) permission(f *fnCtx, logicalID, principal string, sourceArn, sourceAccount any) {
	p := map[string]any{"Action": "lambda:InvokeFunction", "FunctionName": f.invokeRef(), "Principal": principal}
	if sourceArn != nil {
		p["SourceArn"] = sourceArn
	}
	if sourceAccount != nil {
		p["SourceAccount"] = sourceAccount
	}
	t.out[logicalID] = f.attrs(resource("AWS::Lambda::Permission", p))
}

// permissionID is <prefix>Permission<suffix>, hashing a suffix that is not alphanumeric.
func permissionID(prefix, suffix string) string {
	if suffix == "" || isAlnum(suffix) {
		return prefix + "Permission" + suffix
	}
	return prefix + "Permission" + hashID(suffix)
}

// conditionalRole handles Role: {"Fn::If": [cond, role, AWS::NoValue]} (or the reverse): the
// generated role exists only when the template gives none. It returns the role's condition and
// the function's Role value.
func (t *translator) conditionalRole(id string, role any) (string, any, error) {
	m, ok := role.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, nil
	}
	raw, ok := m["Fn::If"]
	if !ok {
		return "", nil, nil
	}
	args, ok := raw.([]any)
	if !ok || len(args) != 3 {
		return "", nil, resourceErr(id, "Malformed 'Role' property: Fn::If requires 3 arguments.")
	}
	cond, ok := args[0].(string)
	if !ok {
		return "", nil, resourceErr(id, "Fn::If requires a condition name")
	}
	isNoValue := func(v any) bool { r, ok := refTarget(v); return ok && r == "AWS::NoValue" }
	generated := getAtt(id+"Role", "Arn")
	conds, _ := t.tmpl["Conditions"].(map[string]any)
	if conds == nil {
		conds = map[string]any{}
		t.tmpl["Conditions"] = conds
	}
	switch {
	case isNoValue(args[2]):
		not := "NOT" + cond
		conds[not] = map[string]any{"Fn::Not": []any{map[string]any{"Condition": cond}}}
		return not, map[string]any{"Fn::If": []any{cond, args[1], generated}}, nil
	case isNoValue(args[1]):
		return cond, map[string]any{"Fn::If": []any{cond, generated, args[2]}}, nil
	}
	return "", nil, nil
}

// tracingEnabled: Tracing set to anything but Disabled (after parameter resolution) turns on a
// TracingConfig and the X-Ray write policy.
func tracingEnabled(t *translator, v any) bool {
	if v == nil {
		return false
	}
	if pv, ok := t.paramValue(v); ok {
		v = pv
	}
	s, ok := v.(string)
	return !ok || s != "Disabled"
}

// dynamicRef is a CloudFormation dynamic reference ({{resolve:ssm:/name}}), which a code location
// string cannot hold.
var dynamicRef = regexp.MustCompile(`\{\{resolve:(ssm|ssm-secure|secretsmanager):[a-zA-Z0-9_.\-/]+(:\d+)?\}\}`)
