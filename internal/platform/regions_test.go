package platform

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// regionClients are SDK clients signed for one region with the server's
// own key pair.
type regionClients struct {
	region string
	iamClients
	logs *cloudwatchlogs.Client
}

func clientsIn(url, region string) regionClients {
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	c := clientsFor(url)
	c.ssm = ssm.New(ssm.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds, RetryMaxAttempts: 1})
	c.lambda = lambda.New(lambda.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds, RetryMaxAttempts: 1})
	return regionClients{region: region, iamClients: c,
		logs: cloudwatchlogs.New(cloudwatchlogs.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds, RetryMaxAttempts: 1})}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestRegionsAreSeparate: a region other than --region works end to end
// for SSM, Lambda and Logs (a function there reads that region's
// parameter with the SDK, as AWS_REGION tells it, and its lines are in
// that region's Logs), two regions' resources of the same names coexist
// and neither sees the other's; IAM is global.
func TestRegionsAreSeparate(t *testing.T) {
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	east, west := clientsIn(url, "us-east-1"), clientsIn(url, "us-west-2")

	role := lambdaRole(t, url, "regions-role") // IAM is global: one role for both regions
	if _, err := west.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("regions-role")}); err != nil {
		t.Fatalf("IAM from a us-west-2 client: %v", err)
	}

	// A policy for us-east-1's parameters does not allow us-west-2's.
	allowIn := func(regions ...string) {
		var res []string
		for _, r := range regions {
			res = append(res, "arn:aws:ssm:"+r+":000000000000:parameter/regions/*")
		}
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": res}}})
		if _, err := east.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("regions-role"),
			PolicyName: aws.String("read"), PolicyDocument: aws.String(string(doc))}); err != nil {
			t.Fatal(err)
		}
	}
	allowIn("us-east-1")
	for _, c := range []regionClients{east, west} {
		c.param(t, "/regions/where", c.region)
		if err := c.function(t, "regional-probe", role); err != nil {
			t.Fatalf("%s: create function: %v", c.region, err)
		}
	}
	for _, c := range []regionClients{east, west} {
		got, err := c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/regions/where")})
		if err != nil {
			t.Fatalf("%s: get parameter: %v", c.region, err)
		}
		if v, arn := aws.ToString(got.Parameter.Value), aws.ToString(got.Parameter.ARN); v != c.region || !strings.HasPrefix(arn, "arn:aws:ssm:"+c.region+":") {
			t.Errorf("%s: parameter %q %s", c.region, v, arn)
		}
		fn, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("regional-probe")})
		if err != nil {
			t.Fatalf("%s: get function: %v", c.region, err)
		}
		if arn := aws.ToString(fn.Configuration.FunctionArn); arn != "arn:aws:lambda:"+c.region+":000000000000:function:regional-probe" {
			t.Errorf("%s: function ARN %s", c.region, arn)
		}
		list, err := c.lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{})
		if err != nil {
			t.Fatalf("%s: list functions: %v", c.region, err)
		}
		if len(list.Functions) != 1 || !strings.Contains(aws.ToString(list.Functions[0].FunctionArn), ":"+c.region+":") {
			t.Errorf("%s: list functions: %+v", c.region, list.Functions)
		}
	}
	// The functions' own SDK calls go to their region's SSM (AWS_REGION),
	// authorized on that region's ARN.
	east.eventually(t, "us-east-1 read", "regional-probe", "/regions/where", allowed("us-east-1"))
	if out := west.read(t, "regional-probe", "/regions/where"); !strings.Contains(out.Error, "on resource: arn:aws:ssm:us-west-2:000000000000:parameter/regions/where") {
		t.Errorf("us-west-2 read under a us-east-1 policy: %+v", out)
	}
	allowIn("us-east-1", "us-west-2")
	west.eventually(t, "us-west-2 read", "regional-probe", "/regions/where", allowed("us-west-2"))

	// Only us-west-2 has this parameter and this function.
	west.param(t, "/regions/west-only", "w")
	if _, err := east.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/regions/west-only")}); apiCode(err) != "ParameterNotFound" {
		t.Errorf("us-east-1 sees a us-west-2 parameter: %v", err)
	}
	createInRegion(t, west, "west-only", role)
	if _, err := east.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("west-only")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("us-east-1 sees a us-west-2 function: %v", err)
	}

	// The invocations' lines are in each region's Logs, under the group of
	// the function of that region.
	for _, c := range []regionClients{east, west} {
		waitUntil(t, c.region+" function lines", 15*time.Second, func() bool {
			out, err := c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/regional-probe")})
			return err == nil && len(out.Events) > 0
		})
	}
	if _, err := east.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("regions-east")}); err != nil {
		t.Fatal(err)
	}
	groups, err := west.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("regions-")})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.LogGroups) != 0 {
		t.Errorf("us-west-2 sees us-east-1's log group: %+v", groups.LogGroups)
	}

	// Deleting in one region leaves the other's namesake.
	if _, err := east.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("regional-probe")}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("regional-probe")}); err != nil {
		t.Errorf("deleting us-east-1's function deleted us-west-2's: %v", err)
	}

	// A region AWS does not have is refused as AWS refuses a credential
	// scoped to it.
	bad := clientsIn(url, "xx-nowhere-1")
	_, err = bad.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/regions/where")})
	if apiCode(err) != "InvalidSignatureException" || !strings.Contains(err.Error(), "valid region") {
		t.Errorf("unknown region: %v", err)
	}
}

