// Package eventpattern is the content filter of EventBridge event patterns
// (and, later, of SNS filter policies): a set of patterns is compiled once
// into a Set, and an event (a JSON object) is matched against the whole set
// at once, answering the ids of the patterns it matches.
//
// The language is EventBridge's: exact strings, numbers, booleans and null
// (OR within a field's array, AND across fields), nested objects,
// "prefix", "suffix" (each optionally {"equals-ignore-case": ...}),
// "anything-but" (a value, a list, or {"prefix"|"suffix"|
// "equals-ignore-case"|"wildcard": ...}), "numeric" ranges, "exists",
// "cidr" (IPv4 and IPv6), "equals-ignore-case", "wildcard" and "$or".
// Arrays in the event match when any element matches; an object pattern
// over an array of objects matches when one element matches the whole
// object pattern (conditions are not combined across elements).
//
// A Set indexes every pattern by one of its required exact-value fields
// (path and value): matching an event looks its leaves up in that index
// and evaluates only the patterns found there, plus those with no such
// field. The verdict is the same as evaluating each pattern in turn.
//
// Read pattern.go (the compiled form and its parser), then match.go and
// set.go.
package eventpattern
