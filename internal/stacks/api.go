package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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

// Service returns the admin API for the edge.
func (e *Engine) Service() awsapi.Service {
	return awsapi.Service{
		Name:     ServiceName,
		Protocol: awsapi.JSON,
		Handler:  &apiHandler{e: e, log: e.log},
		Matches: func(r *http.Request) bool {
			return strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
		},
	}
}

type apiHandler struct {
	e   *Engine
	log *slog.Logger
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

func (h *apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		awsapi.WriteError(w, r, awsapi.JSON, awsapi.NewError(http.StatusMethodNotAllowed, "InvalidAction", "use POST"), h.log)
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if !ok {
		awsapi.WriteError(w, r, awsapi.JSON, awsapi.NewError(http.StatusBadRequest, "UnknownOperationException", "missing X-Amz-Target "+TargetPrefix+"<Operation>"), h.log)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		awsapi.WriteError(w, r, awsapi.JSON, awsapi.ValidationError("read body: %v", err), h.log)
		return
	}
	ctx := r.Context()
	decode := func(v any) bool {
		if len(body) == 0 {
			body = []byte("{}")
		}
		if err := json.Unmarshal(body, v); err != nil {
			awsapi.WriteError(w, r, awsapi.JSON, awsapi.ValidationError("bad request body: %v", err), h.log)
			return false
		}
		return true
	}
	reply := func(v any, err error) {
		if err != nil {
			awsapi.WriteError(w, r, awsapi.JSON, wireError(err), h.log)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		awsapi.WriteJSON(w, http.StatusOK, v)
	}
	allowed := func(action, stack string) bool {
		if err := h.e.authorize(r, action, stack); err != nil {
			awsapi.WriteError(w, r, awsapi.JSON, err, h.log)
			return false
		}
		return true
	}
	switch op {
	case "Plan":
		var req PlanRequest
		if decode(&req) && allowed("cloudformation:CreateChangeSet", req.Stack) {
			reply(h.e.Plan(ctx, req))
		}
	case "Deploy":
		// A deployment outlives its client (as CloudFormation's do): a
		// closed CLI must not leave the stack half applied.
		var req DeployRequest
		if decode(&req) && allowed(h.e.deployAction(ctx, req.Stack), req.Stack) {
			h.stream(w, func(sink func(Event)) (*DeployResult, error) {
				return h.e.Deploy(context.WithoutCancel(ctx), req, sink)
			})
		}
	case "Destroy":
		var req DestroyRequest
		if decode(&req) && allowed("cloudformation:DeleteStack", req.Stack) {
			h.stream(w, func(sink func(Event)) (*DeployResult, error) {
				return h.e.Destroy(context.WithoutCancel(ctx), req, sink)
			})
		}
	case "ListStacks":
		if allowed("cloudformation:ListStacks", "") {
			reply(h.e.List(ctx))
		}
	case "DescribeStack":
		var req StackRequest
		if decode(&req) && allowed("cloudformation:DescribeStacks", req.Stack) {
			reply(h.e.Describe(ctx, req.Stack))
		}
	case "History":
		var req StackRequest
		if decode(&req) && allowed("cloudformation:DescribeStacks", req.Stack) {
			reply(h.e.History(ctx, req.Stack))
		}
	case "Events":
		var req StackRequest
		if decode(&req) && allowed("cloudformation:DescribeStackEvents", req.Stack) {
			reply(h.e.Events(ctx, req.Stack))
		}
	case "Drift":
		var req StackRequest
		if decode(&req) && allowed("cloudformation:DetectStackDrift", req.Stack) {
			reply(h.e.Drift(ctx, req.Stack))
		}
	case "ListExports":
		if allowed("cloudformation:ListExports", "") {
			reply(h.e.Exports(ctx))
		}
	default:
		awsapi.WriteError(w, r, awsapi.JSON, awsapi.Errorf(http.StatusBadRequest, "UnknownOperationException", "unknown operation %s", op), h.log)
	}
}

// authorize asks the engine's authorizer whether the caller may perform
// action on the stack named stack ("" for account-wide actions, on "*").
// The resource is the stack's ARN, or stack/NAME/* before it has one.
func (e *Engine) authorize(r *http.Request, action, stack string) error {
	if e.opts.Authorizer == nil {
		return nil
	}
	resource := "*"
	if stack != "" {
		resource = "arn:" + e.opts.Partition + ":cloudformation:" + e.opts.Account.Region + ":" + e.opts.Account.ID + ":stack/" + stack + "/*"
		if st, err := e.Describe(r.Context(), stack); err == nil && st.ID != "" {
			resource = st.ID
		}
	}
	return e.opts.Authorizer.Authorize(r.Context(), awsapi.AuthzRequest{Service: "cloudformation", Action: action, Resource: resource, HTTP: r})
}

// deployAction is cloudformation:UpdateStack for a stack that exists,
// cloudformation:CreateStack otherwise.
func (e *Engine) deployAction(ctx context.Context, stack string) string {
	if e.opts.Authorizer == nil {
		return "cloudformation:CreateStack" // not asked: spare the read
	}
	if _, err := e.Describe(ctx, stack); err == nil {
		return "cloudformation:UpdateStack"
	}
	return "cloudformation:CreateStack"
}

// stream runs fn, writing its events as they come and its result last.
func (h *apiHandler) stream(w http.ResponseWriter, fn func(func(Event)) (*DeployResult, error)) {
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
	res, err := fn(func(ev Event) { write(StreamLine{Event: &ev}) })
	if err != nil {
		e := wireError(err)
		write(StreamLine{Result: res, Error: &APIError{Code: e.Code, Message: e.Message}})
		return
	}
	write(StreamLine{Result: res})
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
