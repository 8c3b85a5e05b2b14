package functions

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Code signing configs, stored and reported as Lambda does, with their tags
// and the functions that use them. nubo does not verify signatures: a
// function's package is deployed whatever its code signing config says
// (UntrustedArtifactOnDeployment Enforce included).

const (
	cscPrefix   = "csc."   // csc.<id>: storedCSC
	cscFnPrefix = "cscfn." // cscfn.<function>: functionCSC
)

type allowedPublishers struct {
	SigningProfileVersionArns []string `json:"SigningProfileVersionArns"`
}

type codeSigningPolicies struct {
	UntrustedArtifactOnDeployment string `json:"UntrustedArtifactOnDeployment,omitempty"`
}

type codeSigningConfig struct {
	CodeSigningConfigId  string              `json:"CodeSigningConfigId"`
	CodeSigningConfigArn string              `json:"CodeSigningConfigArn"`
	Description          string              `json:"Description"`
	AllowedPublishers    allowedPublishers   `json:"AllowedPublishers"`
	CodeSigningPolicies  codeSigningPolicies `json:"CodeSigningPolicies"`
	LastModified         string              `json:"LastModified"`
}

// storedCSC is a code signing config with its tags.
type storedCSC struct {
	Config codeSigningConfig `json:"config"`
	Tags   map[string]string `json:"tags,omitempty"`
}

// functionCSC is the code signing config a function uses.
type functionCSC struct {
	Arn string `json:"arn"`
}

type cscOutput struct {
	CodeSigningConfig codeSigningConfig `json:"CodeSigningConfig"`
}

type createCSCInput struct {
	Description         *string              `json:"Description"`
	AllowedPublishers   *allowedPublishers   `json:"AllowedPublishers"`
	CodeSigningPolicies *codeSigningPolicies `json:"CodeSigningPolicies"`
	Tags                map[string]string    `json:"Tags"`
}

// authz: the tags CreateCodeSigningConfig sets are aws:RequestTag/*.
func (in *createCSCInput) authz(_ string, t *awsapi.Target) { t.RequestTags = in.Tags }

type updateCSCInput struct {
	CodeSigningConfigArn string               `aws:"uri=CodeSigningConfigArn" json:"-"`
	Description          *string              `json:"Description"`
	AllowedPublishers    *allowedPublishers   `json:"AllowedPublishers"`
	CodeSigningPolicies  *codeSigningPolicies `json:"CodeSigningPolicies"`
}

type cscRef struct {
	CodeSigningConfigArn string `aws:"uri=CodeSigningConfigArn" json:"-"`
	Marker               string `aws:"querystring=Marker" json:"-"`
	MaxItems             string `aws:"querystring=MaxItems" json:"-"`
}

// checkCSC validates the members Create and Update take.
func checkCSC(desc *string, pub *allowedPublishers, pol *codeSigningPolicies) error {
	if desc != nil && len(*desc) > 256 {
		return validationErr("description", "'"+*desc+"'", "Member must have length less than or equal to 256")
	}
	if pub != nil {
		n := len(pub.SigningProfileVersionArns)
		if n < 1 || n > 20 {
			return validationErr("allowedPublishers.signingProfileVersionArns", "'["+strings.Join(pub.SigningProfileVersionArns, ", ")+"]'",
				"Member must have length less than or equal to 20 and greater than or equal to 1")
		}
		for _, arn := range pub.SigningProfileVersionArns {
			if a, err := awsapi.ParseARN(arn); err != nil || a.Service != "signer" {
				return awsapi.InvalidParameter("Signing profile version ARN %q is not a valid AWS Signer signing profile version ARN", arn)
			}
		}
	}
	if pol != nil {
		if v := pol.UntrustedArtifactOnDeployment; v != "Warn" && v != "Enforce" {
			return validationErr("codeSigningPolicies.untrustedArtifactOnDeployment", "'"+v+"'", "Member must satisfy enum value set: [Warn, Enforce]")
		}
	}
	return nil
}

func cscNotFound(arn string) error {
	return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist. Code signing configuration not found: "+arn)
}

// cscID reads the id out of a code signing config ARN of this account and
// region.
func (a *lambdaAPI) cscID(raw string) (string, error) {
	arn, err := awsapi.ParseARN(raw)
	if err != nil || arn.Service != "lambda" || !strings.HasPrefix(arn.Resource, "code-signing-config:csc-") {
		return "", validationErr("codeSigningConfigArn", "'"+raw+"'",
			"Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}")
	}
	if arn.AccountID != a.s.account.ID || arn.Region != a.s.account.Region {
		return "", cscNotFound(raw)
	}
	return strings.TrimPrefix(arn.Resource, "code-signing-config:"), nil
}

func (a *lambdaAPI) loadCSC(c *awsapi.Call, raw string) (string, *storedCSC, error) {
	id, err := a.cscID(raw)
	if err != nil {
		return "", nil, err
	}
	var st storedCSC
	ok, err := a.set.get(c.Context(), cscPrefix+id, &st)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, cscNotFound(raw)
	}
	return id, &st, nil
}

