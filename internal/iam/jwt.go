package iam

import (
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
	"math/big"
	"strings"
)

// jwt is a parsed, not yet verified, JSON Web Token (RFC 7519) in its
// compact JWS form.
type jwt struct {
	header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	claims jwtClaims
	raw    map[string]any // every claim, for condition keys
	signed string         // header.payload, what the signature covers
	sig    []byte
}

type jwtClaims struct {
	Iss string   `json:"iss"`
	Sub string   `json:"sub"`
	Aud audience `json:"aud"`
	Azp string   `json:"azp"`
	Exp *float64 `json:"exp"`
	Nbf *float64 `json:"nbf"`
	Iat *float64 `json:"iat"`
}

// audience is the aud claim: one string or a list of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor a list of strings")
	}
	*a = many
	return nil
}

var errMalformedJWT = errors.New("the token is not a well-formed JSON Web Token")

// parseJWT splits and decodes a compact JWS. Nothing is verified.
func parseJWT(token string) (*jwt, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 20000 {
		return nil, errMalformedJWT
	}
	dec := base64.RawURLEncoding
	h, err := dec.DecodeString(parts[0])
	if err != nil {
		return nil, errMalformedJWT
	}
	p, err := dec.DecodeString(parts[1])
	if err != nil {
		return nil, errMalformedJWT
	}
	sig, err := dec.DecodeString(parts[2])
	if err != nil {
		return nil, errMalformedJWT
	}
	t := &jwt{signed: parts[0] + "." + parts[1], sig: sig}
	if err := json.Unmarshal(h, &t.header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", errMalformedJWT, err)
	}
	if err := json.Unmarshal(p, &t.claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", errMalformedJWT, err)
	}
	if err := json.Unmarshal(p, &t.raw); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", errMalformedJWT, err)
	}
	return t, nil
}

// verify checks the token's signature with key.
func (t *jwt) verify(key crypto.PublicKey) error {
	var h hash.Hash
	var ch crypto.Hash
	switch t.header.Alg {
	case "RS256", "ES256":
		h, ch = sha256.New(), crypto.SHA256
	case "RS384", "ES384":
		h, ch = sha512.New384(), crypto.SHA384
	case "RS512", "ES512":
		h, ch = sha512.New(), crypto.SHA512
	default:
		return fmt.Errorf("unsupported signing algorithm %q", t.header.Alg)
	}
	h.Write([]byte(t.signed))
	sum := h.Sum(nil)
	switch k := key.(type) {
	case *rsa.PublicKey:
		if t.header.Alg[0] != 'R' {
			return errors.New("the key is RSA but the token's algorithm is not")
		}
		return rsa.VerifyPKCS1v15(k, ch, sum, t.sig)
	case *ecdsa.PublicKey:
		n := (k.Curve.Params().BitSize + 7) / 8
		if t.header.Alg[0] != 'E' || len(t.sig) != 2*n {
			return errors.New("the signature does not fit the EC key")
		}
		r, s := new(big.Int).SetBytes(t.sig[:n]), new(big.Int).SetBytes(t.sig[n:])
		if !ecdsa.Verify(k, sum, r, s) {
			return errors.New("invalid signature")
		}
		return nil
	}
	return errors.New("unsupported key type")
}

// jwk is one key of a JSON Web Key Set (RFC 7517).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// publicKey is the key a JWK describes.
func (k jwk) publicKey() (crypto.PublicKey, error) {
	dec := base64.RawURLEncoding
	switch k.Kty {
	case "RSA":
		n, err1 := dec.DecodeString(k.N)
		e, err2 := dec.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("malformed RSA key")
		}
		var exp int
		for _, b := range e {
			exp = exp<<8 | int(b)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, nil
	case "EC":
		var c elliptic.Curve
		switch k.Crv {
		case "P-256":
			c = elliptic.P256()
		case "P-384":
			c = elliptic.P384()
		case "P-521":
			c = elliptic.P521()
		default:
			return nil, fmt.Errorf("unsupported curve %q", k.Crv)
		}
		x, err1 := dec.DecodeString(k.X)
		y, err2 := dec.DecodeString(k.Y)
		if err1 != nil || err2 != nil {
			return nil, errors.New("malformed EC key")
		}
		pk := &ecdsa.PublicKey{Curve: c, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if !c.IsOnCurve(pk.X, pk.Y) {
			return nil, errors.New("the EC point is not on its curve")
		}
		return pk, nil
	}
	return nil, fmt.Errorf("unsupported key type %q", k.Kty)
}
