package iam

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// OIDCProvider is an OpenID Connect identity provider that
// AssumeRoleWithWebIdentity trusts: its issuer URL, the audiences (client
// ids) it issues tokens for and the thumbprints of its certificates.
type OIDCProvider struct {
	ARN         string    `json:"arn"`
	URL         string    `json:"url"` // host[/path], without https://
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []Tag     `json:"tags,omitempty"`
}

// SAMLProvider is a SAML 2.0 identity provider: its metadata document.
type SAMLProvider struct {
	ARN        string    `json:"arn"`
	Name       string    `json:"name"`
	Metadata   string    `json:"metadata"`
	Created    time.Time `json:"created"`
	ValidUntil time.Time `json:"validUntil"`
	Tags       []Tag     `json:"tags,omitempty"`
}

func oidcKey(u string) string { return "oidc." + keyPart(u) }
func samlKey(n string) string { return "saml." + keyPart(n) }
func (s *Store) oidcARN(u string) string {
	return "arn:aws:iam::" + s.account.ID + ":oidc-provider/" + u
}

// SAMLProviderARN is arn:aws:iam::ACCOUNT:saml-provider/NAME.
func SAMLProviderARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

// OIDCIssuer is a provider's URL as its ARN and tokens name it: the host
// and path of an https URL, or ErrInvalidInput.
func OIDCIssuer(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || len(raw) > 255 {
		return "", fmt.Errorf("%w: Invalid url %s: the provider URL must begin with https:// and have a host", ErrInvalidInput, raw)
	}
	return strings.TrimSuffix(u.Host+u.Path, "/"), nil
}

func checkThumbprints(tps []string) error {
	if len(tps) > 5 {
		return fmt.Errorf("%w: Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5", ErrLimitExceeded)
	}
	for _, t := range tps {
		if len(t) != 40 || strings.Trim(strings.ToLower(t), "0123456789abcdef") != "" {
			return fmt.Errorf("%w: thumbprint %q must be 40 hexadecimal characters", ErrInvalidInput, t)
		}
	}
	return nil
}

func checkClientIDs(ids []string) error {
	if len(ids) > 100 {
		return fmt.Errorf("%w: Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", ErrLimitExceeded)
	}
	for _, id := range ids {
		if id == "" || len(id) > 255 {
			return fmt.Errorf("%w: client id %q must be 1 to 255 characters", ErrInvalidInput, id)
		}
	}
	return nil
}

// CreateOIDCProvider registers an OpenID Connect provider.
func (s *Store) CreateOIDCProvider(ctx context.Context, rawURL string, clientIDs, thumbprints []string, tags []Tag) (OIDCProvider, error) {
	u, err := OIDCIssuer(rawURL)
	if err != nil {
		return OIDCProvider{}, err
	}
	if err := checkClientIDs(clientIDs); err != nil {
		return OIDCProvider{}, err
	}
	if err := checkThumbprints(thumbprints); err != nil {
		return OIDCProvider{}, err
	}
	if err := checkTags(tags, maxUserTags, "TagsPerOpenIdConnectProvider"); err != nil {
		return OIDCProvider{}, err
	}
	p := OIDCProvider{ARN: s.oidcARN(u), URL: u, ClientIDs: dedupe(clientIDs), Thumbprints: thumbprints,
		Created: s.now().UTC().Truncate(time.Second), Tags: tags}
	if err := s.create(ctx, oidcKey(u), p); err != nil {
		return OIDCProvider{}, err
	}
	return p, nil
}

// oidcURLOf returns the provider URL an ARN of this account names.
func (s *Store) oidcURLOf(arn string) (string, error) {
	prefix := "arn:aws:iam::" + s.account.ID + ":oidc-provider/"
	if !strings.HasPrefix(arn, prefix) || len(arn) == len(prefix) {
		return "", fmt.Errorf("%w: OpenIDConnect Provider not found for arn %s", ErrNoSuchEntity, arn)
	}
	return arn[len(prefix):], nil
}

// GetOIDCProvider returns the provider an ARN names.
func (s *Store) GetOIDCProvider(ctx context.Context, arn string) (OIDCProvider, error) {
	u, err := s.oidcURLOf(arn)
	if err != nil {
		return OIDCProvider{}, err
	}
	var p OIDCProvider
	if _, err := s.get(ctx, oidcKey(u), &p); err != nil || p.ARN != arn {
		return OIDCProvider{}, fmt.Errorf("%w: OpenIDConnect Provider not found for arn %s", ErrNoSuchEntity, arn)
	}
	return p, nil
}

