package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// An action the service lacks is named with the API version, as AWS does.
func TestUnknownActionNamesVersion(t *testing.T) {
	h := newHarness(t, Enforce)
	cases := []struct{ service, body, want string }{
		{"iam", "Action=Frobnicate&Version=2010-05-08", "Could not find operation Frobnicate for version 2010-05-08"},
		{"iam", "Action=Frobnicate", "Could not find operation Frobnicate for version 2010-05-08"},
		{"sts", "Action=Frobnicate&Version=2011-06-15", "Could not find operation Frobnicate for version 2011-06-15"},
		{"sts", "Action=Frobnicate", "Could not find operation Frobnicate for version 2011-06-15"},
	}
	for _, c := range cases {
		t.Run(c.service+" "+c.body, func(t *testing.T) {
			status, code, msg := h.rawQuery(c.service, c.body)
			if status != 400 || code != "InvalidAction" || msg != c.want {
				t.Fatalf("got %d %s %q, want 400 InvalidAction %q", status, code, msg, c.want)
			}
		})
	}
}

// A presigned GetCallerIdentity, fetched by whoever holds the URL, answers
// the identity of the signer.
func TestPresignedGetCallerIdentity(t *testing.T) {
	h := newHarness(t, Enforce)
	p, err := sts.NewPresignClient(h.sts(h.root())).PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(p.Method, p.URL, nil)
	req.Header = p.SignedHeader.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Account>"+testAccount+"</Account>") {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
}

// rawQuery sends a root-signed form POST to service and returns the
// status and the error's code and message, if any.
func (h *harness) rawQuery(service, body string) (int, string, string) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	c := h.root()
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		h.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error struct{ Code, Message string }
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = xml.Unmarshal(raw, &e)
	return resp.StatusCode, e.Error.Code, e.Error.Message
}
