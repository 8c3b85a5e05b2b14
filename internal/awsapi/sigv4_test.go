package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func sha(b string) string { h := sha256.Sum256([]byte(b)); return hex.EncodeToString(h[:]) }

func newKeys(t *testing.T) *Keyring {
	t.Helper()
	k, err := NewKeyring(Account{Region: DefaultRegion, ID: DefaultAccountID}, "AKIDTEST", "secret/with+chars")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEdgeVerifiesSDKSignatures(t *testing.T) {
	keys := newKeys(t)
	var got Principal
	edge, err := NewEdge(keys, nil, Service{Name: "lambda", Protocol: RestJSON, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = PrincipalFrom(r.Context())
		w.WriteHeader(200)
	})})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(edge)
	defer srv.Close()

	sess, err := keys.Issue(Principal{ARN: "arn:aws:sts::000000000000:assumed-role/r/f", RoleARN: "arn:aws:iam::000000000000:role/r", Session: "f"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		method, path, body string
		creds              aws.Credentials
		wantStatus         int
		wantCode           string
	}{
		"root get":            {"GET", "/2015-03-31/functions/", "", aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/with+chars"}, 200, ""},
		"query and escapes":   {"GET", "/2015-03-31/functions/a%3Ab/versions?Marker=x%20y&MaxItems=5&A=1", "", aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/with+chars"}, 200, ""},
		"post body":           {"POST", "/2015-03-31/functions/f/invocations", `{"a":"b"}`, aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/with+chars"}, 200, ""},
		"session credentials": {"POST", "/x", "{}", aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: sess.SessionToken}, 200, ""},
		"wrong secret":        {"GET", "/x", "", aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "nope"}, 403, "InvalidSignatureException"},
		"unknown key":         {"GET", "/x", "", aws.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "x"}, 403, "UnrecognizedClientException"},
		"forged token":        {"GET", "/x", "", aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: sess.SessionToken + "x"}, 403, "UnrecognizedClientException"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
			if c.creds.SessionToken != "" {
				req.Header.Set("X-Amz-Security-Token", c.creds.SessionToken)
			}
			if err := v4.NewSigner().SignHTTP(context.Background(), c.creds, req, sha(c.body), "lambda", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.wantStatus || resp.Header.Get("X-Amzn-ErrorType") != c.wantCode {
				t.Fatalf("status %d code %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), c.wantStatus, c.wantCode)
			}
			if name == "session credentials" && got.ARN != "arn:aws:sts::000000000000:assumed-role/r/f" {
				t.Fatalf("session principal %q", got.ARN)
			}
		})
	}
}

func TestEdgePresigned(t *testing.T) {
	keys := newKeys(t)
	edge, _ := NewEdge(keys, nil, Service{Name: "lambda", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})})
	srv := httptest.NewServer(edge)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/2015-03-31/functions/?MaxItems=2&X-Amz-Expires=60", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/with+chars"}, req, "UNSIGNED-PAYLOAD", "lambda", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned: status %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
	resp, err = http.Get(u + "0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("tampered presigned: status %d", resp.StatusCode)
	}
}

func TestEdgeUnsigned(t *testing.T) {
	edge, _ := NewEdge(newKeys(t), nil, Service{Name: "lambda", Handler: http.NotFoundHandler()})
	rec := httptest.NewRecorder()
	edge.ServeHTTP(rec, httptest.NewRequest("GET", "/2015-03-31/functions/", nil))
	if rec.Code != 403 || rec.Header().Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned: %d %q", rec.Code, rec.Header().Get("X-Amzn-ErrorType"))
	}
}

