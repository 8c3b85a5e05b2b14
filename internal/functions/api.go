package functions

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Invoke payload limits (Lambda's quotas).
const (
	MaxSyncPayload  = 6 * 1024 * 1024 // 6 MB
	MaxAsyncPayload = 1024 * 1024     // 1 MB (it was 256 KB until 2025)
	logTailBytes    = 4 * 1024
)

// Headers nubo adds to GetFunction so `nubo functions` can show instances.
const (
	HeaderWarmInstances = "X-Nubo-Warm-Instances"
	HeaderBusyInstances = "X-Nubo-Busy-Instances"
)

// lambdaAPI is the Lambda REST-JSON API's handlers, as aws-sdk-go-v2's
// service/lambda and the AWS CLI call them; NewAPI (api_ops.go) declares
// them as an operation table.
type lambdaAPI struct {
	s        *Service
	log      *slog.Logger
	policies *PolicyStore   // the policy operations (api_policy.go); nil: not served
	urls     URLStore       // the function URL operations (api_url.go); nil: not served
	set      *settingsStore // stored settings (settings.go)
	esm      *EventSources  // the event source mapping operations (api_esm.go); nil: not served
}

// authorize asks the service's authorizer whether the caller may perform
// action on resource.
func (a *lambdaAPI) authorize(r *http.Request, action, resource string, cond map[string][]string) error {
	return awsapi.Authorize(r.Context(), a.s.opts.Authorizer, awsapi.AuthzRequest{
		Service: "lambda", Action: action, Resource: resource, Context: cond, HTTP: r,
	})
}

// authorizePassRole checks iam:PassRole on the role a function is given.
func (a *lambdaAPI) authorizePassRole(r *http.Request, role string) error {
	if role == "" {
		return nil
	}
	return a.authorize(r, "iam:PassRole", role, map[string][]string{"iam:PassedToService": {lambdaPrincipal}})
}

// reasonError is TooManyRequestsException with its Reason member.
type reasonError struct {
	e      *awsapi.Error
	reason string
}

func (r *reasonError) Error() string { return r.e.Error() }

// mapError is the Lambda table's MapError: Lambda's wire error, with the
// Reason member of a throttle.
func mapError(err error) error {
	e := wireError(err)
	var re *reasonError
	if errors.As(err, &re) {
		withReason := *re.e
		withReason.Members = map[string]string{"Reason": re.reason}
		return &withReason
	}
	return e
}

// functionNotFound is Lambda's 404 for a missing function (or version).
func functionNotFound(arn string) *awsapi.Error {
	return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+arn)
}

// wireError is the one place domain errors become Lambda's wire errors.
func wireError(err error) *awsapi.Error {
	var ae *awsapi.Error
	var re *reasonError
	var ip *InvalidParameterError
	var nf *notFoundError
	switch {
	case errors.As(err, &re):
		return re.e
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &nf):
		return functionNotFound(nf.arn)
	case errors.As(err, &ip):
		return awsapi.InvalidParameter("%s", ip.Message)
	case errors.Is(err, ErrURLNotFound):
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	case errors.Is(err, ErrFunctionExists):
		return awsapi.NewError(http.StatusConflict, "ResourceConflictException", err.Error())
	case errors.Is(err, ErrRevisionMismatch):
		return awsapi.NewError(http.StatusPreconditionFailed, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	case errors.Is(err, ErrClosing):
		return awsapi.NewError(http.StatusServiceUnavailable, "ServiceException", "nubo is shutting down and takes no new invocations")
	}
	return awsapi.InternalError(err)
}

type notFoundError struct {
	arn   string
	cause error
}

func (e *notFoundError) Error() string { return "function not found: " + e.arn }
func (e *notFoundError) Unwrap() error { return e.cause }

// latestRef resolves a typed input's FunctionName and Qualifier for an
// operation on $LATEST: any other qualifier is refused as a version that
// does not exist there.
func (a *lambdaAPI) latestRef(raw, q string) (string, error) {
	name, qual, err := a.resolveRef(raw, q)
	if err != nil {
		return "", err
	}
	if qual != "" && qual != latestVersion {
		return "", &notFoundError{arn: a.s.qualifiedARN(name, qual)}
	}
	return name, nil
}

