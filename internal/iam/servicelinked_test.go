package iam

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestServiceLinkedRoles(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	r, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), Description: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	if *r.Role.RoleName != "AWSServiceRoleForAutoScaling" || *r.Role.Path != "/aws-service-role/autoscaling.amazonaws.com/" ||
		*r.Role.Arn != "arn:aws:iam::"+testAccount+":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling" {
		t.Fatalf("%+v", r.Role)
	}
	_, err = c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")})
	apiError(t, err, "InvalidInput")
	s, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("two")})
	if err != nil || *s.Role.RoleName != "AWSServiceRoleForAutoScaling_two" {
		t.Fatalf("%v %+v", err, s)
	}
	_, err = c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("not a service")})
	apiError(t, err, "InvalidInput")

	d, err := c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: r.Role.RoleName})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: d.DeletionTaskId})
	if err != nil || st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("%v %+v", err, st)
	}
	_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: r.Role.RoleName})
	apiError(t, err, "NoSuchEntity")
	_, err = c.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/aws-service-role/x/y/z")})
	apiError(t, err, "NoSuchEntity")
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")})
	apiError(t, err, "ValidationError")
}
