package awsapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SigV4 is a parsed AWS Signature Version 4 from a request's Authorization
// header or presigned query string.
type SigV4 struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	AmzDate       time.Time
	Presigned     bool
	Expires       time.Duration // presigned only
}

const sigAlgorithm = "AWS4-HMAC-SHA256"

// ErrNoSignature means the request carries no SigV4 signature at all.
var ErrNoSignature = errors.New("missing authentication token")

// ParseSigV4 reads the signature fields of r without verifying them.
func ParseSigV4(r *http.Request) (SigV4, error) {
	var s SigV4
	var cred, signed, date string
	if auth := r.Header.Get("Authorization"); auth != "" {
		alg, rest, _ := strings.Cut(auth, " ")
		if alg != sigAlgorithm {
			return s, fmt.Errorf("unsupported authorization algorithm %q", alg)
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			switch k {
			case "Credential":
				cred = v
			case "SignedHeaders":
				signed = v
			case "Signature":
				s.Signature = v
			}
		}
		date = r.Header.Get("X-Amz-Date")
		if date == "" {
			date = r.Header.Get("Date")
		}
	} else if q := r.URL.Query(); q.Get("X-Amz-Algorithm") != "" {
		if q.Get("X-Amz-Algorithm") != sigAlgorithm {
			return s, fmt.Errorf("unsupported X-Amz-Algorithm %q", q.Get("X-Amz-Algorithm"))
		}
		s.Presigned = true
		cred, signed, s.Signature, date = q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"), q.Get("X-Amz-Date")
		s.Expires = 15 * time.Minute // the window a header-signed request gets
		if v := q.Get("X-Amz-Expires"); v != "" {
			exp, err := strconv.Atoi(v)
			if err != nil || exp < 0 || exp > 7*24*3600 {
				return s, fmt.Errorf("invalid X-Amz-Expires %q", v)
			}
			s.Expires = time.Duration(exp) * time.Second
		}
	} else {
		return s, ErrNoSignature
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return s, fmt.Errorf("malformed credential %q", cred)
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	if signed == "" || s.Signature == "" {
		return s, errors.New("signature or signed headers missing")
	}
	s.SignedHeaders = strings.Split(signed, ";")
	t, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		if t, err = http.ParseTime(date); err != nil {
			return s, fmt.Errorf("invalid X-Amz-Date %q", date)
		}
	}
	s.AmzDate = t.UTC()
	return s, nil
}

// Verify checks the signature of r against secret. It reads and restores
// r.Body when the payload hash is not given in X-Amz-Content-Sha256.
func (s SigV4) Verify(r *http.Request, secret string, now time.Time) error {
	return s.VerifyCached(r, secret, now, nil)
}

// VerifyCached is Verify taking the signing key from keys when it holds it
// (keys may be nil): the key depends only on the secret and the credential
// scope, so a client's requests of one day share it.
func (s SigV4) VerifyCached(r *http.Request, secret string, now time.Time, keys *SigningKeys) error {
	if err := s.checkTime(now); err != nil {
		return err
	}
	k := keys.key(secret, s.Date, s.Region, s.Service)
	if !s.Presigned {
		payload, err := payloadHash(r)
		if err != nil {
			return err
		}
		return s.check(r, k, payload)
	}
	// A presigned URL carries no payload hash: SDKs sign either
	// UNSIGNED-PAYLOAD (aws-sdk-go-v2, S3) or the SHA-256 of the body they
	// sent, the empty body for a GET (botocore). Each is tried as a full
	// signature check; nothing but what a signer of this request could have
	// signed is accepted.
	if s.check(r, k, unsignedPayload) == nil {
		return nil
	}
	body, err := bodyHash(r)
	if err != nil {
		return err
	}
	return s.check(r, k, body)
}

const unsignedPayload = "UNSIGNED-PAYLOAD"

// check compares the signature with the one computed from the canonical
// request of r over the given payload hash.
func (s SigV4) check(r *http.Request, signingKey []byte, payload string) error {
	creq := canonicalRequest(r, s, payload)
	scope := s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
	h := sha256.Sum256([]byte(creq))
	sts := sigAlgorithm + "\n" + s.AmzDate.Format(amzDateFormat) + "\n" + scope + "\n" + hex.EncodeToString(h[:])
	want := hex.EncodeToString(hmacSHA256(signingKey, sts))
	if !hmac.Equal([]byte(want), []byte(s.Signature)) {
		return errSignatureMismatch
	}
	return nil
}

