package queues

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Sentinel errors; wireError maps them to SQS's codes.
var (
	ErrNotFound       = errors.New("queue does not exist")
	ErrExists         = errors.New("a queue already exists with the same name and different attributes")
	ErrInvalid        = errors.New("invalid parameter value")
	ErrAttributeName  = errors.New("invalid attribute name")
	ErrAttributeValue = errors.New("invalid attribute value")
	ErrReceipt        = errors.New("receipt handle is invalid")
	ErrTooLong        = errors.New("message too long")
	ErrContents       = errors.New("invalid message contents")
	ErrUnsupported    = errors.New("unsupported operation")
)

// sqsError is an SQS error with the JSON protocol's code (the SDK's error
// type) and the query protocol's code.
func sqsError(status int, code, queryCode, msg string) *awsapi.Error {
	e := awsapi.NewError(status, code, msg)
	if queryCode != code {
		e.QueryCode = queryCode
	}
	return e
}

// wireError turns the package's errors into SQS's codes.
func wireError(err error) error {
	if err == nil {
		return nil
	}
	var ae *awsapi.Error
	if errors.As(err, &ae) {
		return ae
	}
	msg := err.Error()
	switch {
	case errors.Is(err, ErrNotFound):
		return sqsError(http.StatusBadRequest, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	case errors.Is(err, ErrExists):
		return sqsError(http.StatusBadRequest, "QueueNameExists", "QueueAlreadyExists", msg)
	case errors.Is(err, ErrAttributeName):
		return sqsError(http.StatusBadRequest, "InvalidAttributeName", "InvalidAttributeName", msg)
	case errors.Is(err, ErrAttributeValue):
		return sqsError(http.StatusBadRequest, "InvalidAttributeValue", "InvalidAttributeValue", msg)
	case errors.Is(err, ErrReceipt):
		return sqsError(http.StatusBadRequest, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", msg)
	case errors.Is(err, ErrContents):
		return sqsError(http.StatusBadRequest, "InvalidMessageContents", "InvalidMessageContents", msg)
	case errors.Is(err, ErrUnsupported):
		return sqsError(http.StatusBadRequest, "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", msg)
	case errors.Is(err, ErrTooLong), errors.Is(err, ErrInvalid):
		return invalidParameter("%s", msg)
	}
	return awsapi.InternalError(err)
}

// invalidParameter is SQS's InvalidParameterValue (400).
func invalidParameter(format string, args ...any) *awsapi.Error {
	return awsapi.Errorf(http.StatusBadRequest, "InvalidParameterValue", format, args...)
}

func missingParameter(name string) *awsapi.Error {
	return awsapi.Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s.", name)
}

// Batch errors.
func emptyBatch() *awsapi.Error {
	return sqsError(http.StatusBadRequest, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request.")
}

func tooManyEntries(n int) *awsapi.Error {
	return sqsError(http.StatusBadRequest, "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
		fmt.Sprintf("Maximum number of entries per request are 10. You have sent %d.", n))
}

func idsNotDistinct(id string) *awsapi.Error {
	return sqsError(http.StatusBadRequest, "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
		fmt.Sprintf("Id %s repeated.", id))
}

func invalidEntryID(id string) *awsapi.Error {
	return sqsError(http.StatusBadRequest, "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
		fmt.Sprintf("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long: %q", id))
}

func batchTooLong(n int) *awsapi.Error {
	return sqsError(http.StatusBadRequest, "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		fmt.Sprintf("Batch requests cannot be longer than 262144 bytes. You have sent %d bytes.", n))
}
