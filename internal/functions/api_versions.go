package functions

import (
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

// eicRef is the event invoke config routes' function: NAME, or
// NAME:QUALIFIER for a version's or alias's own config.
func (a *lambdaAPI) eicRef(r *http.Request) (string, error) {
	name, qual, err := a.refQ(r)
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
func (a *lambdaAPI) urlQualifier(r *http.Request, name, qual string) (string, error) {
	if qual == "" || qual == latestVersion {
		return "", nil
	}
	if isDigits(qual) { // a version has no URL
		return "", &notFoundError{arn: a.s.qualifiedARN(name, qual)}
	}
	if _, err := a.s.GetAlias(r.Context(), name, qual); err != nil {
		return "", a.aliasNotFound(name, qual, err)
	}
	return qual, nil
}

// configWire is toWire for GetFunction and GetFunctionConfiguration: read
// through an alias, the configuration is the alias's version's under the
// alias's ARN, as Lambda answers.
func (a *lambdaAPI) configWire(r *http.Request, c *Config) functionConfiguration {
	fc := toWire(c)
	if _, qual, err := a.refQ(r); err == nil {
		if kind, _, err := classifyQualifier(qual); err == nil && kind == qualAlias {
			fc.FunctionArn = a.s.qualifiedARN(c.Name, qual)
		}
	}
	return fc
}

// ---- versions ----

type publishVersionInput struct {
	CodeSha256  string `json:"CodeSha256"`
	Description string `json:"Description"`
	RevisionId  string `json:"RevisionId"`
}

func (a *lambdaAPI) publishVersion(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	var in publishVersionInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if len(in.Description) > 256 {
		return invalidf("Description is %d characters: the limit is 256", len(in.Description))
	}
	c, err := a.s.PublishVersion(r.Context(), name, in.CodeSha256, in.Description, in.RevisionId)
	if err != nil {
		return a.versionsError(name, err)
	}
	awsapi.WriteJSON(w, http.StatusCreated, toWire(c))
	return nil
}

// pageParams reads Marker and MaxItems (1-10000, default 50).
func pageParams(r *http.Request) (marker string, max int, err error) {
	q := r.URL.Query()
	max = 50
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return "", 0, awsapi.InvalidParameter("MaxItems %q: must be a number between 1 and 10000", v)
		}
		max = n
	}
	return q.Get("Marker"), max, nil
}

// window returns the items after marker (by id), at most max, and the next
// marker when more follow.
func window[T any](items []T, id func(T) string, marker string, max int) ([]T, string) {
	start := 0
	if marker != "" {
		start = len(items)
		for i, it := range items {
			if id(it) == marker {
				start = i + 1
				break
			}
		}
	}
	end := min(start+max, len(items))
	next := ""
	if end < len(items) {
		next = id(items[end-1])
	}
	return items[start:end], next
}

