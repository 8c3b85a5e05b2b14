package iam

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// boto3 signs with a user's key, sees its errors as botocore parses them,
// and calls AssumeRoleWithWebIdentity unsigned.
func TestUsersWithBoto3(t *testing.T) {
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	h := newHarness(t, Enforce)
	ctx := context.Background()
	is := newIssuer(t)
	root := h.iam(h.root())
	prov, err := root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(is.srv.URL),
		ClientIDList: []string{"py-app"}, ThumbprintList: []string{is.thumbprint()}})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + *prov.OpenIDConnectProviderArn + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + is.host() + `:sub":"py"}}}]}`
	if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	rootKeys := h.root()
	dir := t.TempDir()
	cmd := exec.Command("python3", "-c", `
import boto3, json, os
ep = os.environ["NUBO_URL"]
iam = boto3.client("iam", endpoint_url=ep)
def code(f):
    try:
        f()
        return None
    except Exception as e:
        return e.response["Error"]["Code"]
iam.create_user(UserName="py-user")
k = iam.create_access_key(UserName="py-user")["AccessKey"]
me = dict(endpoint_url=ep, aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"])
uiam, usts = boto3.client("iam", **me), boto3.client("sts", **me)
out = {"arn": usts.get_caller_identity()["Arn"], "denied": code(lambda: uiam.list_users())}
iam.put_user_policy(UserName="py-user", PolicyName="p", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}))
out["users"] = [u["UserName"] for u in uiam.list_users()["Users"]]
out["session"] = "SessionToken" in usts.get_session_token()["Credentials"]
out["limit"] = code(lambda: [iam.create_access_key(UserName="py-user") for _ in range(2)])
iam.update_access_key(UserName="py-user", AccessKeyId=k["AccessKeyId"], Status="Inactive")
out["inactive"] = code(lambda: uiam.list_users())
out["conflict"] = code(lambda: iam.delete_user(UserName="py-user"))
out["missing"] = code(lambda: iam.get_user(UserName="nobody"))
web = boto3.client("sts", endpoint_url=ep).assume_role_with_web_identity(
    RoleArn="arn:aws:iam::000000000000:role/web", RoleSessionName="py", WebIdentityToken=os.environ["TOKEN"])
out["web"] = web["AssumedRoleUser"]["Arn"]
print(json.dumps(out))
`)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+rootKeys.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+rootKeys.SecretAccessKey,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE="+dir+"/config", "AWS_SHARED_CREDENTIALS_FILE="+dir+"/credentials",
		"NUBO_URL="+h.url, "TOKEN="+is.token(t, "py", "py-app", time.Now().Add(time.Hour)))
	b, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("python: %v: %s", err, stderr)
	}
	var got struct {
		Arn, Denied, Limit, Inactive, Conflict, Missing, Web string
		Users                                                []string
		Session                                              bool
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	want := struct{ Arn, Denied, Limit, Inactive, Conflict, Missing, Web string }{
		"arn:aws:iam::000000000000:user/py-user", "AccessDenied", "LimitExceeded", "InvalidClientTokenId", "DeleteConflict", "NoSuchEntity",
		"arn:aws:sts::000000000000:assumed-role/web/py"}
	if (struct{ Arn, Denied, Limit, Inactive, Conflict, Missing, Web string }{got.Arn, got.Denied, got.Limit, got.Inactive, got.Conflict, got.Missing, got.Web}) != want ||
		len(got.Users) != 1 || !got.Session {
		t.Fatalf("boto3: %s", b)
	}
}
