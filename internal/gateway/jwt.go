package gateway

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// JWT authorizers, as HTTP APIs run them: the token from the identity source
// (Authorization, "Bearer " optional), signed RS256/384/512 or ES256/384 by a
// key of the issuer's JWKS, with exp (required), nbf, iss and aud (or
// client_id) checked, and the route's scopes matched against scope/scp.

var (
	errTokenInvalid = errors.New("invalid token")
	errNoScope      = errors.New("insufficient scope")
)

// jwk is one JSON Web Key.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func b64url(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// parseJWKS decodes a JSON Web Key Set into public keys by kid; signing keys
// of unsupported types are skipped, malformed ones are an error.
func parseJWKS(b []byte) (map[string]crypto.PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("%w: jwks: %v", ErrInvalid, err)
	}
	keys := map[string]crypto.PublicKey{}
	for i, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch k.Kty {
		case "RSA":
			n, err1 := b64url(k.N)
			e, err2 := b64url(k.E)
			if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
				return nil, fmt.Errorf("%w: jwks: keys[%d]: bad RSA n/e", ErrInvalid, i)
			}
			keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		case "EC":
			var curve elliptic.Curve
			switch k.Crv {
			case "P-256":
				curve = elliptic.P256()
			case "P-384":
				curve = elliptic.P384()
			default:
				continue
			}
			x, err1 := b64url(k.X)
			y, err2 := b64url(k.Y)
			size := (curve.Params().BitSize + 7) / 8
			if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
				return nil, fmt.Errorf("%w: jwks: keys[%d]: bad EC x/y", ErrInvalid, i)
			}
			raw := append([]byte{4}, append(x, y...)...)
			var pub *ecdsa.PublicKey
			var err error
			if k.Crv == "P-256" {
				pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
			} else {
				pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P384(), raw)
			}
			if err != nil {
				return nil, fmt.Errorf("%w: jwks: keys[%d]: %v", ErrInvalid, i, err)
			}
			keys[k.Kid] = pub
		}
	}
	return keys, nil
}

// jwtClaims is a verified token's claims.
type jwtClaims map[string]any

// verifyJWT checks token's signature with a key from keys (looked up by kid)
// and returns its claims. Time and audience checks are the caller's.
func verifyJWT(token string, keys func(kid string) (crypto.PublicKey, error)) (jwtClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a JWS compact token", errTokenInvalid)
	}
	hb, err := b64url(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", errTokenInvalid, err)
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", errTokenInvalid, err)
	}
	sig, err := b64url(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", errTokenInvalid, err)
	}
	key, err := keys(hdr.Kid)
	if err != nil {
		return nil, err
	}
	signed := parts[0] + "." + parts[1]
	var h hash.Hash
	var ch crypto.Hash
	switch hdr.Alg {
	case "RS256", "ES256":
		h, ch = sha256.New(), crypto.SHA256
	case "RS384", "ES384":
		h, ch = sha512.New384(), crypto.SHA384
	case "RS512":
		h, ch = sha512.New(), crypto.SHA512
	default:
		return nil, fmt.Errorf("%w: alg %q", errTokenInvalid, hdr.Alg)
	}
	h.Write([]byte(signed))
	digest := h.Sum(nil)
	switch pub := key.(type) {
	case *rsa.PublicKey:
		if !strings.HasPrefix(hdr.Alg, "RS") || rsa.VerifyPKCS1v15(pub, ch, digest, sig) != nil {
			return nil, fmt.Errorf("%w: signature", errTokenInvalid)
		}
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		if !strings.HasPrefix(hdr.Alg, "ES") || len(sig) != 2*size ||
			!ecdsa.Verify(pub, digest, new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])) {
			return nil, fmt.Errorf("%w: signature", errTokenInvalid)
		}
	default:
		return nil, fmt.Errorf("%w: key type", errTokenInvalid)
	}
	pb, err := b64url(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", errTokenInvalid, err)
	}
	d := json.NewDecoder(strings.NewReader(string(pb)))
	d.UseNumber()
	var claims jwtClaims
	if err := d.Decode(&claims); err != nil || claims == nil {
		return nil, fmt.Errorf("%w: payload not a JSON object", errTokenInvalid)
	}
	return claims, nil
}

func (c jwtClaims) number(name string) (int64, bool) {
	switch v := c[name].(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
		if f, err := v.Float64(); err == nil {
			return int64(f), true
		}
	}
	return 0, false
}

