package iam

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	instanceProfileIn struct {
		InstanceProfileName, Path, RoleName string
		Tags                                []Tag
		TagKeys                             []string
	}
	instanceProfilePagesIn struct {
		InstanceProfileName, RoleName, PathPrefix, Marker string
		MaxItems                                          int32
	}
)

type xmlInstanceProfile struct {
	Path                string              `xml:"Path"`
	InstanceProfileName string              `xml:"InstanceProfileName"`
	InstanceProfileID   string              `xml:"InstanceProfileId"`
	Arn                 string              `xml:"Arn"`
	CreateDate          string              `xml:"CreateDate"`
	Roles               xmlMembers[xmlRole] `xml:"Roles"`
	Tags                *xmlTags            `xml:"Tags,omitempty"`
}

type instanceProfileResult struct {
	InstanceProfile xmlInstanceProfile `xml:"InstanceProfile"`
}

type listInstanceProfilesResult struct {
	InstanceProfiles xmlMembers[xmlInstanceProfile] `xml:"InstanceProfiles"`
	IsTruncated      bool                           `xml:"IsTruncated"`
	Marker           string                         `xml:"Marker,omitempty"`
}

func (a *API) toXMLInstanceProfile(ctx context.Context, ip InstanceProfile) xmlInstanceProfile {
	x := xmlInstanceProfile{Path: ip.Path, InstanceProfileName: ip.Name, InstanceProfileID: ip.ID, Arn: ip.ARN,
		CreateDate: isoTime(ip.Created), Tags: toXMLTags(ip.Tags)}
	x.Roles.Member = []xmlRole{}
	for _, name := range ip.Roles {
		if r, err := a.store.GetRole(ctx, name); err == nil {
			x.Roles.Member = append(x.Roles.Member, toXMLRole(r))
		}
	}
	return x
}

func (a *API) instanceProfileOps() []awsapi.Declared {
	on := func(c *awsapi.Call, in *instanceProfileIn) ([]awsapi.Target, error) {
		return a.instanceProfileTarget(c.Context(), in.InstanceProfileName, in.Path, in.Tags, in.TagKeys), nil
	}
	onPages := func(c *awsapi.Call, in *instanceProfilePagesIn) ([]awsapi.Target, error) {
		return a.instanceProfileTarget(c.Context(), in.InstanceProfileName, "", nil, nil), nil
	}
	return []awsapi.Declared{
		awsapi.Op[instanceProfileIn, instanceProfileResult]{Name: "CreateInstanceProfile", Action: "iam:CreateInstanceProfile", Resources: on, Handler: a.createInstanceProfile},
		awsapi.Op[instanceProfileIn, instanceProfileResult]{Name: "GetInstanceProfile", Action: "iam:GetInstanceProfile", Resources: on, Handler: a.getInstanceProfile},
		awsapi.Op[instanceProfilePagesIn, listInstanceProfilesResult]{Name: "ListInstanceProfiles", Action: "iam:ListInstanceProfiles", Handler: a.listInstanceProfiles},
		awsapi.Op[instanceProfileIn, awsapi.None]{Name: "DeleteInstanceProfile", Action: "iam:DeleteInstanceProfile", Resources: on, Handler: a.deleteInstanceProfile},
		awsapi.Op[instanceProfileIn, awsapi.None]{Name: "AddRoleToInstanceProfile", Action: "iam:AddRoleToInstanceProfile", Resources: on, Handler: a.addRoleToInstanceProfile},
		awsapi.Op[instanceProfileIn, awsapi.None]{Name: "RemoveRoleFromInstanceProfile", Action: "iam:RemoveRoleFromInstanceProfile", Resources: on, Handler: a.removeRoleFromInstanceProfile},
		awsapi.Op[instanceProfilePagesIn, listInstanceProfilesResult]{Name: "ListInstanceProfilesForRole", Action: "iam:ListInstanceProfilesForRole",
			Resources: func(c *awsapi.Call, in *instanceProfilePagesIn) ([]awsapi.Target, error) {
				return a.roleTarget(c.Context(), in.RoleName, "", nil, nil), nil
			},
			Handler: a.listInstanceProfilesForRole},
		awsapi.Op[instanceProfileIn, awsapi.None]{Name: "TagInstanceProfile", Action: "iam:TagInstanceProfile", Resources: on, Handler: a.tagInstanceProfile},
		awsapi.Op[instanceProfileIn, awsapi.None]{Name: "UntagInstanceProfile", Action: "iam:UntagInstanceProfile", Resources: on, Handler: a.untagInstanceProfile},
		awsapi.Op[instanceProfilePagesIn, listRoleTagsResult]{Name: "ListInstanceProfileTags", Action: "iam:ListInstanceProfileTags", Resources: onPages, Handler: a.listInstanceProfileTags},
	}
}

