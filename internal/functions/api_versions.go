package functions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The Lambda API's versions, aliases and provisioned concurrency
// operations. Each is authorized (api_ops.go) as its action on the
// function's ARN qualified by the version or alias it names
// (requestQualifier).

// requestQualifier is the version or alias a request acts on: the {Name}
// of an alias route, else the one in the function name, else ?Qualifier.
// $LATEST is the function itself: a policy on the function's ARN covers it.
func requestQualifier(r *http.Request, fromName string) string {
	q := r.PathValue("Name")
	if q == "" {
		q = fromName
	}
	if q == "" {
		q = r.URL.Query().Get("Qualifier")
	}
	if q == latestVersion {
		return ""
	}
	return q
}

// qualified is NAME:QUALIFIER, or NAME when there is no qualifier.
func qualified(name, qualifier string) string {
	if qualifier == "" {
		return name
	}
	return name + ":" + qualifier
}

// versionsError maps the errors of versions.go onto Lambda's.
func (a *lambdaAPI) versionsError(name string, err error) error {
	switch {
	case errors.Is(err, errAliasExists), errors.Is(err, errVersionInUse):
		msg := err.Error()
		if _, after, ok := strings.Cut(msg, ": "); ok {
			msg = after
		}
		return awsapi.NewError(http.StatusConflict, "ResourceConflictException", msg)
	case errors.Is(err, errNoProvisioned):
		return awsapi.NewError(http.StatusNotFound, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function")
	case errors.Is(err, errAliasNotFound):
		var nf *notFoundError
		if errors.As(err, &nf) {
			return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "Alias not found: "+nf.arn)
		}
	}
	return a.notFound(name, err)
}

// aliasNotFound gives the alias's ARN to a not-found error from the registry.
func (a *lambdaAPI) aliasNotFound(name, alias string, err error) error {
	if errors.Is(err, errAliasNotFound) {
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "Alias not found: "+a.s.qualifiedARN(name, alias))
	}
	return a.versionsError(name, err)
}

// eicRef is the event invoke config operations' function: NAME, or
// NAME:QUALIFIER for a version's or alias's own config.
func (a *lambdaAPI) eicRef(raw, q string) (string, error) {
	name, qual, err := a.resolveRef(raw, q)
	if err != nil {
		return "", err
	}
	if qual == latestVersion {
		qual = ""
	}
	return qualified(name, qual), nil
}

// eicARN is the qualified ARN an event invoke config reports.
func (a *lambdaAPI) eicARN(ref string) string { return a.s.eicARN(ref) }

// urlQualifier checks a function URL's qualifier: "" for $LATEST, else an
// alias of the function (Lambda gives versions no URL).
func (a *lambdaAPI) urlQualifier(ctx context.Context, name, qual string) (string, error) {
	if qual == "" || qual == latestVersion {
		return "", nil
	}
	if isDigits(qual) { // a version has no URL
		return "", &notFoundError{arn: a.s.qualifiedARN(name, qual)}
	}
	if _, err := a.s.GetAlias(ctx, name, qual); err != nil {
		return "", a.aliasNotFound(name, qual, err)
	}
	return qual, nil
}

// configWire is toWire for GetFunction and GetFunctionConfiguration: read
// through an alias (the input's FunctionName and Qualifier), the
// configuration is the alias's version's under the alias's ARN, as Lambda
// answers.
func (a *lambdaAPI) configWire(c *Config, raw, q string) functionConfiguration {
	fc := toWire(c)
	if _, qual, err := a.resolveRef(raw, q); err == nil {
		if kind, _, err := classifyQualifier(qual); err == nil && kind == qualAlias {
			fc.FunctionArn = a.s.qualifiedARN(c.Name, qual)
		}
	}
	return fc
}

// ---- versions ----

type publishVersionInput struct {
	FunctionName string `aws:"uri=FunctionName" json:"-"`
	Qualifier    string `aws:"querystring=Qualifier" json:"-"`
	CodeSha256   string `json:"CodeSha256"`
	Description  string `json:"Description"`
	RevisionId   string `json:"RevisionId"`
}

