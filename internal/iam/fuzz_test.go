package iam

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// FuzzQueryAPI throws arbitrary form bodies at the IAM and STS handlers (as a
// role session, so authorization runs too): no panic, and every answer is
// either a result or a query-protocol error with a 4xx status.
func FuzzQueryAPI(f *testing.F) {
	f.Add("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%22Statement%22%3A%5B%5D%7D", true)
	f.Add("Action=PutRolePolicy&RoleName=r&PolicyName=p&PolicyDocument=x", true)
	f.Add("Action=SimulatePrincipalPolicy&PolicySourceArn=arn:aws:iam::000000000000:role/r&ActionNames.member.1=s3:GetObject&ContextEntries.member.1.ContextKeyName=k", true)
	f.Add("Action=ListRoles&MaxItems=-1&Marker=zz", true)
	f.Add("Action=AssumeRole&RoleArn=arn:aws:iam::000000000000:role/r&RoleSessionName=s&DurationSeconds=1e9", false)
	f.Add("Action=GetCallerIdentity", false)
	f.Add("Action=AssumeRole&RoleArn=arn:aws:iam::000000000000:role/t&RoleSessionName=ss&Tags.member.1.Key=team&Tags.member.1.Value=blue&TransitiveTagKeys.member.1=team&SourceIdentity=alice", false)
	f.Add("Action=AssumeRole&RoleArn=arn:aws:iam::000000000000:role/t&RoleSessionName=ss&Tags.member.1.Key=a&Tags.member.2.Key=A&TransitiveTagKeys.member.1=b", false)
	f.Add("Action=SimulateCustomPolicy&PolicyInputList.member.1=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D&ActionNames.member.1=s3:GetObject&CallerArn=arn:aws:sts::000000000000:assumed-role/t/s&ContextEntries.member.1.ContextKeyName=aws:TagKeys&ContextEntries.member.1.ContextKeyValues.member.1=", true)
	bb := backbonetest.New(f)
	acct := awsapi.Account{Region: "us-east-1", ID: testAccount}
	keys, _ := awsapi.NewKeyring(acct, "AKID", "secret")
	st, err := New(Options{Backbone: bb, Account: acct})
	if err != nil {
		f.Fatal(err)
	}
	if err := st.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = st.Close(context.Background()) })
	az, _ := NewAuthorizer(AuthorizerOptions{Store: st})
	api, _ := NewAPI(APIOptions{Store: st, Authorizer: az, Keys: keys})
	iamQuery, err := api.IAM()
	if err != nil {
		f.Fatal(err)
	}
	stsQuery, err := api.STS()
	if err != nil {
		f.Fatal(err)
	}
	_, _ = st.CreateRole(context.Background(), RoleInput{Name: "r", TrustPolicy: lambdaTrust})
	_, _ = st.CreateRole(context.Background(), RoleInput{Name: "t", TrustPolicy: trustRoot, Tags: []Tag{{Key: "team", Value: "red"}}})
	root := awsapi.Principal{ARN: "arn:aws:iam::000000000000:root", Root: true}
	sess := SessionPrincipal(RoleARN(testAccount, "/", "r"), "s")
	f.Fuzz(func(t *testing.T, body string, iamAPI bool) {
		for _, p := range []awsapi.Principal{root, sess} {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r = r.WithContext(awsapi.WithPrincipal(r.Context(), p))
			w := httptest.NewRecorder()
			if iamAPI {
				iamQuery.ServeHTTP(w, r)
			} else {
				stsQuery.ServeHTTP(w, r)
			}
			if w.Code >= 500 {
				t.Fatalf("%q as %s: status %d: %s", body, p.ARN, w.Code, w.Body.String())
			}
			if !strings.Contains(w.Body.String(), "Response") {
				t.Fatalf("%q: not a query response: %s", body, w.Body.String())
			}
		}
	})
}
