package functions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// CreateFunctionUrlConfig, GetFunctionUrlConfig, UpdateFunctionUrlConfig,
// DeleteFunctionUrlConfig and ListFunctionUrlConfigs on the Lambda API. The
// URLs are the gateway's (the same ones AWS::Lambda::Url creates); the
// platform adapts them to URLStore, so this package does not know the
// gateway. A URL with AuthType NONE is still invoked only as its function's
// resource policy allows (lambda:InvokeFunctionUrl, AddPermission with
// FunctionUrlAuthType NONE).

// Function URL auth types and invoke modes.
const (
	URLAuthNone        = "NONE"
	URLAuthIAM         = "AWS_IAM"
	URLInvokeBuffered  = "BUFFERED"
	URLInvokeStreaming = "RESPONSE_STREAM"
)

// ErrURLNotFound: the function has no URL for the qualifier.
var ErrURLNotFound = errors.New("function url not found")

// URLCors is a function URL's CORS configuration.
type URLCors struct {
	AllowCredentials bool
	AllowHeaders     []string
	AllowMethods     []string
	AllowOrigins     []string
	ExposeHeaders    []string
	MaxAge           int
}

// FunctionURLConfig is a function URL as the Lambda API shows it.
type FunctionURLConfig struct {
	ID        string // the url id, set by the store on creation
	Function  string // the function's name
	Qualifier string // an alias, "" for the unqualified function
	// Address is the URL's address (FunctionUrl), set by the store.
	Address    string
	AuthType   string
	InvokeMode string
	Cors       *URLCors
	// CreationTime and LastModified are set by the store.
	CreationTime, LastModified time.Time
}

// URLStore keeps function URLs. Put creates the URL when ID is empty and
// replaces the one with that ID otherwise; Delete returns ErrURLNotFound
// when there is none; List answers a function's URLs in a stable order.
// Errors of a configuration the store refuses are *InvalidParameterError.
type URLStore interface {
	GetURL(function, qualifier string) (FunctionURLConfig, bool)
	ListURLs(function string) []FunctionURLConfig
	PutURL(ctx context.Context, c FunctionURLConfig) (FunctionURLConfig, error)
	DeleteURL(ctx context.Context, function, qualifier string) error
}

type urlCorsWire struct {
	AllowCredentials *bool    `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigins     []string `json:"AllowOrigins,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           *int     `json:"MaxAge,omitempty"`
}

type urlConfigBody struct {
	FunctionName string       `aws:"uri=FunctionName" json:"-"`
	Qualifier    string       `aws:"querystring=Qualifier" json:"-"`
	AuthType     *string      `json:"AuthType"`
	Cors         *urlCorsWire `json:"Cors"`
	InvokeMode   *string      `json:"InvokeMode"`
}

type urlConfigWire struct {
	FunctionURL      string       `json:"FunctionUrl"`
	FunctionArn      string       `json:"FunctionArn"`
	AuthType         string       `json:"AuthType"`
	Cors             *urlCorsWire `json:"Cors,omitempty"`
	CreationTime     string       `json:"CreationTime"`
	LastModifiedTime string       `json:"LastModifiedTime,omitempty"`
	InvokeMode       string       `json:"InvokeMode,omitempty"`
}

// urlTime is Lambda's ISO-8601 form of a function URL's times.
func urlTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func (a *lambdaAPI) urlWire(c FunctionURLConfig, modified bool) urlConfigWire {
	arn := a.s.account.FunctionARN(c.Function)
	if c.Qualifier != "" {
		arn += ":" + c.Qualifier
	}
	w := urlConfigWire{FunctionURL: c.Address, FunctionArn: arn, AuthType: c.AuthType,
		CreationTime: urlTime(c.CreationTime), InvokeMode: c.InvokeMode}
	if modified {
		w.LastModifiedTime = urlTime(c.LastModified)
	}
	if c.Cors != nil {
		w.Cors = &urlCorsWire{AllowHeaders: c.Cors.AllowHeaders, AllowMethods: c.Cors.AllowMethods,
			AllowOrigins: c.Cors.AllowOrigins, ExposeHeaders: c.Cors.ExposeHeaders}
		if c.Cors.AllowCredentials {
			w.Cors.AllowCredentials = new(true)
		}
		if c.Cors.MaxAge != 0 {
			w.Cors.MaxAge = new(c.Cors.MaxAge)
		}
	}
	return w
}

