package awsapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// presignEdge is an edge serving "lambda" and "sts" that answers 200 with
// the body it was given.
func presignEdge(t *testing.T) *httptest.Server {
	t.Helper()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	edge, err := NewEdge(newKeys(t), nil,
		Service{Name: "lambda", Protocol: RestJSON, Handler: echo},
		Service{Name: "sts", Protocol: Query, Handler: echo})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(edge)
	t.Cleanup(srv.Close)
	return srv
}

func fetch(t *testing.T, method, u, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// Presigned URLs of aws-sdk-go-v2 are accepted whether they sign
// UNSIGNED-PAYLOAD or the body's hash, and refused when the body is not the
// one signed.
func TestEdgePresignedPayloadHashes(t *testing.T) {
	srv := presignEdge(t)
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/with+chars"}
	cases := []struct {
		name, method, signedBody, sentBody, hash string
		want                                     int
	}{
		{"unsigned payload", "GET", "", "", unsignedPayload, 200},
		{"empty body hash", "GET", "", "", sha(""), 200},
		{"body hash", "POST", `{"a":1}`, `{"a":1}`, sha(`{"a":1}`), 200},
		{"unsigned payload with a body", "POST", `{"a":1}`, `{"a":2}`, unsignedPayload, 200},
		{"other body than signed", "POST", `{"a":1}`, `{"a":2}`, sha(`{"a":1}`), 403},
		{"hash of nothing sent", "GET", "", "", sha("x"), 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, srv.URL+"/2015-03-31/functions/?X-Amz-Expires=60", strings.NewReader(c.signedBody))
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, c.hash, "lambda", "us-east-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			resp := fetch(t, c.method, u, c.sentBody)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), c.want)
			}
			if c.want == 403 && resp.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
				t.Fatalf("error %q, want InvalidSignatureException", resp.Header.Get("X-Amzn-ErrorType"))
			}
		})
	}
}

// botocore signs the empty body's hash in the URLs generate_presigned_url
// makes. Each URL is fetched with the method it was signed for (botocore
// signs a query-protocol operation such as STS's as POST unless given
// HttpMethod), and refused with another method or a changed query.
func TestEdgePresignedByBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Fatalf("this test needs python3 with boto3: %v", err)
	}
	srv := presignEdge(t)
	script := `
import sys, boto3
s = boto3.session.Session(aws_access_key_id="AKIDTEST", aws_secret_access_key="secret/with+chars", region_name="us-east-1")
ep = sys.argv[1]
lam, sts = s.client("lambda", endpoint_url=ep), s.client("sts", endpoint_url=ep)
print("GET", lam.generate_presigned_url("list_functions", Params={"MaxItems": 5}, ExpiresIn=300))
print("GET", lam.generate_presigned_url("get_function", Params={"FunctionName": "a:b c"}, ExpiresIn=300))
print("GET", sts.generate_presigned_url("get_caller_identity", ExpiresIn=300, HttpMethod="GET"))
print("POST", sts.generate_presigned_url("get_caller_identity", ExpiresIn=300))
`
	out, err := exec.Command("python3", "-c", script, srv.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Fatalf("boto3 printed %q", out)
	}
	for _, line := range lines {
		method, u, _ := strings.Cut(line, " ")
		if resp := fetch(t, method, u, ""); resp.StatusCode != 200 {
			t.Errorf("%s %s: status %d %s", method, u, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
		other := map[string]string{"GET": "POST", "POST": "GET"}[method]
		if resp := fetch(t, other, u, ""); resp.StatusCode != 403 {
			t.Errorf("%s of a URL signed for %s: status %d, want 403", other, method, resp.StatusCode)
		}
		if resp := fetch(t, method, u+"&x=1", ""); resp.StatusCode != 403 {
			t.Errorf("%s with a parameter added: status %d, want 403", u, resp.StatusCode)
		}
		if resp := fetch(t, method, u, "Action=AssumeRole"); resp.StatusCode != 403 {
			t.Errorf("%s with a body added: status %d, want 403", u, resp.StatusCode)
		}
	}
}

// The STS presign client of aws-sdk-go-v2 signs GetCallerIdentity.
func TestEdgePresignedBySTSClient(t *testing.T) {
	srv := presignEdge(t)
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret/with+chars", "")})
	p, err := sts.NewPresignClient(client).PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(p.Method, p.URL, nil)
	req.Header = p.SignedHeader.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: status %d", p.Method, p.URL, resp.StatusCode)
	}
}

// A signature dated too far from the server's clock is refused with the
// message AWS gives for each side.
func TestEdgeSignatureTimeWindow(t *testing.T) {
	keys := newKeys(t)
	edge, _ := NewEdge(keys, nil, Service{Name: "lambda", Protocol: RestJSON, Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})})
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	edge.now = func() time.Time { return now }
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/with+chars"}
	cases := []struct {
		name     string
		signedAt time.Time
		presign  time.Duration // 0: header-signed
		want     string
	}{
		{"an hour ahead", now.Add(time.Hour), 0, "Signature not yet current: 20261207T130000Z is still later than 20261207T121500Z (20261207T120000Z + 15 min.)"},
		{"an hour behind", now.Add(-time.Hour), 0, "Signature expired: 20261207T110000Z is now earlier than 20261207T114500Z (20261207T120000Z - 15 min.)"},
		{"presigned an hour ahead", now.Add(time.Hour), time.Minute, "Signature not yet current: 20261207T130000Z is still later than 20261207T121500Z (20261207T120000Z + 15 min.)"},
		{"presigned past its expiry", now.Add(-2 * time.Minute), time.Minute, "Signature expired: 20261207T115800Z is now earlier than 20261207T115900Z (20261207T120000Z - 60 sec.)"},
		{"within the skew", now.Add(14 * time.Minute), 0, ""},
		{"presigned within its expiry", now.Add(-30 * time.Second), time.Minute, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://127.0.0.1/2015-03-31/functions/", nil)
			if c.presign > 0 {
				req.URL.RawQuery = "X-Amz-Expires=" + strconv.Itoa(int(c.presign/time.Second))
				u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, unsignedPayload, "lambda", "us-east-1", c.signedAt)
				if err != nil {
					t.Fatal(err)
				}
				req = httptest.NewRequest("GET", u, nil)
			} else if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha(""), "lambda", "us-east-1", c.signedAt); err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			edge.ServeHTTP(w, req)
			if c.want == "" {
				if w.Code != 200 {
					t.Fatalf("status %d %s", w.Code, w.Body)
				}
				return
			}
			if w.Code != 403 || w.Header().Get("X-Amzn-ErrorType") != "InvalidSignatureException" || !strings.Contains(w.Body.String(), c.want) {
				t.Fatalf("got %d %s %s, want 403 InvalidSignatureException %q", w.Code, w.Header().Get("X-Amzn-ErrorType"), w.Body, c.want)
			}
		})
	}
}
