package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// NoPermission is the Action of an operation that AWS documents as needing
// no permission (sts:GetCallerIdentity). It must be written out: an empty
// Action is refused at start-up, so nothing is served unauthorized by
// omission.
const NoPermission = "none:NoPermissionRequired"

// Target is one authorization question an operation asks before it acts:
// the resource and what the request says about it. An operation on several
// resources (ssm:GetParameters) returns one Target per resource.
type Target struct {
	// Resource is the resource's ARN; "" or "*" for an action without one.
	Resource string
	// Context holds the operation's condition keys ("ssm:Overwrite").
	Context map[string][]string
	// ResourcePolicy is the resource's resource-based policy, if it has one.
	ResourcePolicy string
	// RequestTags are the tags the request sets; ResourceTags those the
	// resource has.
	RequestTags  map[string]string
	ResourceTags map[string]string
}

// Call is one request being served: the operation, the HTTP exchange, and
// the API it belongs to.
type Call struct {
	Op  *Operation
	API *API
	R   *http.Request
	// W is the response writer; only a Responder output or a raw operation
	// writes to it.
	W http.ResponseWriter
	// Body is the request body as read (JSON and query protocols; a REST
	// operation's body stays in R).
	Body []byte
	// Form is a query-protocol request's parameters.
	Form url.Values
}

// Context is the request's context (principal, request id).
func (c *Call) Context() context.Context { return c.R.Context() }

// Responder is an output that writes its own response (an invocation's raw
// payload, a streamed deployment) instead of being encoded by the protocol.
type Responder interface {
	Respond(w http.ResponseWriter, r *http.Request) error
}

// Declared is an entry of an operation table: an Op or a RawOp.
type Declared interface {
	operation() Operation
}

// Op declares one operation with a typed input and output: the front-end
// of the API's protocol decodes the request into In, authorizes the
// Targets as Action, calls Handler and encodes its Out (or the error).
type Op[In, Out any] struct {
	// Name is the AWS operation name ("GetParameter").
	Name string
	// Action is the IAM action ("ssm:GetParameter"), or NoPermission.
	// Required.
	Action string
	// HTTP is the REST protocols' route: "GET /2015-03-31/functions/{FunctionName}".
	HTTP string
	// Status is the REST protocols' success status (default 200).
	Status int
	// Resources names what the request acts on; nil authorizes the action
	// on "*".
	Resources func(c *Call, in *In) ([]Target, error)
	// Handler performs the operation.
	Handler func(c *Call, in *In) (Out, error)
}

func (o Op[In, Out]) operation() Operation {
	op := Operation{Name: o.Name, Action: o.Action, HTTP: o.HTTP, Status: o.Status,
		inType: reflect.TypeFor[In](), outType: reflect.TypeFor[Out]()}
	op.newInput = func() any { return new(In) }
	if o.Resources != nil {
		op.resources = func(c *Call, in any) ([]Target, error) { return o.Resources(c, in.(*In)) }
	}
	if o.Handler != nil {
		op.handle = func(c *Call, in any) (any, error) { return o.Handler(c, in.(*In)) }
	}
	return op
}

// RawOp declares an operation whose handler reads the request and writes
// the response itself (REST operations with streamed or binary bodies).
// It is authorized like an Op: Resources may read the request (its body is
// readable again by the handler).
type RawOp struct {
	Name, Action, HTTP string
	Resources          func(c *Call) ([]Target, error)
	Handler            func(w http.ResponseWriter, r *http.Request) error
}

func (o RawOp) operation() Operation {
	op := Operation{Name: o.Name, Action: o.Action, HTTP: o.HTTP, raw: true}
	if o.Resources != nil {
		op.resources = func(c *Call, _ any) ([]Target, error) { return o.Resources(c) }
	}
	if o.Handler != nil {
		h := o.Handler
		op.handle = func(c *Call, _ any) (any, error) { return nil, h(c.W, c.R) }
	}
	return op
}

// Operation is a registered operation, as the API's table holds it.
type Operation struct {
	Name   string
	Action string
	HTTP   string
	Status int

	raw       bool
	inType    reflect.Type
	outType   reflect.Type
	newInput  func() any
	resources func(c *Call, in any) ([]Target, error)
	handle    func(c *Call, in any) (any, error)
	method    string
	path      string
	query     url.Values // a REST route's required query parameters (restroute.go)
	// actions and actionFor are a ChoiceOp's (choice.go).
	actions   []string
	actionFor func(c *Call, in any) string
}

// check validates a declaration for the API a.
func (op *Operation) check(a *API) error {
	if op.Name == "" {
		return fmt.Errorf("%s: an operation has no name", a.spec.Service)
	}
	if op.Action == "" {
		return fmt.Errorf("%s %s: no IAM action: every operation is authorized as one (awsapi.NoPermission if AWS requires none)", a.spec.Service, op.Name)
	}
	if op.Action != NoPermission {
		svc, name, ok := strings.Cut(op.Action, ":")
		if !ok || svc == "" || name == "" || strings.ContainsAny(op.Action, " *?") {
			return fmt.Errorf("%s %s: action %q is not service:Operation", a.spec.Service, op.Name, op.Action)
		}
	}
	if op.handle == nil {
		return fmt.Errorf("%s %s: no handler", a.spec.Service, op.Name)
	}
	if err := op.checkActions(a); err != nil {
		return err
	}
	if a.rest() {
		method, path, ok := strings.Cut(op.HTTP, " ")
		if !ok || method == "" || !strings.HasPrefix(path, "/") {
			return fmt.Errorf("%s %s: a REST operation needs HTTP \"METHOD /path\", got %q", a.spec.Service, op.Name, op.HTTP)
		}
		if err := op.splitRoute(method, path); err != nil {
			return fmt.Errorf("%s %s: %w", a.spec.Service, op.Name, err)
		}
	} else if op.raw {
		return fmt.Errorf("%s %s: raw operations are for REST protocols", a.spec.Service, op.Name)
	}
	if !op.raw && op.inType.Kind() != reflect.Struct {
		return fmt.Errorf("%s %s: input must be a struct, got %s", a.spec.Service, op.Name, op.inType)
	}
	return nil
}

// Method and Path are a REST operation's route ("" otherwise).
func (op *Operation) Method() string { return op.method }
func (op *Operation) Path() string   { return op.path }