func (c jwtClaims) strings(name string) []string {
	switch v := c[name].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// scopes are the "scope" (space-separated) and "scp" (list or
// space-separated) claims.
func (c jwtClaims) scopes() []string {
	var out []string
	if s, ok := c["scope"].(string); ok {
		out = strings.Fields(s)
	}
	if s, ok := c["scp"].(string); ok {
		return append(out, strings.Fields(s)...)
	}
	return append(out, c.strings("scp")...)
}

// flat renders claims as API Gateway passes them: strings as-is, numbers and
// booleans as text, arrays as "[a b]", objects as JSON.
func (c jwtClaims) flat() map[string]string {
	out := make(map[string]string, len(c))
	for k, v := range c {
		switch v := v.(type) {
		case string:
			out[k] = v
		case json.Number:
			out[k] = v.String()
		case bool:
			out[k] = strconv.FormatBool(v)
		case []any:
			items := make([]string, len(v))
			for i, x := range v {
				if s, ok := x.(string); ok {
					items[i] = s
				} else {
					b, _ := json.Marshal(x)
					items[i] = string(b)
				}
			}
			out[k] = "[" + strings.Join(items, " ") + "]"
		case nil:
		default:
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out
}

// checkJWT runs a JWT authorizer on token for a route's scopes.
func (g *Gateway) checkJWT(ctx context.Context, z *compiledAuthorizer, token string, scopes []string) (*authResult, error) {
	token = strings.TrimSpace(token)
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	claims, err := verifyJWT(token, func(kid string) (crypto.PublicKey, error) { return g.jwtKey(ctx, z, kid) })
	if err != nil {
		return nil, err
	}
	now := g.now().Unix()
	exp, ok := claims.number("exp")
	if !ok || now >= exp {
		return nil, fmt.Errorf("%w: expired", errTokenInvalid)
	}
	if nbf, ok := claims.number("nbf"); ok && now < nbf {
		return nil, fmt.Errorf("%w: not yet valid", errTokenInvalid)
	}
	if iss, _ := claims["iss"].(string); iss != z.cfg.Issuer {
		return nil, fmt.Errorf("%w: issuer %q", errTokenInvalid, iss)
	}
	aud := claims.strings("aud")
	if len(aud) == 0 {
		aud = claims.strings("client_id")
	}
	okAud := false
	for _, a := range aud {
		for _, want := range z.cfg.Audience {
			if a == want {
				okAud = true
			}
		}
	}
	if !okAud {
		return nil, fmt.Errorf("%w: audience", errTokenInvalid)
	}
	have := claims.scopes()
	if len(scopes) > 0 {
		found := false
		for _, s := range scopes {
			for _, h := range have {
				if s == h {
					found = true
				}
			}
		}
		if !found {
			return nil, errNoScope
		}
	}
	return &authResult{jwtClaims: claims.flat(), jwtScopes: have}, nil
}

// jwtKey finds a verification key: inline keys, else the JWKS document
// (from JWKSURL or the issuer's discovery document), cached.
func (g *Gateway) jwtKey(ctx context.Context, z *compiledAuthorizer, kid string) (crypto.PublicKey, error) {
	if z.inline != nil {
		if k, ok := z.inline[kid]; ok {
			return k, nil
		}
		if len(z.inline) == 1 && kid == "" {
			for _, k := range z.inline {
				return k, nil
			}
		}
		return nil, fmt.Errorf("%w: unknown kid %q", errTokenInvalid, kid)
	}
	return g.jwks.key(ctx, z.cfg.JWKSURL, z.cfg.Issuer, kid)
}

// jwksCache holds fetched key sets by URL for jwksTTL, refetching early (at
// most every jwksRefetch) when a token names an unknown kid: key rotation.
type jwksCache struct {
	client *http.Client
	now    func() time.Time
	mu     sync.Mutex
	sets   map[string]*jwksEntry
}

type jwksEntry struct {
	mu      sync.Mutex
	keys    map[string]crypto.PublicKey
	fetched time.Time
}

const (
	jwksTTL     = 10 * time.Minute
	jwksRefetch = 30 * time.Second
	jwksMaxSize = 1 << 20
)

func newJWKSCache(c *http.Client, now func() time.Time) *jwksCache {
	return &jwksCache{client: c, now: now, sets: map[string]*jwksEntry{}}
}

func (c *jwksCache) key(ctx context.Context, jwksURL, issuer, kid string) (crypto.PublicKey, error) {
	cacheKey := jwksURL
	if cacheKey == "" {
		cacheKey = "issuer:" + issuer
	}
	c.mu.Lock()
	e := c.sets[cacheKey]
	if e == nil {
		e = &jwksEntry{}
		c.sets[cacheKey] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.now()
	_, known := e.keys[kid]
	if e.keys == nil || now.Sub(e.fetched) > jwksTTL || (!known && now.Sub(e.fetched) > jwksRefetch) {
		u := jwksURL
		if u == "" {
			var err error
			if u, err = c.discover(ctx, issuer); err != nil {
				return nil, err
			}
		}
		keys, err := c.fetch(ctx, u)
		if err != nil {
			return nil, err
		}
		e.keys, e.fetched = keys, now
	}
	if k, ok := e.keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("%w: unknown kid %q", errTokenInvalid, kid)
}

func (c *jwksCache) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", u, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks %s: status %d", u, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxSize))
	if err != nil {
		return nil, fmt.Errorf("jwks %s: read: %w", u, err)
	}
	return b, nil
}

func (c *jwksCache) discover(ctx context.Context, issuer string) (string, error) {
	b, err := c.get(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return "", err
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.JWKSURI == "" {
		return "", fmt.Errorf("openid configuration of %s: no jwks_uri", issuer)
	}
	return doc.JWKSURI, nil
}

func (c *jwksCache) fetch(ctx context.Context, u string) (map[string]crypto.PublicKey, error) {
	b, err := c.get(ctx, u)
	if err != nil {
		return nil, err
	}
	return parseJWKS(b)
}
