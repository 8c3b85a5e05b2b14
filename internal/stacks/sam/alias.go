package sam

import (
	"fmt"
	"regexp"
	"strings"
)

var aliasName = regexp.MustCompile(`^(?:[0-9]*[a-zA-Z\-_][a-zA-Z0-9\-_]*)$`)

// autoPublishAlias publishes a version of the function whenever its code or configuration
// changes (<Function>Version<hash>) and points the alias (<Function>Alias<Name>) at it. Event
// sources then invoke the alias.
func (t *translator) autoPublishAlias(f *fnCtx, fn map[string]any) error {
	raw := f.p["AutoPublishAlias"]
	if pv, ok := t.paramValue(raw); ok {
		raw = pv
	}
	name, ok := raw.(string)
	if !ok || name == "" {
		return resourceErr(f.id, "Alias name is required to create an alias")
	}
	if !aliasName.MatchString(name) {
		return resourceErr(f.id, "AutoPublishAlias name ('%s') must contain only alphanumeric characters, hyphens, or underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern.", name)
	}
	// The version's hash covers what a new version must follow: the code (parameters resolved),
	// the environment, the memory size and SnapStart, or every property with
	// AutoPublishAliasAllProperties; AutoPublishCodeSha256 overrides it.
	var data any
	if boolProp(f.p["AutoPublishAliasAllProperties"]) {
		data = fn
	} else {
		d := map[string]any{}
		switch c := fn["Code"].(type) {
		case map[string]any:
			// Parameters are resolved in the code location (so a new key is a new version),
			// in the function too, as AWS's translator does.
			for k, v := range c {
				if pv, ok := t.paramValue(v); ok {
					c[k] = pv
					v = pv
				}
				d[k] = v
			}
		case string:
			d["LocalPath"] = c
			if t.opts.CodeDigest != nil {
				// An unreadable path fails later, when the code is packaged.
				if sum, err := t.opts.CodeDigest(c); err == nil {
					d["ContentDigest"] = sum
				}
			}
		}
		if env, ok := fn["Environment"].(map[string]any); ok {
			for k, v := range env {
				d[k] = v
			}
		}
		if v, ok := fn["MemorySize"]; ok {
			d["MemorySize"] = v
		}
		if ss, ok := fn["SnapStart"].(map[string]any); ok && ss["ApplyOn"] != nil && ss["ApplyOn"] != "None" {
			d["SnapStart"] = ss
		}
		data = d
	}
	hash := hashID(data)
	if sha, ok := f.p["AutoPublishCodeSha256"].(string); ok && sha != "" {
		hash = sha
		if len(hash) > 10 {
			hash = hash[:10]
		}
	}
	versionID := f.id + "Version" + hash
	vp := map[string]any{"FunctionName": ref(f.id)}
	if v, ok := f.p["VersionDescription"]; ok {
		vp["Description"] = v
	}
	version := f.attrs(resource("AWS::Lambda::Version", vp))
	if _, ok := version["DeletionPolicy"]; !ok {
		version["DeletionPolicy"] = "Retain"
		if v, ok := f.p["VersionDeletionPolicy"]; ok {
			version["DeletionPolicy"] = v
		}
	}
	t.out[versionID] = version

	aliasID := f.id + "Alias" + strings.NewReplacer("-", "D", "_", "U").Replace(name)
	ap := map[string]any{"Name": name, "FunctionName": ref(f.id), "FunctionVersion": getAtt(versionID, "Version")}
	if v, ok := f.p["ProvisionedConcurrencyConfig"]; ok {
		ap["ProvisionedConcurrencyConfig"] = v
	}
	t.out[aliasID] = f.attrs(resource("AWS::Lambda::Alias", ap))
	f.alias, f.aliasName = aliasID, name
	t.renamed[f.id+".Alias"] = aliasID
	t.renamed[f.id+".Version"] = versionID
	return nil
}

// invokeRef is what event sources invoke: the alias when one is published, else the function.
func (f *fnCtx) invokeRef() any {
	if f.alias != "" {
		return ref(f.alias)
	}
	return ref(f.id)
}

// invokeArn is the ARN event sources target.
func (f *fnCtx) invokeArn() any {
	if f.alias != "" {
		return ref(f.alias)
	}
	return getAtt(f.id, "Arn")
}

// invokeSub is the ARN as a Fn::Sub variable, for integration URIs.
func (f *fnCtx) invokeSub() string {
	if f.alias != "" {
		return "${" + f.alias + "}"
	}
	return "${" + f.id + ".Arn}"
}

// WarningsKey is the resource Metadata key under which the transform leaves
// warnings for the plan: what of the template nubo accepts but does not do
// as AWS does.
const WarningsKey = "NuboTransformWarnings"

// deploymentPreference accepts SAM's DeploymentPreference without the
// CodeDeploy application, deployment group and role AWS's translator
// generates: on one machine the alias moves to the new version at once, and
// the plan says so (a warning on the alias). The hook functions and alarms
// the template declares are deployed as any other resource; nothing runs
// them as CodeDeploy would.
func (t *translator) deploymentPreference(f *fnCtx, v any) error {
	if f.alias == "" {
		return resourceErr(f.id, "'DeploymentPreference' requires AutoPublishAlias property to be specified.")
	}
	dp, ok := v.(map[string]any)
	if !ok {
		if isIntrinsic(v) {
			dp = map[string]any{}
		} else {
			return resourceErr(f.id, "'DeploymentPreference' must be a dictionary")
		}
	}
	if h, ok := dp["Hooks"]; ok {
		if _, ok := h.(map[string]any); !ok {
			return resourceErr(f.id, "'Hooks' property of 'DeploymentPreference' must be a dictionary")
		}
	}
	if enabled, ok := dp["Enabled"].(bool); ok && !enabled {
		return nil
	}
	typ, _ := dp["Type"].(string)
	if typ == "" {
		typ = "the deployment preference"
	}
	alias := t.out[f.alias].(map[string]any)
	md, _ := alias["Metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		alias["Metadata"] = md
	}
	warnings, _ := md[WarningsKey].([]any)
	md[WarningsKey] = append(warnings, fmt.Sprintf("DeploymentPreference of %s: nubo has no CodeDeploy; the alias %s moves to each new version at once, without %s's traffic shifting, alarms or PreTraffic/PostTraffic hooks", f.id, f.aliasName, typ))
	return nil
}
