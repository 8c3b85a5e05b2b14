package functions

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The Runtime API (2018-06-01) and the part of the Extensions API
// (2020-01-01) that runtimes use, served per instance on loopback. Status
// codes and error bodies follow the Runtime Interface Emulator: a runtime
// client (aws-lambda-go) exits on anything else.
const (
	pathNext         = "/2018-06-01/runtime/invocation/next"
	pathInvocation   = "/2018-06-01/runtime/invocation/"
	pathInitError    = "/2018-06-01/runtime/init/error"
	pathExtRegister  = "/2020-01-01/extension/register"
	pathExtNext      = "/2020-01-01/extension/event/next"
	pathExtInitError = "/2020-01-01/extension/init/error"
	pathExtExitError = "/2020-01-01/extension/exit/error"

	hdrRequestID       = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline        = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID         = "Lambda-Runtime-Trace-Id"
	hdrClientContext   = "Lambda-Runtime-Client-Context"
	hdrCognito         = "Lambda-Runtime-Cognito-Identity"
	hdrErrorType       = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody       = "Lambda-Runtime-Function-Error-Body"
	hdrExtensionName   = "Lambda-Extension-Name"
	hdrExtensionID     = "Lambda-Extension-Identifier"
	hdrContentType     = "Content-Type"
	hdrContentLength   = "Content-Length"
	maxResponseBytes   = 6 << 20  // synchronous response payload limit
	maxStreamBytes     = 20 << 20 // streamed response limit
	maxErrorBodyBytes  = 1 << 20
	responseTooLargeTy = "Function.ResponseSizeTooLarge"
)

var (
	bodyAccepted   = []byte(`{"status":"OK"}` + "\n")
	lengthAccepted = []string{"16"} // len(bodyAccepted)
	contentJSON    = []string{"application/json"}
)

// accepted answers 202 as the Runtime API does, with no content sniffing.
func accepted(w http.ResponseWriter) {
	h := w.Header()
	h[hdrContentType] = contentJSON
	h[hdrContentLength] = lengthAccepted
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(bodyAccepted)
}

// ServeHTTP serves the Runtime API to the instance's own process only: a
// request whose path does not begin with the instance's secret (see
// apiPrefix) is refused before anything about the instance is read.
func (in *instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := in.authorized(r.URL.Path)
	if !ok {
		apiError(w, http.StatusForbidden, "AccessDeniedException", "this Runtime API belongs to another process")
		return
	}
	in.route(w, r, path)
}

// authorized strips the instance's secret prefix from path, comparing it in
// constant time; ok is false when path does not carry it.
func (in *instance) authorized(path string) (rest string, ok bool) {
	n := len(in.apiPrefix)
	if n == 0 || len(path) <= n || path[n] != '/' {
		return "", false
	}
	var diff byte // constant time: no early exit on the first differing byte
	for i := 0; i < n; i++ {
		diff |= path[i] ^ in.apiPrefix[i]
	}
	if diff != 0 {
		return "", false
	}
	return path[n:], true
}

// route serves the Runtime API without allocating on the warm path.
func (in *instance) route(w http.ResponseWriter, r *http.Request, path string) {
	switch {
	case path == pathNext:
		if r.Method != http.MethodGet {
			apiError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET")
			return
		}
		in.next(w, r)
	case strings.HasPrefix(path, pathInvocation):
		if r.Method != http.MethodPost {
			apiError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST")
			return
		}
		rest := path[len(pathInvocation):]
		if id, ok := strings.CutSuffix(rest, "/response"); ok {
			in.answer(w, r, id, false)
		} else if id, ok := strings.CutSuffix(rest, "/error"); ok {
			in.answer(w, r, id, true)
		} else {
			apiError(w, http.StatusNotFound, "NotFound", "no such runtime API path")
		}
	case path == pathInitError && r.Method == http.MethodPost:
		in.initError(w, r)
	case path == pathExtRegister && r.Method == http.MethodPost:
		in.extRegister(w, r)
	case path == pathExtNext && r.Method == http.MethodGet:
		in.extNext(w, r)
	case (path == pathExtInitError || path == pathExtExitError) && r.Method == http.MethodPost:
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxErrorBodyBytes))
		accepted(w)
	default:
		apiError(w, http.StatusNotFound, "NotFound", "no such runtime API path")
	}
}

