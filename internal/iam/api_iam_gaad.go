package iam

import (
	"net/http"
	"slices"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type gaadIn struct {
	Filter   []string
	Marker   string
	MaxItems int32
}

type xmlPolicyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type xmlUserDetail struct {
	Path                    string                      `xml:"Path"`
	UserName                string                      `xml:"UserName"`
	UserID                  string                      `xml:"UserId"`
	Arn                     string                      `xml:"Arn"`
	CreateDate              string                      `xml:"CreateDate"`
	UserPolicyList          xmlMembers[xmlPolicyDetail] `xml:"UserPolicyList"`
	GroupList               xmlMembers[string]          `xml:"GroupList"`
	AttachedManagedPolicies xmlMembers[xmlAttached]     `xml:"AttachedManagedPolicies"`
	PermissionsBoundary     *xmlBoundary                `xml:"PermissionsBoundary,omitempty"`
	Tags                    *xmlTags                    `xml:"Tags,omitempty"`
}

type xmlGroupDetail struct {
	Path                    string                      `xml:"Path"`
	GroupName               string                      `xml:"GroupName"`
	GroupID                 string                      `xml:"GroupId"`
	Arn                     string                      `xml:"Arn"`
	CreateDate              string                      `xml:"CreateDate"`
	GroupPolicyList         xmlMembers[xmlPolicyDetail] `xml:"GroupPolicyList"`
	AttachedManagedPolicies xmlMembers[xmlAttached]     `xml:"AttachedManagedPolicies"`
}

type xmlRoleDetail struct {
	Path                     string                         `xml:"Path"`
	RoleName                 string                         `xml:"RoleName"`
	RoleID                   string                         `xml:"RoleId"`
	Arn                      string                         `xml:"Arn"`
	CreateDate               string                         `xml:"CreateDate"`
	AssumeRolePolicyDocument string                         `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      xmlMembers[xmlInstanceProfile] `xml:"InstanceProfileList"`
	RolePolicyList           xmlMembers[xmlPolicyDetail]    `xml:"RolePolicyList"`
	AttachedManagedPolicies  xmlMembers[xmlAttached]        `xml:"AttachedManagedPolicies"`
	PermissionsBoundary      *xmlBoundary                   `xml:"PermissionsBoundary,omitempty"`
	Tags                     *xmlTags                       `xml:"Tags,omitempty"`
}

type xmlManagedPolicyDetail struct {
	PolicyName                    string                       `xml:"PolicyName"`
	PolicyID                      string                       `xml:"PolicyId"`
	Arn                           string                       `xml:"Arn"`
	Path                          string                       `xml:"Path"`
	DefaultVersionID              string                       `xml:"DefaultVersionId"`
	AttachmentCount               int                          `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                          `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool                         `xml:"IsAttachable"`
	Description                   string                       `xml:"Description,omitempty"`
	CreateDate                    string                       `xml:"CreateDate"`
	UpdateDate                    string                       `xml:"UpdateDate"`
	PolicyVersionList             xmlMembers[xmlPolicyVersion] `xml:"PolicyVersionList"`
}

type gaadResult struct {
	UserDetailList  xmlMembers[xmlUserDetail]          `xml:"UserDetailList"`
	GroupDetailList xmlMembers[xmlGroupDetail]         `xml:"GroupDetailList"`
	RoleDetailList  xmlMembers[xmlRoleDetail]          `xml:"RoleDetailList"`
	Policies        xmlMembers[xmlManagedPolicyDetail] `xml:"Policies"`
	IsTruncated     bool                               `xml:"IsTruncated"`
	Marker          string                             `xml:"Marker,omitempty"`
}

func (a *API) gaadOps() []awsapi.Declared {
	return []awsapi.Declared{
		awsapi.Op[gaadIn, gaadResult]{Name: "GetAccountAuthorizationDetails", Action: "iam:GetAccountAuthorizationDetails", Handler: a.getAccountAuthorizationDetails},
	}
}

func inlineDetails(m map[string]string) xmlMembers[xmlPolicyDetail] {
	out := xmlMembers[xmlPolicyDetail]{Member: []xmlPolicyDetail{}}
	for _, n := range sortedKeys(m) {
		out.Member = append(out.Member, xmlPolicyDetail{PolicyName: n, PolicyDocument: encodeDoc(m[n])})
	}
	return out
}

func attachedDetails(arns []string) xmlMembers[xmlAttached] {
	out := xmlMembers[xmlAttached]{Member: []xmlAttached{}}
	for _, arn := range arns {
		out.Member = append(out.Member, xmlAttached{PolicyName: arn[strings.LastIndexByte(arn, '/')+1:], PolicyArn: arn})
	}
	return out
}

func boundaryOf(arn string) *xmlBoundary {
	if arn == "" {
		return nil
	}
	return &xmlBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn}
}

// getAccountAuthorizationDetails answers with every entity the Filter asks
// for (all of them when it is empty), and the AWS managed policies only when
// something attaches them, as IAM does. MaxItems counts entities of every
// kind together (users, groups, roles, then policies), 100 by default.
func (a *API) getAccountAuthorizationDetails(c *awsapi.Call, in *gaadIn) (gaadResult, error) {
	all, err := a.gaadAll(c, in)
	if err != nil {
		return gaadResult{}, err
	}
	nu, ng, nr := len(all.UserDetailList.Member), len(all.GroupDetailList.Member), len(all.RoleDetailList.Member)
	idx := make([]int, nu+ng+nr+len(all.Policies.Member))
	for i := range idx {
		idx[i] = i
	}
	items, next, err := page(idx, in.Marker, in.MaxItems)
	if err != nil {
		return gaadResult{}, err
	}
	res := gaadResult{IsTruncated: next != "", Marker: next}
	res.UserDetailList.Member, res.GroupDetailList.Member, res.RoleDetailList.Member, res.Policies.Member =
		[]xmlUserDetail{}, []xmlGroupDetail{}, []xmlRoleDetail{}, []xmlManagedPolicyDetail{}
	for _, i := range items {
		switch {
		case i < nu:
			res.UserDetailList.Member = append(res.UserDetailList.Member, all.UserDetailList.Member[i])
		case i < nu+ng:
			res.GroupDetailList.Member = append(res.GroupDetailList.Member, all.GroupDetailList.Member[i-nu])
		case i < nu+ng+nr:
			res.RoleDetailList.Member = append(res.RoleDetailList.Member, all.RoleDetailList.Member[i-nu-ng])
		default:
			res.Policies.Member = append(res.Policies.Member, all.Policies.Member[i-nu-ng-nr])
		}
	}
	return res, nil
}

// gaadAll is every entity GetAccountAuthorizationDetails answers with.
func (a *API) gaadAll(c *awsapi.Call, in *gaadIn) (gaadResult, error) {
	ctx := c.Context()
	want := map[string]bool{}
	for _, f := range in.Filter {
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
			want[f] = true
		default:
			return gaadResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '[%s]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [LocalManagedPolicy, Role, AWSManagedPolicy, User, Group]]", f)
		}
	}
	all := len(want) == 0
	users, err := a.store.ListUsers(ctx, "/")
	if err != nil {
		return gaadResult{}, err
	}
	groups, err := a.store.ListGroups(ctx, "/")
	if err != nil {
		return gaadResult{}, err
	}
	roles, err := a.store.ListRoles(ctx, "/")
	if err != nil {
		return gaadResult{}, err
	}
	ips, err := a.store.ListInstanceProfiles(ctx, "/")
	if err != nil {
		return gaadResult{}, err
	}
	res := gaadResult{}
	res.UserDetailList.Member, res.GroupDetailList.Member, res.RoleDetailList.Member, res.Policies.Member =
		[]xmlUserDetail{}, []xmlGroupDetail{}, []xmlRoleDetail{}, []xmlManagedPolicyDetail{}
	attached, bounded := map[string]int{}, map[string]int{}
	for _, u := range users {
		for _, p := range u.Attached {
			attached[p]++
		}
		if u.Boundary != "" {
			bounded[u.Boundary]++
		}
		if !all && !want["User"] {
			continue
		}
		d := xmlUserDetail{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created),
			UserPolicyList: inlineDetails(u.Inline), AttachedManagedPolicies: attachedDetails(u.Attached),
			PermissionsBoundary: boundaryOf(u.Boundary), Tags: toXMLTags(u.Tags)}
		d.GroupList.Member = append([]string{}, u.Groups...)
		res.UserDetailList.Member = append(res.UserDetailList.Member, d)
	}
	for _, g := range groups {
		for _, p := range g.Attached {
			attached[p]++
		}
		if !all && !want["Group"] {
			continue
		}
		res.GroupDetailList.Member = append(res.GroupDetailList.Member, xmlGroupDetail{Path: g.Path, GroupName: g.Name, GroupID: g.ID,
			Arn: g.ARN, CreateDate: isoTime(g.Created), GroupPolicyList: inlineDetails(g.Inline), AttachedManagedPolicies: attachedDetails(g.Attached)})
	}
	for _, r := range roles {
		for _, p := range r.Attached {
			attached[p]++
		}
		if r.Boundary != "" {
			bounded[r.Boundary]++
		}
		if !all && !want["Role"] {
			continue
		}
		d := xmlRoleDetail{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
			AssumeRolePolicyDocument: encodeDoc(r.TrustPolicy), RolePolicyList: inlineDetails(r.Inline),
			AttachedManagedPolicies: attachedDetails(r.Attached), PermissionsBoundary: boundaryOf(r.Boundary), Tags: toXMLTags(r.Tags)}
		d.InstanceProfileList.Member = []xmlInstanceProfile{}
		for _, ip := range ips {
			if slices.ContainsFunc(ip.Roles, func(n string) bool { return strings.EqualFold(n, r.Name) }) {
				x := a.toXMLInstanceProfile(ctx, ip)
				x.Tags = nil
				d.InstanceProfileList.Member = append(d.InstanceProfileList.Member, x)
			}
		}
		res.RoleDetailList.Member = append(res.RoleDetailList.Member, d)
	}
	if all || want["LocalManagedPolicy"] || want["AWSManagedPolicy"] {
		ps, err := a.store.ListPolicies(ctx, true)
		if err != nil {
			return gaadResult{}, err
		}
		for _, p := range ps {
			n, b := attached[p.ARN], bounded[p.ARN]
			switch {
			case p.AWSManaged && (n+b == 0 || !all && !want["AWSManagedPolicy"]):
				continue
			case !p.AWSManaged && !all && !want["LocalManagedPolicy"]:
				continue
			}
			d := xmlManagedPolicyDetail{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
				AttachmentCount: n, PermissionsBoundaryUsageCount: b, IsAttachable: true, Description: p.Description,
				CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated)}
			d.PolicyVersionList.Member = []xmlPolicyVersion{}
			for _, v := range p.Versions {
				d.PolicyVersionList.Member = append(d.PolicyVersionList.Member, xmlPolicyVersion{Document: encodeDoc(v.Document),
					VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)})
			}
			res.Policies.Member = append(res.Policies.Member, d)
		}
	}
	return res, nil
}
