package iam

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	oidcIn struct {
		OpenIDConnectProviderArn, Url, ClientID string
		ClientIDList, ThumbprintList, TagKeys   []string
		Tags                                    []Tag
	}
	samlIn struct {
		SAMLProviderArn, SAMLMetadataDocument, Name string
		Tags                                        []Tag
		TagKeys                                     []string
	}
)

type createOIDCResult struct {
	OpenIDConnectProviderArn string   `xml:"OpenIDConnectProviderArn"`
	Tags                     *xmlTags `xml:"Tags,omitempty"`
}

type getOIDCResult struct {
	Url            string             `xml:"Url"`
	ClientIDList   xmlMembers[string] `xml:"ClientIDList"`
	ThumbprintList xmlMembers[string] `xml:"ThumbprintList"`
	CreateDate     string             `xml:"CreateDate"`
	Tags           *xmlTags           `xml:"Tags,omitempty"`
}

type xmlArn struct {
	Arn string `xml:"Arn"`
}

type listOIDCResult struct {
	OpenIDConnectProviderList xmlMembers[xmlArn] `xml:"OpenIDConnectProviderList"`
}

type createSAMLResult struct {
	SAMLProviderArn string   `xml:"SAMLProviderArn"`
	Tags            *xmlTags `xml:"Tags,omitempty"`
}

type getSAMLResult struct {
	SAMLMetadataDocument string   `xml:"SAMLMetadataDocument"`
	CreateDate           string   `xml:"CreateDate"`
	ValidUntil           string   `xml:"ValidUntil"`
	Tags                 *xmlTags `xml:"Tags,omitempty"`
}

type xmlSAMLListEntry struct {
	Arn        string `xml:"Arn"`
	ValidUntil string `xml:"ValidUntil"`
	CreateDate string `xml:"CreateDate"`
}

type listSAMLResult struct {
	SAMLProviderList xmlMembers[xmlSAMLListEntry] `xml:"SAMLProviderList"`
}

type updateSAMLResult struct {
	SAMLProviderArn string `xml:"SAMLProviderArn"`
}

func tagKeysCond(keys []string) map[string][]string {
	if len(keys) == 0 {
		return nil
	}
	return map[string][]string{"aws:TagKeys": keys}
}

// providerOps are the IAM operations on OpenID Connect and SAML providers.
func (a *API) providerOps() []awsapi.Declared {
	onOIDC := func(c *awsapi.Call, in *oidcIn) ([]awsapi.Target, error) {
		arn := in.OpenIDConnectProviderArn
		if arn == "" && in.Url != "" {
			if u, err := OIDCIssuer(in.Url); err == nil {
				arn = a.store.oidcARN(u)
			}
		}
		var tags []Tag
		if p, err := a.store.GetOIDCProvider(c.Context(), arn); err == nil {
			tags = p.Tags
		}
		t := a.target(c.Context(), orStar(arn), in.Tags, tagKeysCond(in.TagKeys))
		t[0].ResourceTags = tagMap(tags)
		return t, nil
	}
	onSAML := func(c *awsapi.Call, in *samlIn) ([]awsapi.Target, error) {
		arn := in.SAMLProviderArn
		if arn == "" && in.Name != "" {
			arn = SAMLProviderARN(a.store.account.ID, in.Name)
		}
		var tags []Tag
		if p, err := a.store.GetSAMLProvider(c.Context(), arn); err == nil {
			tags = p.Tags
		}
		t := a.target(c.Context(), orStar(arn), in.Tags, tagKeysCond(in.TagKeys))
		t[0].ResourceTags = tagMap(tags)
		return t, nil
	}
	oidc := func(name string, h func(*awsapi.Call, *oidcIn) (awsapi.None, error)) awsapi.Declared {
		return awsapi.Op[oidcIn, awsapi.None]{Name: name, Action: "iam:" + name, Resources: onOIDC, Handler: h}
	}
	return []awsapi.Declared{
		awsapi.Op[oidcIn, createOIDCResult]{Name: "CreateOpenIDConnectProvider", Action: "iam:CreateOpenIDConnectProvider", Resources: onOIDC, Handler: a.createOIDC},
		awsapi.Op[oidcIn, getOIDCResult]{Name: "GetOpenIDConnectProvider", Action: "iam:GetOpenIDConnectProvider", Resources: onOIDC, Handler: a.getOIDC},
		awsapi.Op[oidcIn, listOIDCResult]{Name: "ListOpenIDConnectProviders", Action: "iam:ListOpenIDConnectProviders", Handler: a.listOIDC},
		oidc("DeleteOpenIDConnectProvider", a.deleteOIDC),
		oidc("AddClientIDToOpenIDConnectProvider", a.addClientID),
		oidc("RemoveClientIDFromOpenIDConnectProvider", a.removeClientID),
		oidc("UpdateOpenIDConnectProviderThumbprint", a.updateThumbprint),
		oidc("TagOpenIDConnectProvider", a.tagOIDC),
		oidc("UntagOpenIDConnectProvider", a.untagOIDC),
		awsapi.Op[oidcIn, listRoleTagsResult]{Name: "ListOpenIDConnectProviderTags", Action: "iam:ListOpenIDConnectProviderTags", Resources: onOIDC, Handler: a.listOIDCTags},

		awsapi.Op[samlIn, createSAMLResult]{Name: "CreateSAMLProvider", Action: "iam:CreateSAMLProvider", Resources: onSAML, Handler: a.createSAML},
		awsapi.Op[samlIn, getSAMLResult]{Name: "GetSAMLProvider", Action: "iam:GetSAMLProvider", Resources: onSAML, Handler: a.getSAML},
		awsapi.Op[samlIn, listSAMLResult]{Name: "ListSAMLProviders", Action: "iam:ListSAMLProviders", Handler: a.listSAML},
		awsapi.Op[samlIn, updateSAMLResult]{Name: "UpdateSAMLProvider", Action: "iam:UpdateSAMLProvider", Resources: onSAML, Handler: a.updateSAML},
		awsapi.Op[samlIn, awsapi.None]{Name: "DeleteSAMLProvider", Action: "iam:DeleteSAMLProvider", Resources: onSAML, Handler: a.deleteSAML},
	}
}

