package iam

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestGetAccountAuthorizationDetails(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	admin := aws.String("arn:aws:iam::aws:policy/AdministratorAccess")
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("g1"), UserName: aws.String("u1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("u1"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("g1"), PolicyArn: admin}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("local"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.UserDetailList) != 1 || d.UserDetailList[0].GroupList[0] != "g1" || *d.UserDetailList[0].UserPolicyList[0].PolicyName != "p" {
		t.Fatalf("users %+v", d.UserDetailList)
	}
	if len(d.GroupDetailList) != 1 || *d.GroupDetailList[0].AttachedManagedPolicies[0].PolicyArn != *admin {
		t.Fatalf("groups %+v", d.GroupDetailList)
	}
	if len(d.RoleDetailList) != 1 || *d.RoleDetailList[0].RoleName != "r1" {
		t.Fatalf("roles %+v", d.RoleDetailList)
	}
	// The local policy and the one AWS managed policy attached.
	if len(d.Policies) != 2 {
		t.Fatalf("policies %+v", d.Policies)
	}
	for _, p := range d.Policies {
		if *p.Arn == *admin && *p.AttachmentCount != 1 || len(p.PolicyVersionList) == 0 {
			t.Fatalf("policy %+v", p)
		}
	}
	only, err := c.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole}})
	if err != nil || len(only.RoleDetailList) != 1 || len(only.UserDetailList) != 0 || len(only.Policies) != 0 {
		t.Fatalf("%v %+v", err, only)
	}
}
