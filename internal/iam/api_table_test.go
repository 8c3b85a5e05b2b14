package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The tables hold every operation the IAM and STS handlers served before
// they were tables, each authorized as its own IAM action.
func TestQueryTablesDeclareEveryOperation(t *testing.T) {
	h := newHarness(t, Enforce)
	api, err := NewAPI(APIOptions{Store: h.store, Authorizer: h.authz, Keys: h.keys})
	if err != nil {
		t.Fatal(err)
	}
	iamOps := []string{"CreateRole", "GetRole", "ListRoles", "UpdateRole", "TagRole", "UntagRole", "ListRoleTags",
		"UpdateAssumeRolePolicy", "DeleteRole", "PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy",
		"AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies", "PutRolePermissionsBoundary",
		"DeleteRolePermissionsBoundary", "CreatePolicy", "GetPolicy", "GetPolicyVersion", "CreatePolicyVersion",
		"DeletePolicy", "ListPolicies", "SimulatePrincipalPolicy", "SimulateCustomPolicy"}
	want := map[string]string{}
	for _, op := range iamOps {
		want["iam "+op] = "iam:" + op
	}
	want["sts GetCallerIdentity"] = awsapi.NoPermission
	want["sts AssumeRole"] = "sts:AssumeRole"
	want["nubo-iam UsageReport"] = "iam:GenerateServiceLastAccessedDetails"
	got := map[string]string{}
	for _, build := range []func() (*awsapi.API, error){api.IAM, api.STS, api.Admin} {
		a, err := build()
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range a.Operations() {
			got[a.Name()+" "+op.Name] = op.Action
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: action %q, want %q", k, got[k], v)
		}
	}
	// Operations added since are each their own action too (or need none).
	for k, v := range got {
		if _, ok := want[k]; ok {
			continue
		}
		svc, name, _ := strings.Cut(k, " ")
		if v != svc+":"+name && v != awsapi.NoPermission {
			t.Errorf("%s: action %q, want %q", k, v, svc+":"+name)
		}
	}
}

// A Marker IAM did not issue, or a MaxItems that is not a number, is IAM's
// ValidationError naming it.
func TestIAMPagingErrors(t *testing.T) {
	h := newHarness(t, Enforce)
	mustTaggedRole(t, h, "paged", trustRoot, nil)
	cases := []struct{ body, msg string }{
		{"Action=ListRoles&Marker=zz", `invalid Marker "zz"`},
		{"Action=ListPolicies&Marker=-1", `invalid Marker "-1"`},
		{"Action=ListRolePolicies&RoleName=paged&Marker=99", `invalid Marker "99"`},
		{"Action=ListAttachedRolePolicies&RoleName=paged&Marker=x", `invalid Marker "x"`},
		{"Action=ListRoles&MaxItems=many", `Value 'many' at 'maxItems'`},
	}
	for _, c := range cases {
		status, code, msg := h.rawQuery("iam", c.body)
		if status != 400 || code != "ValidationError" || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: got %d %s %q, want 400 ValidationError %q", c.body, status, code, msg, c.msg)
		}
	}
	// Pages chain through the Marker each one returns.
	for _, n := range []string{"paged-a", "paged-b"} {
		mustTaggedRole(t, h, n, trustRoot, nil)
	}
	var names []string
	pages := awsiam.NewListRolesPaginator(h.iam(h.root()), &awsiam.ListRolesInput{MaxItems: aws.Int32(2)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Roles) > 2 {
			t.Fatalf("a page of %d roles, asked for 2", len(out.Roles))
		}
		for _, r := range out.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if !slices.Equal(names, []string{"paged", "paged-a", "paged-b"}) {
		t.Fatalf("roles %v", names)
	}
}

