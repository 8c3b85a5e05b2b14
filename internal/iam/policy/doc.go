// Package policy is the IAM policy language: documents (Parse), their
// compiled form (Compile), and the evaluation logic AWS documents in "Policy
// evaluation logic" (Evaluate): an explicit Deny in any policy wins, then an
// Allow from an identity-based or resource-based policy (limited by a
// permissions boundary), else the request is implicitly denied.
//
// Start with document.go (the JSON shapes), then compile.go and evaluate.go.
// condition.go holds the condition operators, pattern.go the `*`/`?`
// wildcards and policy variables, message.go AWS's denial messages and the
// smallest statement that would allow a denied request.
package policy
