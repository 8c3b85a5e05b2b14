package functions

import "errors"

// Sentinel errors of this context; api.go alone maps them to Lambda's codes.
var (
	ErrFunctionNotFound = errors.New("function not found")
	ErrFunctionExists   = errors.New("function already exists")
	// ErrReservedConcurrency: the function's reserved concurrency is in use
	// (TooManyRequestsException, Reason ReservedFunctionConcurrentInvocationLimitExceeded).
	ErrReservedConcurrency = errors.New("reserved function concurrency limit exceeded")
	// ErrConcurrencyLimit: the server-wide instance limit is in use
	// (TooManyRequestsException, Reason ConcurrentInvocationLimitExceeded).
	ErrConcurrencyLimit = errors.New("concurrent invocation limit exceeded")
	// ErrClosing: the server is shutting down and takes no new work.
	ErrClosing = errors.New("server is shutting down")
)