func nowLambda() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000-0700") }

func (a *lambdaAPI) createCSC(c *awsapi.Call, in *createCSCInput) (cscOutput, error) {
	if in.AllowedPublishers == nil {
		return cscOutput{}, validationErr("allowedPublishers", "null", "Member must not be null")
	}
	if err := checkCSC(in.Description, in.AllowedPublishers, in.CodeSigningPolicies); err != nil {
		return cscOutput{}, err
	}
	if err := validateTags(in.Tags); err != nil {
		return cscOutput{}, err
	}
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		return cscOutput{}, err
	}
	id := "csc-" + hex.EncodeToString(b[:])[:17]
	cfg := codeSigningConfig{
		CodeSigningConfigId:  id,
		CodeSigningConfigArn: a.s.account.ARN("lambda", "code-signing-config:"+id),
		AllowedPublishers:    *in.AllowedPublishers,
		CodeSigningPolicies:  codeSigningPolicies{UntrustedArtifactOnDeployment: "Warn"},
		LastModified:         nowLambda(),
	}
	if in.Description != nil {
		cfg.Description = *in.Description
	}
	if in.CodeSigningPolicies != nil {
		cfg.CodeSigningPolicies = *in.CodeSigningPolicies
	}
	if err := a.set.put(c.Context(), cscPrefix+id, &storedCSC{Config: cfg, Tags: in.Tags}); err != nil {
		return cscOutput{}, err
	}
	return cscOutput{CodeSigningConfig: cfg}, nil
}

func (a *lambdaAPI) getCSC(c *awsapi.Call, in *cscRef) (cscOutput, error) {
	_, st, err := a.loadCSC(c, in.CodeSigningConfigArn)
	if err != nil {
		return cscOutput{}, err
	}
	return cscOutput{CodeSigningConfig: st.Config}, nil
}

func (a *lambdaAPI) updateCSC(c *awsapi.Call, in *updateCSCInput) (cscOutput, error) {
	if err := checkCSC(in.Description, in.AllowedPublishers, in.CodeSigningPolicies); err != nil {
		return cscOutput{}, err
	}
	id, st, err := a.loadCSC(c, in.CodeSigningConfigArn)
	if err != nil {
		return cscOutput{}, err
	}
	if in.Description != nil {
		st.Config.Description = *in.Description
	}
	if in.AllowedPublishers != nil {
		st.Config.AllowedPublishers = *in.AllowedPublishers
	}
	if in.CodeSigningPolicies != nil {
		st.Config.CodeSigningPolicies = *in.CodeSigningPolicies
	}
	st.Config.LastModified = nowLambda()
	if err := a.set.put(c.Context(), cscPrefix+id, st); err != nil {
		return cscOutput{}, err
	}
	return cscOutput{CodeSigningConfig: st.Config}, nil
}

func (a *lambdaAPI) deleteCSC(c *awsapi.Call, in *cscRef) (awsapi.None, error) {
	id, st, err := a.loadCSC(c, in.CodeSigningConfigArn)
	if err != nil {
		return awsapi.None{}, err
	}
	users, err := a.cscUsers(c, st.Config.CodeSigningConfigArn)
	if err != nil {
		return awsapi.None{}, err
	}
	if len(users) > 0 {
		return awsapi.None{}, awsapi.NewError(http.StatusConflict, "ResourceConflictException",
			"The code signing configuration cannot be deleted because it is used by one or more functions.")
	}
	return awsapi.None{}, a.set.delete(c.Context(), cscPrefix+id)
}

