package awsapi

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"time"
)

// Principal is who signed a request.
type Principal struct {
	// ARN is the caller's identity: arn:aws:iam::ACCOUNT:root for the server's
	// own key pair, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION for a session.
	ARN string `json:"arn"`
	// AccessKeyID is the key the request was signed with.
	AccessKeyID string `json:"-"`
	// RoleARN is the assumed role (sessions only).
	RoleARN string `json:"role,omitempty"`
	// UserARN is the IAM user whose policies authorize the request: a
	// user's long-term key, its GetSessionToken session, or the user that
	// called GetFederationToken (whose ARN is then the federated user's).
	UserARN string `json:"user,omitempty"`
	// Session is the session name, e.g. the function name.
	Session string `json:"session,omitempty"`
	// SessionPolicy and SessionPolicyARNs are the session policies passed to
	// AssumeRole: they limit the session to a subset of the role's permissions.
	SessionPolicy     string   `json:"sp,omitempty"`
	SessionPolicyARNs []string `json:"spa,omitempty"`
	// Tags are the session tags passed to AssumeRole (or inherited as
	// transitive from the session that called it): aws:PrincipalTag/KEY,
	// overriding the role's own tags of the same key.
	Tags map[string]string `json:"tags,omitempty"`
	// TransitiveTagKeys are the keys of Tags that pass on when this session
	// assumes another role (role chaining).
	TransitiveTagKeys []string `json:"ttk,omitempty"`
	// SourceIdentity is AssumeRole's SourceIdentity (aws:SourceIdentity),
	// kept through role chaining.
	SourceIdentity string `json:"sid,omitempty"`
	// Issued is when the temporary credentials were issued
	// (aws:TokenIssueTime); Lookup sets it from the sealed token. Zero for
	// long-term keys.
	Issued time.Time `json:"-"`
	// Root is true for the server's own key pair: the account's administrator.
	Root bool `json:"-"`
}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFrom returns the principal of an authenticated request.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey).(Principal)
	return p, ok
}

// Credentials is an access key pair, with a session token for temporary ones.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// Keyring knows the server's own key pair and issues temporary credentials.
//
// Temporary credentials are stateless: the session token carries the
// principal and the expiry, sealed with an HMAC under a key derived from the
// server's secret, and the secret access key is derived from the access key id
// the same way. Any nubo node that shares the server's key pair can verify
// them, with nothing to store or replicate.
type Keyring struct {
	resolver  atomic.Pointer[KeyResolver]
	account   Account
	accessKey string
	secretKey string
	seal      []byte
	now       func() time.Time
}

// NewKeyring returns a keyring for the server's key pair.
func NewKeyring(account Account, accessKey, secretKey string) (*Keyring, error) {
	if accessKey == "" || secretKey == "" {
		return nil, errors.New("access key and secret key must both be set")
	}
	m := hmac.New(sha256.New, []byte("nubo-session-seal:"+secretKey))
	m.Write([]byte(accessKey))
	return &Keyring{account: account, accessKey: accessKey, secretKey: secretKey, seal: m.Sum(nil), now: time.Now}, nil
}

// Account returns the account the keyring signs for.
func (k *Keyring) Account() Account { return k.account }

// Root returns the server's own credentials.
func (k *Keyring) Root() Credentials {
	return Credentials{AccessKeyID: k.accessKey, SecretAccessKey: k.secretKey}
}

type sessionClaims struct {
	AccessKeyID string    `json:"k"`
	Principal   Principal `json:"p"`
	Expires     int64     `json:"e"`
	Issued      int64     `json:"i,omitempty"`
}

// Issue returns temporary credentials for p, valid for ttl.
func (k *Keyring) Issue(p Principal, ttl time.Duration) (Credentials, error) {
	var id [10]byte
	if _, err := rand.Read(id[:]); err != nil {
		return Credentials{}, err
	}
	akid := "ASIA" + strings.ToUpper(hex.EncodeToString(id[:]))[:16]
	now := k.now().Truncate(time.Second)
	exp := now.Add(ttl)
	claims, err := json.Marshal(sessionClaims{AccessKeyID: akid, Principal: p, Expires: exp.Unix(), Issued: now.Unix()})
	if err != nil {
		return Credentials{}, err
	}
	body := base64.RawURLEncoding.EncodeToString(claims)
	token := body + "." + base64.RawURLEncoding.EncodeToString(k.mac("token", body))
	return Credentials{
		AccessKeyID:     akid,
		SecretAccessKey: base64.RawStdEncoding.EncodeToString(k.mac("secret", akid))[:40],
		SessionToken:    token,
		Expiration:      exp,
	}, nil
}

func (k *Keyring) mac(purpose, s string) []byte {
	m := hmac.New(sha256.New, k.seal)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(s))
	return m.Sum(nil)
}

// Errors Lookup returns; the edge maps them to AWS codes.
var (
	ErrUnknownAccessKey = errors.New("unknown access key")
	ErrBadSessionToken  = errors.New("invalid session token")
	ErrExpiredToken     = errors.New("expired session token")
)

// KeyResolver finds a long-term access key other than the server's own (an
// IAM user's): its secret and principal, or ErrUnknownAccessKey.
type KeyResolver func(ctx context.Context, accessKeyID string) (secret string, p Principal, err error)

// SetKeyResolver makes Lookup ask r about long-term keys it does not know.
func (k *Keyring) SetKeyResolver(r KeyResolver) { k.resolver.Store(&r) }

// Lookup is LookupContext with a background context.
func (k *Keyring) Lookup(accessKeyID, sessionToken string) (secret string, p Principal, err error) {
	return k.LookupContext(context.Background(), accessKeyID, sessionToken)
}

// LookupContext returns the secret key and principal for an access key id
// and the session token the request carried ("" for long-term keys).
func (k *Keyring) LookupContext(ctx context.Context, accessKeyID, sessionToken string) (secret string, p Principal, err error) {
	if sessionToken == "" {
		if accessKeyID != k.accessKey {
			if r := k.resolver.Load(); r != nil {
				return (*r)(ctx, accessKeyID)
			}
			return "", Principal{}, ErrUnknownAccessKey
		}
		return k.secretKey, Principal{ARN: "arn:aws:iam::" + k.account.ID + ":root", AccessKeyID: accessKeyID, Root: true}, nil
	}
	body, sig, ok := strings.Cut(sessionToken, ".")
	if !ok {
		return "", Principal{}, ErrBadSessionToken
	}
	want := k.mac("token", body)
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return "", Principal{}, ErrBadSessionToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", Principal{}, ErrBadSessionToken
	}
	var c sessionClaims
	if err := json.Unmarshal(raw, &c); err != nil || c.AccessKeyID != accessKeyID {
		return "", Principal{}, ErrBadSessionToken
	}
	if k.now().Unix() >= c.Expires {
		return "", Principal{}, ErrExpiredToken
	}
	c.Principal.AccessKeyID = accessKeyID
	if c.Issued > 0 {
		c.Principal.Issued = time.Unix(c.Issued, 0).UTC()
	}
	return base64.RawStdEncoding.EncodeToString(k.mac("secret", accessKeyID))[:40], c.Principal, nil
}
