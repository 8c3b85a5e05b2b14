package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The admin API: a signed JSON service on the edge (signing name "nubo"),
// operations chosen by X-Amz-Target "NuboStacks.<Operation>". Deploy and
// Destroy answer with newline-delimited JSON: {"event": ...} lines as the
// deployment progresses, then one {"result": ...} or {"error": ...} line.
const (
	ServiceName  = "nubo"
	TargetPrefix = "NuboStacks."
)

// maxAdminBody bounds an admin request (a template and its parameters).
const maxAdminBody = 64 << 20

// AdminAPI is the admin API as an operation table. Each operation is
// authorized as the CloudFormation action it stands for, on the stack it
// names (its ARN, or stack/NAME/* before it has one) or on "*"; Deploy is
// cloudformation:CreateStack for a new stack and cloudformation:UpdateStack
// for one that exists.
func (e *Engine) AdminAPI() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:      ServiceName,
		Protocol:     awsapi.JSON,
		TargetPrefix: strings.TrimSuffix(TargetPrefix, "."),
		AuthzService: "cloudformation",
		Authorizer:   e.opts.Authorizer,
		Logger:       e.log,
		MapError:     func(err error) error { return wireError(err) },
		DecodeJSON:   decodeAdminBody,
		MaxBody:      maxAdminBody,
		BodyTooLarge: func(limit int64) error {
			return awsapi.ValidationError("bad request body: larger than %d bytes", limit)
		},
		Ops: []awsapi.Declared{
			awsapi.Op[PlanRequest, *Plan]{Name: "Plan", Action: "cloudformation:CreateChangeSet",
				Resources: func(c *awsapi.Call, in *PlanRequest) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.Stack), nil
				},
				Handler: func(c *awsapi.Call, in *PlanRequest) (*Plan, error) { return e.Plan(c.Context(), *in) }},
			awsapi.ChoiceOp[DeployRequest, *deployStream]{
				Op: awsapi.Op[DeployRequest, *deployStream]{Name: "Deploy", Action: "cloudformation:CreateStack",
					Resources: func(c *awsapi.Call, in *DeployRequest) ([]awsapi.Target, error) {
						return e.stackTargets(c.Context(), in.Stack), nil
					},
					// A deployment outlives its client (as CloudFormation's
					// do): a closed CLI must not leave the stack half applied.
					Handler: func(c *awsapi.Call, in *DeployRequest) (*deployStream, error) {
						ctx, req := context.WithoutCancel(c.Context()), *in
						return &deployStream{run: func(sink func(Event)) (*DeployResult, error) { return e.Deploy(ctx, req, sink) }}, nil
					}},
				Actions: []string{"cloudformation:CreateStack", "cloudformation:UpdateStack"},
				ActionFor: func(c *awsapi.Call, in *DeployRequest) string {
					return e.deployAction(c.Context(), in.Stack)
				},
			},
			awsapi.Op[DestroyRequest, *deployStream]{Name: "Destroy", Action: "cloudformation:DeleteStack",
				Resources: func(c *awsapi.Call, in *DestroyRequest) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.Stack), nil
				},
				Handler: func(c *awsapi.Call, in *DestroyRequest) (*deployStream, error) {
					ctx, req := context.WithoutCancel(c.Context()), *in
					return &deployStream{run: func(sink func(Event)) (*DeployResult, error) { return e.Destroy(ctx, req, sink) }}, nil
				}},
			awsapi.Op[anyBody, []StackSummary]{Name: "ListStacks", Action: "cloudformation:ListStacks",
				Handler: func(c *awsapi.Call, _ *anyBody) ([]StackSummary, error) { return e.List(c.Context()) }},
			stackOp(e, "DescribeStack", "cloudformation:DescribeStacks", e.Describe),
			stackOp(e, "History", "cloudformation:DescribeStacks", e.History),
			stackOp(e, "Events", "cloudformation:DescribeStackEvents", e.Events),
			stackOp(e, "Drift", "cloudformation:DetectStackDrift", e.Drift),
			awsapi.Op[anyBody, []ExportInfo]{Name: "ListExports", Action: "cloudformation:ListExports",
				Handler: func(c *awsapi.Call, _ *anyBody) ([]ExportInfo, error) { return e.Exports(c.Context()) }},
		},
	})
}