func (a *API) instanceProfileTarget(ctx context.Context, name, path string, tags []Tag, tagKeys []string) []awsapi.Target {
	arn := InstanceProfileARN(a.store.account.ID, orRoot(path), name)
	var have []Tag
	if ip, err := a.store.GetInstanceProfile(ctx, name); err == nil && name != "" {
		arn, have = ip.ARN, ip.Tags
	}
	var cond map[string][]string
	if len(tagKeys) > 0 {
		cond = map[string][]string{"aws:TagKeys": tagKeys}
	}
	t := a.target(ctx, arn, tags, cond)
	t[0].ResourceTags = tagMap(have)
	return t
}

func (a *API) instanceProfile(ctx context.Context, name string) (InstanceProfile, error) {
	if err := required("InstanceProfileName", name); err != nil {
		return InstanceProfile{}, err
	}
	ip, err := a.store.GetInstanceProfile(ctx, name)
	if errors.Is(err, ErrNoSuchEntity) {
		return InstanceProfile{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Instance Profile %s cannot be found.", name)
	}
	return ip, err
}

func (a *API) createInstanceProfile(c *awsapi.Call, in *instanceProfileIn) (instanceProfileResult, error) {
	if err := checkName("InstanceProfileName", in.InstanceProfileName, 128); err != nil {
		return instanceProfileResult{}, err
	}
	ip, err := a.store.CreateInstanceProfile(c.Context(), in.InstanceProfileName, in.Path, in.Tags)
	if errors.Is(err, ErrEntityExists) {
		return instanceProfileResult{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "Instance Profile %s already exists.", in.InstanceProfileName)
	}
	if err != nil {
		return instanceProfileResult{}, err
	}
	return instanceProfileResult{InstanceProfile: a.toXMLInstanceProfile(c.Context(), ip)}, nil
}

func (a *API) getInstanceProfile(c *awsapi.Call, in *instanceProfileIn) (instanceProfileResult, error) {
	ip, err := a.instanceProfile(c.Context(), in.InstanceProfileName)
	if err != nil {
		return instanceProfileResult{}, err
	}
	return instanceProfileResult{InstanceProfile: a.toXMLInstanceProfile(c.Context(), ip)}, nil
}

func (a *API) pageInstanceProfiles(ctx context.Context, ips []InstanceProfile, marker string, maxItems int32) (listInstanceProfilesResult, error) {
	ips, next, err := page(ips, marker, maxItems)
	if err != nil {
		return listInstanceProfilesResult{}, err
	}
	res := listInstanceProfilesResult{IsTruncated: next != "", Marker: next}
	res.InstanceProfiles.Member = []xmlInstanceProfile{}
	for _, ip := range ips {
		x := a.toXMLInstanceProfile(ctx, ip)
		x.Tags = nil // lists leave tags out, as IAM does
		res.InstanceProfiles.Member = append(res.InstanceProfiles.Member, x)
	}
	return res, nil
}

func (a *API) listInstanceProfiles(c *awsapi.Call, in *instanceProfilePagesIn) (listInstanceProfilesResult, error) {
	ips, err := a.store.ListInstanceProfiles(c.Context(), orRoot(in.PathPrefix))
	if err != nil {
		return listInstanceProfilesResult{}, err
	}
	return a.pageInstanceProfiles(c.Context(), ips, in.Marker, in.MaxItems)
}

func (a *API) listInstanceProfilesForRole(c *awsapi.Call, in *instanceProfilePagesIn) (listInstanceProfilesResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return listInstanceProfilesResult{}, err
	}
	ips, err := a.store.ListInstanceProfiles(c.Context(), "/")
	if err != nil {
		return listInstanceProfilesResult{}, err
	}
	ips = slices.DeleteFunc(ips, func(ip InstanceProfile) bool {
		return !slices.ContainsFunc(ip.Roles, func(n string) bool { return strings.EqualFold(n, r.Name) })
	})
	return a.pageInstanceProfiles(c.Context(), ips, in.Marker, in.MaxItems)
}

