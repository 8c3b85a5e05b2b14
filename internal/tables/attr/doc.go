// Package attr is DynamoDB's attribute-value model: the ten types (S, N,
// B, BOOL, NULL, M, L, SS, NS, BS) as the JSON wire writes them, numbers as
// 38-digit decimals with DynamoDB's normalisation and ordering, item sizes
// and the order-preserving byte encoding keys are stored under.
package attr
