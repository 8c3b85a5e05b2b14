package awsapi

import (
	"errors"
	"strconv"
)

// ErrInvalidToken is Page's error for a NextToken or Marker it did not
// issue; each service maps it to its own code (SSM InvalidNextToken, IAM
// ValidationError, Logs InvalidParameterException).
var ErrInvalidToken = errors.New("the pagination token is not valid")

// Page is the one pagination of list operations: items is the whole
// ordered list, token the caller's NextToken (or Marker, "" for the first
// page) and limit the page size (limit <= 0 takes defaultLimit). It returns
// the page and the token of the next one, "" after the last.
//
// Tokens are offsets into the list: a list that changes between pages may
// repeat or skip an item, as AWS documents for its own list operations.
func Page[T any](items []T, token string, limit, defaultLimit int) (page []T, next string, err error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", ErrInvalidToken
		}
		start = n
	}
	end := min(start+limit, len(items))
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// PageAfter is the keyed pagination of lists whose token names the last
// item of the previous page (Lambda's ListVersionsByFunction and
// ListAliases markers): items after the one whose key is marker, at most
// limit (limit <= 0 takes defaultLimit), and the key of the page's last item
// when more follow. A marker naming no item gives an empty page, as the
// item may have been deleted since.
func PageAfter[T any](items []T, key func(T) string, marker string, limit, defaultLimit int) (page []T, next string) {
	if limit <= 0 {
		limit = defaultLimit
	}
	start := 0
	if marker != "" {
		start = len(items)
		for i, it := range items {
			if key(it) == marker {
				start = i + 1
				break
			}
		}
	}
	end := min(start+limit, len(items))
	if end < len(items) {
		next = key(items[end-1])
	}
	return items[start:end], next
}
