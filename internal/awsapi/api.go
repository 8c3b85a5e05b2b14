package awsapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Spec declares one AWS API as data: its wire protocol, how requests find
// it, and its operation table. NewAPI turns it into the handler the edge
// serves.
type Spec struct {
	// Service is the SigV4 signing name ("ssm", "lambda", "iam").
	Service string
	// SDKID names the API in the coverage table: aws-sdk-go-v2's service
	// package ("ssm", "lambda", "cloudwatchlogs"); "" for nubo's own APIs.
	SDKID string
	// Protocol is the wire protocol: JSON (awsJson1.x), Query, RestJSON or
	// RestXML.
	Protocol Protocol
	// JSONVersion is "1.0" or "1.1" (JSON protocol; default 1.1).
	JSONVersion string
	// TargetPrefix is the JSON protocol's X-Amz-Target prefix, without the
	// dot ("AmazonSSM").
	TargetPrefix string
	// QueryVersion and XMLNamespace are the query protocol's API version
	// ("2010-05-08") and response namespace. A JSON API that sets them also
	// accepts the query protocol (SQS).
	QueryVersion string
	XMLNamespace string
	// AuthzService is the service whose AccessDenied a denial is written as
	// (default Service).
	AuthzService string
	// Ops is the operation table.
	Ops []Declared
	// Authorizer authorizes every call; nil allows everything (--iam off).
	Authorizer Authorizer
	// MapError turns a handler's errors into AWS errors (sentinels to
	// codes); nil leaves them (a non-*Error is a 500).
	MapError func(error) error
	// DecodeJSON replaces json.Unmarshal for request bodies (a service's
	// own checks, such as SSM's refusal of invalid Unicode).
	DecodeJSON func(body []byte, v any) error
	// MaxBody bounds a request body (default 16 MiB); BodyTooLarge is the
	// error for a larger one (default a 413 RequestEntityTooLargeException).
	MaxBody      int64
	BodyTooLarge func(limit int64) error
	// VirtualHost, for REST-XML, reads a bucket from the Host header
	// ("photos.s3.localhost"): the request is routed as /bucket/path.
	VirtualHost func(host string) (bucket string, ok bool)
	// Unsigned names the query operations served to requests with no
	// signature at all (STS's AssumeRoleWithWebIdentity, as on AWS): the
	// edge hands such a request over with no principal, and no other
	// operation is served to it.
	Unsigned []string
	Logger   *slog.Logger
}

// API is a running API: its operation table and protocol front-end.
type API struct {
	spec Spec
	ops  map[string]*Operation
	list []*Operation
	mux  *http.ServeMux
	log  *slog.Logger
}

const defaultMaxBody = 16 << 20

// NewAPI validates s: every operation has a name, a handler and an IAM
// action (a missing action is an error, so nothing is served unauthorized),
// and REST routes are well formed and unique.
func NewAPI(s Spec) (*API, error) {
	if s.Service == "" {
		return nil, errors.New("awsapi: an API needs a signing name")
	}
	if s.Protocol == JSON && s.TargetPrefix == "" {
		return nil, fmt.Errorf("awsapi %s: a JSON API needs a target prefix", s.Service)
	}
	if s.Protocol == Query && s.QueryVersion == "" {
		return nil, fmt.Errorf("awsapi %s: a query API needs its version", s.Service)
	}
	if s.JSONVersion == "" {
		s.JSONVersion = "1.1"
	}
	if s.AuthzService == "" {
		s.AuthzService = s.Service
	}
	if s.MaxBody <= 0 {
		s.MaxBody = defaultMaxBody
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	a := &API{spec: s, ops: map[string]*Operation{}, log: s.Logger}
	for _, d := range s.Ops {
		op := d.operation()
		if err := op.check(a); err != nil {
			return nil, err
		}
		if _, dup := a.ops[op.Name]; dup {
			return nil, fmt.Errorf("awsapi %s: operation %s declared twice", s.Service, op.Name)
		}
		a.ops[op.Name] = &op
		a.list = append(a.list, &op)
	}
	if a.rest() {
		if err := a.buildMux(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// MustAPI is NewAPI for tables fixed at compile time: a bad table is a
// programming error found by the first test that builds it.
func MustAPI(s Spec) *API {
	a, err := NewAPI(s)
	if err != nil {
		panic(err)
	}
	return a
}

func (a *API) rest() bool { return a.spec.Protocol == RestJSON || a.spec.Protocol == RestXML }

// Name is the API's signing name.
func (a *API) Name() string { return a.spec.Service }

// SDKID is the API's aws-sdk-go-v2 package name ("" for nubo's own).
func (a *API) SDKID() string { return a.spec.SDKID }

// Protocol is the API's wire protocol.
func (a *API) Protocol() Protocol { return a.spec.Protocol }

// Spec is the declaration the API was built from.
func (a *API) Spec() Spec { return a.spec }

// Operations lists the table in declaration order.
func (a *API) Operations() []*Operation { return slices.Clone(a.list) }

// Operation finds an operation by name.
func (a *API) Operation(name string) (*Operation, bool) {
	op, ok := a.ops[name]
	return op, ok
}

// Service is the API as the edge routes it: by signing name, and for
// unsigned requests by what the table says its requests look like.
func (a *API) Service() Service {
	p := a.spec.Protocol
	if p == JSON && a.spec.JSONVersion == "1.0" {
		p = JSON10
	}
	svc := Service{Name: a.spec.Service, Protocol: p, Handler: a, Matches: a.matches}
	if len(a.spec.Unsigned) > 0 && a.spec.Protocol == Query {
		svc.Unsigned = a.unsigned
	}
	return svc
}

// unsigned reports whether an unsigned request calls one of the operations
// served without a signature. It reads the body and leaves it readable.
func (a *API) unsigned(r *http.Request) bool {
	action := r.URL.Query().Get("Action")
	if r.Method == http.MethodPost && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, a.spec.MaxBody+1))
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return false
		}
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			action = v.Get("Action")
		}
	}
	return slices.Contains(a.spec.Unsigned, action)
}

