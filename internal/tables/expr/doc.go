// Package expr is DynamoDB's expression languages: condition and filter
// expressions, key conditions, projections and update expressions, parsed
// against ExpressionAttributeNames and ExpressionAttributeValues (each
// must be used, and every one used defined, as DynamoDB checks) and
// evaluated on attr.Items.
package expr
