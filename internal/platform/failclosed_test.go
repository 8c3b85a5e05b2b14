package platform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam"
)

// TestEveryOperationFailsClosed takes every operation of every API's table
// and proves, against the real authorizer over the edge, that a caller with
// no policy is denied it and a caller whose only policy allows exactly the
// declared action is not denied that action.
func TestEveryOperationFailsClosed(t *testing.T) {
	p := startPlatform(t, Options{})
	ctx := context.Background()
	nothing, err := p.IAM.CreateRole(ctx, iam.RoleInput{Name: "fail-closed-nothing", TrustPolicy: lambdaTrust})
	if err != nil {
		t.Fatal(err)
	}
	accountTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	if _, err := p.IAM.CreateRole(ctx, iam.RoleInput{Name: "fail-closed-target", TrustPolicy: accountTrust}); err != nil {
		t.Fatal(err)
	}
	ops := 0
	for _, api := range p.APIs() {
		for _, op := range api.Operations() {
			ops++
			t.Run(api.Name()+"/"+op.Name, func(t *testing.T) {
				denyCode := awsapi.AccessDenied(api.Spec().AuthzService, "").Code
				status, code, msg := failClosedCall(t, p, nothing.ARN, api, op)
				if op.Action == awsapi.NoPermission {
					// Not denied by authorization (GetSessionToken still refuses
					// session credentials with AccessDenied, as AWS does).
					if code == denyCode && strings.Contains(msg, "is not authorized to perform") {
						t.Fatalf("%s needs no permission, but a caller without policy got %d %s: %s", op.Name, status, code, msg)
					}
					return
				}
				if code != denyCode || !namesOneOf(msg, op.Actions()) {
					t.Fatalf("no policy: %s answered %d %s %q, want %s naming one of %v", op.Name, status, code, msg, denyCode, op.Actions())
				}
				role, err := p.IAM.CreateRole(ctx, iam.RoleInput{Name: "fc-" + api.Name() + "-" + op.Name, TrustPolicy: lambdaTrust})
				if err != nil {
					t.Fatal(err)
				}
				// Exactly the declared action (a ChoiceOp: each it may choose).
				actions, _ := json.Marshal(op.Actions())
				doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":%s,"Resource":"*"}]}`, actions)
				if err := p.IAM.PutRolePolicy(ctx, role.Name, "only", doc); err != nil {
					t.Fatal(err)
				}
				deadline := time.Now().Add(10 * time.Second)
				for {
					status, code, msg = failClosedCall(t, p, role.ARN, api, op)
					if code != denyCode || !namesOneOf(msg, op.Actions()) {
						return // allowed: whatever the operation then says of its empty input
					}
					if time.Now().After(deadline) {
						t.Fatalf("allowed exactly %s: still denied %d %s %q", op.Action, status, code, msg)
					}
					time.Sleep(20 * time.Millisecond) // the authorizer's view of the new policy
				}
			})
		}
	}
	if ops < 7 {
		t.Fatalf("only %d operations registered", ops)
	}
}

// failClosedInputs are the inputs of operations that check their input's
// shape before authorization, as AWS does (a JSON body, query parameters
// or a REST body), keyed by "service/Operation"; the rest get an empty one.
var failClosedInputs = map[string]string{
	"lambda/CreateFunction":       `{"FunctionName":"fail-closed"}`,
	"ssm/DeleteParameters":        `{"Names":["x"]}`,
	"events/PutEvents":            `{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}"}]}`,
	"sts/AssumeRole":              "RoleArn=arn:aws:iam::000000000000:role/fail-closed-target&RoleSessionName=fail-closed",
	"iam/SimulatePrincipalPolicy": "PolicySourceArn=arn:aws:iam::000000000000:role/fail-closed-target&ActionNames.member.1=s3:GetObject",
	"nubo-iam/UsageReport":        `{"RoleName":"fail-closed-target"}`,
}

// namesOneOf reports whether a denial message is about one of actions.
func namesOneOf(msg string, actions []string) bool {
	for _, a := range actions {
		if strings.Contains(msg, "perform: "+a+" ") {
			return true
		}
	}
	return false
}

var pathWildcard = regexp.MustCompile(`\{[^}]*\}`)

// failClosedCall sends op a minimal request (the protocol's empty input;
// every path parameter "1") signed as a session of role, and returns the
// status, error code and message.
func failClosedCall(t *testing.T, p *Platform, role string, api *awsapi.API, op *awsapi.Operation) (int, string, string) {
	t.Helper()
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, "fail-closed"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	spec := api.Spec()
	base := strings.TrimSuffix(p.EndpointURL(), "/")
	var req *http.Request
	var body string
	sample := failClosedInputs[api.Name()+"/"+op.Name]
	switch spec.Protocol {
	case awsapi.JSON:
		body = "{}"
		if sample != "" {
			body = sample
		}
		req, _ = http.NewRequest(http.MethodPost, base+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", spec.TargetPrefix+"."+op.Name)
		req.Header.Set("Content-Type", "application/x-amz-json-"+spec.JSONVersion)
	case awsapi.Query:
		form, _ := url.ParseQuery(sample)
		form.Set("Action", op.Name)
		form.Set("Version", spec.QueryVersion)
		body = form.Encode()
		req, _ = http.NewRequest(http.MethodPost, base+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		path := strings.ReplaceAll(op.Path(), "{$}", "")
		path = pathWildcard.ReplaceAllString(path, "1")
		if q := op.Query(); len(q) > 0 {
			path += "?" + q.Encode() // a route told apart by its query
		}
		req, _ = http.NewRequest(op.Method(), base+path, nil)
		if op.Method() == http.MethodPost || op.Method() == http.MethodPut {
			body = "{}"
			if sample != "" {
				body = sample
			}
			req.Body = io.NopCloser(strings.NewReader(body))
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", "application/json")
		}
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: keys.AccessKeyID, SecretAccessKey: keys.SecretAccessKey, SessionToken: keys.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), spec.Service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode < 300 {
		return res.StatusCode, "", ""
	}
	return res.StatusCode, errorCode(res, b), errorMessage(b)
}

func errorCode(res *http.Response, b []byte) string {
	if c := res.Header.Get("X-Amzn-ErrorType"); c != "" {
		c, _, _ = strings.Cut(c, ":")
		return c
	}
	var x struct {
		Code  string `xml:"Error>Code"`
		Code2 string `xml:"Code"`
	}
	if xml.Unmarshal(b, &x) == nil {
		if x.Code != "" {
			return x.Code
		}
		return x.Code2
	}
	var j struct {
		Type string `json:"__type"`
	}
	_ = json.Unmarshal(b, &j)
	return j.Type
}

func errorMessage(b []byte) string {
	var x struct {
		Message  string `xml:"Error>Message"`
		Message2 string `xml:"Message"`
	}
	if xml.Unmarshal(b, &x) == nil {
		return x.Message + x.Message2
	}
	var j map[string]any
	_ = json.Unmarshal(b, &j)
	for _, k := range []string{"message", "Message"} {
		if s, ok := j[k].(string); ok {
			return s
		}
	}
	return string(b)
}
