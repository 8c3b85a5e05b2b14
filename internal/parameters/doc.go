// Package parameters is nubo's parameter store: the SSM Parameter Store API
// subset (GetParameter, GetParameters, PutParameter, DeleteParameter,
// DeleteParameters, GetParametersByPath, DescribeParameters,
// GetParameterHistory, and AddTagsToResource, RemoveTagsFromResource and
// ListTagsForResource for parameters) over a JetStream KV bucket, and the
// AWS::SSM::Parameter stack resource. Seed 000 names it as the other way
// stacks share values (besides exports).
//
// Read store.go first (store_history.go keeps past versions, store_tags.go
// tags), then api.go (the operation table) and resource.go.
package parameters