func createInRegion(t *testing.T, c regionClients, name, role string) {
	t.Helper()
	_, err := c.lambda.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: fnZip(t, "echo")},
	})
	if err != nil {
		t.Fatalf("%s: create %s: %v", c.region, name, err)
	}
}

// TestRegionsSurviveRestart: a region built before a restart is served
// after it with its state, from the same data directory.
func TestRegionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	p := startPlatform(t, Options{DataDir: dir})
	west := clientsIn("http://"+p.EdgeAddr(), "eu-west-1")
	west.param(t, "/restart/kept", "yes")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	q := startPlatform(t, Options{DataDir: dir})
	q.ctxs.mu.Lock()
	_, built := q.ctxs.regions["eu-west-1"]
	q.ctxs.mu.Unlock()
	if !built {
		t.Error("eu-west-1 was not built at start")
	}
	west = clientsIn("http://"+q.EdgeAddr(), "eu-west-1")
	got, err := west.ssm.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/restart/kept")})
	if err != nil || aws.ToString(got.Parameter.Value) != "yes" {
		t.Fatalf("after a restart: %v %v", got, err)
	}
	b, _ := json.Marshal(got.Parameter.ARN)
	if !strings.Contains(string(b), ":eu-west-1:") {
		t.Errorf("ARN %s", b)
	}
}

// TestChangingTheDefaultRegionRelabelsNothing: state written under one
// --region stays that region's when the server restarts with another.
func TestChangingTheDefaultRegionRelabelsNothing(t *testing.T) {
	dir := t.TempDir()
	p := startPlatform(t, Options{DataDir: dir, Region: "eu-west-1"})
	clientsIn("http://"+p.EdgeAddr(), "eu-west-1").param(t, "/home/p", "eu")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	q := startPlatform(t, Options{DataDir: dir, Region: "us-east-1"})
	url := "http://" + q.EdgeAddr()
	got, err := clientsIn(url, "eu-west-1").ssm.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/home/p")})
	if err != nil || aws.ToString(got.Parameter.Value) != "eu" {
		t.Fatalf("eu-west-1 after a restart with --region us-east-1: %v %v", got, err)
	}
	_, err = clientsIn(url, "us-east-1").ssm.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/home/p")})
	if apiCode(err) != "ParameterNotFound" {
		t.Errorf("us-east-1 sees eu-west-1's parameter after the default region changed: %v", err)
	}
}

// TestEveryNodeBuildsARegion: a region one node builds is built on the
// others too, before any request names it there (its work queues have
// consumers on every node).
func TestEveryNodeBuildsARegion(t *testing.T) {
	url := backbonetest.Server(t)
	a := startPlatform(t, Options{NATSURL: url})
	b := startPlatform(t, Options{NATSURL: url})
	clientsIn("http://"+a.EdgeAddr(), "ap-south-1").param(t, "/nodes/region", "x")
	waitUntil(t, "the other node builds ap-south-1", 20*time.Second, func() bool {
		b.ctxs.mu.Lock()
		defer b.ctxs.mu.Unlock()
		return b.ctxs.regions["ap-south-1"] != nil
	})
}

// TestFunctionURLsInTwoRegions: each region's gateway serves its function
// URLs on the one HTTP listener, invoking that region's function.
func TestFunctionURLsInTwoRegions(t *testing.T) {
	p := startPlatform(t, Options{})
	e := &gwEnv{p: p, c: &http.Client{Timeout: 30 * time.Second}}
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	role := lambdaRole(t, url, "url-role")
	urls := map[string]string{}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		c := clientsIn(url, region)
		_, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("where"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: fnZip(t, "env")},
		})
		if err != nil {
			t.Fatalf("%s: create: %v", region, err)
		}
		created, err := c.lambda.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("where"),
			AuthType: lambdatypes.FunctionUrlAuthTypeNone})
		if err != nil {
			t.Fatalf("%s: CreateFunctionUrlConfig: %v", region, err)
		}
		if arn := aws.ToString(created.FunctionArn); !strings.Contains(arn, ":"+region+":") {
			t.Errorf("%s: URL of %s", region, arn)
		}
		if _, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("where"), StatementId: aws.String("public"),
			Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
			t.Fatalf("%s: AddPermission: %v", region, err)
		}
		urls[region] = aws.ToString(created.FunctionUrl)
	}
	for region, u := range urls {
		a := e.fetch(t, u+"x")
		// The instance runs in its region: AWS_REGION and its ARN say so.
		if a.status != http.StatusOK || !strings.Contains(a.body, `"AWS_REGION":"`+region+`"`) ||
			!strings.Contains(a.body, `"AWS_DEFAULT_REGION":"`+region+`"`) || !strings.Contains(a.body, "arn:aws:lambda:"+region+":") {
			t.Errorf("%s's URL %s: %d %s", region, u, a.status, a.body)
		}
	}
}
