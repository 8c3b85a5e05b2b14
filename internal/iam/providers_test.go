package iam

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestOIDCProviders(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	tp := strings.Repeat("a", 40)
	cp, err := c.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com/tenant"),
		ClientIDList: []string{"app-1"}, ThumbprintList: []string{tp}, Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := cp.OpenIDConnectProviderArn
	if *arn != "arn:aws:iam::"+testAccount+":oidc-provider/idp.example.com/tenant" || len(cp.Tags) != 1 {
		t.Fatalf("%+v", cp)
	}
	_, err = c.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com/tenant"), ThumbprintList: []string{tp}})
	apiError(t, err, "EntityAlreadyExists")
	_, err = c.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("http://insecure.example.com")})
	apiError(t, err, "ValidationError")
	_, err = c.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com"), ThumbprintList: []string{"short"}})
	apiError(t, err, "ValidationError")

	if _, err := c.AddClientIDToOpenIDConnectProvider(ctx, &awsiam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("app-2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveClientIDFromOpenIDConnectProvider(ctx, &awsiam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("app-1")}); err != nil {
		t.Fatal(err)
	}
	tp2 := strings.Repeat("b", 40)
	if _, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &awsiam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: []string{tp2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagOpenIDConnectProvider(ctx, &awsiam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("k2"), Value: aws.String("v2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagOpenIDConnectProvider(ctx, &awsiam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Url != "idp.example.com/tenant" || len(got.ClientIDList) != 1 || got.ClientIDList[0] != "app-2" || got.ThumbprintList[0] != tp2 || len(got.Tags) != 1 || *got.Tags[0].Key != "k2" {
		t.Fatalf("%+v", got)
	}
	tags, err := c.ListOpenIDConnectProviderTags(ctx, &awsiam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: arn})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("%v %+v", err, tags)
	}
	list, err := c.ListOpenIDConnectProviders(ctx, &awsiam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(list.OpenIDConnectProviderList) != 1 || *list.OpenIDConnectProviderList[0].Arn != *arn {
		t.Fatalf("%v %+v", err, list)
	}
	if _, err := c.DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOpenIDConnectProvider(ctx, &awsiam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "OpenIDConnect Provider not found for arn "+*arn)
}

// samlMetadata is a minimal IdP metadata document of IAM's minimum length.
func samlMetadata(entity string) string {
	cert := strings.Repeat("MIIC", 250)
	return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entity + `">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">` +
		`<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` + cert +
		`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>` +
		`</md:IDPSSODescriptor></md:EntityDescriptor>`
}

func TestSAMLProviders(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	cp, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(samlMetadata("a"))})
	if err != nil {
		t.Fatal(err)
	}
	arn := cp.SAMLProviderArn
	if *arn != "arn:aws:iam::"+testAccount+":saml-provider/corp" {
		t.Fatalf("%s", *arn)
	}
	_, err = c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(samlMetadata("a"))})
	apiError(t, err, "EntityAlreadyExists")
	_, err = c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("short"), SAMLMetadataDocument: aws.String("<x/>")})
	apiError(t, err, "ValidationError")
	if _, err := c.UpdateSAMLProvider(ctx, &awsiam.UpdateSAMLProviderInput{SAMLProviderArn: arn, SAMLMetadataDocument: aws.String(samlMetadata("b"))}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: arn})
	if err != nil || *got.SAMLMetadataDocument != samlMetadata("b") || got.ValidUntil == nil {
		t.Fatalf("%v %+v", err, got)
	}
	list, err := c.ListSAMLProviders(ctx, &awsiam.ListSAMLProvidersInput{})
	if err != nil || len(list.SAMLProviderList) != 1 {
		t.Fatalf("%v %+v", err, list)
	}
	if _, err := c.DeleteSAMLProvider(ctx, &awsiam.DeleteSAMLProviderInput{SAMLProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSAMLProvider(ctx, &awsiam.GetSAMLProviderInput{SAMLProviderArn: arn})
	apiError(t, err, "NoSuchEntity")
}