// refQ resolves the {FunctionName} path value (name, partial or full ARN,
// with an optional qualifier) and the Qualifier query parameter.
func (a *lambdaAPI) refQ(r *http.Request) (name, qual string, err error) {
	return a.resolveRef(r.PathValue("FunctionName"), r.URL.Query().Get("Qualifier"))
}

// resolveRef is refQ for a typed input's FunctionName and Qualifier.
func (a *lambdaAPI) resolveRef(raw, q string) (name, qual string, err error) {
	name, qual, err = parseFunctionRef(raw)
	if err != nil {
		return "", "", awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: %v", raw, err)
	}
	if q != "" {
		if qual != "" && qual != q {
			return "", "", awsapi.InvalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
		}
		qual = q
	}
	if arn := a.foreignARN(raw); arn != "" { // another account's or region's
		return "", "", &notFoundError{arn: arn}
	}
	return name, qual, nil
}

// notFound turns ErrFunctionNotFound into Lambda's 404 naming the ARN.
func (a *lambdaAPI) notFound(name string, err error) error {
	var nf *notFoundError
	if errors.As(err, &nf) {
		return err // names its version or alias already
	}
	if errors.Is(err, ErrFunctionNotFound) {
		return &notFoundError{arn: a.s.account.FunctionARN(name), cause: err}
	}
	return err
}

// decodeBytes decodes a JSON request body into v (the table's DecodeJSON):
// an empty body leaves v as it is; one that is not JSON is Lambda's
// InvalidRequestContentException.
func decodeBytes(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return awsapi.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: %v", err)
	}
	return nil
}

// ---- wire shapes ----

type environment struct {
	Variables map[string]string `json:"Variables"`
}

type loggingConfig struct {
	LogFormat string `json:"LogFormat,omitempty"`
	LogGroup  string `json:"LogGroup,omitempty"`
}

