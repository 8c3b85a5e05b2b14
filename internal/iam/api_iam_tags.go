package iam

import (
	"context"
	"errors"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// tagOps are the tag operations of SAML providers and virtual MFA devices:
// each authorized on the provider's or device's ARN, with aws:RequestTag/*,
// aws:TagKeys and the resource's tags.
func (a *API) tagOps() []awsapi.Declared {
	onSAML := func(c *awsapi.Call, in *samlIn) ([]awsapi.Target, error) {
		t := a.target(c.Context(), orStar(in.SAMLProviderArn), in.Tags, tagKeysCond(in.TagKeys))
		if p, err := a.store.GetSAMLProvider(c.Context(), in.SAMLProviderArn); err == nil {
			t[0].ResourceTags = tagMap(p.Tags)
		}
		return t, nil
	}
	onMFA := func(c *awsapi.Call, in *mfaIn) ([]awsapi.Target, error) {
		t := a.target(c.Context(), orStar(in.SerialNumber), in.Tags, tagKeysCond(in.TagKeys))
		if d, err := a.store.MFADevice(c.Context(), in.SerialNumber); err == nil {
			t[0].ResourceTags = tagMap(d.Tags)
		}
		return t, nil
	}
	return []awsapi.Declared{
		awsapi.Op[samlIn, awsapi.None]{Name: "TagSAMLProvider", Action: "iam:TagSAMLProvider", Resources: onSAML,
			Handler: func(c *awsapi.Call, in *samlIn) (awsapi.None, error) {
				if err := checkTags(in.Tags, maxUserTags, "TagsPerSAMLProvider"); err != nil {
					return awsapi.None{}, err
				}
				return awsapi.None{}, a.modifySAML(c.Context(), in.SAMLProviderArn, func(p *SAMLProvider) error {
					next, err := mergeTags(p.Tags, in.Tags, maxUserTags, "TagsPerSAMLProvider")
					p.Tags = next
					return err
				})
			}},
		awsapi.Op[samlIn, awsapi.None]{Name: "UntagSAMLProvider", Action: "iam:UntagSAMLProvider", Resources: onSAML,
			Handler: func(c *awsapi.Call, in *samlIn) (awsapi.None, error) {
				return awsapi.None{}, a.modifySAML(c.Context(), in.SAMLProviderArn, func(p *SAMLProvider) error {
					p.Tags = dropTags(p.Tags, in.TagKeys)
					return nil
				})
			}},
		awsapi.Op[samlIn, listRoleTagsResult]{Name: "ListSAMLProviderTags", Action: "iam:ListSAMLProviderTags", Resources: onSAML,
			Handler: func(c *awsapi.Call, in *samlIn) (listRoleTagsResult, error) {
				p, err := a.samlProvider(c.Context(), in.SAMLProviderArn)
				if err != nil {
					return listRoleTagsResult{}, err
				}
				return tagList(p.Tags), nil
			}},
		awsapi.Op[mfaIn, awsapi.None]{Name: "TagMFADevice", Action: "iam:TagMFADevice", Resources: onMFA,
			Handler: func(c *awsapi.Call, in *mfaIn) (awsapi.None, error) {
				if err := checkTags(in.Tags, maxUserTags, "TagsPerMFADevice"); err != nil {
					return awsapi.None{}, err
				}
				return awsapi.None{}, a.modifyMFA(c.Context(), in.SerialNumber, func(d *MFADevice) error {
					next, err := mergeTags(d.Tags, in.Tags, maxUserTags, "TagsPerMFADevice")
					d.Tags = next
					return err
				})
			}},
		awsapi.Op[mfaIn, awsapi.None]{Name: "UntagMFADevice", Action: "iam:UntagMFADevice", Resources: onMFA,
			Handler: func(c *awsapi.Call, in *mfaIn) (awsapi.None, error) {
				return awsapi.None{}, a.modifyMFA(c.Context(), in.SerialNumber, func(d *MFADevice) error {
					d.Tags = dropTags(d.Tags, in.TagKeys)
					return nil
				})
			}},
		awsapi.Op[mfaIn, listRoleTagsResult]{Name: "ListMFADeviceTags", Action: "iam:ListMFADeviceTags", Resources: onMFA,
			Handler: func(c *awsapi.Call, in *mfaIn) (listRoleTagsResult, error) {
				if err := required("SerialNumber", in.SerialNumber); err != nil {
					return listRoleTagsResult{}, err
				}
				d, err := a.store.MFADevice(c.Context(), in.SerialNumber)
				if err != nil {
					return listRoleTagsResult{}, err
				}
				return tagList(d.Tags), nil
			}},
	}
}

func tagList(tags []Tag) listRoleTagsResult {
	res := listRoleTagsResult{Tags: toXMLTags(tags)}
	if res.Tags == nil {
		res.Tags = &xmlTags{}
	}
	return res
}

func (a *API) modifySAML(ctx context.Context, arn string, f func(*SAMLProvider) error) error {
	p, err := a.samlProvider(ctx, arn)
	if err != nil {
		return err
	}
	_, err = modify(ctx, a.store, samlKey(p.Name), f)
	return err
}

func (a *API) modifyMFA(ctx context.Context, serial string, f func(*MFADevice) error) error {
	if err := required("SerialNumber", serial); err != nil {
		return err
	}
	d, err := a.store.MFADevice(ctx, serial)
	if err != nil {
		return err
	}
	_, err = modify(ctx, a.store, mfaKey(d.Serial), f)
	if errors.Is(err, ErrNoSuchEntity) {
		return awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	return err
}
