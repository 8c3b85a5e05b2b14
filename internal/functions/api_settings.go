package functions

import (
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The function settings Lambda stores and nubo reports without acting on
// them: the recursive loop setting (nubo does not detect loops) and the
// runtime management config (nubo runs the local runtime, whatever it says).

const (
	recursionAllow     = "Allow"
	recursionTerminate = "Terminate"

	runtimeUpdateAuto           = "Auto"
	runtimeUpdateFunctionUpdate = "FunctionUpdate"
	runtimeUpdateManual         = "Manual"
)

type recursionConfig struct {
	RecursiveLoop string `json:"RecursiveLoop,omitempty"`
}

type putRecursionInput struct {
	FunctionName  string `aws:"uri=FunctionName" json:"-"`
	RecursiveLoop string `json:"RecursiveLoop"`
}

func (a *lambdaAPI) getRecursionConfig(c *awsapi.Call, in *fnRef) (recursionConfig, error) {
	name, err := a.latestRef(in.FunctionName, "")
	if err != nil {
		return recursionConfig{}, err
	}
	if _, err := a.s.Get(c.Context(), name); err != nil {
		return recursionConfig{}, a.notFound(name, err)
	}
	out := recursionConfig{RecursiveLoop: recursionTerminate}
	if _, err := a.set.get(c.Context(), settingsKey("recursion", name, ""), &out); err != nil {
		return recursionConfig{}, err
	}
	return out, nil
}

func (a *lambdaAPI) putRecursionConfig(c *awsapi.Call, in *putRecursionInput) (recursionConfig, error) {
	name, err := a.latestRef(in.FunctionName, "")
	if err != nil {
		return recursionConfig{}, err
	}
	if in.RecursiveLoop != recursionAllow && in.RecursiveLoop != recursionTerminate {
		return recursionConfig{}, validationErr("recursiveLoop", "'"+in.RecursiveLoop+"'", "Member must satisfy enum value set: [Allow, Terminate]")
	}
	if _, err := a.s.Get(c.Context(), name); err != nil {
		return recursionConfig{}, a.notFound(name, err)
	}
	out := recursionConfig{RecursiveLoop: in.RecursiveLoop}
	if err := a.set.put(c.Context(), settingsKey("recursion", name, ""), &out); err != nil {
		return recursionConfig{}, err
	}
	return out, nil
}

type runtimeManagementConfig struct {
	UpdateRuntimeOn   string `json:"UpdateRuntimeOn"`
	RuntimeVersionArn string `json:"RuntimeVersionArn,omitempty"`
	FunctionArn       string `json:"FunctionArn,omitempty"`
}

type putRuntimeManagementInput struct {
	FunctionName      string `aws:"uri=FunctionName" json:"-"`
	Qualifier         string `aws:"querystring=Qualifier" json:"-"`
	UpdateRuntimeOn   string `json:"UpdateRuntimeOn"`
	RuntimeVersionArn string `json:"RuntimeVersionArn"`
}

// runtimeRef resolves the function (version) a runtime management call
// names: Qualifier is $LATEST or a published version.
func (a *lambdaAPI) runtimeRef(c *awsapi.Call, raw, q string) (name, qual, arn string, err error) {
	name, fc, err := a.function(c, raw, q)
	if err != nil {
		return "", "", "", err
	}
	qual = fc.VersionLabel()
	arn = a.s.account.FunctionARN(name)
	if qual != latestVersion {
		arn += ":" + qual
	}
	return name, qual, arn, nil
}

func (a *lambdaAPI) getRuntimeManagement(c *awsapi.Call, in *fnRef) (runtimeManagementConfig, error) {
	name, qual, arn, err := a.runtimeRef(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return runtimeManagementConfig{}, err
	}
	out := runtimeManagementConfig{UpdateRuntimeOn: runtimeUpdateAuto}
	if _, err := a.set.get(c.Context(), settingsKey("runtime", name, qual), &out); err != nil {
		return runtimeManagementConfig{}, err
	}
	out.FunctionArn = arn
	return out, nil
}

func (a *lambdaAPI) putRuntimeManagement(c *awsapi.Call, in *putRuntimeManagementInput) (runtimeManagementConfig, error) {
	switch in.UpdateRuntimeOn {
	case runtimeUpdateAuto, runtimeUpdateFunctionUpdate:
		if in.RuntimeVersionArn != "" {
			return runtimeManagementConfig{}, awsapi.InvalidParameter("RuntimeVersionArn can only be specified when UpdateRuntimeOn is Manual")
		}
	case runtimeUpdateManual:
		if in.RuntimeVersionArn == "" {
			return runtimeManagementConfig{}, awsapi.InvalidParameter("RuntimeVersionArn is required when UpdateRuntimeOn is Manual")
		}
		if !strings.HasPrefix(in.RuntimeVersionArn, "arn:aws:lambda:") || !strings.Contains(in.RuntimeVersionArn, ":runtime:") {
			return runtimeManagementConfig{}, validationErr("runtimeVersionArn", "'"+in.RuntimeVersionArn+"'",
				"Member must satisfy regular expression pattern: ^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}::runtime:.+$")
		}
	default:
		return runtimeManagementConfig{}, validationErr("updateRuntimeOn", "'"+in.UpdateRuntimeOn+"'", "Member must satisfy enum value set: [Auto, FunctionUpdate, Manual]")
	}
	name, qual, arn, err := a.runtimeRef(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return runtimeManagementConfig{}, err
	}
	out := runtimeManagementConfig{UpdateRuntimeOn: in.UpdateRuntimeOn, RuntimeVersionArn: in.RuntimeVersionArn}
	if err := a.set.put(c.Context(), settingsKey("runtime", name, qual), &out); err != nil {
		return runtimeManagementConfig{}, err
	}
	out.FunctionArn = arn
	return out, nil
}
