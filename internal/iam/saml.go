package iam

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// The SAML namespaces and the values AWS's sign-in endpoint expects.
const (
	samlAssertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"
	samlProtocolNS  = "urn:oasis:names:tc:SAML:2.0:protocol"
	samlMetadataNS  = "urn:oasis:names:tc:SAML:2.0:metadata"
	xmlDSigNS       = "http://www.w3.org/2000/09/xmldsig#"
	samlAudience    = "https://signin.aws.amazon.com/saml"
	samlRoleAttr    = "https://aws.amazon.com/SAML/Attributes/Role"
	samlSessionAttr = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	samlDuration    = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	samlSourceIdent = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	nameIDFormatPfx = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
)

// samlAssertion is what AssumeRoleWithSAML reads from a verified assertion.
type samlAssertion struct {
	Issuer         string
	Subject        string
	SubjectFormat  string
	Recipient      string // SubjectConfirmationData's Recipient: SAML:aud
	Audiences      []string
	NotBefore      time.Time
	NotOnOrAfter   time.Time // the earliest of the conditions' and the confirmation's
	Attributes     map[string][]string
	SessionName    string
	SessionSeconds int
}

// errSAML is an assertion STS refuses as InvalidIdentityToken; errSAMLExpired
// one whose validity has passed.
var (
	errSAML        = errors.New("invalid SAML assertion")
	errSAMLExpired = errors.New("expired SAML assertion")
)

// samlCertificates are the signing certificates of a provider's metadata
// document: every KeyDescriptor whose use is "signing" or unset.
func samlCertificates(metadata string) ([]*x509.Certificate, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(metadata); err != nil {
		return nil, fmt.Errorf("parse metadata: %w", err)
	}
	var certs []*x509.Certificate
	for _, kd := range doc.FindElements("//KeyDescriptor") {
		if u := kd.SelectAttrValue("use", "signing"); u != "signing" {
			continue
		}
		for _, c := range kd.FindElements(".//X509Certificate") {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Text()), ""))
			if err != nil {
				return nil, fmt.Errorf("metadata certificate: %w", err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("metadata certificate: %w", err)
			}
			certs = append(certs, cert)
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("metadata has no signing certificate")
	}
	return certs, nil
}

// verifySAML decodes a base64 SAML response, checks its XML signature (on
// the Response or on the Assertion) against certs with goxmldsig, and reads
// the signed assertion: only what the signature covers is read.
func verifySAML(encoded string, certs []*x509.Certificate, now time.Time) (*samlAssertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: the assertion is not base64", errSAML)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: the assertion is not XML", errSAML)
	}
	root := doc.Root()
	if root == nil {
		return nil, fmt.Errorf("%w: the assertion is not XML", errSAML)
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: certs})
	vc.Clock = dsig.NewFakeClockAt(now)
	var assertion *etree.Element
	switch {
	case root.Tag == "Response" && root.NamespaceURI() == samlProtocolNS:
		if signedChild(root) {
			v, err := vc.Validate(root)
			if err != nil {
				return nil, fmt.Errorf("%w: the response's signature is not valid: %v", errSAML, err)
			}
			root = v
			if st := root.FindElement("./Status/StatusCode"); st != nil && st.SelectAttrValue("Value", "") != "urn:oasis:names:tc:SAML:2.0:status:Success" {
				return nil, fmt.Errorf("%w: the response's status is %s", errSAML, st.SelectAttrValue("Value", ""))
			}
			assertion = child(root, samlAssertionNS, "Assertion")
			if assertion == nil {
				return nil, fmt.Errorf("%w: the response has no Assertion", errSAML)
			}
			if signedChild(assertion) {
				if assertion, err = vc.Validate(assertion); err != nil {
					return nil, fmt.Errorf("%w: the assertion's signature is not valid: %v", errSAML, err)
				}
			}
			break
		}
		a := child(root, samlAssertionNS, "Assertion")
		if a == nil {
			return nil, fmt.Errorf("%w: the response has no Assertion", errSAML)
		}
		if !signedChild(a) {
			return nil, fmt.Errorf("%w: neither the response nor the assertion is signed", errSAML)
		}
		if assertion, err = vc.Validate(a); err != nil {
			return nil, fmt.Errorf("%w: the assertion's signature is not valid: %v", errSAML, err)
		}
	default:
		return nil, fmt.Errorf("%w: the document is not a SAML 2.0 Response", errSAML)
	}
	return readAssertion(assertion, now)
}

// child is el's first child element named space:tag.
func child(el *etree.Element, space, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == space {
			return c
		}
	}
	return nil
}

func signedChild(el *etree.Element) bool { return child(el, xmlDSigNS, "Signature") != nil }

func samlTime(el *etree.Element, attr string) (time.Time, error) {
	v := el.SelectAttrValue(attr, "")
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q is not a time", errSAML, attr, v)
	}
	return t, nil
}