// nubo's UsageReport: NoSuchEntity and a malformed body before
// authorization, IAM's AccessDenied for a session without
// iam:GenerateServiceLastAccessedDetails on the role, the report for one
// with it.
func TestAdminUsageReport(t *testing.T) {
	h := newHarness(t, Enforce)
	mustTaggedRole(t, h, "reported", lambdaTrust, nil)
	mustTaggedRole(t, h, "auditor", lambdaTrust, nil)
	mustTaggedRole(t, h, "nobody", lambdaTrust, nil)
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GenerateServiceLastAccessedDetails","Resource":"arn:aws:iam::000000000000:role/reported"}]}`
	if _, err := h.iam(h.root()).PutRolePolicy(context.Background(), &awsiam.PutRolePolicyInput{
		RoleName: aws.String("auditor"), PolicyName: aws.String("report"), PolicyDocument: aws.String(allow)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, target, body string
		creds              awsapi.Credentials
		status             int
		code               string
	}{
		{"root", "NuboIAM.UsageReport", `{"roleName":"reported"}`, h.root(), 200, ""},
		{"allowed session", "NuboIAM.UsageReport", `{"roleName":"reported"}`, h.session("auditor", "s"), 200, ""},
		{"denied session", "NuboIAM.UsageReport", `{"roleName":"reported"}`, h.session("nobody", "s"), 403, "AccessDenied"},
		{"no such role", "NuboIAM.UsageReport", `{"roleName":"ghost"}`, h.session("nobody", "s"), 404, "NoSuchEntity"},
		{"no role name", "NuboIAM.UsageReport", `{}`, h.root(), 400, "ValidationException"},
		{"not JSON", "NuboIAM.UsageReport", `roleName=reported`, h.root(), 400, "ValidationException"},
		{"unknown operation", "NuboIAM.Frobnicate", `{}`, h.root(), 400, "UnknownOperationException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code, body := h.rawJSON(AdminServiceName, c.target, c.body, c.creds)
			if status != c.status || code != c.code {
				t.Fatalf("got %d %s (%s), want %d %s", status, code, body, c.status, c.code)
			}
			if status == 200 {
				var rep UsageReport
				if err := json.Unmarshal(body, &rep); err != nil || rep.Role != "arn:aws:iam::000000000000:role/reported" {
					t.Fatalf("report %s: %v", body, err)
				}
			}
		})
	}
}

// The AWS CLI and boto3 talk to the IAM and STS tables: paginated lists,
// AssumeRole with session tags, GetCallerIdentity as the new session.
func TestQueryTablesWithAWSCLIAndBoto3(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	h := newHarness(t, Enforce)
	for _, n := range []string{"cli-a", "cli-b", "cli-c"} {
		mustTaggedRole(t, h, n, trustRoot, map[string]string{"team": "blue"})
	}
	root := h.root()
	dir := t.TempDir()
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID="+root.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+root.SecretAccessKey,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE="+dir+"/config", "AWS_SHARED_CREDENTIALS_FILE="+dir+"/credentials",
		"AWS_ENDPOINT_URL="+h.url, "NUBO_URL="+h.url)
	run := func(name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("%s %v: %v: %s", name, args, err, stderr)
		}
		return out
	}

	var roles struct{ Roles []struct{ RoleName string } }
	if err := json.Unmarshal(run("aws", "--endpoint-url", h.url, "iam", "list-roles", "--page-size", "1", "--output", "json"), &roles); err != nil {
		t.Fatal(err)
	}
	if len(roles.Roles) != 3 || roles.Roles[2].RoleName != "cli-c" {
		t.Fatalf("aws iam list-roles: %+v", roles)
	}
	var who struct{ Account, Arn string }
	if err := json.Unmarshal(run("aws", "--endpoint-url", h.url, "sts", "get-caller-identity", "--output", "json"), &who); err != nil {
		t.Fatal(err)
	}
	if who.Account != testAccount || who.Arn != "arn:aws:iam::000000000000:root" {
		t.Fatalf("aws sts get-caller-identity: %+v", who)
	}

	script := `
import boto3, json, os
ep = os.environ["NUBO_URL"]
iam, sts = boto3.client("iam", endpoint_url=ep), boto3.client("sts", endpoint_url=ep)
names = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2}) for r in p["Roles"]]
c = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/cli-b", RoleSessionName="py",
    Tags=[{"Key": "project", "Value": "x"}], SourceIdentity="alice")["Credentials"]
me = boto3.client("sts", endpoint_url=ep, aws_access_key_id=c["AccessKeyId"],
    aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]).get_caller_identity()
try:
    iam.list_roles(Marker="zz")
    bad = None
except iam.exceptions.ClientError as e:
    bad = e.response["Error"]["Code"]
print(json.dumps({"names": names, "arn": me["Arn"], "bad": bad}))
`
	var got struct {
		Names []string
		Arn   string
		Bad   string
	}
	if err := json.Unmarshal(run("python3", "-c", script), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Names, []string{"cli-a", "cli-b", "cli-c"}) || got.Arn != "arn:aws:sts::000000000000:assumed-role/cli-b/py" || got.Bad != "ValidationError" {
		t.Fatalf("boto3: %+v", got)
	}
}

// rawJSON sends a signed JSON 1.1 request to service with target and
// returns the status, the error code (if any) and the body.
func (h *harness) rawJSON(service, target, body string, c awsapi.Credentials) (int, string, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	if c.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		h.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), raw
}
