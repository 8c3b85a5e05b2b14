package iam

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestPolicyVersionsAndTags(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	doc := func(i int) *string {
		return aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}]}`, i))
	}
	p, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("vers"), PolicyDocument: doc(1)})
	if err != nil {
		t.Fatal(err)
	}
	arn := p.Policy.Arn
	for i := 2; i <= 5; i++ {
		if _, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc(i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc(6), SetAsDefault: true})
	mustContain(t, apiError(t, err, "LimitExceeded"), "A managed policy can have up to 5 versions.")

	vs, err := c.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.Versions) != 5 || *vs.Versions[0].VersionId != "v5" || !vs.Versions[4].IsDefaultVersion {
		t.Fatalf("versions %+v", vs.Versions)
	}
	_, err = c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	mustContain(t, apiError(t, err, "DeleteConflict"), "Cannot delete the default version of a policy.")
	if _, err := c.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v9")})
	apiError(t, err, "NoSuchEntity")
	gp, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: arn})
	if err != nil || *gp.Policy.DefaultVersionId != "v3" {
		t.Fatalf("%v %+v", err, gp)
	}
	nv, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc(6)})
	if err != nil || *nv.PolicyVersion.VersionId != "v6" {
		t.Fatalf("%v %+v", err, nv)
	}
	_, err = c.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/none")})
	apiError(t, err, "NoSuchEntity")

	// Tags.
	if _, err := c.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: arn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "b" {
		t.Fatalf("%v %+v", err, tags)
	}
	_, err = c.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}})
	apiError(t, err, "ValidationError")
}