func (a *lambdaAPI) publishVersion(c *awsapi.Call, in *publishVersionInput) (functionConfiguration, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return functionConfiguration{}, err
	}
	if len(in.Description) > 256 {
		return functionConfiguration{}, invalidf("Description is %d characters: the limit is 256", len(in.Description))
	}
	fc, err := a.s.PublishVersion(c.Context(), name, in.CodeSha256, in.Description, in.RevisionId)
	if err != nil {
		return functionConfiguration{}, a.versionsError(name, err)
	}
	return toWire(fc), nil
}

// pageParams reads Marker and MaxItems (1-10000, default 50).
func pageParams(marker, maxItems string) (string, int, error) {
	max := 50
	if v := maxItems; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return "", 0, awsapi.InvalidParameter("MaxItems %q: must be a number between 1 and 10000", v)
		}
		max = n
	}
	return marker, max, nil
}

// fnListInput is the input of a function's list operations: the function,
// Marker and MaxItems.
type fnListInput struct {
	FunctionName string `aws:"uri=FunctionName" json:"-"`
	Qualifier    string `aws:"querystring=Qualifier" json:"-"`
	Marker       string `aws:"querystring=Marker" json:"-"`
	MaxItems     string `aws:"querystring=MaxItems" json:"-"`
}

type listVersionsOutput struct {
	Versions   []functionConfiguration `json:"Versions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listVersions(c *awsapi.Call, in *fnListInput) (listVersionsOutput, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return listVersionsOutput{}, err
	}
	marker, max, err := pageParams(in.Marker, in.MaxItems)
	if err != nil {
		return listVersionsOutput{}, err
	}
	all, err := a.s.Versions(c.Context(), name)
	if err != nil {
		return listVersionsOutput{}, a.notFound(name, err)
	}
	items, next := awsapi.PageAfter(all, func(c *Config) string { return c.VersionLabel() }, marker, max, 50)
	out := listVersionsOutput{Versions: []functionConfiguration{}, NextMarker: next}
	for _, v := range items {
		fc := toWire(v)
		if v.Version == "" {
			fc.FunctionArn += ":" + latestVersion // as Lambda lists it
		}
		out.Versions = append(out.Versions, fc)
	}
	return out, nil
}

// deleteVersion is DeleteFunction with a Qualifier: one published version.
func (a *lambdaAPI) deleteVersion(c *awsapi.Call, name, qualifier string) error {
	if err := a.s.DeleteVersion(c.Context(), name, qualifier); err != nil {
		return a.versionsError(name, err)
	}
	return nil
}

// ---- aliases ----

type routingConfig struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights"`
}

type aliasConfiguration struct {
	AliasArn        string         `json:"AliasArn"`
	Name            string         `json:"Name"`
	FunctionVersion string         `json:"FunctionVersion"`
	Description     string         `json:"Description"`
	RevisionId      string         `json:"RevisionId"`
	RoutingConfig   *routingConfig `json:"RoutingConfig,omitempty"`
}

func (a *lambdaAPI) aliasWire(al *Alias) aliasConfiguration {
	out := aliasConfiguration{AliasArn: a.s.qualifiedARN(al.Function, al.Name), Name: al.Name,
		FunctionVersion: al.FunctionVersion, Description: al.Description, RevisionId: al.RevisionID}
	if len(al.Weights) > 0 {
		out.RoutingConfig = &routingConfig{AdditionalVersionWeights: al.Weights}
	}
	return out
}

// aliasInput is CreateAlias's input (Name in the body) and UpdateAlias's
// (Name, the alias, in the path: Alias).
type aliasInput struct {
	FunctionName    string         `aws:"uri=FunctionName" json:"-"`
	Qualifier       string         `aws:"querystring=Qualifier" json:"-"`
	Alias           string         `aws:"uri=Name" json:"-"`
	Name            string         `json:"Name"`
	FunctionVersion *string        `json:"FunctionVersion"`
	Description     *string        `json:"Description"`
	RoutingConfig   *routingConfig `json:"RoutingConfig"`
	RevisionId      string         `json:"RevisionId"`
}