type functionConfiguration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler,omitempty"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	Environment      *environment      `json:"Environment,omitempty"`
	RevisionId       string            `json:"RevisionId"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage map[string]int    `json:"EphemeralStorage"`
	LoggingConfig    loggingConfig     `json:"LoggingConfig"`
	TracingConfig    map[string]string `json:"TracingConfig"`
	Layers           []layerUse        `json:"Layers,omitempty"`
}

// layerUse is a function configuration's entry for one of its layers.
type layerUse struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
}

func toWire(c *Config) functionConfiguration {
	arn := c.ARN
	if c.Version != "" {
		arn += ":" + c.Version
	}
	fc := functionConfiguration{
		FunctionName: c.Name, FunctionArn: arn, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler,
		CodeSize: c.CodeSize, Description: c.Description, Timeout: int(c.Timeout / time.Second), MemorySize: c.MemoryMB,
		LastModified: c.LastModified.UTC().Format("2006-01-02T15:04:05.000-0700"), CodeSha256: c.CodeSHA256,
		Version: c.VersionLabel(), RevisionId: c.RevisionID, State: "Active", LastUpdateStatus: "Successful",
		PackageType: "Zip", Architectures: []string{c.Architecture}, EphemeralStorage: map[string]int{"Size": 512},
		LoggingConfig: loggingConfig{LogFormat: "Text", LogGroup: c.LogGroup},
		TracingConfig: map[string]string{"Mode": tracingMode(c.TracingMode)},
	}
	if len(c.Environment) > 0 {
		fc.Environment = &environment{Variables: c.Environment}
	}
	for _, l := range c.Layers {
		fc.Layers = append(fc.Layers, layerUse{Arn: l.ARN, CodeSize: l.CodeSize})
	}
	return fc
}

type functionCode struct {
	ZipFile         []byte  `json:"ZipFile"`
	S3Bucket        *string `json:"S3Bucket"`
	ImageUri        *string `json:"ImageUri"`
	SourceKMSKeyArn *string `json:"SourceKMSKeyArn"`
}

type createFunctionInput struct {
	FunctionName  string            `json:"FunctionName"`
	Runtime       string            `json:"Runtime"`
	Role          string            `json:"Role"`
	Handler       string            `json:"Handler"`
	Description   string            `json:"Description"`
	Timeout       *int              `json:"Timeout"`
	MemorySize    *int              `json:"MemorySize"`
	Code          *functionCode     `json:"Code"`
	Environment   *environment      `json:"Environment"`
	Architectures []string          `json:"Architectures"`
	PackageType   string            `json:"PackageType"`
	LoggingConfig *loggingConfig    `json:"LoggingConfig"`
	Tags          map[string]string `json:"Tags"`
	Layers        []string          `json:"Layers"`
	TracingConfig *tracingConfig    `json:"TracingConfig"`
}

// tracingConfig is a function's X-Ray setting, kept as given.
type tracingConfig struct {
	Mode string `json:"Mode"`
}

// tracingMode is how Lambda reports a function's mode: PassThrough unless
// set.
func tracingMode(m string) string {
	if m == "" {
		return "PassThrough"
	}
	return m
}

// checkTracing refuses a mode Lambda's model does not have.
func checkTracing(t *tracingConfig) error {
	if t == nil || t.Mode == "Active" || t.Mode == "PassThrough" {
		return nil
	}
	return awsapi.ValidationError("1 validation error detected: Value '%s' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]", t.Mode)
}

// createName is the function a CreateFunction request names, refused as
// Lambda refuses it: before authorization.
func (a *lambdaAPI) createName(r *http.Request, in *createFunctionInput) (string, error) {
	if in.FunctionName == "" {
		return "", awsapi.InvalidParameter("FunctionName is required")
	}
	name, qual, err := parseFunctionRef(in.FunctionName)
	if err != nil || qual != "" {
		return "", awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern", in.FunctionName)
	}
	if err := a.refuseForeignCreate(r, in.FunctionName); err != nil {
		return "", err
	}
	return name, nil
}

// createFunctionTargets: CreateFunction is authorized on the ARN of the
// function its body names, with the tags it sets.
func (a *lambdaAPI) createFunctionTargets(c *awsapi.Call, in *createFunctionInput) ([]awsapi.Target, error) {
	name, err := a.createName(c.R, in)
	if err != nil {
		return nil, err
	}
	return []awsapi.Target{{Resource: a.s.account.FunctionARN(name), RequestTags: in.Tags}}, nil
}

func (a *lambdaAPI) createFunction(call *awsapi.Call, in *createFunctionInput) (functionConfiguration, error) {
	fc, err := a.create(call.R, in)
	if err != nil {
		return functionConfiguration{}, err
	}
	return toWire(fc), nil
}

func (a *lambdaAPI) create(r *http.Request, in *createFunctionInput) (*Config, error) {
	name, err := a.createName(r, in) // again: the table asks only with an authorizer
	if err != nil {
		return nil, err
	}
	if err := a.authorizePassRole(r, in.Role); err != nil {
		return nil, err
	}
	if err := a.authorizeCreateTags(r, name, in.Tags); err != nil {
		return nil, err
	}
	if in.PackageType == "Image" || (in.Code != nil && in.Code.ImageUri != nil) {
		return nil, awsapi.InvalidParameter("PackageType Image is not supported by nubo: upload a .zip package")
	}
	if in.Code == nil || in.Code.ZipFile == nil {
		if in.Code != nil && in.Code.S3Bucket != nil {
			return nil, awsapi.InvalidParameter("Code.S3Bucket is not supported by nubo yet: pass the package in Code.ZipFile")
		}
		return nil, awsapi.InvalidParameter("Code.ZipFile is required")
	}
	if in.Runtime == "" {
		return nil, awsapi.InvalidParameter("Runtime is required for a .zip deployment package")
	}
	cfg := Config{Name: name, Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description, Tags: in.Tags}
	if in.MemorySize != nil {
		if *in.MemorySize == 0 {
			return nil, invalidf("MemorySize 0 is out of range: it must be between 128 and 10240 MB")
		}
		cfg.MemoryMB = *in.MemorySize
	}
	if in.Timeout != nil {
		if *in.Timeout <= 0 {
			return nil, invalidf("Timeout %d is out of range: it must be between 1 and 900 seconds", *in.Timeout)
		}
		cfg.Timeout = time.Duration(*in.Timeout) * time.Second
	}
	if in.Environment != nil {
		cfg.Environment = in.Environment.Variables
	}
	if err := checkArchitectures(in.Architectures); err != nil {
		return nil, err
	}
	if err := checkTracing(in.TracingConfig); err != nil {
		return nil, err
	}
	if in.TracingConfig != nil {
		cfg.TracingMode = in.TracingConfig.Mode
	}
	if len(in.Architectures) == 1 {
		cfg.Architecture = in.Architectures[0]
	}
	if in.LoggingConfig != nil {
		cfg.LogGroup = in.LoggingConfig.LogGroup
	}
	for _, arn := range in.Layers {
		cfg.Layers = append(cfg.Layers, LayerRef{ARN: arn})
	}
	c, err := a.s.Create(r.Context(), cfg, in.Code.ZipFile)
	if errors.Is(err, ErrFunctionExists) {
		return nil, awsapi.NewError(http.StatusConflict, "ResourceConflictException", "Function already exist: "+name)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// function reads the function (version, alias) a typed input names, or the
// ResourceNotFoundException a client expects.
func (a *lambdaAPI) function(c *awsapi.Call, raw, q string) (string, *Config, error) {
	name, qual, err := a.resolveRef(raw, q)
	if err != nil {
		return "", nil, err
	}
	fc, err := a.s.GetVersion(c.Context(), name, qual)
	if err != nil {
		return name, nil, a.notFound(name, err)
	}
	return name, fc, nil
}

// getFunctionOutput is GetFunction's answer, with the instance counts
// `nubo functions` shows in nubo's own headers.
type getFunctionOutput struct {
	Configuration functionConfiguration `json:"Configuration"`
	Code          map[string]string     `json:"Code"`
	Tags          map[string]string     `json:"Tags"`
	Concurrency   *concurrencyBody      `json:"Concurrency,omitempty"`
	Warm          int                   `aws:"header=X-Nubo-Warm-Instances" json:"-"`
	Busy          int                   `aws:"header=X-Nubo-Busy-Instances" json:"-"`
}

func (a *lambdaAPI) getFunction(c *awsapi.Call, in *fnRef) (getFunctionOutput, error) {
	name, fc, err := a.function(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return getFunctionOutput{}, err
	}
	out := getFunctionOutput{
		Configuration: a.configWire(fc, in.FunctionName, in.Qualifier), // api_versions.go
		Code:          map[string]string{"RepositoryType": "S3"},
		Tags:          a.visibleTags(c.R, fc),
	}
	if fc.ReservedConcurrency != nil {
		out.Concurrency = &concurrencyBody{ReservedConcurrentExecutions: fc.ReservedConcurrency}
	}
	out.Warm, out.Busy = a.s.Instances(name)
	return out, nil
}

func (a *lambdaAPI) getFunctionConfiguration(c *awsapi.Call, in *fnRef) (functionConfiguration, error) {
	_, fc, err := a.function(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return functionConfiguration{}, err
	}
	return a.configWire(fc, in.FunctionName, in.Qualifier), nil
}

type listFunctionsInput struct {
	Marker   string `aws:"querystring=Marker"`
	MaxItems string `aws:"querystring=MaxItems"`
}

type listFunctionsOutput struct {
	Functions  []functionConfiguration `json:"Functions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listFunctions(c *awsapi.Call, in *listFunctionsInput) (listFunctionsOutput, error) {
	max := 50
	if v := in.MaxItems; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return listFunctionsOutput{}, awsapi.InvalidParameter("MaxItems %q: must be a number between 1 and 10000", v)
		}
		max = n
	}
	all, err := a.s.List(c.Context())
	if err != nil {
		return listFunctionsOutput{}, err
	}
	start := 0
	if in.Marker != "" {
		start = len(all)
		for i, fc := range all {
			if fc.Name > in.Marker {
				start = i
				break
			}
		}
	}
	out := listFunctionsOutput{Functions: []functionConfiguration{}}
	for i := start; i < len(all) && len(out.Functions) < max; i++ {
		out.Functions = append(out.Functions, toWire(all[i]))
		if len(out.Functions) == max && i+1 < len(all) {
			out.NextMarker = all[i].Name
		}
	}
	return out, nil
}

