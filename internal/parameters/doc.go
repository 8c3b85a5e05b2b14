// Package parameters is nubo's parameter store: the SSM Parameter Store API
// subset (GetParameter, GetParameters, PutParameter, DeleteParameter,
// DeleteParameters, GetParametersByPath, DescribeParameters) over a JetStream KV bucket, and the
// AWS::SSM::Parameter stack resource. Seed 000 names it as the other way
// stacks share values (besides exports).
//
// Read store.go first, then api.go (the wire handler) and resource.go.
package parameters