func TestSessionExpiry(t *testing.T) {
	k := newKeys(t)
	c, err := k.Issue(Principal{ARN: "x"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	k.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if _, _, err := k.Lookup(c.AccessKeyID, c.SessionToken); err != ErrExpiredToken {
		t.Fatalf("got %v, want ErrExpiredToken", err)
	}
}

func FuzzParseSigV4(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "20260101T000000Z", "/a?b=c")
	f.Add("", "", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=10")
	f.Fuzz(func(t *testing.T, auth, date, target string) {
		r, err := http.NewRequest("GET", "http://h"+target, nil)
		if err != nil {
			return
		}
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		s, err := ParseSigV4(r)
		if err == nil {
			_ = s.Verify(r, "k", time.Now())
		}
	})
}

func TestSigningKeysCache(t *testing.T) {
	var c SigningKeys
	scopes := []signingScope{
		{"secret-a", "20261125", "us-east-1", "lambda"},
		{"secret-b", "20261125", "us-east-1", "lambda"}, // same scope, other secret
		{"secret-a", "20261126", "us-east-1", "lambda"},
		{"secret-a", "20261125", "eu-west-1", "lambda"},
		{"secret-a", "20261125", "us-east-1", "sqs"},
	}
	seen := map[string]bool{}
	for _, s := range scopes {
		want := hex.EncodeToString(deriveSigningKey(s.secret, s.date, s.region, s.service))
		for range 2 { // a miss, then a hit
			if got := hex.EncodeToString(c.key(s.secret, s.date, s.region, s.service)); got != want {
				t.Fatalf("%+v: key %s, want %s", s, got, want)
			}
		}
		if seen[want] {
			t.Fatalf("%+v: key shared with another scope", s)
		}
		seen[want] = true
	}
	var nilCache *SigningKeys
	if got, want := hex.EncodeToString(nilCache.key("s", "20261125", "r", "x")), hex.EncodeToString(deriveSigningKey("s", "20261125", "r", "x")); got != want {
		t.Fatalf("nil cache key %s, want %s", got, want)
	}

	// Bounded, and safe for concurrent use.
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 3 * maxSigningKeys {
				c.key("secret", strconv.Itoa(g*10000+i), "us-east-1", "lambda")
			}
		}()
	}
	for range 4 {
		<-done
	}
	c.mu.Lock()
	n := len(c.m)
	c.mu.Unlock()
	if n > maxSigningKeys {
		t.Fatalf("cache holds %d keys, bound %d", n, maxSigningKeys)
	}
}

// Public patterns are served without a signature, for their methods only;
// everything else goes through authentication.
func TestEdgePublicPatterns(t *testing.T) {
	public := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Public", name) })
	}
	cases := []struct {
		patterns     []string
		method, path string
		want         string // the public handler serving it, "" for authentication
	}{
		{[]string{"GET /health"}, "GET", "/health", "GET /health"},
		{[]string{"GET /health"}, "HEAD", "/health", "GET /health"},
		{[]string{"GET /health"}, "POST", "/health", ""},
		{[]string{"GET /health"}, "GET", "/other", ""},
		{[]string{"GET /health", "POST /hook"}, "POST", "/hook", "POST /hook"},
		{[]string{"GET /health", "POST /hook"}, "POST", "/health", ""},
		{[]string{"GET /health", "/any"}, "PUT", "/any", "/any"},
		{[]string{"GET /health", "/any"}, "PUT", "/health", ""},
		{[]string{"GET localhost/h"}, "GET", "/h", ""}, // the test server's host is 127.0.0.1
	}
	for _, c := range cases {
		t.Run(strings.Join(c.patterns, ",")+" "+c.method+" "+c.path, func(t *testing.T) {
			edge, err := NewEdge(newKeys(t), nil, Service{Name: "lambda", Protocol: RestJSON, Handler: http.NotFoundHandler()})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range c.patterns {
				edge.HandlePublic(p, public(p))
			}
			w := httptest.NewRecorder()
			edge.ServeHTTP(w, httptest.NewRequest(c.method, "http://127.0.0.1"+c.path, nil))
			if got := w.Header().Get("X-Public"); got != c.want {
				t.Fatalf("served by %q, want %q", got, c.want)
			}
			if c.want == "" && w.Code != http.StatusForbidden {
				t.Fatalf("status %d, want 403 (no signature)", w.Code)
			}
		})
	}
}