func (a *lambdaAPI) deleteFunction(c *awsapi.Call, in *fnRef) (awsapi.None, error) {
	name, qual, err := a.resolveRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return awsapi.None{}, err
	}
	if qual != "" { // a version (api_versions.go)
		return awsapi.None{}, a.deleteVersion(c, name, qual)
	}
	ctx := c.Context()
	if err := a.s.Delete(ctx, name); err != nil {
		return awsapi.None{}, a.notFound(name, err)
	}
	if a.policies != nil { // the function's policy goes with it
		if err := a.policies.Forget(ctx, name); err != nil {
			return awsapi.None{}, err
		}
	}
	if err := a.set.forget(ctx, name); err != nil { // and its stored settings
		return awsapi.None{}, err
	}
	if a.urls != nil { // and its URLs
		for _, u := range a.urls.ListURLs(name) {
			if err := a.urls.DeleteURL(ctx, name, u.Qualifier); err != nil && !errors.Is(err, ErrURLNotFound) {
				return awsapi.None{}, fmt.Errorf("function %s: delete url: %w", name, err)
			}
		}
	}
	return awsapi.None{}, nil
}

type updateCodeInput struct {
	FunctionName string  `aws:"uri=FunctionName" json:"-"`
	Qualifier    string  `aws:"querystring=Qualifier" json:"-"`
	ZipFile      []byte  `json:"ZipFile"`
	S3Bucket     *string `json:"S3Bucket"`
	ImageUri     *string `json:"ImageUri"`
	RevisionId   string  `json:"RevisionId"`
	Publish      bool    `json:"Publish"`
	DryRun       bool    `json:"DryRun"`
}

