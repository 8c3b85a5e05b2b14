package awsapi

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
)

// Protocol is an AWS wire protocol; it decides how errors are written.
type Protocol int

const (
	// RestJSON is Lambda's protocol: error code in X-Amzn-ErrorType.
	RestJSON Protocol = iota
	// JSON is awsJson1.0/1.1 (X-Amz-Target): {"__type": ..., "message": ...}.
	JSON
	// Query is the query protocol (IAM, STS, SQS query, SNS): XML ErrorResponse.
	Query
	// RestXML is S3's protocol: XML <Error>.
	RestXML
	// JSON10 is awsJson1.0 (DynamoDB, SQS, Step Functions): JSON's envelope
	// with the 1.0 content type.
	JSON10
)

// Error is an API error with the code and status a real AWS client expects.
type Error struct {
	Status  int
	Code    string
	Message string
	// Sender is true for client faults (the default), false for server faults.
	Server bool
	// Header holds extra response headers (e.g. Retry-After).
	Header http.Header
	// Members are extra members of a JSON error body (Lambda's Reason of
	// TooManyRequestsException); the envelope's own members win.
	Members map[string]string
	// QueryCode is the code of an awsQueryCompatible JSON API's error in
	// the query protocol ("AWS.SimpleQueueService.NonExistentQueue"): the
	// query reply's Code, and the JSON reply's X-Amzn-Query-Error header.
	QueryCode string
	cause     error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }
func (e *Error) Unwrap() error { return e.cause }

// NewError returns a client-fault API error.
func NewError(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// Errorf is NewError with a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return NewError(status, code, fmt.Sprintf(format, args...))
}

// InternalError wraps an unexpected error as a 500 ServiceException.
func InternalError(err error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "ServiceException", Message: err.Error(), Server: true, cause: err}
}

// Common errors shared by services.
func InvalidParameter(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, "InvalidParameterValueException", format, args...)
}

// ValidationError is the code most JSON/query services use for bad input.
func ValidationError(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

// AsError turns any error into an *Error (500 if it is not one).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalError(err)
}

// WriteError writes err in the envelope of protocol p. Server faults are logged once.
func WriteError(w http.ResponseWriter, r *http.Request, p Protocol, err error, log *slog.Logger) {
	e := AsError(err)
	rid := RequestID(r.Context())
	if e.Server && log != nil {
		log.Error("api error", "request_id", rid, "path", r.URL.Path, "err", err)
	}
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	if rid != "" {
		h.Set("X-Amzn-RequestId", rid)
		h.Set("X-Amz-Request-Id", rid)
	}
	switch p {
	case Query:
		h.Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status)
		typ := "Sender"
		if e.Server {
			typ = "Receiver"
		}
		code := e.Code
		if e.QueryCode != "" {
			code = e.QueryCode
		}
		_ = xml.NewEncoder(w).Encode(queryErrorResponse{
			Error:     queryError{Type: typ, Code: code, Message: e.Message},
			RequestID: rid,
		})
	case RestXML:
		h.Set("Content-Type", "application/xml")
		w.WriteHeader(e.Status)
		_ = xml.NewEncoder(w).Encode(restXMLError{Code: e.Code, Message: e.Message, RequestID: rid})
	case JSON, JSON10:
		ct := "application/x-amz-json-1.1"
		if p == JSON10 {
			ct = "application/x-amz-json-1.0"
		}
		h.Set("Content-Type", ct)
		h.Set("X-Amzn-ErrorType", e.Code)
		if e.QueryCode != "" {
			fault := "Sender"
			if e.Server {
				fault = "Receiver"
			}
			h.Set("X-Amzn-Query-Error", e.QueryCode+";"+fault)
		}
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(e.body(map[string]string{"__type": e.Code, "message": e.Message}))
	default:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-ErrorType", e.Code)
		w.WriteHeader(e.Status)
		typ := "User"
		if e.Server {
			typ = "Service"
		}
		_ = json.NewEncoder(w).Encode(e.body(map[string]string{"Type": typ, "message": e.Message}))
	}
}

type queryErrorResponse struct {
	XMLName   xml.Name   `xml:"ErrorResponse"`
	Error     queryError `xml:"Error"`
	RequestID string     `xml:"RequestId"`
}

type queryError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type restXMLError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

// WriteJSON writes v as a JSON response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