func (a *lambdaAPI) listVersions(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	marker, max, err := pageParams(r)
	if err != nil {
		return err
	}
	all, err := a.s.Versions(r.Context(), name)
	if err != nil {
		return a.notFound(name, err)
	}
	items, next := window(all, func(c *Config) string { return c.VersionLabel() }, marker, max)
	out := struct {
		Versions   []functionConfiguration `json:"Versions"`
		NextMarker string                  `json:"NextMarker,omitempty"`
	}{Versions: []functionConfiguration{}, NextMarker: next}
	for _, c := range items {
		fc := toWire(c)
		if c.Version == "" {
			fc.FunctionArn += ":" + latestVersion // as Lambda lists it
		}
		out.Versions = append(out.Versions, fc)
	}
	awsapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// deleteVersion is DeleteFunction with a Qualifier: one published version.
func (a *lambdaAPI) deleteVersion(w http.ResponseWriter, r *http.Request, name, qualifier string) error {
	if err := a.s.DeleteVersion(r.Context(), name, qualifier); err != nil {
		return a.versionsError(name, err)
	}
	w.WriteHeader(http.StatusNoContent)
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

type aliasInput struct {
	Name            string         `json:"Name"`
	FunctionVersion *string        `json:"FunctionVersion"`
	Description     *string        `json:"Description"`
	RoutingConfig   *routingConfig `json:"RoutingConfig"`
	RevisionId      string         `json:"RevisionId"`
}

func (a *lambdaAPI) createAlias(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	var in aliasInput
	if err := decodeBody(r, &in); err != nil {
		return err
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
	out, err := a.s.CreateAlias(r.Context(), al)
	if err != nil {
		return a.versionsError(name, err)
	}
	awsapi.WriteJSON(w, http.StatusCreated, a.aliasWire(out))
	return nil
}

func (a *lambdaAPI) getAlias(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	alias := r.PathValue("Name")
	al, err := a.s.GetAlias(r.Context(), name, alias)
	if err != nil {
		return a.aliasNotFound(name, alias, err)
	}
	awsapi.WriteJSON(w, http.StatusOK, a.aliasWire(al))
	return nil
}

func (a *lambdaAPI) updateAlias(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	alias := r.PathValue("Name")
	var in aliasInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	u := AliasUpdate{FunctionVersion: in.FunctionVersion, Description: in.Description, RevisionID: in.RevisionId}
	if in.RoutingConfig != nil {
		u.Weights = in.RoutingConfig.AdditionalVersionWeights
		if u.Weights == nil {
			u.Weights = map[string]float64{}
		}
	}
	al, err := a.s.UpdateAlias(r.Context(), name, alias, u)
	if err != nil {
		return a.aliasNotFound(name, alias, err)
	}
	awsapi.WriteJSON(w, http.StatusOK, a.aliasWire(al))
	return nil
}

func (a *lambdaAPI) deleteAlias(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	alias := r.PathValue("Name")
	if err := a.s.DeleteAlias(r.Context(), name, alias); err != nil {
		return a.aliasNotFound(name, alias, err)
	}
	if a.urls != nil { // the alias's URL goes with it
		if err := a.urls.DeleteURL(r.Context(), name, alias); err != nil && !errors.Is(err, ErrURLNotFound) {
			return fmt.Errorf("function %s: delete the url of alias %s: %w", name, alias, err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *lambdaAPI) listAliases(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	marker, max, err := pageParams(r)
	if err != nil {
		return err
	}
	all, err := a.s.Aliases(r.Context(), name, r.URL.Query().Get("FunctionVersion"))
	if err != nil {
		return a.notFound(name, err)
	}
	items, next := window(all, func(al *Alias) string { return al.Name }, marker, max)
	out := struct {
		Aliases    []aliasConfiguration `json:"Aliases"`
		NextMarker string               `json:"NextMarker,omitempty"`
	}{Aliases: []aliasConfiguration{}, NextMarker: next}
	for _, al := range items {
		out.Aliases = append(out.Aliases, a.aliasWire(al))
	}
	awsapi.WriteJSON(w, http.StatusOK, out)
	return nil
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

func (a *lambdaAPI) provisionedRef(r *http.Request) (string, string, error) {
	return a.refQ(r)
}

func (a *lambdaAPI) putProvisioned(w http.ResponseWriter, r *http.Request) error {
	name, qual, err := a.provisionedRef(r)
	if err != nil {
		return err
	}
	var in struct {
		ProvisionedConcurrentExecutions *int `json:"ProvisionedConcurrentExecutions"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.ProvisionedConcurrentExecutions == nil {
		return invalidf("ProvisionedConcurrentExecutions is required")
	}
	pc, err := a.s.PutProvisionedConcurrency(r.Context(), name, qual, *in.ProvisionedConcurrentExecutions)
	if err != nil {
		return a.versionsError(name, err)
	}
	awsapi.WriteJSON(w, http.StatusAccepted, a.provisionedWire(pc, false))
	return nil
}

func (a *lambdaAPI) getProvisioned(w http.ResponseWriter, r *http.Request) error {
	name, qual, err := a.provisionedRef(r)
	if err != nil {
		return err
	}
	pc, err := a.s.ProvisionedConcurrency(r.Context(), name, qual)
	if err != nil {
		return a.versionsError(name, err)
	}
	awsapi.WriteJSON(w, http.StatusOK, a.provisionedWire(pc, false))
	return nil
}

func (a *lambdaAPI) deleteProvisioned(w http.ResponseWriter, r *http.Request) error {
	name, qual, err := a.provisionedRef(r)
	if err != nil {
		return err
	}
	if err := a.s.DeleteProvisionedConcurrency(r.Context(), name, qual); err != nil {
		return a.versionsError(name, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *lambdaAPI) listProvisioned(w http.ResponseWriter, r *http.Request) error {
	name, err := a.ref(r)
	if err != nil {
		return err
	}
	marker, max, err := pageParams(r)
	if err != nil {
		return err
	}
	all, err := a.s.ProvisionedConcurrencies(r.Context(), name)
	if err != nil {
		return a.notFound(name, err)
	}
	items, next := window(all, func(pc *ProvisionedConcurrency) string { return pc.Qualifier }, marker, max)
	out := struct {
		ProvisionedConcurrencyConfigs []provisionedConfig `json:"ProvisionedConcurrencyConfigs"`
		NextMarker                    string              `json:"NextMarker,omitempty"`
	}{ProvisionedConcurrencyConfigs: []provisionedConfig{}, NextMarker: next}
	for _, pc := range items {
		out.ProvisionedConcurrencyConfigs = append(out.ProvisionedConcurrencyConfigs, a.provisionedWire(pc, true))
	}
	awsapi.WriteJSON(w, http.StatusOK, out)
	return nil
}