func (a *lambdaAPI) updateFunctionCode(c *awsapi.Call, in *updateCodeInput) (functionConfiguration, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return functionConfiguration{}, err
	}
	switch {
	case in.ImageUri != nil:
		return functionConfiguration{}, awsapi.InvalidParameter("ImageUri is not supported by nubo: upload a .zip package")
	case in.S3Bucket != nil:
		return functionConfiguration{}, awsapi.InvalidParameter("S3Bucket is not supported by nubo yet: pass the package in ZipFile")
	case in.ZipFile == nil:
		return functionConfiguration{}, awsapi.InvalidParameter("ZipFile is required")
	}
	if in.DryRun {
		fc, err := a.s.Get(c.Context(), name)
		if err != nil {
			return functionConfiguration{}, a.notFound(name, err)
		}
		if _, err := checkZip(in.ZipFile, fc.Runtime); err != nil {
			return functionConfiguration{}, invalidf("%v", err)
		}
		return toWire(fc), nil
	}
	fc, err := a.s.UpdateCode(c.Context(), name, in.ZipFile, in.RevisionId)
	if err != nil {
		return functionConfiguration{}, a.notFound(name, err)
	}
	return toWire(fc), nil
}

type updateConfigInput struct {
	FunctionName  string         `aws:"uri=FunctionName" json:"-"`
	Qualifier     string         `aws:"querystring=Qualifier" json:"-"`
	Runtime       *string        `json:"Runtime"`
	Role          *string        `json:"Role"`
	Handler       *string        `json:"Handler"`
	Description   *string        `json:"Description"`
	Timeout       *int           `json:"Timeout"`
	MemorySize    *int           `json:"MemorySize"`
	Environment   *environment   `json:"Environment"`
	LoggingConfig *loggingConfig `json:"LoggingConfig"`
	Layers        *[]string      `json:"Layers"`
	RevisionId    string         `json:"RevisionId"`
	TracingConfig *tracingConfig `json:"TracingConfig"`
}

func (a *lambdaAPI) updateFunctionConfiguration(c *awsapi.Call, in *updateConfigInput) (functionConfiguration, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return functionConfiguration{}, err
	}
	if in.Role != nil {
		if err := a.authorizePassRole(c.R, *in.Role); err != nil {
			return functionConfiguration{}, err
		}
	}
	u := ConfigUpdate{Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description, MemoryMB: in.MemorySize, Layers: in.Layers, RevisionID: in.RevisionId}
	if in.Timeout != nil {
		d := time.Duration(*in.Timeout) * time.Second
		u.Timeout = &d
	}
	if in.Environment != nil {
		u.Environment = in.Environment.Variables
		if u.Environment == nil {
			u.Environment = map[string]string{}
		}
	}
	if in.LoggingConfig != nil {
		u.LogGroup = &in.LoggingConfig.LogGroup
	}
	if err := checkTracing(in.TracingConfig); err != nil {
		return functionConfiguration{}, err
	}
	if in.TracingConfig != nil {
		u.TracingMode = &in.TracingConfig.Mode
	}
	fc, err := a.s.UpdateConfig(c.Context(), name, u)
	if err != nil {
		return functionConfiguration{}, a.notFound(name, err)
	}
	return toWire(fc), nil
}