// Request bodies of the admin API.
type (
	StackRequest struct {
		Stack string `json:"stack"`
	}
	// StreamLine is one line of a streamed answer.
	StreamLine struct {
		Event  *Event        `json:"event,omitempty"`
		Result *DeployResult `json:"result,omitempty"`
		Error  *APIError     `json:"error,omitempty"`
	}
	// APIError is an error inside a stream.
	APIError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
)

// anyBody is the input of the operations that read no body (ListStacks,
// ListExports): whatever the body holds, even malformed JSON, is ignored.
type anyBody struct{}

// decodeAdminBody decodes a request body; a malformed one is the
// ValidationException "bad request body".
func decodeAdminBody(body []byte, v any) error {
	if _, ok := v.(*anyBody); ok {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awsapi.ValidationError("bad request body: %v", err)
	}
	return nil
}

// stackOp declares an admin operation that reads the stack a StackRequest
// names, authorized as action on it.
func stackOp[Out any](e *Engine, name, action string, read func(ctx context.Context, stack string) (Out, error)) awsapi.Declared {
	return awsapi.Op[StackRequest, Out]{Name: name, Action: action,
		Resources: func(c *awsapi.Call, in *StackRequest) ([]awsapi.Target, error) {
			return e.stackTargets(c.Context(), in.Stack), nil
		},
		Handler: func(c *awsapi.Call, in *StackRequest) (Out, error) { return read(c.Context(), in.Stack) }}
}

// stackTargets is what an operation on the stack named stack is authorized
// on: the stack's ARN, or stack/NAME/* before it has one; nil ("*") for
// account-wide calls (stack "").
func (e *Engine) stackTargets(ctx context.Context, stack string) []awsapi.Target {
	if stack == "" {
		return nil
	}
	if strings.HasPrefix(stack, "arn:") { // a stack id
		return []awsapi.Target{{Resource: stack}}
	}
	if ValidStackName(stack) != nil {
		stack = "*" // not a stack name: the request fails on its input once authorized
	}
	resource := "arn:" + e.opts.Partition + ":cloudformation:" + e.opts.Account.Region + ":" + e.opts.Account.ID + ":stack/" + stack + "/*"
	if st, err := e.Describe(ctx, stack); stack != "*" && err == nil && st.ID != "" {
		resource = st.ID
	}
	return []awsapi.Target{{Resource: resource}}
}

// deployAction is cloudformation:UpdateStack for a stack that exists,
// cloudformation:CreateStack otherwise.
func (e *Engine) deployAction(ctx context.Context, stack string) string {
	if _, err := e.Describe(ctx, stack); err == nil {
		return "cloudformation:UpdateStack"
	}
	return "cloudformation:CreateStack"
}

// deployStream is a deployment or destruction answered as it runs: its
// events as they come, its result (or error) last.
type deployStream struct {
	run func(sink func(Event)) (*DeployResult, error)
}

// Respond runs the deployment, streaming newline-delimited JSON.
func (s *deployStream) Respond(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	write := func(l StreamLine) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(l)
		if flusher != nil {
			flusher.Flush()
		}
	}
	res, err := s.run(func(ev Event) { write(StreamLine{Event: &ev}) })
	if err != nil {
		e := wireError(err)
		write(StreamLine{Result: res, Error: &APIError{Code: e.Code, Message: e.Message}})
		return nil
	}
	write(StreamLine{Result: res})
	return nil
}

// wireError maps domain errors to API errors.
func wireError(err error) *awsapi.Error {
	switch {
	case errors.Is(err, ErrStackNotFound):
		return awsapi.NewError(http.StatusNotFound, "StackNotFoundException", err.Error())
	case errors.Is(err, ErrStackBusy):
		return awsapi.NewError(http.StatusConflict, "StackBusyException", err.Error())
	case errors.Is(err, ErrRefused):
		return awsapi.NewError(http.StatusConflict, "RefusedException", err.Error())
	case errors.Is(err, ErrTemplate):
		return awsapi.NewError(http.StatusBadRequest, "ValidationError", err.Error())
	}
	var ae *awsapi.Error
	if errors.As(err, &ae) {
		return ae
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "stack name") || strings.HasPrefix(msg, "class ") {
		return awsapi.NewError(http.StatusBadRequest, "ValidationError", msg)
	}
	return &awsapi.Error{Status: http.StatusInternalServerError, Code: "DeploymentFailed", Message: msg, Server: true}
}
