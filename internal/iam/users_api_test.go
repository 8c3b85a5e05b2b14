package iam

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestUserLifecycle(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	name := aws.String("dave")

	cu, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: name, Path: aws.String("/eng/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	if *cu.User.Arn != "arn:aws:iam::"+testAccount+":user/eng/dave" || *cu.User.Path != "/eng/" || len(cu.User.Tags) != 1 {
		t.Fatalf("created %+v", cu.User)
	}
	_, err = c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("DAVE")})
	mustContain(t, apiError(t, err, "EntityAlreadyExists"), "User with name DAVE already exists.")
	_, err = c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")})
	if msg := apiError(t, err, "NoSuchEntity"); msg != "The user with name nobody cannot be found." || httpStatus(t, err) != http.StatusNotFound {
		t.Fatalf("%q %d", msg, httpStatus(t, err))
	}
	for _, bad := range []struct{ name, msg string }{
		{"bad/name", "Value 'bad/name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{strings.Repeat("n", 65), "at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
	} {
		_, err = c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(bad.name)})
		mustContain(t, apiError(t, err, "ValidationError"), bad.msg)
	}

	// Tags.
	if _, err := c.TagUser(ctx, &awsiam.TagUserInput{UserName: name, Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagUser(ctx, &awsiam.UntagUserInput{UserName: name, TagKeys: []string{"TEAM"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListUserTags(ctx, &awsiam.ListUserTagsInput{UserName: name})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Fatalf("tags %+v", tags.Tags)
	}

	// Keys: two at most.
	var ids []string
	for range 2 {
		k, err := c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: name})
		if err != nil {
			t.Fatal(err)
		}
		if len(*k.AccessKey.AccessKeyId) != 20 || len(*k.AccessKey.SecretAccessKey) != 40 || k.AccessKey.Status != iamtypes.StatusTypeActive {
			t.Fatalf("key %+v", k.AccessKey)
		}
		ids = append(ids, *k.AccessKey.AccessKeyId)
	}
	_, err = c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: name})
	if msg := apiError(t, err, "LimitExceeded"); msg != "Cannot exceed quota for AccessKeysPerUser: 2" || httpStatus(t, err) != http.StatusConflict {
		t.Fatalf("%q", msg)
	}
	lu, err := c.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(ids[0])})
	if err != nil {
		t.Fatal(err)
	}
	if *lu.UserName != "dave" || *lu.AccessKeyLastUsed.ServiceName != "N/A" {
		t.Fatalf("last used %+v", lu)
	}
	_, err = c.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: name, AccessKeyId: aws.String("AKIANOSUCHKEY0000000"), Status: iamtypes.StatusTypeInactive})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "The Access Key with id AKIANOSUCHKEY0000000 cannot be found.")

	// Login profile.
	if _, err := c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: name, Password: aws.String("Pa55word!"), PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: name, Password: aws.String("x")})
	apiError(t, err, "EntityAlreadyExists")
	if _, err := c.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: name, PasswordResetRequired: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	lp, err := c.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: name})
	if err != nil {
		t.Fatal(err)
	}
	if *lp.LoginProfile.UserName != "dave" || lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("login profile %+v", lp.LoginProfile)
	}

	// Inline and attached policies.
	if _, err := c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("bad"), PolicyDocument: aws.String("{")})
	apiError(t, err, "MalformedPolicyDocument")
	gp, err := c.GetUserPolicy(ctx, &awsiam.GetUserPolicyInput{UserName: name, PolicyName: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(*gp.PolicyDocument); doc != allowListUsers {
		t.Fatalf("document %q", doc)
	}
	lp2, err := c.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: name})
	if err != nil || len(lp2.PolicyNames) != 1 {
		t.Fatalf("%v %+v", err, lp2)
	}
	_, err = c.GetUserPolicy(ctx, &awsiam.GetUserPolicyInput{UserName: name, PolicyName: aws.String("nope")})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "The user policy with name nope cannot be found.")
	ro := "arn:aws:iam::aws:policy/AdministratorAccess"
	if _, err := c.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: name, PolicyArn: aws.String(ro)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: name, PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/none")})
	apiError(t, err, "NoSuchEntity")
	ap, err := c.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: name})
	if err != nil || len(ap.AttachedPolicies) != 1 || *ap.AttachedPolicies[0].PolicyName != "AdministratorAccess" {
		t.Fatalf("%v %+v", err, ap)
	}

	// Groups and renames.
	if _, err := c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("ops")})
	mustContain(t, apiError(t, err, "EntityAlreadyExists"), "Group with name ops already exists.")
	if _, err := c.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: name}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("ops")})
	mustContain(t, apiError(t, err, "DeleteConflict"), "must remove users from group first")
	if _, err := c.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: name, NewUserName: aws.String("david")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateGroup(ctx, &awsiam.UpdateGroupInput{GroupName: aws.String("ops"), NewGroupName: aws.String("sre")}); err != nil {
		t.Fatal(err)
	}
	name = aws.String("david")
	gg, err := c.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("sre")})
	if err != nil || len(gg.Users) != 1 || *gg.Users[0].UserName != "david" || *gg.Group.Arn != "arn:aws:iam::"+testAccount+":group/sre" {
		t.Fatalf("%v %+v", err, gg)
	}
	gfu, err := c.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: name})
	if err != nil || len(gfu.Groups) != 1 || *gfu.Groups[0].GroupName != "sre" {
		t.Fatalf("%v %+v", err, gfu)
	}
	keys, err := c.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: name})
	if err != nil || len(keys.AccessKeyMetadata) != 2 || *keys.AccessKeyMetadata[0].UserName != "david" {
		t.Fatalf("%v %+v", err, keys)
	}
	_, err = c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("dave")})
	apiError(t, err, "NoSuchEntity")

	// Delete everything, in the order IAM requires.
	steps := []struct {
		want string
		undo func() error
	}{
		{"must delete access keys first", func() error {
			for _, id := range ids {
				if _, err := c.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: name, AccessKeyId: aws.String(id)}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"must delete login profile first", func() error {
			_, err := c.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: name})
			return err
		}},
		{"must delete policies first", func() error {
			_, err := c.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: name, PolicyName: aws.String("p")})
			return err
		}},
		{"must detach all policies first", func() error {
			_, err := c.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: name, PolicyArn: aws.String(ro)})
			return err
		}},
		{"must remove users from group first", func() error {
			_, err := c.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("sre"), UserName: name})
			return err
		}},
	}
	for _, s := range steps {
		_, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: name})
		mustContain(t, apiError(t, err, "DeleteConflict"), s.want)
		if err := s.undo(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("sre")}); err != nil {
		t.Fatal(err)
	}
	lu2, err := c.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil || len(lu2.Users) != 0 {
		t.Fatalf("%v %+v", err, lu2)
	}
}

