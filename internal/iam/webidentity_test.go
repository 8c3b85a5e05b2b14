package iam

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// issuer is a loopback OpenID Connect issuer over TLS: its discovery
// document, its JWKS, and tokens signed with its key.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		enc := base64.RawURLEncoding
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": enc.EncodeToString(key.N.Bytes()), "e": enc.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	is.srv = httptest.NewTLSServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

// host is the provider URL as IAM names it (no scheme).
func (is *issuer) host() string { return strings.TrimPrefix(is.srv.URL, "https://") }

func (is *issuer) thumbprint() string {
	sum := sha1.Sum(is.srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

func signToken(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	signed := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + enc.EncodeToString(sig)
}

func (is *issuer) token(t *testing.T, sub, aud string, exp time.Time) string {
	return signToken(t, is.key, map[string]any{"iss": is.srv.URL, "sub": sub, "aud": aud, "exp": exp.Unix(), "iat": time.Now().Unix()})
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	is := newIssuer(t)
	root := h.iam(h.root())
	prov, err := root.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String(is.srv.URL),
		ClientIDList: []string{"my-app"}, ThumbprintList: []string{is.thumbprint()}})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + *prov.OpenIDConnectProviderArn + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + is.host() + `:aud":"my-app"},"StringLike":{"` + is.host() + `:sub":"repo:nubo/*"}}}]}`
	role, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	// The call is unsigned, as the SDKs send it.
	anon := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String(h.url), RetryMaxAttempts: 1}
	c := sts.NewFromConfig(anon)
	assume := func(tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("build-1"), WebIdentityToken: aws.String(tok)})
	}
	out, err := assume(is.token(t, "repo:nubo/main", "my-app", time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if *out.SubjectFromWebIdentityToken != "repo:nubo/main" || *out.Audience != "my-app" || *out.Provider != is.srv.URL ||
		*out.AssumedRoleUser.Arn != "arn:aws:sts::"+testAccount+":assumed-role/ci/build-1" {
		t.Fatalf("%+v %+v", out, out.AssumedRoleUser)
	}
	creds := awsapi.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	id, err := h.sts(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != *out.AssumedRoleUser.Arn {
		t.Fatalf("%v %+v", err, id)
	}

	// A subject the trust policy does not allow.
	_, err = assume(is.token(t, "repo:other/main", "my-app", time.Now().Add(time.Hour)))
	mustContain(t, apiError(t, err, "AccessDenied"), "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	// An audience that is not a client id of the provider.
	_, err = assume(is.token(t, "repo:nubo/main", "someone-else", time.Now().Add(time.Hour)))
	mustContain(t, apiError(t, err, "InvalidIdentityToken"), "Incorrect token audience")
	// Expired.
	_, err = assume(is.token(t, "repo:nubo/main", "my-app", time.Now().Add(-time.Minute)))
	apiError(t, err, "ExpiredTokenException")
	// Signed by another key.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged := signToken(t, other, map[string]any{"iss": is.srv.URL, "sub": "repo:nubo/main", "aud": "my-app", "exp": time.Now().Add(time.Hour).Unix()})
	mustContain(t, apiError(t, func() error { _, err := assume(forged); return err }(), "InvalidIdentityToken"), "signature")
	// Not a JWT.
	_, err = assume("not-a-token")
	apiError(t, err, "InvalidIdentityToken")
	// An issuer no provider is registered for.
	stranger := signToken(t, is.key, map[string]any{"iss": "https://elsewhere.example.com", "sub": "x", "aud": "my-app", "exp": time.Now().Add(time.Hour).Unix()})
	_, err = assume(stranger)
	mustContain(t, apiError(t, err, "InvalidIdentityToken"), "No OpenIDConnect provider found")

	// No other STS operation is served unsigned.
	_, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	apiError(t, err, "MissingAuthenticationToken")
}

func FuzzParseJWT(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3gifQ.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJub25lIn0.eyJhdWQiOlsiYSIsImIiXX0.")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseJWT(s)
		if err != nil {
			return
		}
		_ = tok.verify(&rsa.PublicKey{N: big.NewInt(3233), E: 17})
	})
}
