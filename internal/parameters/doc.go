// Package parameters is nubo's SSM: the Parameter Store API (GetParameter,
// GetParameters, PutParameter, DeleteParameter, DeleteParameters,
// GetParametersByPath, DescribeParameters with its filters,
// GetParameterHistory, LabelParameterVersion, UnlabelParameterVersion, and
// AddTagsToResource, RemoveTagsFromResource and ListTagsForResource for
// parameters and documents), SSM documents stored and versioned (not run),
// all over a JetStream KV bucket, and the AWS::SSM::Parameter stack
// resource. Seed 000 names it as the other way stacks share values
// (besides exports).
//
// Read store.go first (store_history.go keeps past versions, store_labels.go
// labels, store_tags.go tags), then api.go (the operation table),
// api_describe.go (DescribeParameters' filters), documents.go and
// api_documents.go, and resource.go.
package parameters
