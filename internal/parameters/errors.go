package parameters

import "errors"

// Sentinel errors; api.go maps them to SSM's error codes.
var (
	ErrNotFound = errors.New("parameter not found")
	ErrExists   = errors.New("parameter already exists")
	ErrInvalid  = errors.New("invalid parameter")
)
