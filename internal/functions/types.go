package functions

import (
	"io"
	"time"
)

// Config is one function's configuration, as Lambda's API describes it. It
// is stored as JSON in the functions KV bucket (the registry owns that).
type Config struct {
	Name         string            `json:"name"`
	ARN          string            `json:"arn"`
	Runtime      string            `json:"runtime"`
	Handler      string            `json:"handler,omitempty"`
	Role         string            `json:"role,omitempty"`
	Description  string            `json:"description,omitempty"`
	MemoryMB     int               `json:"memoryMB"`
	Timeout      time.Duration     `json:"timeout"`
	Environment  map[string]string `json:"environment,omitempty"`
	Architecture string            `json:"architecture,omitempty"`
	// CodeSHA256 is the base64 SHA-256 of the deployment package, as Lambda
	// reports it; it also names the unpacked code directory.
	CodeSHA256 string `json:"codeSha256"`
	CodeSize   int64  `json:"codeSize"`
	// CodeDir is where the unpacked code lives on this node (the task root).
	// Not stored: the registry fills it in when it materialises the code.
	CodeDir string `json:"-"`
	// ReservedConcurrency caps concurrent instances; nil means unreserved, 0
	// means every invocation is throttled (Lambda's "stop" switch).
	ReservedConcurrency *int      `json:"reservedConcurrency,omitempty"`
	LastModified        time.Time `json:"lastModified"`
	RevisionID          string    `json:"revisionId"`
	// LogGroup defaults to /aws/lambda/NAME.
	LogGroup string `json:"logGroup,omitempty"`
	// TracingMode is TracingConfig.Mode as given: "Active" or "PassThrough"
	// ("" reads as PassThrough). nubo sends no traces; it keeps the setting.
	TracingMode string `json:"tracingMode,omitempty"`
	// Tags are the function's tags (TagResource, CreateFunction's Tags).
	Tags map[string]string `json:"tags,omitempty"`
	// Layers are the layer versions the function uses, in order.
	Layers []LayerRef `json:"layers,omitempty"`
	// OptDir is where this node merged the layers' content (Lambda's /opt).
	// Not stored: the registry fills it in with CodeDir.
	OptDir string `json:"-"`
	// Version is "" for $LATEST, else the number of the published version
	// this immutable snapshot is (versions.go).
	Version string `json:"version,omitempty"`
	// LastVersion is the highest version number published ($LATEST only;
	// numbers are never reused) and PublishedHash the fingerprint of its
	// code and configuration, so an unchanged publish returns it.
	LastVersion   int    `json:"lastVersion,omitempty"`
	PublishedHash string `json:"publishedHash,omitempty"`
}

// VersionLabel is the version as Lambda names it: "$LATEST" or a number.
func (c *Config) VersionLabel() string {
	if c.Version == "" {
		return latestVersion
	}
	return c.Version
}

// Request is one invocation as the pool runs it.
type Request struct {
	RequestID string
	Payload   []byte
	// ClientContext is X-Amz-Client-Context (base64 JSON), passed through to
	// the runtime as Lambda-Runtime-Client-Context (decoded).
	ClientContext string
	// CognitoIdentity is passed as Lambda-Runtime-Cognito-Identity.
	CognitoIdentity string
	TraceID         string
	// InvokedARN is Lambda-Runtime-Invoked-Function-Arn (defaults to the
	// function's ARN).
	InvokedARN string
	// Tail asks for the last 4 KB of this invocation's log in Result.LogTail.
	Tail bool
	// Stream, when set, receives the response body as the runtime writes it
	// (response streaming); Result.Payload is then empty.
	Stream io.Writer
}

// Result is what an invocation produced. A function error is a result, not a
// Go error: Payload holds the error document and FunctionError is set.
type Result struct {
	Payload []byte
	// FunctionError is "Unhandled" when the function failed (an /error post,
	// a crash, a timeout), as Lambda reports in X-Amz-Function-Error.
	FunctionError string
	// TimedOut is set when the invocation (or the cold start before it) ran
	// past its timeout and the instance was stopped: Payload then holds
	// Lambda's Sandbox.Timedout error document. API Gateway answers a
	// timeout with its own status, not as a bad integration response.
	TimedOut bool
	// LogTail is the last 4 KB of the invocation's log (when Request.Tail).
	LogTail      []byte
	Duration     time.Duration
	InitDuration time.Duration // non-zero on a cold start
	ColdStart    bool
	MaxMemoryMB  int
	// ContentType of a streamed response, when the runtime set one.
	ContentType string
	// ExecutedVersion is the version that ran ("$LATEST" or a number; an
	// alias with weights picks one), as X-Amz-Executed-Version reports it.
	ExecutedVersion string
}

// LogSink receives every line a function instance writes to stdout/stderr,
// attributed to the invocation running at the time ("" between invocations),
// plus the START, END and REPORT lines the pool writes itself. The log
// store (a logs.Writer) is one, and takes an invocation's lines in batches.
type LogSink interface {
	Line(function, requestID string, at time.Time, line []byte)
}

// Observer is told about every invocation, for metrics.
type Observer interface {
	// Invoked is called after every invocation the pool ran (err non-nil
	// only for platform failures, not function errors).
	Invoked(function string, r *Result, err error)
	// Throttled is called when an invocation was refused for concurrency.
	Throttled(function string)
	// Concurrency is called with +1 when an invocation starts and -1 when it ends.
	Concurrency(function string, delta int)
}