// ---- invoke ----

func (a *lambdaAPI) invoke(w http.ResponseWriter, r *http.Request) error {
	name, qual, err := a.refQ(r)
	if err != nil {
		return err
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	limit := MaxSyncPayload
	switch typ {
	case "", "RequestResponse", "DryRun":
	case "Event":
		limit = MaxAsyncPayload
	default:
		return awsapi.InvalidParameter("X-Amz-Invocation-Type %q: must be RequestResponse, Event or DryRun", typ)
	}
	if lt := r.Header.Get("X-Amz-Log-Type"); lt != "" && lt != "None" && lt != "Tail" {
		return awsapi.InvalidParameter("X-Amz-Log-Type %q: must be None or Tail", lt)
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return awsapi.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "read payload: %v", err)
	}
	if len(payload) > limit {
		return awsapi.Errorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			"Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	} else if !json.Valid(payload) {
		return awsapi.NewError(http.StatusBadRequest, "InvalidRequestContentException",
			"Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	ctx := r.Context()
	switch typ {
	case "DryRun":
		if _, err := a.s.GetVersion(ctx, name, qual); err != nil {
			return a.notFound(name, err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case "Event":
		if _, err := a.s.GetVersion(ctx, name, qual); err != nil {
			return a.notFound(name, err)
		}
		rid, err := a.s.InvokeAsync(ctx, qualified(name, qual), payload)
		if err != nil {
			return a.notFound(name, err)
		}
		w.Header().Set("X-Amzn-RequestId", rid)
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	req := &Request{
		RequestID: awsapi.RequestID(ctx),
		Payload:   payload,
		Tail:      r.Header.Get("X-Amz-Log-Type") == "Tail",
		TraceID:   r.Header.Get("X-Amzn-Trace-Id"),
	}
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" {
		raw, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(raw) {
			return awsapi.InvalidParameter("X-Amz-Client-Context must be base64-encoded JSON")
		}
		req.ClientContext = cc
	}
	res, err := a.s.Invoke(ctx, qualified(name, qual), req)
	if err != nil {
		return a.invokeError(name, err)
	}
	h := w.Header()
	h.Set("X-Amz-Executed-Version", res.ExecutedVersion)
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if req.Tail {
		tail := res.LogTail
		if len(tail) > logTailBytes {
			tail = tail[len(tail)-logTailBytes:]
		}
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(tail))
	}
	ct := res.ContentType
	if ct == "" {
		ct = "application/json"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(res.Payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
	return nil
}

func (a *lambdaAPI) invokeError(name string, err error) error {
	switch {
	case errors.Is(err, ErrReservedConcurrency):
		return &reasonError{e: throttled(), reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}
	case errors.Is(err, ErrConcurrencyLimit):
		return &reasonError{e: throttled(), reason: "ConcurrentInvocationLimitExceeded"}
	case errors.Is(err, context.Canceled):
		return awsapi.NewError(499, "RequestCanceled", "the client went away")
	}
	return a.notFound(name, err)
}

func throttled() *awsapi.Error {
	e := awsapi.NewError(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
	e.Header = http.Header{"Retry-After": {"1"}}
	return e
}

// checkArchitectures refuses what Lambda's model refuses, with its
// ValidationException: more than one architecture, or one that is not
// x86_64 or arm64.
func checkArchitectures(archs []string) error {
	list := "[" + strings.Join(archs, ", ") + "]"
	if len(archs) > 1 {
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1", list)
	}
	for _, a := range archs {
		if a != "x86_64" && a != "arm64" {
			return awsapi.ValidationError("1 validation error detected: Value '%s' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]", list)
		}
	}
	return nil
}
