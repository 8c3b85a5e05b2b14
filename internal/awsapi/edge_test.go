package awsapi

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// A request the edge refuses before any service sees it is answered in the
// envelope of the protocol it was sent with: XML with the query services'
// codes for a form-encoded (query protocol) request, as botocore and the
// SDKs' query parsers read only that.
func TestEdgeQueryProtocolAuthErrors(t *testing.T) {
	srv := presignEdge(t)
	form := "Action=GetCallerIdentity&Version=2011-06-15"
	send := func(t *testing.T, service string, creds *aws.Credentials) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		if creds != nil {
			if err := v4.NewSigner().SignHTTP(context.Background(), *creds, req, sha(form), service, "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var env struct {
			Code string `xml:"Error>Code"`
		}
		if err := xml.Unmarshal(b, &env); err != nil {
			t.Fatalf("not an XML error envelope: %s", b)
		}
		return res.StatusCode, env.Code, res.Header.Get("Content-Type")
	}
	cases := []struct {
		name    string
		service string
		creds   *aws.Credentials
		status  int
		code    string
	}{
		{"unsigned", "", nil, 403, "MissingAuthenticationToken"},
		{"unknown key", "sts", &aws.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "x"}, 403, "InvalidClientTokenId"},
		{"wrong secret", "sts", &aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "nope"}, 403, "SignatureDoesNotMatch"},
		{"service nubo does not serve", "sns", &aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/with+chars"}, 400, "UnknownServiceException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code, ct := send(t, c.service, c.creds)
			if status != c.status || code != c.code || ct != "text/xml" {
				t.Fatalf("got %d %s (%s), want %d %s in XML", status, code, ct, c.status, c.code)
			}
		})
	}
}

// botocore reads the query-protocol error as a ClientError with its code,
// not a ResponseParserError.
func TestEdgeQueryAuthErrorsByBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Fatalf("this test needs python3 with boto3: %v", err)
	}
	srv := presignEdge(t)
	script := `
import sys, boto3, botocore
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="AKIDOTHER", aws_secret_access_key="x")
try:
    sts.get_caller_identity()
    print("no error")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
`
	out, err := exec.Command("python3", "-c", script, srv.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "InvalidClientTokenId 403" {
		t.Fatalf("boto3 saw %q", got)
	}
}