// matches recognises an unsigned request as meant for this API.
func (a *API) matches(r *http.Request) bool {
	switch a.spec.Protocol {
	case JSON:
		return strings.HasPrefix(r.Header.Get("X-Amz-Target"), a.spec.TargetPrefix+".")
	case Query:
		_, ok := a.ops[r.URL.Query().Get("Action")]
		return ok
	default:
		if a.spec.VirtualHost != nil {
			if _, ok := a.spec.VirtualHost(r.Host); ok {
				return true
			}
		}
		_, pattern := a.mux.Handler(r)
		return pattern != "" && pattern != "/"
	}
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch a.spec.Protocol {
	case JSON:
		if a.spec.QueryVersion != "" && r.Header.Get("X-Amz-Target") == "" {
			a.serveQuery(w, r)
			return
		}
		a.serveJSON(w, r)
	case Query:
		a.serveQuery(w, r)
	default:
		a.serveREST(w, r)
	}
}

// readBody reads the request body within the API's limit.
func (a *API) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, a.spec.MaxBody+1))
	if err != nil {
		return nil, ValidationError("read body: %v", err)
	}
	if int64(len(body)) > a.spec.MaxBody {
		if a.spec.BodyTooLarge != nil {
			return nil, a.spec.BodyTooLarge(a.spec.MaxBody)
		}
		return nil, Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "the request body is larger than %d bytes", a.spec.MaxBody)
	}
	return body, nil
}

// call authorizes and performs op for an input already decoded.
func (a *API) call(c *Call, in any) (any, error) {
	if unsignedRequest(c.Context()) && !slices.Contains(a.spec.Unsigned, c.Op.Name) {
		return nil, NewError(http.StatusForbidden, "MissingAuthenticationToken", "Missing Authentication Token")
	}
	if err := a.authorize(c, in); err != nil {
		return nil, err
	}
	out, err := c.Op.handle(c, in)
	if err != nil && a.spec.MapError != nil {
		err = a.spec.MapError(err)
	}
	return out, err
}

// authorize asks the authorizer about every target of the call.
func (a *API) authorize(c *Call, in any) error {
	if c.Op.Action == NoPermission || a.spec.Authorizer == nil {
		return nil
	}
	targets := []Target{{Resource: "*"}}
	if c.Op.resources != nil {
		t, err := c.Op.resources(c, in)
		if err != nil {
			if a.spec.MapError != nil {
				err = a.spec.MapError(err)
			}
			return err
		}
		if len(t) > 0 {
			targets = t
		}
	}
	action, err := c.Op.actionOf(c, in)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if t.Resource == "" {
			t.Resource = "*"
		}
		err := a.spec.Authorizer.Authorize(c.Context(), AuthzRequest{
			Service: a.spec.AuthzService, Action: action, Resource: t.Resource, Context: t.Context,
			ResourcePolicy: t.ResourcePolicy, RequestTags: t.RequestTags, ResourceTags: t.ResourceTags, HTTP: c.R,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// fail writes err in the envelope of the API's protocol p.
func (a *API) fail(w http.ResponseWriter, r *http.Request, p Protocol, err error) {
	if p == JSON && a.spec.JSONVersion == "1.0" {
		p = JSON10
	}
	WriteError(w, r, p, err, a.log)
}

// queryValues is a query request's parameters: the form body of a POST,
// else the URL's query.
func queryValues(r *http.Request, body []byte) (url.Values, error) {
	if r.Method == http.MethodPost && len(body) > 0 {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err)
		}
		// Parameters in the URL count too, as on AWS.
		for k, vs := range r.URL.Query() {
			if _, ok := v[k]; !ok {
				v[k] = vs
			}
		}
		return v, nil
	}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, Errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err)
	}
	return v, nil
}