// readAssertion reads a signed assertion and checks its times and
// audience.
func readAssertion(a *etree.Element, now time.Time) (*samlAssertion, error) {
	out := &samlAssertion{Attributes: map[string][]string{}}
	if iss := child(a, samlAssertionNS, "Issuer"); iss != nil {
		out.Issuer = strings.TrimSpace(iss.Text())
	}
	if out.Issuer == "" {
		return nil, fmt.Errorf("%w: the assertion has no Issuer", errSAML)
	}
	subj := child(a, samlAssertionNS, "Subject")
	if subj == nil {
		return nil, fmt.Errorf("%w: the assertion has no Subject", errSAML)
	}
	if id := child(subj, samlAssertionNS, "NameID"); id != nil {
		out.Subject = strings.TrimSpace(id.Text())
		out.SubjectFormat = id.SelectAttrValue("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
	}
	if out.Subject == "" {
		return nil, fmt.Errorf("%w: the assertion has no NameID", errSAML)
	}
	var expiries []time.Time
	for _, sc := range subj.ChildElements() {
		if sc.Tag != "SubjectConfirmation" {
			continue
		}
		if d := child(sc, samlAssertionNS, "SubjectConfirmationData"); d != nil {
			if r := d.SelectAttrValue("Recipient", ""); r != "" && out.Recipient == "" {
				out.Recipient = r
			}
			t, err := samlTime(d, "NotOnOrAfter")
			if err != nil {
				return nil, err
			}
			if !t.IsZero() {
				expiries = append(expiries, t)
			}
		}
	}
	if cond := child(a, samlAssertionNS, "Conditions"); cond != nil {
		var err error
		if out.NotBefore, err = samlTime(cond, "NotBefore"); err != nil {
			return nil, err
		}
		t, err := samlTime(cond, "NotOnOrAfter")
		if err != nil {
			return nil, err
		}
		if !t.IsZero() {
			expiries = append(expiries, t)
		}
		for _, ar := range cond.ChildElements() {
			if ar.Tag != "AudienceRestriction" {
				continue
			}
			for _, au := range ar.ChildElements() {
				if au.Tag == "Audience" {
					out.Audiences = append(out.Audiences, strings.TrimSpace(au.Text()))
				}
			}
		}
	}
	for _, t := range expiries {
		if out.NotOnOrAfter.IsZero() || t.Before(out.NotOnOrAfter) {
			out.NotOnOrAfter = t
		}
	}
	if out.NotOnOrAfter.IsZero() {
		return nil, fmt.Errorf("%w: the assertion has no NotOnOrAfter", errSAML)
	}
	if !now.Before(out.NotOnOrAfter) {
		return nil, fmt.Errorf("%w: current time %s is not before NotOnOrAfter %s", errSAMLExpired, isoTime(now), isoTime(out.NotOnOrAfter))
	}
	// AWS allows five minutes of clock skew.
	if !out.NotBefore.IsZero() && now.Add(5*time.Minute).Before(out.NotBefore) {
		return nil, fmt.Errorf("%w: the assertion is not valid before %s", errSAML, isoTime(out.NotBefore))
	}
	audOK := false
	for _, au := range out.Audiences {
		if au == samlAudience || strings.HasPrefix(au, "urn:amazon:webservices") {
			audOK = true
		}
	}
	if !audOK {
		return nil, fmt.Errorf("%w: the assertion's audience is not %s", errSAML, samlAudience)
	}
	if out.Recipient == "" {
		out.Recipient = samlAudience
	}
	if st := child(a, samlAssertionNS, "AttributeStatement"); st != nil {
		for _, at := range st.ChildElements() {
			if at.Tag != "Attribute" {
				continue
			}
			name := at.SelectAttrValue("Name", "")
			for _, v := range at.ChildElements() {
				if v.Tag == "AttributeValue" {
					out.Attributes[name] = append(out.Attributes[name], strings.TrimSpace(v.Text()))
				}
			}
		}
	}
	if s := out.Attributes[samlSessionAttr]; len(s) > 0 {
		out.SessionName = s[0]
	}
	if d := out.Attributes[samlDuration]; len(d) > 0 {
		var n int
		if _, err := fmt.Sscan(d[0], &n); err != nil || n < 900 || n > 43200 {
			return nil, fmt.Errorf("%w: SessionDuration %q must be between 900 and 43200 seconds", errSAML, d[0])
		}
		out.SessionSeconds = n
	}
	return out, nil
}

// subjectType is SubjectType as STS answers it: "persistent" or
// "transient" for SAML 2.0's formats, else the format URI.
func (s *samlAssertion) subjectType() string {
	if t, ok := strings.CutPrefix(s.SubjectFormat, nameIDFormatPfx); ok && (t == "persistent" || t == "transient") {
		return t
	}
	return s.SubjectFormat
}

// nameQualifier is BASE64(SHA1(issuer + account + "/" + provider name)), as
// IAM's documentation defines it.
func nameQualifier(issuer, account, providerName string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + providerName))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// rolePairs reports whether the Role attribute lists roleARN with
// providerARN (either order, as AWS accepts).
func (s *samlAssertion) rolePairs(roleARN, providerARN string) bool {
	for _, v := range s.Attributes[samlRoleAttr] {
		a, b, ok := strings.Cut(v, ",")
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if ok && (a == roleARN && b == providerARN || a == providerARN && b == roleARN) {
			return true
		}
	}
	return false
}
