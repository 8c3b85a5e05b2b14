package iam

import (
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// oidcKeys fetches and caches the signing keys of OpenID Connect issuers:
// the issuer's /.well-known/openid-configuration names its jwks_uri. The
// cache is of the issuers' public data only; each node keeps its own.
type oidcKeys struct {
	mu    sync.Mutex
	byIss map[string]*issuerKeys
	now   func() time.Time
}

type issuerKeys struct {
	keys    map[string]crypto.PublicKey // by kid ("" when the set has one key without a kid)
	fetched time.Time
}

const jwksTTL = 10 * time.Minute

func newOIDCKeys() *oidcKeys {
	return &oidcKeys{byIss: map[string]*issuerKeys{}, now: time.Now}
}

// client trusts the system's CAs, or a certificate whose SHA-1 thumbprint
// the provider lists (as IAM does for an issuer whose CA it does not know).
func oidcClient(thumbprints []string) *http.Client {
	verify := func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: cs.ServerName, Intermediates: inter})
		if err == nil {
			return nil
		}
		for _, c := range cs.PeerCertificates {
			sum := sha1.Sum(c.Raw)
			if slices.ContainsFunc(thumbprints, func(t string) bool { return strings.EqualFold(t, hex.EncodeToString(sum[:])) }) {
				return nil
			}
		}
		return fmt.Errorf("the certificate is not trusted and its thumbprint is not the provider's: %w", err)
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true, VerifyConnection: verify, MinVersion: tls.VersionTLS12}, // #nosec G402: VerifyConnection verifies
		TLSHandshakeTimeout: 5 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func getJSON(ctx context.Context, c *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// fetch reads the issuer's key set.
func fetchKeys(ctx context.Context, issuer string, thumbprints []string) (map[string]crypto.PublicKey, error) {
	c := oidcClient(thumbprints)
	var conf struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, c, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &conf); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(conf.JWKSURI, "https://") {
		return nil, fmt.Errorf("jwks_uri %q is not https", conf.JWKSURI)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := getJSON(ctx, c, conf.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pk, err := k.publicKey()
		if err != nil {
			continue
		}
		keys[k.Kid] = pk
	}
	if len(keys) == 0 {
		return nil, errors.New("the issuer's key set has no usable signing key")
	}
	return keys, nil
}

// key returns the issuer's key kid, fetching the set when it is not cached,
// stale, or lacks kid.
func (o *oidcKeys) key(ctx context.Context, issuer, kid string, thumbprints []string) (crypto.PublicKey, error) {
	o.mu.Lock()
	ik := o.byIss[issuer]
	o.mu.Unlock()
	if ik != nil && o.now().Sub(ik.fetched) < jwksTTL {
		if k := pick(ik.keys, kid); k != nil {
			return k, nil
		}
	}
	keys, err := fetchKeys(ctx, issuer, thumbprints)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	if len(o.byIss) > 256 {
		clear(o.byIss)
	}
	o.byIss[issuer] = &issuerKeys{keys: keys, fetched: o.now()}
	o.mu.Unlock()
	if k := pick(keys, kid); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("no key with kid %q in the issuer's key set", kid)
}

func pick(keys map[string]crypto.PublicKey, kid string) crypto.PublicKey {
	if k, ok := keys[kid]; ok {
		return k
	}
	if kid == "" && len(keys) == 1 {
		for _, k := range keys {
			return k
		}
	}
	return nil
}