func (a *API) deleteInstanceProfile(c *awsapi.Call, in *instanceProfileIn) (awsapi.None, error) {
	ip, err := a.instanceProfile(c.Context(), in.InstanceProfileName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteInstanceProfile(c.Context(), ip.Name)
}

func (a *API) addRoleToInstanceProfile(c *awsapi.Call, in *instanceProfileIn) (awsapi.None, error) {
	ip, err := a.instanceProfile(c.Context(), in.InstanceProfileName)
	if err != nil {
		return awsapi.None{}, err
	}
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	// IAM's reference: "The caller of this operation must be granted the
	// PassRole permission on the IAM role", passed to EC2.
	if err := awsapi.Authorize(c.Context(), a.authz, awsapi.AuthzRequest{Service: "iam", Action: "iam:PassRole", Resource: r.ARN,
		Context: map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}, HTTP: c.R}); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.AddRoleToInstanceProfile(c.Context(), ip.Name, r.Name)
}

func (a *API) removeRoleFromInstanceProfile(c *awsapi.Call, in *instanceProfileIn) (awsapi.None, error) {
	ip, err := a.instanceProfile(c.Context(), in.InstanceProfileName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("RoleName", in.RoleName); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.RemoveRoleFromInstanceProfile(c.Context(), ip.Name, in.RoleName)
}

func (a *API) tagInstanceProfile(c *awsapi.Call, in *instanceProfileIn) (awsapi.None, error) {
	ip, err := a.instanceProfile(c.Context(), in.InstanceProfileName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := checkTags(in.Tags, maxUserTags, "TagsPerInstanceProfile"); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyInstanceProfile(c.Context(), ip.Name, func(ip *InstanceProfile) error {
		next, err := mergeTags(ip.Tags, in.Tags, maxUserTags, "TagsPerInstanceProfile")
		ip.Tags = next
		return err
	})
	return awsapi.None{}, err
}

func (a *API) untagInstanceProfile(c *awsapi.Call, in *instanceProfileIn) (awsapi.None, error) {
	ip, err := a.instanceProfile(c.Context(), in.InstanceProfileName)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyInstanceProfile(c.Context(), ip.Name, func(ip *InstanceProfile) error {
		ip.Tags = dropTags(ip.Tags, in.TagKeys)
		return nil
	})
	return awsapi.None{}, err
}

func (a *API) listInstanceProfileTags(c *awsapi.Call, in *instanceProfilePagesIn) (listRoleTagsResult, error) {
	ip, err := a.instanceProfile(c.Context(), in.InstanceProfileName)
	if err != nil {
		return listRoleTagsResult{}, err
	}
	res := listRoleTagsResult{Tags: toXMLTags(ip.Tags)}
	if res.Tags == nil {
		res.Tags = &xmlTags{}
	}
	return res, nil
}

// inInstanceProfile is DeleteRole's DeleteConflict for a role an instance
// profile still holds.
func (a *API) inInstanceProfile(ctx context.Context, role string) error {
	ips, err := a.store.ListInstanceProfiles(ctx, "/")
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if slices.ContainsFunc(ip.Roles, func(n string) bool { return strings.EqualFold(n, role) }) {
			return awsapi.NewError(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
		}
	}
	return nil
}
