package iam

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/nubo-run/nubo/internal/awsapi"
)

func TestGetSessionTokenAndFederationToken(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	root := h.iam(h.root())
	creds := userKeys(t, root, "erin")
	both := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:ListRoles","sts:GetFederationToken"],"Resource":"*"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("erin"), PolicyName: aws.String("p"), PolicyDocument: aws.String(both)}); err != nil {
		t.Fatal(err)
	}
	userARN := "arn:aws:iam::" + testAccount + ":user/erin"

	// GetSessionToken: the same user, with its policies.
	st, err := h.sts(creds).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	sess := awsapi.Credentials{AccessKeyID: *st.Credentials.AccessKeyId, SecretAccessKey: *st.Credentials.SecretAccessKey, SessionToken: *st.Credentials.SessionToken}
	id, err := h.sts(sess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != userARN {
		t.Fatalf("%v %+v", err, id)
	}
	if _, err := h.iam(sess).ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = h.iam(sess).ListPolicies(ctx, &awsiam.ListPoliciesInput{})
	mustContain(t, apiError(t, err, "AccessDenied"), "User: "+userARN+" is not authorized")
	_, err = h.sts(sess).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	mustContain(t, apiError(t, err, "AccessDenied"), "Cannot call GetSessionToken with session credentials")
	_, err = h.sts(creds).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(10)})
	apiError(t, err, "ValidationError")

	// GetFederationToken: the user's permissions intersected with the policy passed.
	ft, err := h.sts(creds).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed"), Policy: aws.String(allowListUsers)})
	if err != nil {
		t.Fatal(err)
	}
	fedARN := "arn:aws:sts::" + testAccount + ":federated-user/fed"
	if *ft.FederatedUser.Arn != fedARN || *ft.FederatedUser.FederatedUserId != testAccount+":fed" {
		t.Fatalf("federated user %+v", ft.FederatedUser)
	}
	fed := awsapi.Credentials{AccessKeyID: *ft.Credentials.AccessKeyId, SecretAccessKey: *ft.Credentials.SecretAccessKey, SessionToken: *ft.Credentials.SessionToken}
	fid, err := h.sts(fed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *fid.Arn != fedARN || *fid.UserId != testAccount+":fed" {
		t.Fatalf("%v %+v", err, fid)
	}
	if _, err := h.iam(fed).ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = h.iam(fed).ListRoles(ctx, &awsiam.ListRolesInput{})
	mustContain(t, apiError(t, err, "AccessDenied"), "User: "+fedARN+" is not authorized to perform: iam:ListRoles")

	// Without a policy, a federated session may do nothing.
	ft2, err := h.sts(creds).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bare")})
	if err != nil {
		t.Fatal(err)
	}
	bare := awsapi.Credentials{AccessKeyID: *ft2.Credentials.AccessKeyId, SecretAccessKey: *ft2.Credentials.SecretAccessKey, SessionToken: *ft2.Credentials.SessionToken}
	_, err = h.iam(bare).ListUsers(ctx, &awsiam.ListUsersInput{})
	apiError(t, err, "AccessDenied")

	// A user without sts:GetFederationToken is refused.
	other := userKeys(t, root, "frank")
	_, err = h.sts(other).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	mustContain(t, apiError(t, err, "AccessDenied"), "sts:GetFederationToken on resource: "+fedARN)
	_, err = h.sts(creds).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("x")})
	apiError(t, err, "ValidationError")

	// The root key's session token is the root user.
	rs, err := h.sts(h.root()).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	rsc := awsapi.Credentials{AccessKeyID: *rs.Credentials.AccessKeyId, SecretAccessKey: *rs.Credentials.SecretAccessKey, SessionToken: *rs.Credentials.SessionToken}
	if _, err := h.iam(rsc).ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}

	// GetAccessKeyInfo names the account.
	info, err := h.sts(h.root()).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(creds.AccessKeyID)})
	if err != nil || *info.Account != testAccount {
		t.Fatalf("%v %+v", err, info)
	}
}