type listCSCOutput struct {
	CodeSigningConfigs []codeSigningConfig `json:"CodeSigningConfigs"`
	NextMarker         string              `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listCSCs(c *awsapi.Call, in *cscRef) (listCSCOutput, error) {
	keys, err := a.set.keys(c.Context(), cscPrefix)
	if err != nil {
		return listCSCOutput{}, err
	}
	all := []codeSigningConfig{}
	for _, k := range keys {
		var st storedCSC
		if ok, err := a.set.get(c.Context(), k, &st); err != nil {
			return listCSCOutput{}, err
		} else if ok {
			all = append(all, st.Config)
		}
	}
	out := listCSCOutput{}
	out.CodeSigningConfigs, out.NextMarker, err = page(in.Marker, in.MaxItems, all)
	return out, err
}

// cscUsers lists the ARNs of the functions that use the code signing
// config arn, sorted.
func (a *lambdaAPI) cscUsers(c *awsapi.Call, arn string) ([]string, error) {
	keys, err := a.set.keys(c.Context(), cscFnPrefix)
	if err != nil {
		return nil, err
	}
	users := []string{}
	for _, k := range keys {
		var f functionCSC
		ok, err := a.set.get(c.Context(), k, &f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(k, cscFnPrefix)
		if !ok || f.Arn != arn {
			continue
		}
		if _, err := a.s.Get(c.Context(), name); err != nil {
			continue // the function is gone: its binding with it
		}
		users = append(users, a.s.account.FunctionARN(name))
	}
	sort.Strings(users)
	return users, nil
}

type listFunctionsByCSCOutput struct {
	FunctionArns []string `json:"FunctionArns"`
	NextMarker   string   `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listFunctionsByCSC(c *awsapi.Call, in *cscRef) (listFunctionsByCSCOutput, error) {
	_, st, err := a.loadCSC(c, in.CodeSigningConfigArn)
	if err != nil {
		return listFunctionsByCSCOutput{}, err
	}
	users, err := a.cscUsers(c, st.Config.CodeSigningConfigArn)
	if err != nil {
		return listFunctionsByCSCOutput{}, err
	}
	out := listFunctionsByCSCOutput{}
	out.FunctionArns, out.NextMarker, err = page(in.Marker, in.MaxItems, users)
	return out, err
}

type functionCSCOutput struct {
	CodeSigningConfigArn string `json:"CodeSigningConfigArn"`
	FunctionName         string `json:"FunctionName"`
}

type putFunctionCSCInput struct {
	FunctionName         string `aws:"uri=FunctionName" json:"-"`
	CodeSigningConfigArn string `json:"CodeSigningConfigArn"`
}

// authz: lambda:CodeSigningConfigArn is the config the function is given.
func (in *putFunctionCSCInput) authz(_ string, t *awsapi.Target) {
	if t.Context == nil {
		t.Context = map[string][]string{}
	}
	t.Context["lambda:CodeSigningConfigArn"] = []string{in.CodeSigningConfigArn}
}

func (a *lambdaAPI) putFunctionCSC(c *awsapi.Call, in *putFunctionCSCInput) (functionCSCOutput, error) {
	name, err := a.latestRef(in.FunctionName, "")
	if err != nil {
		return functionCSCOutput{}, err
	}
	if _, err := a.s.Get(c.Context(), name); err != nil {
		return functionCSCOutput{}, a.notFound(name, err)
	}
	if in.CodeSigningConfigArn == "" {
		return functionCSCOutput{}, validationErr("codeSigningConfigArn", "null", "Member must not be null")
	}
	if _, _, err := a.loadCSC(c, in.CodeSigningConfigArn); err != nil {
		var ae *awsapi.Error
		if errors.As(err, &ae) && ae.Code == "ResourceNotFoundException" {
			return functionCSCOutput{}, awsapi.NewError(http.StatusNotFound, "CodeSigningConfigNotFoundException", "Code signing configuration not found: "+in.CodeSigningConfigArn)
		}
		return functionCSCOutput{}, err
	}
	if err := a.set.put(c.Context(), cscFnPrefix+name, &functionCSC{Arn: in.CodeSigningConfigArn}); err != nil {
		return functionCSCOutput{}, err
	}
	return functionCSCOutput{CodeSigningConfigArn: in.CodeSigningConfigArn, FunctionName: name}, nil
}

func (a *lambdaAPI) getFunctionCSC(c *awsapi.Call, in *fnRef) (functionCSCOutput, error) {
	name, err := a.latestRef(in.FunctionName, "")
	if err != nil {
		return functionCSCOutput{}, err
	}
	if _, err := a.s.Get(c.Context(), name); err != nil {
		return functionCSCOutput{}, a.notFound(name, err)
	}
	var f functionCSC
	if _, err := a.set.get(c.Context(), cscFnPrefix+name, &f); err != nil {
		return functionCSCOutput{}, err
	}
	return functionCSCOutput{CodeSigningConfigArn: f.Arn, FunctionName: name}, nil
}

func (a *lambdaAPI) deleteFunctionCSC(c *awsapi.Call, in *fnRef) (awsapi.None, error) {
	name, err := a.latestRef(in.FunctionName, "")
	if err != nil {
		return awsapi.None{}, err
	}
	if _, err := a.s.Get(c.Context(), name); err != nil {
		return awsapi.None{}, a.notFound(name, err)
	}
	return awsapi.None{}, a.set.delete(c.Context(), cscFnPrefix+name)
}

// ---- tags ----

// isCSCARN tells whether a tag operation's resource is a code signing config.
func isCSCARN(raw string) bool { return strings.Contains(raw, ":code-signing-config:") }

func (a *lambdaAPI) tagCSC(c *awsapi.Call, raw string, set map[string]string, remove []string) (map[string]string, error) {
	id, st, err := a.loadCSC(c, raw)
	if err != nil {
		return nil, err
	}
	if set == nil && remove == nil {
		return wireTags(st.Tags), nil
	}
	if st.Tags == nil {
		st.Tags = map[string]string{}
	}
	for k, v := range set {
		st.Tags[k] = v
	}
	for _, k := range remove {
		delete(st.Tags, k)
	}
	if err := validateTags(st.Tags); err != nil {
		return nil, err
	}
	if err := a.set.put(c.Context(), cscPrefix+id, st); err != nil {
		return nil, err
	}
	return st.Tags, nil
}
