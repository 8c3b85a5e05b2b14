package iam

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// idp is a SAML identity provider: a key, its self-signed certificate and
// the metadata document that names it.
type idp struct {
	key  *rsa.PrivateKey
	cert []byte // DER
}

func newIdP(t testing.TB) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &idp{key: key, cert: der}
}

func (p *idp) metadata() string {
	return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(p.cert) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
}

// samlClaims are what a test assertion says.
type samlClaims struct {
	subject, format, audience, recipient, sessionName string
	roles                                             []string
	notOnOrAfter                                      time.Time
}

// response is a SAML Response whose Assertion p signs (exclusive
// canonicalization, as IdPs sign), base64 as the browser posts it; tamper
// edits the XML after signing.
func (p *idp) response(t testing.TB, c samlClaims, tamper func(string) string) string {
	t.Helper()
	now := time.Now().UTC()
	ts := func(x time.Time) string { return x.Format("2006-01-02T15:04:05Z") }
	var roles strings.Builder
	for _, r := range c.roles {
		roles.WriteString(`<saml:AttributeValue>` + r + `</saml:AttributeValue>`)
	}
	session := ""
	if c.sessionName != "" {
		session = `<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>` + c.sessionName + `</saml:AttributeValue></saml:Attribute>`
	}
	assertion := `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="` + ts(now) + `">` +
		`<saml:Issuer>https://idp.example.com/saml</saml:Issuer>` +
		`<saml:Subject><saml:NameID Format="` + c.format + `">` + c.subject + `</saml:NameID>` +
		`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` + ts(c.notOnOrAfter) + `" Recipient="` + c.recipient + `"/></saml:SubjectConfirmation></saml:Subject>` +
		`<saml:Conditions NotBefore="` + ts(now.Add(-time.Minute)) + `" NotOnOrAfter="` + ts(c.notOnOrAfter) + `"><saml:AudienceRestriction><saml:Audience>` + c.audience + `</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
		`<saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">` + roles.String() + `</saml:Attribute>` + session + `</saml:AttributeStatement>` +
		`</saml:Assertion>`
	doc := etree.NewDocument()
	if err := doc.ReadFromString(assertion); err != nil {
		t.Fatal(err)
	}
	sc, err := dsig.NewSigningContext(p.key, [][]byte{p.cert})
	if err != nil {
		t.Fatal(err)
	}
	sc.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := sc.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	out := etree.NewDocument()
	out.SetRoot(signed)
	body, err := out.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	resp := `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="` + ts(now) + `">` +
		`<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` + body + `</samlp:Response>`
	if tamper != nil {
		resp = tamper(resp)
	}
	return base64.StdEncoding.EncodeToString([]byte(resp))
}

