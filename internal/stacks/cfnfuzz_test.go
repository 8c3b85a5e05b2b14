package stacks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCloudFormationAPI sends arbitrary query bodies to the CloudFormation
// API: each is answered in the query protocol's envelope, never with a
// server error or a panic, whatever its parameters hold.
func FuzzCloudFormationAPI(f *testing.F) {
	for _, seed := range []string{
		"Action=CreateStack&StackName=s&TemplateBody=Resources%3A%0A++A%3A+%7BType%3A+Test%3A%3AThing%2C+Properties%3A+%7BName%3A+a%7D%7D%0A",
		"Action=CreateStack&StackName=s&TemplateURL=https://x&Parameters.member.1.ParameterKey=P&Parameters.member.1.UsePreviousValue=true",
		"Action=CreateStack&StackName=arn:aws:cloudformation:us-east-1:1:stack/s/x&TemplateBody=%7B%7D&Tags.member.1.Key=aws:x&OnFailure=DELETE",
		"Action=UpdateStack&StackName=s&UsePreviousTemplate=true&Parameters.member.1.ParameterKey=P&Parameters.member.1.ParameterValue=v",
		"Action=DeleteStack&StackName=s&ClientRequestToken=t",
		"Action=CreateChangeSet&StackName=s&ChangeSetName=c&ChangeSetType=CREATE&TemplateBody=Resources%3A+%7B%7D&Capabilities.member.1=CAPABILITY_IAM",
		"Action=DescribeChangeSet&ChangeSetName=arn:aws:cloudformation:us-east-1:1:changeSet/c/x&StackName=s%2F%3E",
		"Action=ExecuteChangeSet&ChangeSetName=c&StackName=s&DisableRollback=true",
		"Action=DeleteChangeSet&ChangeSetName=c",
		"Action=ListChangeSets&StackName=s",
		"Action=ValidateTemplate&TemplateBody=Resources%3A+%5B",
		"Action=GetTemplate&StackName=s&TemplateStage=Processed",
		"Action=GetTemplateSummary&StackName=s&TemplateBody=x",
		"Action=DescribeStackResources&PhysicalResourceId=p&LogicalResourceId=A",
		"Action=DescribeStackResource&StackName=s",
		"Action=ListStackResources&StackName=*",
		"Action=ListStacks&StackStatusFilter.member.1=DELETE_COMPLETE",
		"Action=DescribeStacks&StackName=arn:aws:cloudformation:us-east-1:1:stack/a.b/c",
	} {
		f.Add(seed)
	}
	fx := newFixture(f)
	api, err := fx.e.CloudFormationAPI()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body+"&Version=2010-05-15"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		api.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%q: status %d: %s", body, w.Code, w.Body.String())
		}
		if !strings.Contains(w.Body.String(), "Response") {
			t.Fatalf("%q: not a query response: %s", body, w.Body.String())
		}
	})
}
