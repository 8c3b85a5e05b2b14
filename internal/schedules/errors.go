package schedules

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Sentinels; wireError maps them to Scheduler's error codes
// (aws-sdk-go-v2 service/scheduler types/errors.go).
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotFound}, args...)...)
}

func conflict(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConflict}, args...)...)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// wireError is err as the Scheduler API returns it.
func wireError(err error) error {
	var ae *awsapi.Error
	var ee *ExpressionError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.As(err, &ee):
		return awsapi.NewError(http.StatusBadRequest, "ValidationException", ee.Error())
	case errors.Is(err, ErrNotFound):
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", trim(err, ErrNotFound))
	case errors.Is(err, ErrConflict):
		return awsapi.NewError(http.StatusConflict, "ConflictException", trim(err, ErrConflict))
	case errors.Is(err, ErrInvalid), errors.Is(err, awsapi.ErrInvalidToken):
		return awsapi.NewError(http.StatusBadRequest, "ValidationException", trim(err, ErrInvalid))
	}
	return err
}

// trim drops the sentinel's prefix from err's message.
func trim(err, sentinel error) string {
	msg := err.Error()
	if p := sentinel.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}
