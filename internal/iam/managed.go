package iam

import (
	"github.com/nubo-run/nubo/internal/iam/awsmanaged"
)

// AWS managed policies (arn:aws:iam::aws:policy/PATH/NAME) are all built in:
// internal/iam/awsmanaged holds every one, generated from a public record of
// AWS's own documents. They are read on first use, and a document is
// compiled only when a role that attaches it is evaluated.

// awsManaged returns the AWS managed policy arn, if it is one.
func awsManaged(arn string) (ManagedPolicy, bool) {
	p, ok := awsmanaged.ByARN(arn)
	if !ok {
		return ManagedPolicy{}, false
	}
	return fromAWS(p), true
}

// awsManagedPolicies returns every AWS managed policy, sorted by ARN.
func awsManagedPolicies() []ManagedPolicy {
	all := awsmanaged.All()
	out := make([]ManagedPolicy, len(all))
	for i, p := range all {
		out[i] = fromAWS(p)
	}
	return out
}

func fromAWS(p awsmanaged.Policy) ManagedPolicy {
	return ManagedPolicy{
		Name: p.Name, Path: p.Path, ID: p.ID, ARN: p.ARN,
		Created: p.Created, Updated: p.Updated, DefaultVersion: p.DefaultVersion, AWSManaged: true,
		Versions: []PolicyVersion{{ID: p.DefaultVersion, Document: p.Document, Created: p.Updated}},
	}
}

// ManagedPolicyARN resolves the name of an AWS managed policy
// ("AWSLambdaBasicExecutionRole") to its ARN, path included
// (arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole), as a
// SAM function's Policies by name need.
func ManagedPolicyARN(name string) (string, bool) { return awsmanaged.ARN("aws", name) }

// ManagedPolicyARN is the package function, for callers holding a Store.
func (s *Store) ManagedPolicyARN(name string) (string, bool) { return ManagedPolicyARN(name) }
