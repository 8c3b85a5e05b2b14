package functions

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// defaultStreamType is the Content-Type InvokeWithResponseStream reports
// when the function sets none of its own, and each PayloadChunk's.
const defaultStreamType = "application/octet-stream"

// invokeWithResponseStream is InvokeWithResponseStream: the invocation runs
// as a function URL's RESPONSE_STREAM invocation does (on a Runtime API
// instance, the response copied as the runtime writes it), and each piece
// the runtime writes becomes a PayloadChunk event of an
// application/vnd.amazon.eventstream body, ended by an InvokeComplete event
// (ErrorCode, ErrorDetails, LogResult). A function error is reported in
// InvokeComplete, not as an HTTP error. A function that does not stream
// answers in one chunk.
func (a *lambdaAPI) invokeWithResponseStream(w http.ResponseWriter, r *http.Request) error {
	name, qual, err := a.refQ(r)
	if err != nil {
		return err
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	switch typ {
	case "", "RequestResponse", "DryRun":
	default:
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, DryRun]", typ)
	}
	lt := r.Header.Get("X-Amz-Log-Type")
	if lt != "" && lt != "None" && lt != "Tail" {
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", lt)
	}
	payload, err := readPayload(r, MaxSyncPayload)
	if err != nil {
		return err
	}
	ctx := r.Context()
	fc, err := a.s.GetVersion(ctx, name, qual)
	if err != nil {
		return a.notFound(name, err)
	}
	if typ == "DryRun" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	req := &Request{
		RequestID: awsapi.RequestID(ctx),
		Payload:   payload,
		Tail:      lt == "Tail",
		TraceID:   r.Header.Get("X-Amzn-Trace-Id"),
	}
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" {
		raw, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(raw) {
			return awsapi.InvalidParameter("X-Amz-Client-Context must be base64-encoded JSON")
		}
		req.ClientContext = cc
	}
	sw := &eventWriter{w: w, rc: http.NewResponseController(w), enc: eventstream.NewEncoder(), version: fc.VersionLabel()}
	req.Stream = sw
	res, err := a.s.Invoke(ctx, qualified(name, qual), req)
	if err != nil {
		if sw.started() {
			// The stream is under way: the failure ends it.
			_ = sw.complete(completeEvent{ErrorCode: "ServiceException", ErrorDetails: err.Error()})
			return nil
		}
		return a.invokeError(name, err)
	}
	if res.ExecutedVersion != "" {
		sw.setVersion(res.ExecutedVersion)
	}
	if res.ContentType != "" {
		sw.StreamContentType(res.ContentType)
	}
	done := completeEvent{}
	if res.FunctionError != "" {
		done.ErrorCode, done.ErrorDetails = errorCode(res), string(res.Payload)
	} else if len(res.Payload) > 0 {
		// A function that did not stream answered in one piece.
		if _, err := sw.Write(res.Payload); err != nil {
			return nil // the caller went away
		}
	}
	if req.Tail {
		tail := res.LogTail
		if len(tail) > logTailBytes {
			tail = tail[len(tail)-logTailBytes:]
		}
		done.LogResult = base64.StdEncoding.EncodeToString(tail)
	}
	_ = sw.complete(done)
	return nil
}

// errorCode is InvokeComplete's ErrorCode: the error document's errorType
// (Runtime.ExitError, Sandbox.Timedout, the exception's class), else the
// function error ("Unhandled").
func errorCode(res *Result) string {
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(res.Payload, &doc) == nil && doc.ErrorType != "" {
		return doc.ErrorType
	}
	return res.FunctionError
}

// completeEvent is the InvokeComplete event's JSON payload.
type completeEvent struct {
	ErrorCode    string `json:",omitempty"`
	ErrorDetails string `json:",omitempty"`
	LogResult    string `json:",omitempty"`
}

// eventWriter is the Request.Stream of InvokeWithResponseStream: the HTTP
// response's headers go out before the first chunk; every Write is one
// PayloadChunk event, flushed to the caller.
type eventWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	enc     *eventstream.Encoder
	mu      sync.Mutex
	ctype   string
	version string
	sent    bool // headers written
	failed  error
}

// StreamContentType takes the content type the runtime gave its streamed
// response, before its first chunk (runtimeapi.go).
func (e *eventWriter) StreamContentType(ct string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.sent && ct != "" {
		e.ctype = ct
	}
}

func (e *eventWriter) setVersion(v string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.version = v
}

func (e *eventWriter) started() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sent
}

// headerLocked writes the response's status and headers once.
func (e *eventWriter) headerLocked() {
	if e.sent {
		return
	}
	e.sent = true
	h := e.w.Header()
	ct := e.ctype
	if ct == "" {
		ct = defaultStreamType
	}
	h.Set("Content-Type", ct)
	h.Set("X-Amz-Executed-Version", e.version)
	e.w.WriteHeader(http.StatusOK)
}

// Write sends p as one PayloadChunk event.
func (e *eventWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	err := e.event("PayloadChunk", defaultStreamType, p)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// complete sends the InvokeComplete event that ends the stream.
func (e *eventWriter) complete(c completeEvent) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return e.event("InvokeComplete", "application/json", b)
}

func (e *eventWriter) event(typ, ctype string, payload []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failed != nil {
		return e.failed
	}
	e.headerLocked()
	msg := eventstream.Message{Payload: payload}
	msg.Headers.Set(":event-type", eventstream.StringValue(typ))
	msg.Headers.Set(":content-type", eventstream.StringValue(ctype))
	msg.Headers.Set(":message-type", eventstream.StringValue("event"))
	if err := e.enc.Encode(e.w, msg); err != nil {
		e.failed = err
		return err
	}
	if err := e.rc.Flush(); err != nil {
		e.failed = err
		return err
	}
	return nil
}

// readPayload reads an invocation's JSON payload of at most limit bytes
// ("{}" when empty).
func readPayload(r *http.Request, limit int) ([]byte, error) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return nil, awsapi.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "read payload: %v", err)
	}
	if len(payload) > limit {
		return nil, awsapi.Errorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			"Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		return []byte("{}"), nil
	}
	if !json.Valid(payload) {
		return nil, awsapi.NewError(http.StatusBadRequest, "InvalidRequestContentException",
			"Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	return payload, nil
}
