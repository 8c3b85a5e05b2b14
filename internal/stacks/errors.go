package stacks

import "errors"

// Sentinel errors; api.go maps them to wire codes.
var (
	// ErrNotFound is what Provider.Read and Delete return for a resource that is gone.
	ErrNotFound = errors.New("not found")
	// ErrStackNotFound: no stack of that name.
	ErrStackNotFound = errors.New("stack not found")
	// ErrStackBusy: another deployment holds the stack's lock.
	ErrStackBusy = errors.New("stack is being updated")
	// ErrTemplate: the template is invalid.
	ErrTemplate = errors.New("template error")
	// ErrRefused: the plan was refused (data loss, export integrity, a stale plan).
	ErrRefused = errors.New("refused")
)
