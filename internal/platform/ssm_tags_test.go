package platform

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/iam"
)

// TestSSMTagOperationConditions: SSM's tagging operations are authorized as
// their own actions on the parameter's ARN, with the tags AddTagsToResource
// sets as aws:RequestTag/*, the keys RemoveTagsFromResource removes as
// aws:TagKeys, and the parameter's tags as aws:ResourceTag/*.
func TestSSMTagOperationConditions(t *testing.T) {
	p := startPlatform(t, Options{})
	root := clientsFor(p.EndpointURL())
	ctx := context.Background()
	role := root.role(t, "ssm-abac", lambdaTrust)
	policy := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["ssm:AddTagsToResource","ssm:RemoveTagsFromResource","ssm:ListTagsForResource"],"Resource":"` + paramARN + `app/*"},
	  {"Effect":"Deny","Action":"ssm:AddTagsToResource","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/owner":"mallory"}}},
	  {"Effect":"Deny","Action":"ssm:RemoveTagsFromResource","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"owner"}}},
	  {"Effect":"Deny","Action":"ssm:ListTagsForResource","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`
	if _, err := root.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("ssm-abac"), PolicyName: aws.String("abac"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	root.param(t, "/app/dev", "v")
	root.param(t, "/other/x", "v")
	if _, err := root.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/prod"), Value: aws.String("v"), Type: "String",
		Tags: []ssmtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, "abac"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	session := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
	denied := func(err error) bool {
		var ae smithy.APIError
		return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
	}
	param := ssmtypes.ResourceTypeForTaggingParameter
	add := func(name, k, v string) error {
		_, err := session.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: param, ResourceId: aws.String(name),
			Tags: []ssmtypes.Tag{{Key: aws.String(k), Value: aws.String(v)}}})
		return err
	}
	remove := func(name, k string) error {
		_, err := session.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: param, ResourceId: aws.String(name), TagKeys: []string{k}})
		return err
	}
	list := func(name string) error {
		_, err := session.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: param, ResourceId: aws.String(name)})
		return err
	}
	if err := add("/app/dev", "owner", "alice"); err != nil {
		t.Errorf("tag owner=alice: %v", err)
	}
	if err := add("/app/dev", "owner", "mallory"); !denied(err) {
		t.Errorf("tag owner=mallory: %v, want AccessDenied by aws:RequestTag/owner", err)
	}
	if err := add("/other/x", "team", "a"); !denied(err) {
		t.Errorf("tag a parameter outside app/: %v, want AccessDenied on its ARN", err)
	}
	if err := remove("/app/dev", "team"); err != nil {
		t.Errorf("untag team: %v", err)
	}
	if err := remove("/app/dev", "owner"); !denied(err) {
		t.Errorf("untag owner: %v, want AccessDenied by aws:TagKeys", err)
	}
	if err := list("/app/dev"); err != nil {
		t.Errorf("list tags of a dev parameter: %v", err)
	}
	if err := list("/app/prod"); !denied(err) {
		t.Errorf("list tags of a parameter tagged env=prod: %v, want AccessDenied by aws:ResourceTag/env", err)
	}
	out, err := root.ssm.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: param, ResourceId: aws.String("/app/dev")})
	if err != nil || len(out.TagList) != 1 || aws.ToString(out.TagList[0].Value) != "alice" {
		t.Errorf("tags of /app/dev as root: %v %+v", err, out)
	}
}
