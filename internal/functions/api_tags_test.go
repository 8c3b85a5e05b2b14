package functions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const tagFnARN = "arn:aws:lambda:us-east-1:000000000000:function:tagged"

// TestTags_SDKRoundTrip: CreateFunction's Tags, TagResource, UntagResource
// and ListTags through aws-sdk-go-v2, GetFunction showing them, and the tags
// surviving a restart on the same data dir.
func TestTags_SDKRoundTrip(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, harnessOpts{dataDir: dir})
	ctx := context.Background()
	if _, err := h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("tagged"), Runtime: "provided.al2023",
		Handler: aws.String("bootstrap"), Role: aws.String("arn:aws:iam::000000000000:role/test-role"),
		Code: &lambdatypes.FunctionCode{ZipFile: bootstrapZip(t, "tagged")},
		Tags: map[string]string{"lambda:createdBy": "SAM", "team": "a"}}); err != nil {
		t.Fatal(err)
	}
	list := func(c *lambda.Client) map[string]string {
		t.Helper()
		out, err := c.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(tagFnARN)})
		if err != nil {
			t.Fatalf("ListTags: %v", err)
		}
		return out.Tags
	}
	if got := list(h.client); !maps.Equal(got, map[string]string{"lambda:createdBy": "SAM", "team": "a"}) {
		t.Fatalf("tags at creation: %v", got)
	}
	before, _ := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("tagged")})
	if _, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN), Tags: map[string]string{"team": "b", "cost": "42"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := h.client.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(tagFnARN), TagKeys: []string{"lambda:createdBy", "absent"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	want := map[string]string{"team": "b", "cost": "42"}
	if got := list(h.client); !maps.Equal(got, want) {
		t.Fatalf("tags after tag and untag: %v, want %v", got, want)
	}
	got, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("tagged")})
	if err != nil || !maps.Equal(got.Tags, want) {
		t.Fatalf("GetFunction tags: %v (%v)", got.Tags, err)
	}
	if aws.ToString(got.Configuration.RevisionId) != aws.ToString(before.Configuration.RevisionId) {
		t.Errorf("tagging changed the revision id")
	}

	h.close()
	h2 := newHarness(t, harnessOpts{dataDir: dir})
	if got := list(h2.client); !maps.Equal(got, want) {
		t.Fatalf("tags after a restart: %v", got)
	}
}

// TestTags_Errors: what Lambda refuses, with the code and status the SDK
// expects.
func TestTags_Errors(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.createFn(t, "tagged", "echo")
	ctx := context.Background()
	many := map[string]string{}
	for i := range MaxTags + 1 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	long := make([]byte, 129)
	for i := range long {
		long[i] = 'k'
	}
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"not an arn", func() error {
			_, err := h.client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("tagged")})
			return err
		}, "ValidationException", 400},
		{"not a function arn", func() error {
			_, err := h.client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("arn:aws:iam::000000000000:role/x")})
			return err
		}, "ValidationException", 400},
		{"missing function", func() error {
			_, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN + "x"), Tags: map[string]string{"a": "b"}})
			return err
		}, "ResourceNotFoundException", 404},
		{"another account", func() error {
			_, err := h.client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("arn:aws:lambda:us-east-1:111111111111:function:tagged")})
			return err
		}, "ResourceNotFoundException", 404},
		{"a version", func() error {
			_, err := h.client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(tagFnARN + ":1")})
			return err
		}, "InvalidParameterValueException", 400},
		{"no tags", func() error {
			_, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN), Tags: map[string]string{}})
			return err
		}, "InvalidParameterValueException", 400},
		{"aws: prefix", func() error {
			_, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN), Tags: map[string]string{"aws:x": "b"}})
			return err
		}, "InvalidParameterValueException", 400},
		{"key too long", func() error {
			_, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN), Tags: map[string]string{string(long): "b"}})
			return err
		}, "InvalidParameterValueException", 400},
		{"too many", func() error {
			_, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN), Tags: many})
			return err
		}, "InvalidParameterValueException", 400},
		{"too many at creation", func() error {
			_, err := h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("many"), Runtime: "provided.al2023",
				Handler: aws.String("bootstrap"), Role: aws.String("arn:aws:iam::000000000000:role/test-role"),
				Code: &lambdatypes.FunctionCode{ZipFile: bootstrapZip(t, "many")}, Tags: many})
			return err
		}, "InvalidParameterValueException", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			var ae smithy.APIError
			var re *smithyhttp.ResponseError
			if !errors.As(err, &ae) || ae.ErrorCode() != c.code || !errors.As(err, &re) || re.HTTPStatusCode() != c.status {
				t.Fatalf("got %v, want %s (%d)", err, c.code, c.status)
			}
			if ae.ErrorMessage() == "" {
				t.Error("empty error message")
			}
		})
	}
	out, err := h.client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(tagFnARN)})
	if err != nil || len(out.Tags) != 0 {
		t.Errorf("a refused request changed the tags: %v (%v)", out.Tags, err)
	}
}