func validationErr(field, value, constraint string) error {
	return awsapi.Errorf(http.StatusBadRequest, "ValidationException",
		"1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

// apply validates the body and applies the fields it gives to c.
func (in *urlConfigBody) apply(c *FunctionURLConfig) error {
	if in.AuthType != nil {
		if v := *in.AuthType; v != URLAuthNone && v != URLAuthIAM {
			return validationErr("authType", "'"+v+"'", "Member must satisfy enum value set: [AWS_IAM, NONE]")
		}
		c.AuthType = *in.AuthType
	}
	if in.InvokeMode != nil {
		if v := *in.InvokeMode; v != URLInvokeBuffered && v != URLInvokeStreaming {
			return validationErr("invokeMode", "'"+v+"'", "Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]")
		}
		c.InvokeMode = *in.InvokeMode
	}
	if w := in.Cors; w != nil {
		cors := &URLCors{AllowHeaders: w.AllowHeaders, AllowMethods: w.AllowMethods, AllowOrigins: w.AllowOrigins,
			ExposeHeaders: w.ExposeHeaders}
		if w.AllowCredentials != nil {
			cors.AllowCredentials = *w.AllowCredentials
		}
		if w.MaxAge != nil {
			if *w.MaxAge < 0 || *w.MaxAge > 86400 {
				return validationErr("cors.maxAge", strconv.Itoa(*w.MaxAge), "Member must have value between 0 and 86400")
			}
			cors.MaxAge = *w.MaxAge
		}
		for i, m := range cors.AllowMethods {
			if len(m) > 6 {
				return validationErr(fmt.Sprintf("cors.allowMethods.%d.member", i+1), "'"+m+"'", "Member must have length less than or equal to 6")
			}
		}
		if cors.AllowCredentials && slices.Contains(cors.AllowOrigins, "*") {
			return awsapi.InvalidParameter("Cors: AllowOrigins \"*\" cannot be used with AllowCredentials")
		}
		c.Cors = cors
	}
	return nil
}

// authz adds the URL operations' body condition key
// (lambda:FunctionUrlAuthType).
func (in *urlConfigBody) authz(action string, t *awsapi.Target) {
	t.Context = conditionKeys(action, in.AuthType, "", "")
}

// urlTarget resolves the function of a URL request (it must exist) and its
// Qualifier: "" for $LATEST or none, else an alias (urlQualifier).
func (a *lambdaAPI) urlTarget(c *awsapi.Call, raw, q string) (string, string, error) {
	name, qual, err := a.resolveRef(raw, q)
	if err != nil {
		return "", "", err
	}
	if _, err := a.s.Get(c.Context(), name); err != nil {
		return "", "", a.notFound(name, err)
	}
	if qual, err = a.urlQualifier(c.Context(), name, qual); err != nil {
		return "", "", err
	}
	return name, qual, nil
}

func urlNotFound() error { return ErrURLNotFound }

func (a *lambdaAPI) createURL(c *awsapi.Call, in *urlConfigBody) (urlConfigWire, error) {
	name, qual, err := a.urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return urlConfigWire{}, err
	}
	if in.AuthType == nil {
		return urlConfigWire{}, validationErr("authType", "null", "Member must not be null")
	}
	u := FunctionURLConfig{Function: name, Qualifier: qual, InvokeMode: URLInvokeBuffered}
	if err := in.apply(&u); err != nil {
		return urlConfigWire{}, err
	}
	if _, ok := a.urls.GetURL(name, qual); ok {
		return urlConfigWire{}, awsapi.NewError(http.StatusConflict, "ResourceConflictException",
			fmt.Sprintf("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", a.s.qualifiedARN(name, qual)))
	}
	out, err := a.urls.PutURL(c.Context(), u)
	if err != nil {
		return urlConfigWire{}, err
	}
	return a.urlWire(out, false), nil
}

func (a *lambdaAPI) getURL(c *awsapi.Call, in *fnRef) (urlConfigWire, error) {
	name, qual, err := a.urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return urlConfigWire{}, err
	}
	u, ok := a.urls.GetURL(name, qual)
	if !ok {
		return urlConfigWire{}, urlNotFound()
	}
	return a.urlWire(u, true), nil
}

func (a *lambdaAPI) updateURL(c *awsapi.Call, in *urlConfigBody) (urlConfigWire, error) {
	name, qual, err := a.urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return urlConfigWire{}, err
	}
	u, ok := a.urls.GetURL(name, qual)
	if !ok {
		return urlConfigWire{}, urlNotFound()
	}
	if err := in.apply(&u); err != nil {
		return urlConfigWire{}, err
	}
	out, err := a.urls.PutURL(c.Context(), u)
	if err != nil {
		return urlConfigWire{}, err
	}
	return a.urlWire(out, true), nil
}

func (a *lambdaAPI) deleteURL(c *awsapi.Call, in *fnRef) (awsapi.None, error) {
	name, qual, err := a.urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.urls.DeleteURL(c.Context(), name, qual)
}

type listURLsOutput struct {
	FunctionURLConfigs []urlConfigWire `json:"FunctionUrlConfigs"`
	NextMarker         string          `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listURLs(c *awsapi.Call, in *fnListInput) (listURLsOutput, error) {
	name, _, err := a.urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return listURLsOutput{}, err
	}
	max := 50
	if v := in.MaxItems; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return listURLsOutput{}, validationErr("maxItems", strconv.Quote(v), "Member must have value between 1 and 50")
		}
		max = n
	}
	all := a.urls.ListURLs(name)
	start := 0
	if m := in.Marker; m != "" {
		start = slices.IndexFunc(all, func(u FunctionURLConfig) bool { return u.ID == m })
		if start < 0 {
			return listURLsOutput{}, awsapi.InvalidParameter("Marker %q: not a marker of this listing", strings.TrimSpace(m))
		}
	}
	out := listURLsOutput{FunctionURLConfigs: []urlConfigWire{}}
	end := min(start+max, len(all))
	for _, u := range all[start:end] {
		out.FunctionURLConfigs = append(out.FunctionURLConfigs, a.urlWire(u, true))
	}
	if end < len(all) {
		out.NextMarker = all[end].ID
	}
	return out, nil
}
