package platform

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestIAMUserStack deploys a stack of IAM users, groups, a membership, an
// access key, an instance profile, an OpenID Connect provider and a
// service-linked role; the stack's access key signs requests that the
// user's and its group's policies allow, and nothing else; destroying the
// stack removes them all.
func TestIAMUserStack(t *testing.T) {
	p := startPlatform(t, Options{})
	c := clientsFor(p.EndpointURL())
	ctx := context.Background()
	template := `Resources:
  Readers:
    Type: AWS::IAM::Group
    Properties:
      Path: /team/
      Policies:
        - PolicyName: list-groups
          PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:ListGroups, Resource: "*"}]}
  Others:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/IAMReadOnlyAccess]
  Deployer:
    Type: AWS::IAM::User
    Properties:
      UserName: deployer
      Groups: [!Ref Readers]
      Policies:
        - PolicyName: list-users
          PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:ListUsers, Resource: "*"}]}
      LoginProfile: {Password: "Correct-Horse-1", PasswordResetRequired: true}
      Tags: [{Key: team, Value: platform}]
  Membership:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: !Ref Others
      Users: [!Ref Deployer]
  DeployerKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Deployer
  Ec2Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref Ec2Role]
  GitHub:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
      ThumbprintList: [6938fd4d98bab03faadb97b34396831e3780aea1]
  AutoScaling:
    Type: AWS::IAM::ServiceLinkedRole
    Properties:
      AWSServiceName: autoscaling.amazonaws.com
      CustomSuffix: app
  TagSelf:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: tag-self
      Users: [!Ref Deployer]
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:TagUser, Resource: !GetAtt Deployer.Arn}]}
  AliasPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Groups: [!Ref Readers]
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iam:CreateAccountAlias, Resource: "*"}]}
Outputs:
  KeyId: {Value: !Ref DeployerKey}
  Secret: {Value: !GetAtt DeployerKey.SecretAccessKey}
  UserArn: {Value: !GetAtt Deployer.Arn}
  GroupArn: {Value: !GetAtt Readers.Arn}
  ProfileArn: {Value: !GetAtt Profile.Arn}
  Provider: {Value: !Ref GitHub}
  SLR: {Value: !Ref AutoScaling}
`
	res, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "people", Template: template, BaseDir: t.TempDir()}}, nil)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	out := res.Outputs
	if out["UserArn"] != "arn:aws:iam::000000000000:user/deployer" || !strings.HasPrefix(out["GroupArn"], "arn:aws:iam::000000000000:group/team/") ||
		out["Provider"] != "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" || out["SLR"] != "AWSServiceRoleForAutoScaling_app" ||
		!strings.HasPrefix(out["ProfileArn"], "arn:aws:iam::000000000000:instance-profile/") {
		t.Fatalf("outputs %v", out)
	}
	groups, err := c.iam.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("deployer")})
	if err != nil || len(groups.Groups) != 2 {
		t.Fatalf("%v %+v", err, groups)
	}
	if _, err := c.iam.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("deployer")}); err != nil {
		t.Fatal(err)
	}

	// The stack's key signs as the user.
	user := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(out["KeyId"], out["Secret"], "")})
	if _, err := user.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("the user's own policy: %v", err)
	}
	if _, err := user.ListGroups(ctx, &awsiam.ListGroupsInput{}); err != nil {
		t.Fatalf("the Groups property's group policy: %v", err)
	}
	if _, err := user.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatalf("IAMReadOnlyAccess through UserToGroupAddition: %v", err)
	}
	if _, err := user.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("deployer"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatalf("AWS::IAM::Policy on Users: %v", err)
	}
	if _, err := user.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("people")}); err != nil {
		t.Fatalf("AWS::IAM::ManagedPolicy on Groups: %v", err)
	}
	_, err = user.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("mine")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("CreateGroup: %v, want AccessDenied", err)
	}

	if _, err := p.Stacks.Destroy(ctx, stacks.DestroyRequest{Stack: "people"}, nil); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	for name, call := range map[string]func() error{
		"user": func() error {
			_, err := c.iam.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("deployer")})
			return err
		},
		"slr": func() error {
			_, err := c.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForAutoScaling_app")})
			return err
		},
		"profile": func() error {
			_, err := c.iam.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(out["Provider"])})
			return err
		},
	} {
		if err := call(); !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" {
			t.Errorf("%s after destroy: %v", name, err)
		}
	}
	if _, err := user.ListUsers(ctx, &awsiam.ListUsersInput{}); err == nil {
		t.Fatal("the deleted key still signs")
	}
}
