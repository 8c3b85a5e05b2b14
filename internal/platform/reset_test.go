package platform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/iam"
)

// reset sends POST /_nubo/reset for services, signed with creds, and
// returns the status and body.
func reset(t *testing.T, url string, creds aws.Credentials, services ...string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(ResetRequest{Services: services})
	req, err := http.NewRequest(http.MethodPost, url+ResetPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), ResetServiceName, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var admin = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}

// TestReset: resources in several services and two regions; a reset of one
// service drops only its state; a reset of all drops everything, and every
// name can be used again; a caller who is not an administrator is denied.
func TestReset(t *testing.T) {
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	east, west := clientsIn(url, "us-east-1"), clientsIn(url, "eu-west-1")

	role := lambdaRole(t, url, "reset-role")
	for _, c := range []regionClients{east, west} {
		c.param(t, "/reset/p", "v")
		if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("reset-group")}); err != nil {
			t.Fatal(err)
		}
	}
	createInRegion(t, west, "reset-fn", role)
	if _, err := west.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("reset-fn"), Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}

	paramGone := func(c regionClients) bool {
		_, err := c.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/reset/p")})
		return apiCode(err) == "ParameterNotFound"
	}
	groups := func(c regionClients) int {
		out, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("reset-")})
		if err != nil {
			t.Fatalf("%s: describe log groups: %v", c.region, err)
		}
		return len(out.LogGroups)
	}
	roleExists := func() bool {
		_, err := east.iam.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("reset-role")})
		return err == nil
	}
	functionExists := func() bool {
		_, err := west.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("reset-fn")})
		return err == nil
	}

	// Unknown services are refused, naming the ones there are.
	if status, body := reset(t, url, admin, "s3"); status != http.StatusBadRequest || !strings.Contains(body, "ssm") {
		t.Errorf("reset s3: %d %s", status, body)
	}

	// SSM only: its parameters go in both regions, the rest stays.
	if status, body := reset(t, url, admin, "ssm"); status != http.StatusOK {
		t.Fatalf("reset ssm: %d %s", status, body)
	}
	if !paramGone(east) || !paramGone(west) {
		t.Error("parameters survived a reset of ssm")
	}
	if groups(east) != 1 || groups(west) != 1 || !roleExists() || !functionExists() {
		t.Error("a reset of ssm dropped another service's state")
	}
	east.param(t, "/reset/p", "again")

	// A caller who is not an administrator is denied.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`
	east.role(t, "reset-not-admin", trust)
	if _, err := east.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reset-not-admin"), PolicyName: aws.String("ssm"),
		PolicyDocument: aws.String(allowDoc("Allow", "ssm:*", "*"))}); err != nil {
		t.Fatal(err)
	}
	session, err := east.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/reset-not-admin"), RoleSessionName: aws.String("tester")})
	if err != nil {
		t.Fatal(err)
	}
	notAdmin := aws.Credentials{AccessKeyID: aws.ToString(session.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(session.Credentials.SecretAccessKey),
		SessionToken: aws.ToString(session.Credentials.SessionToken)}
	if status, body := reset(t, url, notAdmin); status != http.StatusForbidden || !strings.Contains(body, "nubo:Reset") {
		t.Errorf("reset by a non-administrator: %d %s", status, body)
	}
	if paramGone(east) {
		t.Error("a denied reset dropped state")
	}

	// Everything.
	if status, body := reset(t, url, admin); status != http.StatusOK {
		t.Fatalf("reset: %d %s", status, body)
	}
	if !paramGone(east) || groups(east) != 0 || groups(west) != 0 || roleExists() || functionExists() {
		t.Error("state survived a reset of everything")
	}
	// The names can be used again, and what nubo ships (AWS managed
	// policies) is there.
	lambdaRole(t, url, "reset-role")
	basic, _ := iam.ManagedPolicyARN("AWSLambdaBasicExecutionRole")
	if _, err := east.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("reset-role"), PolicyArn: aws.String(basic)}); err != nil {
		t.Errorf("attach %s after a reset: %v", basic, err)
	}
	createInRegion(t, west, "reset-fn", role)
	west.param(t, "/reset/p", "v")
	if _, err := west.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("reset-group")}); err != nil {
		t.Errorf("log group after a reset: %v", err)
	}
	out, err := west.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("reset-fn"), Payload: []byte(`{"again":true}`)})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("invoke after a reset: %v %v", err, out)
	}
}

// TestResetReachesEveryNode: two nodes on one NATS server; a reset made on
// one is seen on the other, which builds its contexts again over the
// emptied state and serves the same names anew.
func TestResetReachesEveryNode(t *testing.T) {
	url := backbonetest.Server(t)
	a := startPlatform(t, Options{NATSURL: url})
	b := startPlatform(t, Options{NATSURL: url})
	ctx := context.Background()
	ca, cb := clientsIn("http://"+a.EdgeAddr(), "eu-west-1"), clientsIn("http://"+b.EdgeAddr(), "eu-west-1")
	ca.param(t, "/nodes/p", "one")
	got, err := cb.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/nodes/p")})
	if err != nil || aws.ToString(got.Parameter.Value) != "one" {
		t.Fatalf("the other node: %v %v", got, err)
	}
	if _, err := ca.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("nodes-group")}); err != nil {
		t.Fatal(err)
	}
	groups := func() int {
		out, err := cb.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("nodes-")})
		if err != nil {
			return -1
		}
		return len(out.LogGroups)
	}
	waitUntil(t, "the other node sees the log group", 20*time.Second, func() bool { return groups() == 1 })
	if status, body := reset(t, "http://"+a.EdgeAddr(), admin); status != http.StatusOK {
		t.Fatalf("reset: %d %s", status, body)
	}
	waitUntil(t, "the other node serves the emptied state", 20*time.Second, func() bool {
		_, err := cb.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/nodes/q"), Value: aws.String("two"), Type: "String"})
		return err == nil && groups() == 0
	})
	if _, err := cb.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/nodes/p")}); apiCode(err) != "ParameterNotFound" {
		t.Errorf("after the reset, the other node: %v", err)
	}
	if _, err := cb.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("nodes-group")}); err != nil {
		t.Errorf("the other node, after the reset: create the log group again: %v", err)
	}
}
