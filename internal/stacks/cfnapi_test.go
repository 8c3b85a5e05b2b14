package stacks_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func cfnCall(t *testing.T, f *fixture, form url.Values) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	api, err := f.e.CloudFormationAPI()
	if err != nil {
		t.Fatal(err)
	}
	api.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestCloudFormationAPI_DescribeStacksAndExports(t *testing.T) {
	f := newFixture(t)
	f.mustDeploy(t, "shared", `
Resources:
  Bus: {Type: Test::Thing, Properties: {Name: bus}}
Outputs:
  BusName: {Value: !Ref Bus, Description: the bus, Export: {Name: shared-bus}}
`, nil)
	code, body := cfnCall(t, f, url.Values{"Action": {"DescribeStacks"}, "Version": {"2010-05-15"}, "StackName": {"shared"}})
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var resp struct {
		Stacks []struct {
			StackName   string `xml:"StackName"`
			StackStatus string `xml:"StackStatus"`
			Outputs     []struct {
				OutputKey, OutputValue, Description, ExportName string
			} `xml:"Outputs>member"`
		} `xml:"DescribeStacksResult>Stacks>member"`
	}
	if err := xml.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Stacks) != 1 || resp.Stacks[0].StackStatus != "CREATE_COMPLETE" {
		t.Fatalf("%s", body)
	}
	want := []struct{ OutputKey, OutputValue, Description, ExportName string }{{"BusName", "bus", "the bus", "shared-bus"}}
	if diff := cmp.Diff(want, resp.Stacks[0].Outputs); diff != "" {
		t.Error(diff)
	}
	code, body = cfnCall(t, f, url.Values{"Action": {"ListExports"}})
	if code != 200 || !strings.Contains(body, "<Name>shared-bus</Name><Value>bus</Value>") {
		t.Errorf("list exports: %d %s", code, body)
	}
	code, body = cfnCall(t, f, url.Values{"Action": {"DescribeStacks"}, "StackName": {"nope"}})
	if code != 400 || !strings.Contains(body, "<Code>ValidationError</Code>") || !strings.Contains(body, "Stack with id nope does not exist") {
		t.Errorf("missing stack: %d %s", code, body)
	}
	code, body = cfnCall(t, f, url.Values{"Action": {"DescribeStackEvents"}, "StackName": {"shared"}})
	if code != 200 || !strings.Contains(body, "<ResourceStatus>CREATE_COMPLETE</ResourceStatus>") {
		t.Errorf("events: %d %s", code, body)
	}
	code, _ = cfnCall(t, f, url.Values{"Action": {"CreateStack"}})
	if code != 400 {
		t.Errorf("CreateStack: %d, want 400", code)
	}
}
