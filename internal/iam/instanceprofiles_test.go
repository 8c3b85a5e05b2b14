package iam

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestInstanceProfiles(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	name := aws.String("web")
	ip, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: name, Path: aws.String("/app/"),
		Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	if *ip.InstanceProfile.Arn != "arn:aws:iam::"+testAccount+":instance-profile/app/web" || (*ip.InstanceProfile.InstanceProfileId)[:4] != "AIPA" {
		t.Fatalf("%+v", ip.InstanceProfile)
	}
	_, err = c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: name})
	apiError(t, err, "EntityAlreadyExists")
	for _, r := range []string{"r1", "r2"} {
		if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(r), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: name, RoleName: aws.String("r1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: name, RoleName: aws.String("r2")})
	apiError(t, err, "LimitExceeded")
	got, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: name})
	if err != nil || len(got.InstanceProfile.Roles) != 1 || *got.InstanceProfile.Roles[0].RoleName != "r1" || len(got.InstanceProfile.Tags) != 1 {
		t.Fatalf("%v %+v", err, got)
	}
	forRole, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("r1")})
	if err != nil || len(forRole.InstanceProfiles) != 1 {
		t.Fatalf("%v %+v", err, forRole)
	}
	none, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("r2")})
	if err != nil || len(none.InstanceProfiles) != 0 {
		t.Fatalf("%v %+v", err, none)
	}
	_, err = c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: name})
	mustContain(t, apiError(t, err, "DeleteConflict"), "must remove roles from instance profile first")
	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r1")})
	mustContain(t, apiError(t, err, "DeleteConflict"), "must remove roles from instance profile first")
	if _, err := c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: name, RoleName: aws.String("r1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: name, TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("/app/")})
	if err != nil || len(list.InstanceProfiles) != 1 || len(list.InstanceProfiles[0].Roles) != 0 {
		t.Fatalf("%v %+v", err, list)
	}
	if _, err := c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: name}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: name})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "Instance Profile web cannot be found.")
}