func TestGroupPolicies(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	g := aws.String("readers")
	if _, err := c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: g, Path: aws.String("/x/")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: g, PolicyName: aws.String("p"), PolicyDocument: aws.String(allowListUsers)}); err != nil {
		t.Fatal(err)
	}
	gp, err := c.GetGroupPolicy(ctx, &awsiam.GetGroupPolicyInput{GroupName: g, PolicyName: aws.String("p")})
	if err != nil || *gp.GroupName != "readers" {
		t.Fatalf("%v %+v", err, gp)
	}
	names, err := c.ListGroupPolicies(ctx, &awsiam.ListGroupPoliciesInput{GroupName: g})
	if err != nil || len(names.PolicyNames) != 1 {
		t.Fatalf("%v %+v", err, names)
	}
	_, err = c.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: g})
	mustContain(t, apiError(t, err, "DeleteConflict"), "must delete policies first")
	if _, err := c.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: g, PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: g, PolicyName: aws.String("p")})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "The group policy with name p cannot be found.")
	ro := aws.String("arn:aws:iam::aws:policy/AdministratorAccess")
	if _, err := c.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: g, PolicyArn: ro}); err != nil {
		t.Fatal(err)
	}
	ap, err := c.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: g})
	if err != nil || len(ap.AttachedPolicies) != 1 {
		t.Fatalf("%v %+v", err, ap)
	}
	if _, err := c.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: g, PolicyArn: ro}); err != nil {
		t.Fatal(err)
	}
	lg, err := c.ListGroups(ctx, &awsiam.ListGroupsInput{PathPrefix: aws.String("/x/")})
	if err != nil || len(lg.Groups) != 1 || *lg.Groups[0].Arn != "arn:aws:iam::"+testAccount+":group/x/readers" {
		t.Fatalf("%v %+v", err, lg)
	}
	if _, err := c.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: g}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: g})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "The group with name readers cannot be found.")
}
