package parameters

import (
	"errors"
	"fmt"
)

// Sentinel errors; api.go maps them to SSM's error codes.
var (
	ErrNotFound = errors.New("parameter not found")
	ErrExists   = errors.New("parameter already exists")
	ErrInvalid  = errors.New("invalid parameter")
)

// notFoundError is ErrNotFound naming the parameter.
type notFoundError struct{ name string }

func (e *notFoundError) Error() string { return fmt.Sprintf("parameter %q: %v", e.name, ErrNotFound) }
func (e *notFoundError) Unwrap() error { return ErrNotFound }