func orStar(arn string) string {
	if arn == "" {
		return "*"
	}
	return arn
}

// oidcProvider is the provider an operation names, or IAM's NoSuchEntity.
func (a *API) oidcProvider(ctx context.Context, arn string) (OIDCProvider, error) {
	if err := required("OpenIDConnectProviderArn", arn); err != nil {
		return OIDCProvider{}, err
	}
	p, err := a.store.GetOIDCProvider(ctx, arn)
	if errors.Is(err, ErrNoSuchEntity) {
		return OIDCProvider{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "OpenIDConnect Provider not found for arn %s", arn)
	}
	return p, err
}

func (a *API) createOIDC(c *awsapi.Call, in *oidcIn) (createOIDCResult, error) {
	if err := required("Url", in.Url); err != nil {
		return createOIDCResult{}, err
	}
	p, err := a.store.CreateOIDCProvider(c.Context(), in.Url, in.ClientIDList, in.ThumbprintList, in.Tags)
	if errors.Is(err, ErrEntityExists) {
		return createOIDCResult{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "Provider with url %s already exists.", in.Url)
	}
	if err != nil {
		return createOIDCResult{}, err
	}
	return createOIDCResult{OpenIDConnectProviderArn: p.ARN, Tags: toXMLTags(p.Tags)}, nil
}

func (a *API) getOIDC(c *awsapi.Call, in *oidcIn) (getOIDCResult, error) {
	p, err := a.oidcProvider(c.Context(), in.OpenIDConnectProviderArn)
	if err != nil {
		return getOIDCResult{}, err
	}
	res := getOIDCResult{Url: p.URL, CreateDate: isoTime(p.Created), Tags: toXMLTags(p.Tags)}
	res.ClientIDList.Member = append([]string{}, p.ClientIDs...)
	res.ThumbprintList.Member = append([]string{}, p.Thumbprints...)
	return res, nil
}

func (a *API) listOIDC(c *awsapi.Call, _ *oidcIn) (listOIDCResult, error) {
	ps, err := a.store.ListOIDCProviders(c.Context())
	if err != nil {
		return listOIDCResult{}, err
	}
	res := listOIDCResult{}
	res.OpenIDConnectProviderList.Member = []xmlArn{}
	for _, p := range ps {
		res.OpenIDConnectProviderList.Member = append(res.OpenIDConnectProviderList.Member, xmlArn{Arn: p.ARN})
	}
	return res, nil
}

func (a *API) deleteOIDC(c *awsapi.Call, in *oidcIn) (awsapi.None, error) {
	p, err := a.oidcProvider(c.Context(), in.OpenIDConnectProviderArn)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteOIDCProvider(c.Context(), p.ARN)
}

// changeOIDC applies f to the provider the input names.
func (a *API) changeOIDC(c *awsapi.Call, in *oidcIn, f func(*OIDCProvider) error) (awsapi.None, error) {
	p, err := a.oidcProvider(c.Context(), in.OpenIDConnectProviderArn)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.ModifyOIDCProvider(c.Context(), p.ARN, f)
}

func (a *API) addClientID(c *awsapi.Call, in *oidcIn) (awsapi.None, error) {
	if err := required("ClientID", in.ClientID); err != nil {
		return awsapi.None{}, err
	}
	return a.changeOIDC(c, in, func(p *OIDCProvider) error {
		if !slices.Contains(p.ClientIDs, in.ClientID) {
			p.ClientIDs = append(p.ClientIDs, in.ClientID)
		}
		return checkClientIDs(p.ClientIDs)
	})
}

func (a *API) removeClientID(c *awsapi.Call, in *oidcIn) (awsapi.None, error) {
	if err := required("ClientID", in.ClientID); err != nil {
		return awsapi.None{}, err
	}
	return a.changeOIDC(c, in, func(p *OIDCProvider) error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(id string) bool { return id == in.ClientID })
		return nil
	})
}