// TestTags_AuthorizedAsTheirActions: each operation is authorized as its own
// action on the function's ARN; creating with tags needs lambda:TagResource;
// GetFunction shows tags only to a caller allowed lambda:ListTags.
func TestTags_AuthorizedAsTheirActions(t *testing.T) {
	az := &recordingAuthz{}
	h := newHarness(t, harnessOpts{authz: az})
	h.createFn(t, "tagged", "echo")
	ctx := context.Background()
	if _, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN), Tags: map[string]string{"a": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(tagFnARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(tagFnARN), TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"lambda:TagResource", "lambda:ListTags", "lambda:UntagResource"} {
		if req, ok := az.last(action); !ok || req.Resource != tagFnARN {
			t.Errorf("%s: asked %+v, want resource %s", action, req, tagFnARN)
		}
	}

	az.mu.Lock()
	az.deny = map[string]bool{"lambda:TagResource": true, "lambda:ListTags": true}
	az.mu.Unlock()
	var ae smithy.APIError
	_, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(tagFnARN), Tags: map[string]string{"a": "2"}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("denied TagResource: %v", err)
	}
	_, err = h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("other"), Runtime: "provided.al2023",
		Handler: aws.String("bootstrap"), Role: aws.String("arn:aws:iam::000000000000:role/test-role"),
		Code: &lambdatypes.FunctionCode{ZipFile: bootstrapZip(t, "other")}, Tags: map[string]string{"a": "1"}})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("CreateFunction with tags, without lambda:TagResource: %v", err)
	}
	got, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("tagged")})
	if err != nil || len(got.Tags) != 0 {
		t.Errorf("GetFunction without lambda:ListTags: tags %v (%v)", got.Tags, err)
	}
}

// FuzzTagsAPI: any resource path and body given to the tag operations gets
// an answer, never a panic or a server error.
func FuzzTagsAPI(f *testing.F) {
	f.Add("POST", tagFnARN, []byte(`{"Tags":{"a":"b"}}`), "")
	f.Add("DELETE", tagFnARN, []byte(nil), "tagKeys=a&tagKeys=b")
	f.Add("GET", tagFnARN+":1", []byte(nil), "")
	f.Add("POST", "arn:aws:lambda:us-east-1:000000000000:function:", []byte(`{"Tags":{"aws:x":""}}`), "")
	f.Add("GET", "arn:::::", []byte(`{`), "")
	h := newHarness(f, harnessOpts{})
	api := mustLambdaAPI(f, APIOptions{Service: h.svc})
	if _, err := h.svc.Create(context.Background(), Config{Name: "tagged", Runtime: "provided.al2023", Handler: "bootstrap"}, bootstrapZip(f, "tagged")); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, resource string, body []byte, query string) {
		switch method {
		case "POST", "DELETE", "GET":
		default:
			return
		}
		req := httptest.NewRequest(method, "/2017-03-31/tags/x", bytes.NewReader(body))
		req.URL.Path = "/2017-03-31/tags/" + resource
		req.URL.RawPath = ""
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", method, resource, rec.Code, rec.Body.String())
		}
	})
}