func TestAssumeRoleWithSAML(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	p := newIdP(t)
	root := h.iam(h.root())
	prov, err := root.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(p.metadata())})
	if err != nil {
		t.Fatal(err)
	}
	provARN := *prov.SAMLProviderArn
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithSAML",` +
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"},"StringLike":{"SAML:sub":"*@example.com"}}}]}`
	role, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("sso-admin"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := *role.Role.Arn
	good := samlClaims{subject: "ada@example.com", format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
		audience: "https://signin.aws.amazon.com/saml", recipient: "https://signin.aws.amazon.com/saml", sessionName: "ada",
		roles: []string{roleARN + "," + provARN}, notOnOrAfter: time.Now().Add(5 * time.Minute)}

	// The call is unsigned, as the SDKs send it.
	anon := aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String(h.url), RetryMaxAttempts: 1}
	c := sts.NewFromConfig(anon)
	assume := func(assertion string) (*sts.AssumeRoleWithSAMLOutput, error) {
		return c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(assertion)})
	}
	out, err := assume(p.response(t, good, nil))
	if err != nil {
		t.Fatal(err)
	}
	if *out.Subject != "ada@example.com" || *out.SubjectType != "persistent" || *out.Issuer != "https://idp.example.com/saml" ||
		*out.Audience != "https://signin.aws.amazon.com/saml" || *out.NameQualifier != nameQualifier("https://idp.example.com/saml", testAccount, "corp") ||
		*out.AssumedRoleUser.Arn != "arn:aws:sts::"+testAccount+":assumed-role/sso-admin/ada" {
		t.Fatalf("%+v %+v", out, out.AssumedRoleUser)
	}
	creds := awsapi.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	id, err := h.sts(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != *out.AssumedRoleUser.Arn {
		t.Fatalf("%v %+v", err, id)
	}

	other := newIdP(t)
	with := func(f func(*samlClaims)) samlClaims { c := good; f(&c); return c }
	for _, tc := range []struct {
		name, assertion, code, msg string
	}{
		{"tampered after signing", p.response(t, good, func(s string) string { return strings.Replace(s, "ada@example.com", "eve@example.com", 1) }),
			"InvalidIdentityToken", "signature"},
		{"signed by another key", other.response(t, good, nil), "InvalidIdentityToken", "signature"},
		{"an unsigned assertion before the signed one", p.response(t, good, func(s string) string {
			evil := `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_evil"><saml:Issuer>https://idp.example.com/saml</saml:Issuer></saml:Assertion>`
			return strings.Replace(s, "</samlp:Status>", "</samlp:Status>"+evil, 1)
		}), "InvalidIdentityToken", "is signed"},
		{"unsigned", base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`)),
			"InvalidIdentityToken", "is signed"},
		{"not XML", base64.StdEncoding.EncodeToString([]byte("hello")), "InvalidIdentityToken", "not XML"},
		{"not base64", "%%%%", "InvalidIdentityToken", "base64"},
		{"expired", p.response(t, with(func(c *samlClaims) { c.notOnOrAfter = time.Now().Add(-time.Minute) }), nil), "ExpiredTokenException", "NotOnOrAfter"},
		{"wrong audience", p.response(t, with(func(c *samlClaims) { c.audience = "https://elsewhere.example.com" }), nil), "InvalidIdentityToken", "audience"},
		{"role not in the Role attribute", p.response(t, with(func(c *samlClaims) { c.roles = []string{RoleARN(testAccount, "/", "other") + "," + provARN} }), nil),
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"no RoleSessionName", p.response(t, with(func(c *samlClaims) { c.sessionName = "" }), nil), "InvalidIdentityToken", "RoleSessionName"},
		{"trust policy's SAML:sub", p.response(t, with(func(c *samlClaims) { c.subject = "eve@evil.example" }), nil), "AccessDenied", "sts:AssumeRoleWithSAML"},
		{"trust policy's SAML:aud", p.response(t, with(func(c *samlClaims) { c.recipient = "https://signin.aws.amazon.com/other" }), nil), "AccessDenied", "sts:AssumeRoleWithSAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assume(tc.assertion)
			mustContain(t, apiError(t, err, tc.code), tc.msg)
		})
	}

	// A provider that does not exist.
	_, err = c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN),
		PrincipalArn: aws.String("arn:aws:iam::" + testAccount + ":saml-provider/none"), SAMLAssertion: aws.String(p.response(t, good, nil))})
	apiError(t, err, "InvalidIdentityToken")
}

func FuzzVerifySAML(f *testing.F) {
	p := newIdP(f)
	good := samlClaims{subject: "a@b.c", format: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient", audience: samlAudience, recipient: samlAudience,
		sessionName: "a", roles: []string{"r,p"}, notOnOrAfter: time.Now().Add(time.Hour)}
	f.Add(p.response(f, good, nil))
	f.Add(base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)))
	f.Add("")
	cert, err := x509.ParseCertificate(p.cert)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := verifySAML(s, []*x509.Certificate{cert}, time.Now())
		if err == nil && (a.Issuer == "" || a.Subject == "") {
			t.Fatalf("verified an assertion without issuer or subject: %+v", a)
		}
	})
}

func FuzzSAMLCertificates(f *testing.F) {
	f.Add(newIdP(f).metadata())
	f.Add(`<EntityDescriptor><KeyDescriptor use="encryption"><X509Certificate>AAAA</X509Certificate></KeyDescriptor></EntityDescriptor>`)
	f.Add(`<EntityDescriptor><KeyDescriptor><X509Certificate>%%%</X509Certificate></KeyDescriptor></EntityDescriptor>`)
	f.Add("")
	f.Fuzz(func(t *testing.T, doc string) {
		certs, err := samlCertificates(doc)
		if err == nil && len(certs) == 0 {
			t.Fatal("no error and no certificate")
		}
	})
}
