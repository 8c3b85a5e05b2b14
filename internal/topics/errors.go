package topics

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Sentinel errors; wireError maps them to SNS's codes.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid parameter")
)

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotFound}, args...)...)
}

// invalid is SNS's InvalidParameter with its message ("Invalid parameter: ...").
func invalid(format string, args ...any) *awsapi.Error {
	return awsapi.Errorf(http.StatusBadRequest, "InvalidParameter", "Invalid parameter: "+format, args...)
}

func wireError(err error) error {
	if err == nil {
		return nil
	}
	var ae *awsapi.Error
	if errors.As(err, &ae) {
		return ae
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return awsapi.NewError(http.StatusNotFound, "NotFound", err.Error())
	case errors.Is(err, ErrInvalid):
		return awsapi.NewError(http.StatusBadRequest, "InvalidParameter", err.Error())
	}
	return awsapi.InternalError(err)
}