// next parks the runtime until an invocation is handed over, then answers
// with the event and its headers.
func (in *instance) next(w http.ResponseWriter, r *http.Request) {
	in.markReady()
	select {
	case <-in.work:
	case <-in.quit:
		panic(http.ErrAbortHandler) // drop the connection: no event will come
	case <-r.Context().Done():
		return
	}
	in.mu.Lock()
	req, id, deadline := in.req, in.reqID, in.deadline
	in.mu.Unlock()
	arn, trace := in.invokedARN(req), traceOf(req, deadline)
	h := w.Header()
	in.hdr[0][0] = id
	h[hdrRequestID] = in.hdr[0]
	in.hdr[1][0] = strconv.FormatInt(deadline.UnixMilli(), 10)
	h[hdrDeadline] = in.hdr[1]
	in.hdr[2][0] = arn
	h[hdrFunctionARN] = in.hdr[2]
	in.hdr[3][0] = trace
	h[hdrTraceID] = in.hdr[3]
	in.hdr[4][0] = strconv.Itoa(len(req.Payload))
	h[hdrContentLength] = in.hdr[4]
	h[hdrContentType] = contentJSON
	if req.ClientContext != "" {
		in.hdr[5][0] = string(clientContextJSON(req.ClientContext))
		h[hdrClientContext] = in.hdr[5]
	}
	if req.CognitoIdentity != "" {
		in.hdr[6][0] = req.CognitoIdentity
		h[hdrCognito] = in.hdr[6]
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(req.Payload)
}

// invokedARN is the ARN the invocation names (the function's by default).
func (in *instance) invokedARN(req *Request) string {
	if req.InvokedARN != "" {
		return req.InvokedARN
	}
	return in.cfg.ARN
}

// traceOf is the invocation's X-Ray trace header, made when it came without.
func traceOf(req *Request, deadline time.Time) string {
	if req.TraceID != "" {
		return req.TraceID
	}
	return newTraceID(deadline)
}

// clientContextJSON decodes X-Amz-Client-Context (base64 JSON; taken as
// JSON already when it is not base64).
func clientContextJSON(s string) []byte {
	cc, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return []byte(s)
	}
	return cc
}

// markReady ends the instance's init: at its first GET /next, or when its
// RPC port answers (rpc.go).
func (in *instance) markReady() {
	in.readyOnce.Do(func() {
		in.readyAt = time.Now()
		if in.p.o.Logs != nil {
			in.syncLogs() // what init wrote stays outside the first invocation
		}
		close(in.ready)
	})
}

// answer takes the runtime's response (or error) for invocation id.
func (in *instance) answer(w http.ResponseWriter, r *http.Request, id string, isErr bool) {
	in.mu.Lock()
	ok := in.busy && !in.answered && id == in.reqID
	if ok {
		in.answered = true
		in.answering.Add(1)
	}
	req := in.req
	in.mu.Unlock()
	if !ok {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	defer in.answering.Done()
	var (
		payload []byte
		failed  bool
		ctype   = r.Header.Get(hdrContentType)
	)
	switch {
	case isErr:
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBodyBytes))
		payload, failed = functionErrorDoc(body, r.Header.Get(hdrErrorType)), true
	case req.Stream != nil:
		if st, ok := req.Stream.(interface{ StreamContentType(string) }); ok {
			st.StreamContentType(ctype) // before the first chunk sends the caller's headers
		}
		payload, failed = in.stream(req.Stream, r)
	default:
		in.resBuf.Reset()
		in.resLimit = io.LimitedReader{R: r.Body, N: maxResponseBytes + 1}
		n, err := in.resBuf.ReadFrom(&in.resLimit)
		in.resLimit.R = nil
		switch {
		case err != nil:
			payload, failed = errorDoc("Runtime.InvalidResponse", "reading the response: "+err.Error()), true
		case n > maxResponseBytes:
			payload, failed = tooLarge(maxResponseBytes), true
		default:
			payload = bytes.Clone(in.resBuf.Bytes())
		}
		if in.resBuf.Cap() > 1<<20 {
			in.resBuf = bytes.Buffer{} // do not pin a large buffer on a warm instance
		}
	}
	if !failed {
		if doc, ok := trailerError(r); ok {
			payload, failed = doc, true
		}
	}
	if in.p.o.Logs != nil || req.Tail {
		in.syncLogs()
	}
	if req.Stream == nil {
		ctype = "" // only a stream passes its content type on
	}
	in.resPayload, in.resErr, in.resType = payload, failed, ctype
	accepted(w)
	in.done <- struct{}{}
}

// stream copies a response body into dst as it arrives, flushing each chunk.
func (in *instance) stream(dst io.Writer, r *http.Request) (payload []byte, failed bool) {
	buf := make([]byte, 32<<10)
	var total int64
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			total += int64(n)
			if total > maxStreamBytes {
				return tooLarge(maxStreamBytes), true
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				_, _ = io.Copy(io.Discard, r.Body) // the caller went away; let the runtime finish
				return nil, false
			}
			flush(dst)
		}
		if errors.Is(err, io.EOF) {
			return nil, false
		}
		if err != nil {
			return errorDoc("Runtime.InvalidResponse", "reading the streamed response: "+err.Error()), true
		}
	}
}

