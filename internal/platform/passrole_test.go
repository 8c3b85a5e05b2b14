package platform

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/stacks"
)

// deployAs deploys template as the stack name over the stacks API, signed
// with creds, and returns the stream's error message ("" on success).
func deployAs(t *testing.T, p *Platform, creds aws.Credentials, name, template string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"stack": name, "template": template})
	req, _ := http.NewRequest("POST", p.EndpointURL()+"/", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "NuboStacks.Deploy")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "nubo", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l stacks.StreamLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%d %s", resp.StatusCode, sc.Text())
		}
		if l.Error != nil {
			msgs = append(msgs, l.Error.Message)
		}
		if l.Event != nil && strings.HasSuffix(l.Event.Status, "FAILED") {
			msgs = append(msgs, l.Event.Reason)
		}
	}
	if resp.StatusCode >= 400 {
		t.Fatalf("deploy: status %d", resp.StatusCode)
	}
	return strings.Join(msgs, "\n")
}

// A stack deployment passes each function's Role: the deploying caller
// needs iam:PassRole on it with iam:PassedToService lambda.amazonaws.com, as
// CloudFormation creating the function with the caller's permissions does.
func TestIAMStackDeployNeedsPassRole(t *testing.T) {
	p := startPlatform(t, Options{})
	root := clientsFor(p.EndpointURL())
	ctx := context.Background()
	fnRole := root.role(t, "fn-role", lambdaTrust)
	deployer := root.role(t, "deployer", lambdaTrust)
	if _, err := root.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("deploy"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:*","lambda:*"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	keys, err := p.Keys.Issue(iam.SessionPrincipal(deployer, "ci"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	session := aws.Credentials{AccessKeyID: keys.AccessKeyID, SecretAccessKey: keys.SecretAccessKey, SessionToken: keys.SessionToken}
	template, _ := json.Marshal(map[string]any{"Resources": map[string]any{"Fn": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{
		"Runtime": "nodejs20.x", "Handler": "index.handler", "Role": fnRole,
		"Code": map[string]any{"ZipFile": "exports.handler = async () => 1;"},
	}}}})

	got := deployAs(t, p, session, "app", string(template))
	if want := "is not authorized to perform: iam:PassRole on resource: " + fnRole; !strings.Contains(got, want) {
		t.Fatalf("deploy without iam:PassRole: %q, want %q", got, want)
	}

	// PassRole only to Lambda, and only when CloudFormation passes it.
	if _, err := root.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("pass"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + fnRole + `",
		"Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"},"ForAnyValue:StringEquals":{"aws:CalledVia":"cloudformation.amazonaws.com"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	var last string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if last = deployAs(t, p, session, "app", string(template)); last == "" {
			break
		}
	}
	if last != "" {
		t.Fatalf("deploy with iam:PassRole: %s", last)
	}
	if _, err := p.Functions.Get(ctx, stacksFunctionName(t, p, "app")); err != nil {
		t.Fatalf("function not created: %v", err)
	}

	// The server's own key pair (the account's administrator) deploys as before.
	if got := deployAs(t, p, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, "admin", string(template)); got != "" {
		t.Fatalf("root deploy: %s", got)
	}
}

func stacksFunctionName(t *testing.T, p *Platform, stack string) string {
	t.Helper()
	st, err := p.Stacks.Describe(context.Background(), stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.LogicalID == "Fn" {
			return r.PhysicalID
		}
	}
	t.Fatalf("no Fn in %+v", st.Resources)
	return ""
}