// aliasRef is the input of an operation on one alias.
type aliasRef struct {
	FunctionName string `aws:"uri=FunctionName" json:"-"`
	Qualifier    string `aws:"querystring=Qualifier" json:"-"`
	Alias        string `aws:"uri=Name" json:"-"`
}

func (a *lambdaAPI) createAlias(c *awsapi.Call, in *aliasInput) (aliasConfiguration, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return aliasConfiguration{}, err
	}
	al := Alias{Function: name, Name: in.Name}
	if in.FunctionVersion != nil {
		al.FunctionVersion = *in.FunctionVersion
	}
	if in.Description != nil {
		al.Description = *in.Description
	}
	if in.RoutingConfig != nil {
		al.Weights = in.RoutingConfig.AdditionalVersionWeights
	}
	out, err := a.s.CreateAlias(c.Context(), al)
	if err != nil {
		return aliasConfiguration{}, a.versionsError(name, err)
	}
	return a.aliasWire(out), nil
}

func (a *lambdaAPI) getAlias(c *awsapi.Call, in *aliasRef) (aliasConfiguration, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return aliasConfiguration{}, err
	}
	al, err := a.s.GetAlias(c.Context(), name, in.Alias)
	if err != nil {
		return aliasConfiguration{}, a.aliasNotFound(name, in.Alias, err)
	}
	return a.aliasWire(al), nil
}

func (a *lambdaAPI) updateAlias(c *awsapi.Call, in *aliasInput) (aliasConfiguration, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return aliasConfiguration{}, err
	}
	u := AliasUpdate{FunctionVersion: in.FunctionVersion, Description: in.Description, RevisionID: in.RevisionId}
	if in.RoutingConfig != nil {
		u.Weights = in.RoutingConfig.AdditionalVersionWeights
		if u.Weights == nil {
			u.Weights = map[string]float64{}
		}
	}
	al, err := a.s.UpdateAlias(c.Context(), name, in.Alias, u)
	if err != nil {
		return aliasConfiguration{}, a.aliasNotFound(name, in.Alias, err)
	}
	return a.aliasWire(al), nil
}

func (a *lambdaAPI) deleteAlias(c *awsapi.Call, in *aliasRef) (awsapi.None, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := a.s.DeleteAlias(c.Context(), name, in.Alias); err != nil {
		return awsapi.None{}, a.aliasNotFound(name, in.Alias, err)
	}
	if a.urls != nil { // the alias's URL goes with it
		if err := a.urls.DeleteURL(c.Context(), name, in.Alias); err != nil && !errors.Is(err, ErrURLNotFound) {
			return awsapi.None{}, fmt.Errorf("function %s: delete the url of alias %s: %w", name, in.Alias, err)
		}
	}
	return awsapi.None{}, nil
}

type listAliasesInput struct {
	FunctionName    string `aws:"uri=FunctionName" json:"-"`
	Qualifier       string `aws:"querystring=Qualifier" json:"-"`
	FunctionVersion string `aws:"querystring=FunctionVersion" json:"-"`
	Marker          string `aws:"querystring=Marker" json:"-"`
	MaxItems        string `aws:"querystring=MaxItems" json:"-"`
}