func flush(w io.Writer) {
	switch f := w.(type) {
	case http.Flusher:
		f.Flush()
	case interface{ Flush() error }:
		_ = f.Flush()
	}
}

// trailerError reads the error a runtime reports after (or in the middle
// of) a chunked response, in the Lambda-Runtime-Function-Error-* trailers.
func trailerError(r *http.Request) ([]byte, bool) {
	if len(r.Trailer) == 0 {
		return nil, false
	}
	typ := r.Trailer.Get(hdrErrorType)
	if typ == "" {
		return nil, false
	}
	body, err := base64.StdEncoding.DecodeString(r.Trailer.Get(hdrErrorBody))
	if err != nil {
		body = nil
	}
	return functionErrorDoc(body, typ), true
}

// initError takes a runtime's report that it could not start: the waiting
// invocation gets the error document, the instance is discarded.
func (in *instance) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBodyBytes))
	doc := functionErrorDoc(body, r.Header.Get(hdrErrorType))
	in.mu.Lock()
	if in.initDoc == nil {
		in.initDoc = doc
	}
	in.mu.Unlock()
	accepted(w)
	in.initOnce.Do(func() { close(in.initErr) })
}

// extRegister registers an (internal) extension. Registering at all makes
// Lambda send SIGTERM before SIGKILL, which is what aws-lambda-go's
// WithEnableSIGTERM relies on; stop always does so here.
func (in *instance) extRegister(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Events []string `json:"events"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&body)
	shutdown := false
	for _, e := range body.Events {
		if e == "SHUTDOWN" {
			shutdown = true
		}
	}
	id := awsapi.NewRequestID()
	in.mu.Lock()
	if in.exts == nil {
		in.exts = make(map[string]bool)
	}
	in.exts[id] = shutdown
	in.mu.Unlock()
	w.Header().Set(hdrExtensionID, id)
	w.Header().Set(hdrContentType, "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"functionName":    in.name,
		"functionVersion": in.version,
		"handler":         in.cfg.Handler,
	})
}

// extNext blocks until the instance stops; extensions that asked for
// SHUTDOWN then get it, the others are never answered (as in Lambda).
func (in *instance) extNext(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(hdrExtensionID)
	in.mu.Lock()
	shutdown, ok := in.exts[id]
	in.mu.Unlock()
	if !ok {
		apiError(w, http.StatusForbidden, "Extension.UnknownExtensionIdentifier", "Unknown extension "+id)
		return
	}
	select {
	case <-in.shutdown:
	case <-in.quit:
	case <-r.Context().Done():
		return
	}
	if !shutdown {
		panic(http.ErrAbortHandler)
	}
	w.Header().Set(hdrContentType, "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"eventType":      "SHUTDOWN",
		"shutdownReason": "spindown",
		"deadlineMs":     time.Now().Add(stopGrace).UnixMilli(),
	})
}

// apiError answers as the Runtime Interface Emulator does.
func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set(hdrContentType, "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorDoc(typ, msg))
}

// tooLarge is the error of a response over limit bytes, as Lambda words it.
func tooLarge(limit int) []byte {
	return errorDoc(responseTooLargeTy, "Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(limit)+" bytes).")
}

// errorDoc is Lambda's error document {"errorType":..,"errorMessage":..}.
func errorDoc(typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{typ, msg})
	return b
}

// functionErrorDoc is what the caller sees for an error a runtime posted:
// the runtime's own JSON document when it sent one, else one made from the
// error type and the raw body.
func functionErrorDoc(body []byte, typ string) []byte {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '{' && json.Valid(body) {
		return bytes.Clone(body)
	}
	if typ == "" {
		typ = "Runtime.Unknown"
	}
	return errorDoc(typ, string(body))
}

// newTraceID makes an X-Ray trace header for invocations that came without
// one: Root=1-{8 hex seconds}-{24 hex}, Parent={16 hex}, not sampled. The
// ids need to be unique, not secret.
func newTraceID(t time.Time) string {
	const prefix, parent, suffix = "Root=1-", ";Parent=", ";Sampled=0"
	var b [len(prefix) + 8 + 1 + 24 + len(parent) + 16 + len(suffix)]byte
	n := copy(b[:], prefix)
	n += putHex(b[n:], uint64(t.Unix()), 8)
	b[n] = '-'
	n++
	n += putHex(b[n:], rand.Uint64(), 16)
	n += putHex(b[n:], rand.Uint64(), 8)
	n += copy(b[n:], parent)
	n += putHex(b[n:], rand.Uint64(), 16)
	copy(b[n:], suffix)
	return string(b[:])
}

// putHex writes the low digits hex digits of v into b.
func putHex(b []byte, v uint64, digits int) int {
	const hexDigits = "0123456789abcdef"
	for i := digits - 1; i >= 0; i-- {
		b[i] = hexDigits[v&0xf]
		v >>= 4
	}
	return digits
}