// ListOIDCProviders lists every OpenID Connect provider.
func (s *Store) ListOIDCProviders(ctx context.Context) ([]OIDCProvider, error) {
	return listRecords(ctx, s, "oidc.", func(*OIDCProvider) bool { return true })
}

// ModifyOIDCProvider applies f to the provider an ARN names.
func (s *Store) ModifyOIDCProvider(ctx context.Context, arn string, f func(*OIDCProvider) error) error {
	p, err := s.GetOIDCProvider(ctx, arn)
	if err != nil {
		return err
	}
	_, err = modify(ctx, s, oidcKey(p.URL), f)
	return err
}

// DeleteOIDCProvider deletes the provider an ARN names.
func (s *Store) DeleteOIDCProvider(ctx context.Context, arn string) error {
	p, err := s.GetOIDCProvider(ctx, arn)
	if err != nil {
		return err
	}
	var cur OIDCProvider
	rev, err := s.get(ctx, oidcKey(p.URL), &cur)
	if err != nil {
		return err
	}
	return s.remove(ctx, oidcKey(p.URL), rev)
}

// ---- SAML ----

func checkSAMLMetadata(doc string) error {
	if len(doc) < 1000 || len(doc) > 10000000 {
		return fmt.Errorf("%w: 1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length between 1000 and 10000000", ErrInvalidInput)
	}
	if !strings.Contains(doc, "EntityDescriptor") {
		return fmt.Errorf("%w: Could not parse metadata", ErrInvalidInput)
	}
	return nil
}

// CreateSAMLProvider registers a SAML provider.
func (s *Store) CreateSAMLProvider(ctx context.Context, name, metadata string, tags []Tag) (SAMLProvider, error) {
	if err := validName("SAML provider name", name, 128); err != nil {
		return SAMLProvider{}, err
	}
	if err := checkSAMLMetadata(metadata); err != nil {
		return SAMLProvider{}, err
	}
	if err := checkTags(tags, maxUserTags, "TagsPerSAMLProvider"); err != nil {
		return SAMLProvider{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	p := SAMLProvider{ARN: SAMLProviderARN(s.account.ID, name), Name: name, Metadata: metadata, Created: now,
		ValidUntil: now.AddDate(100, 0, 0), Tags: tags}
	if err := s.create(ctx, samlKey(name), p); err != nil {
		return SAMLProvider{}, err
	}
	return p, nil
}

func (s *Store) samlNameOf(arn string) (string, error) {
	prefix := "arn:aws:iam::" + s.account.ID + ":saml-provider/"
	if !strings.HasPrefix(arn, prefix) || len(arn) == len(prefix) {
		return "", fmt.Errorf("%w: Manifest not found for arn %s", ErrNoSuchEntity, arn)
	}
	return arn[len(prefix):], nil
}

// GetSAMLProvider returns the SAML provider an ARN names.
func (s *Store) GetSAMLProvider(ctx context.Context, arn string) (SAMLProvider, error) {
	name, err := s.samlNameOf(arn)
	if err != nil {
		return SAMLProvider{}, err
	}
	var p SAMLProvider
	if _, err := s.get(ctx, samlKey(name), &p); err != nil || p.ARN != arn {
		return SAMLProvider{}, fmt.Errorf("%w: Manifest not found for arn %s", ErrNoSuchEntity, arn)
	}
	return p, nil
}

// ListSAMLProviders lists every SAML provider.
func (s *Store) ListSAMLProviders(ctx context.Context) ([]SAMLProvider, error) {
	return listRecords(ctx, s, "saml.", func(*SAMLProvider) bool { return true })
}

// UpdateSAMLProvider replaces a SAML provider's metadata.
func (s *Store) UpdateSAMLProvider(ctx context.Context, arn, metadata string) (SAMLProvider, error) {
	if err := checkSAMLMetadata(metadata); err != nil {
		return SAMLProvider{}, err
	}
	p, err := s.GetSAMLProvider(ctx, arn)
	if err != nil {
		return SAMLProvider{}, err
	}
	return modify(ctx, s, samlKey(p.Name), func(p *SAMLProvider) error {
		p.Metadata = metadata
		return nil
	})
}

// DeleteSAMLProvider deletes the SAML provider an ARN names.
func (s *Store) DeleteSAMLProvider(ctx context.Context, arn string) error {
	p, err := s.GetSAMLProvider(ctx, arn)
	if err != nil {
		return err
	}
	var cur SAMLProvider
	rev, err := s.get(ctx, samlKey(p.Name), &cur)
	if err != nil {
		return err
	}
	return s.remove(ctx, samlKey(p.Name), rev)
}