type listAliasesOutput struct {
	Aliases    []aliasConfiguration `json:"Aliases"`
	NextMarker string               `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listAliases(c *awsapi.Call, in *listAliasesInput) (listAliasesOutput, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return listAliasesOutput{}, err
	}
	marker, max, err := pageParams(in.Marker, in.MaxItems)
	if err != nil {
		return listAliasesOutput{}, err
	}
	all, err := a.s.Aliases(c.Context(), name, in.FunctionVersion)
	if err != nil {
		return listAliasesOutput{}, a.notFound(name, err)
	}
	items, next := awsapi.PageAfter(all, func(al *Alias) string { return al.Name }, marker, max, 50)
	out := listAliasesOutput{Aliases: []aliasConfiguration{}, NextMarker: next}
	for _, al := range items {
		out.Aliases = append(out.Aliases, a.aliasWire(al))
	}
	return out, nil
}

// ---- provisioned concurrency ----

type provisionedConfig struct {
	FunctionArn                              string `json:"FunctionArn,omitempty"`
	RequestedProvisionedConcurrentExecutions int    `json:"RequestedProvisionedConcurrentExecutions"`
	AvailableProvisionedConcurrentExecutions int    `json:"AvailableProvisionedConcurrentExecutions"`
	AllocatedProvisionedConcurrentExecutions int    `json:"AllocatedProvisionedConcurrentExecutions"`
	Status                                   string `json:"Status"`
	LastModified                             string `json:"LastModified"`
}

// provisionedWire reports the config READY: on one machine instances start
// on demand, so what was asked for counts as allocated.
func (a *lambdaAPI) provisionedWire(pc *ProvisionedConcurrency, withARN bool) provisionedConfig {
	out := provisionedConfig{
		RequestedProvisionedConcurrentExecutions: pc.Requested,
		AvailableProvisionedConcurrentExecutions: pc.Requested,
		AllocatedProvisionedConcurrentExecutions: pc.Requested,
		Status:                                   "READY",
		LastModified:                             pc.LastModified.UTC().Format(time.RFC3339),
	}
	if withARN {
		out.FunctionArn = a.s.qualifiedARN(pc.Function, pc.Qualifier)
	}
	return out
}

type putProvisionedInput struct {
	FunctionName                    string `aws:"uri=FunctionName" json:"-"`
	Qualifier                       string `aws:"querystring=Qualifier" json:"-"`
	ProvisionedConcurrentExecutions *int   `json:"ProvisionedConcurrentExecutions"`
}

func (a *lambdaAPI) putProvisioned(c *awsapi.Call, in *putProvisionedInput) (provisionedConfig, error) {
	name, qual, err := a.resolveRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return provisionedConfig{}, err
	}
	if in.ProvisionedConcurrentExecutions == nil {
		return provisionedConfig{}, invalidf("ProvisionedConcurrentExecutions is required")
	}
	pc, err := a.s.PutProvisionedConcurrency(c.Context(), name, qual, *in.ProvisionedConcurrentExecutions)
	if err != nil {
		return provisionedConfig{}, a.versionsError(name, err)
	}
	return a.provisionedWire(pc, false), nil
}

func (a *lambdaAPI) getProvisioned(c *awsapi.Call, in *fnRef) (provisionedConfig, error) {
	name, qual, err := a.resolveRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return provisionedConfig{}, err
	}
	pc, err := a.s.ProvisionedConcurrency(c.Context(), name, qual)
	if err != nil {
		return provisionedConfig{}, a.versionsError(name, err)
	}
	return a.provisionedWire(pc, false), nil
}

func (a *lambdaAPI) deleteProvisioned(c *awsapi.Call, in *fnRef) (awsapi.None, error) {
	name, qual, err := a.resolveRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := a.s.DeleteProvisionedConcurrency(c.Context(), name, qual); err != nil {
		return awsapi.None{}, a.versionsError(name, err)
	}
	return awsapi.None{}, nil
}

type listProvisionedOutput struct {
	ProvisionedConcurrencyConfigs []provisionedConfig `json:"ProvisionedConcurrencyConfigs"`
	NextMarker                    string              `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listProvisioned(c *awsapi.Call, in *fnListInput) (listProvisionedOutput, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return listProvisionedOutput{}, err
	}
	marker, max, err := pageParams(in.Marker, in.MaxItems)
	if err != nil {
		return listProvisionedOutput{}, err
	}
	all, err := a.s.ProvisionedConcurrencies(c.Context(), name)
	if err != nil {
		return listProvisionedOutput{}, a.notFound(name, err)
	}
	items, next := awsapi.PageAfter(all, func(pc *ProvisionedConcurrency) string { return pc.Qualifier }, marker, max, 50)
	out := listProvisionedOutput{ProvisionedConcurrencyConfigs: []provisionedConfig{}, NextMarker: next}
	for _, pc := range items {
		out.ProvisionedConcurrencyConfigs = append(out.ProvisionedConcurrencyConfigs, a.provisionedWire(pc, true))
	}
	return out, nil
}
