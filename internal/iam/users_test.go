package iam

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

const allowListUsers = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`

// userKeys creates a user with an access key and returns the key.
func userKeys(t *testing.T, c *awsiam.Client, name string) awsapi.Credentials {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return awsapi.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
}

func httpStatus(t *testing.T, err error) int {
	t.Helper()
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("%v is not an HTTP response error", err)
	}
	return re.HTTPStatusCode()
}

// A user's access key signs requests that the user's and its groups'
// policies authorize; an inactive or deleted key is refused.
func TestUserAccessKeySignsAndIsAuthorized(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	root := h.iam(h.root())
	creds := userKeys(t, root, "alice")
	alice := h.iam(creds)
	userARN := "arn:aws:iam::" + testAccount + ":user/alice"

	id, err := h.sts(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != userARN || (*id.UserId)[:4] != "AIDA" {
		t.Fatalf("caller identity %s %s", *id.Arn, *id.UserId)
	}

	// No policy: denied, naming the user.
	_, err = alice.ListUsers(ctx, &awsiam.ListUsersInput{})
	mustContain(t, apiError(t, err, "AccessDenied"), "User: "+userARN+" is not authorized to perform: iam:ListUsers")
	// The key's use is recorded.
	lu, err := root.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(creds.AccessKeyID)})
	if err != nil {
		t.Fatal(err)
	}
	if lu.AccessKeyLastUsed.LastUsedDate == nil || *lu.AccessKeyLastUsed.ServiceName != "iam" || *lu.AccessKeyLastUsed.Region != "us-east-1" {
		t.Fatalf("last used %+v", lu.AccessKeyLastUsed)
	}

	// The user's own inline policy allows it; another action stays denied.
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("list"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	users, err := alice.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 1 || *users.Users[0].Arn != userARN {
		t.Fatalf("users %+v", users.Users)
	}
	_, err = alice.ListRoles(ctx, &awsiam.ListRolesInput{})
	mustContain(t, apiError(t, err, "AccessDenied"), "User: "+userARN+" is not authorized to perform: iam:ListRoles")

	// The simulator sees the user's policies.
	sim, err := root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(userARN), ActionNames: []string{"iam:ListUsers", "iam:ListRoles"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sim.EvaluationResults) != 2 || sim.EvaluationResults[0].EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed ||
		sim.EvaluationResults[1].EvalDecision == iamtypes.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("simulation %+v", sim.EvaluationResults)
	}

	// A group's attached policy grants it.
	pol, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("list-roles"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("group policy should allow ListRoles: %v", err)
	}
	// Leaving the group takes it away again.
	if _, err := root.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.ListRoles(ctx, &awsiam.ListRolesInput{})
	apiError(t, err, "AccessDenied")

	// An inactive key is refused; active again, it signs again.
	setStatus := func(s iamtypes.StatusType) {
		t.Helper()
		if _, err := root.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(creds.AccessKeyID), Status: s}); err != nil {
			t.Fatal(err)
		}
	}
	setStatus(iamtypes.StatusTypeInactive)
	_, err = alice.ListUsers(ctx, &awsiam.ListUsersInput{})
	apiError(t, err, "InvalidClientTokenId")
	if httpStatus(t, err) != http.StatusForbidden {
		t.Fatalf("status %d", httpStatus(t, err))
	}
	setStatus(iamtypes.StatusTypeActive)
	if _, err := alice.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}

	// A user cannot be deleted while it has keys or policies.
	_, err = root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")})
	mustContain(t, apiError(t, err, "DeleteConflict"), "must delete access keys first")
	if _, err := root.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(creds.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.ListUsers(ctx, &awsiam.ListUsersInput{})
	apiError(t, err, "InvalidClientTokenId")
	_, err = root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")})
	mustContain(t, apiError(t, err, "DeleteConflict"), "must delete policies first")

	// A policy attached to a group cannot be deleted.
	_, err = root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: pol.Policy.Arn})
	apiError(t, err, "DeleteConflict")
}

// A user with a key can manage its own keys without naming itself.
func TestUserOwnAccessKeys(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	root := h.iam(h.root())
	creds := userKeys(t, root, "bob")
	self := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListAccessKeys","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("self"), PolicyDocument: aws.String(self)}); err != nil {
		t.Fatal(err)
	}
	bob := h.iam(creds)
	keys, err := bob.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != creds.AccessKeyID || *keys.AccessKeyMetadata[0].UserName != "bob" {
		t.Fatalf("keys %+v", keys.AccessKeyMetadata)
	}
	u, err := bob.GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *u.User.UserName != "bob" {
		t.Fatalf("user %+v", u.User)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("carol")})
	mustContain(t, apiError(t, err, "AccessDenied"), "on resource: arn:aws:iam::"+testAccount+":user/carol")
}

// A user moved to another path or renamed keeps signing with its key, as
// its new ARN.
func TestUpdatedUserKeepsItsKey(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	root := h.iam(h.root())
	creds := userKeys(t, root, "gina")
	for _, in := range []*awsiam.UpdateUserInput{
		{UserName: aws.String("gina"), NewPath: aws.String("/ops/")},
		{UserName: aws.String("gina"), NewUserName: aws.String("Gina")},
		{UserName: aws.String("Gina"), NewUserName: aws.String("georgina")},
	} {
		if _, err := root.UpdateUser(ctx, in); err != nil {
			t.Fatal(err)
		}
		name := *in.UserName
		if in.NewUserName != nil {
			name = *in.NewUserName
		}
		id, err := h.sts(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || *id.Arn != "arn:aws:iam::"+testAccount+":user/ops/"+name || (*id.UserId)[:4] != "AIDA" {
			t.Fatalf("after %+v: %v %+v", in, err, id)
		}
	}
}
