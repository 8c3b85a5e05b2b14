package events

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/eventpattern"
)

// Sentinel errors, mapped to EventBridge's codes by wireError.
var (
	ErrNotFound      = errors.New("not found")
	ErrExists        = errors.New("already exists")
	ErrValidation    = errors.New("validation")
	ErrLimitExceeded = errors.New("limit exceeded")
	ErrManaged       = errors.New("managed rule")
	ErrIllegalStatus = errors.New("illegal status")
)

// wireError maps the package's errors to EventBridge's codes.
func wireError(err error) error {
	var ae *awsapi.Error
	if errors.As(err, &ae) {
		return err
	}
	var pe *eventpattern.Error
	switch {
	case errors.As(err, &pe):
		return awsapi.NewError(http.StatusBadRequest, "InvalidEventPatternException", "Event pattern is not valid. Reason: "+pe.Reason)
	case errors.Is(err, awsapi.ErrInvalidToken):
		return awsapi.ValidationError("The NextToken is not valid")
	case errors.Is(err, ErrNotFound):
		return awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", trim(err))
	case errors.Is(err, ErrExists):
		return awsapi.NewError(http.StatusBadRequest, "ResourceAlreadyExistsException", trim(err))
	case errors.Is(err, ErrLimitExceeded):
		return awsapi.NewError(http.StatusBadRequest, "LimitExceededException", trim(err))
	case errors.Is(err, ErrManaged):
		return awsapi.NewError(http.StatusBadRequest, "ManagedRuleException", trim(err))
	case errors.Is(err, ErrIllegalStatus):
		return awsapi.NewError(http.StatusBadRequest, "IllegalStatusException", trim(err))
	case errors.Is(err, ErrValidation):
		return awsapi.ValidationError("%s", trim(err))
	}
	return awsapi.InternalError(err)
}

// trim drops the sentinel's text from a wrapped error's message.
func trim(err error) string {
	msg := err.Error()
	for _, s := range []error{ErrNotFound, ErrExists, ErrValidation, ErrLimitExceeded, ErrManaged, ErrIllegalStatus} {
		if n := len(msg) - len(s.Error()) - 2; n > 0 && msg[n:] == ": "+s.Error() {
			return msg[:n] + "."
		}
	}
	return msg
}

func errExists(kind, name string) error {
	return fmt.Errorf("%s %s already exists: %w", kind, name, ErrExists)
}
