package iam

import "errors"

// Sentinel errors; api_iam.go maps them to IAM's error codes.
var (
	ErrNoSuchEntity   = errors.New("no such entity")
	ErrEntityExists   = errors.New("entity already exists")
	ErrDeleteConflict = errors.New("delete conflict")
	ErrInvalidInput   = errors.New("invalid input")
	ErrUnmodifiable   = errors.New("unmodifiable entity")
	ErrLimitExceeded  = errors.New("limit exceeded")
)