func (a *API) updateThumbprint(c *awsapi.Call, in *oidcIn) (awsapi.None, error) {
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return awsapi.None{}, err
	}
	return a.changeOIDC(c, in, func(p *OIDCProvider) error {
		p.Thumbprints = in.ThumbprintList
		return nil
	})
}

func (a *API) tagOIDC(c *awsapi.Call, in *oidcIn) (awsapi.None, error) {
	if err := checkTags(in.Tags, maxUserTags, "TagsPerOpenIdConnectProvider"); err != nil {
		return awsapi.None{}, err
	}
	return a.changeOIDC(c, in, func(p *OIDCProvider) error {
		next, err := mergeTags(p.Tags, in.Tags, maxUserTags, "TagsPerOpenIdConnectProvider")
		p.Tags = next
		return err
	})
}

func (a *API) untagOIDC(c *awsapi.Call, in *oidcIn) (awsapi.None, error) {
	return a.changeOIDC(c, in, func(p *OIDCProvider) error {
		p.Tags = dropTags(p.Tags, in.TagKeys)
		return nil
	})
}

func (a *API) listOIDCTags(c *awsapi.Call, in *oidcIn) (listRoleTagsResult, error) {
	p, err := a.oidcProvider(c.Context(), in.OpenIDConnectProviderArn)
	if err != nil {
		return listRoleTagsResult{}, err
	}
	res := listRoleTagsResult{Tags: toXMLTags(p.Tags)}
	if res.Tags == nil {
		res.Tags = &xmlTags{}
	}
	return res, nil
}

// ---- SAML ----

func (a *API) samlProvider(ctx context.Context, arn string) (SAMLProvider, error) {
	if err := required("SAMLProviderArn", arn); err != nil {
		return SAMLProvider{}, err
	}
	p, err := a.store.GetSAMLProvider(ctx, arn)
	if errors.Is(err, ErrNoSuchEntity) {
		return SAMLProvider{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Manifest not found for arn %s", arn)
	}
	return p, err
}

func (a *API) createSAML(c *awsapi.Call, in *samlIn) (createSAMLResult, error) {
	if err := required("SAMLMetadataDocument", in.SAMLMetadataDocument); err != nil {
		return createSAMLResult{}, err
	}
	if err := checkName("Name", in.Name, 128); err != nil {
		return createSAMLResult{}, err
	}
	p, err := a.store.CreateSAMLProvider(c.Context(), in.Name, in.SAMLMetadataDocument, in.Tags)
	if errors.Is(err, ErrEntityExists) {
		return createSAMLResult{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "SAMLProvider %s already exists.", in.Name)
	}
	if err != nil {
		return createSAMLResult{}, err
	}
	return createSAMLResult{SAMLProviderArn: p.ARN, Tags: toXMLTags(p.Tags)}, nil
}

func (a *API) getSAML(c *awsapi.Call, in *samlIn) (getSAMLResult, error) {
	p, err := a.samlProvider(c.Context(), in.SAMLProviderArn)
	if err != nil {
		return getSAMLResult{}, err
	}
	return getSAMLResult{SAMLMetadataDocument: p.Metadata, CreateDate: isoTime(p.Created), ValidUntil: isoTime(p.ValidUntil), Tags: toXMLTags(p.Tags)}, nil
}

func (a *API) listSAML(c *awsapi.Call, _ *samlIn) (listSAMLResult, error) {
	ps, err := a.store.ListSAMLProviders(c.Context())
	if err != nil {
		return listSAMLResult{}, err
	}
	res := listSAMLResult{}
	res.SAMLProviderList.Member = []xmlSAMLListEntry{}
	for _, p := range ps {
		res.SAMLProviderList.Member = append(res.SAMLProviderList.Member, xmlSAMLListEntry{Arn: p.ARN, ValidUntil: isoTime(p.ValidUntil), CreateDate: isoTime(p.Created)})
	}
	return res, nil
}

func (a *API) updateSAML(c *awsapi.Call, in *samlIn) (updateSAMLResult, error) {
	p, err := a.samlProvider(c.Context(), in.SAMLProviderArn)
	if err != nil {
		return updateSAMLResult{}, err
	}
	if err := required("SAMLMetadataDocument", in.SAMLMetadataDocument); err != nil {
		return updateSAMLResult{}, err
	}
	if _, err := a.store.UpdateSAMLProvider(c.Context(), p.ARN, in.SAMLMetadataDocument); err != nil {
		return updateSAMLResult{}, err
	}
	return updateSAMLResult{SAMLProviderArn: p.ARN}, nil
}

func (a *API) deleteSAML(c *awsapi.Call, in *samlIn) (awsapi.None, error) {
	p, err := a.samlProvider(c.Context(), in.SAMLProviderArn)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteSAMLProvider(c.Context(), p.ARN)
}