const (
	amzDateFormat = "20060102T150405Z"
	// clockSkew is how far a signature's date may be from the server's
	// clock, either way.
	clockSkew = 15 * time.Minute
)

// checkTime refuses a signature dated too far in the past or the future,
// with the message AWS gives for each.
func (s SigV4) checkTime(now time.Time) error {
	now = now.UTC()
	if s.AmzDate.After(now.Add(clockSkew)) {
		return &SignatureTimeError{fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			s.AmzDate.Format(amzDateFormat), now.Add(clockSkew).Format(amzDateFormat), now.Format(amzDateFormat))}
	}
	window, unit := clockSkew, "15 min."
	if s.Presigned {
		window, unit = s.Expires, strconv.Itoa(int(s.Expires/time.Second))+" sec."
	}
	if s.AmzDate.Before(now.Add(-window)) {
		return &SignatureTimeError{fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
			s.AmzDate.Format(amzDateFormat), now.Add(-window).Format(amzDateFormat), now.Format(amzDateFormat), unit)}
	}
	return nil
}

// SignatureTimeError is a signature refused for its date: expired, or not
// yet current. Its message is the one AWS gives.
type SignatureTimeError struct{ msg string }

func (e *SignatureTimeError) Error() string { return e.msg }

var errSignatureMismatch = errors.New("signature mismatch")

// SigningKeys caches derived SigV4 signing keys (four HMACs each), keyed by
// secret and credential scope. The zero value is ready; it is safe for
// concurrent use and holds at most maxSigningKeys keys, dropping them all
// when full (scopes change daily, so old ones are never needed again).
type SigningKeys struct {
	mu sync.Mutex
	m  map[signingScope][]byte
}

type signingScope struct{ secret, date, region, service string }

const maxSigningKeys = 256

// key returns the signing key of secret for the scope, deriving it on a
// miss. A nil cache derives every time.
func (c *SigningKeys) key(secret, date, region, service string) []byte {
	if c == nil {
		return deriveSigningKey(secret, date, region, service)
	}
	id := signingScope{secret, date, region, service}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = deriveSigningKey(secret, date, region, service)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxSigningKeys {
		c.m = make(map[signingScope][]byte)
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// payloadHash is the payload hash of a header-signed request: the one it
// declares, or the SHA-256 of its body.
func payloadHash(r *http.Request) (string, error) {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		return h, nil
	}
	return bodyHash(r)
}

// bodyHash is the hex SHA-256 of r's body, which it reads and restores.
func bodyHash(r *http.Request) (string, error) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		if err != nil {
			return "", fmt.Errorf("read body: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:]), nil
}

func canonicalRequest(r *http.Request, s SigV4, payload string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if s.Service != "s3" {
		path = escapePath(path)
	}
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery, s.Presigned))
	b.WriteByte('\n')
	for _, name := range s.SignedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(s.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payload)
	return b.String()
}

func canonicalHeaderValue(r *http.Request, name string) string {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			vals = v
		} else {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		vals = r.TransferEncoding
	default:
		vals = r.Header.Values(name)
	}
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

// canonicalQuery sorts the parameters by key then value, each URI-encoded as
// SigV4 requires; a presigned request's own signature is left out.
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var kvs []kv
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		uk, err := url.QueryUnescape(k)
		if err != nil {
			uk = k
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			uv = v
		}
		if presigned && uk == "X-Amz-Signature" {
			continue
		}
		kvs = append(kvs, kv{uriEncode(uk, true), uriEncode(uv, true)})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].k != kvs[j].k {
			return kvs[i].k < kvs[j].k
		}
		return kvs[i].v < kvs[j].v
	})
	parts := make([]string, len(kvs))
	for i, p := range kvs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// escapePath URI-encodes every byte of an (already escaped) path except the
// unreserved characters and '/': the second encoding SigV4 applies to every
// service but S3.
func escapePath(p string) string { return uriEncode(p, false) }

func uriEncode(s string, encodeSlash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}
