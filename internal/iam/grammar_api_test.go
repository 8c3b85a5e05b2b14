package iam

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestIAM_PolicyGrammar: every operation that takes a policy document
// answers one IAM's grammar refuses with MalformedPolicyDocument (HTTP 400)
// and IAM's message, and takes the same document once it is fixed.
func TestIAM_PolicyGrammar(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("g"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	cp, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("ok"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	const (
		noVersion   = `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
		noPrefix    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`
		notARN      = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"bucket"}}`
		principal   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`
		trustNoWho  = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`
		trustWithIt = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`
	)
	for _, tc := range []struct {
		name string
		call func(doc string) error
		doc  string
		want string
	}{
		{"CreatePolicy invalid JSON", func(d string) error {
			_, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(d)})
			return err
		}, `{"Version":`, "This policy contains invalid Json"},
		{"CreatePolicy without Version", func(d string) error {
			_, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p2"), PolicyDocument: aws.String(d)})
			return err
		}, noVersion, "Policy document must be version 2012-10-17 or greater."},
		{"CreatePolicyVersion action without prefix", func(d string) error {
			_, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: cp.Policy.Arn, PolicyDocument: aws.String(d)})
			return err
		}, noPrefix, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"PutRolePolicy resource not an ARN", func(d string) error {
			_, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("g"), PolicyName: aws.String("i"), PolicyDocument: aws.String(d)})
			return err
		}, notARN, `Resource bucket must be in ARN format or "*".`},
		{"PutRolePolicy with a Principal", func(d string) error {
			_, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("g"), PolicyName: aws.String("i"), PolicyDocument: aws.String(d)})
			return err
		}, principal, "Policy document should not specify a principal."},
		{"CreateRole trust policy without Principal", func(d string) error {
			_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("g2"), AssumeRolePolicyDocument: aws.String(d)})
			return err
		}, trustNoWho, "Missing required field Principal"},
		{"UpdateAssumeRolePolicy with Resource", func(d string) error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("g"), PolicyDocument: aws.String(d)})
			return err
		}, trustWithIt, "Has prohibited field Resource."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(tc.doc)
			if msg := apiError(t, err, "MalformedPolicyDocument"); msg != tc.want {
				t.Fatalf("message %q, want %q", msg, tc.want)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
				t.Fatalf("status: %v", err)
			}
		})
	}
	// Inline policies need no Version; managed ones do.
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("g"), PolicyName: aws.String("i"), PolicyDocument: aws.String(noVersion)}); err != nil {
		t.Fatalf("inline policy without Version: %v", err)
	}
}
