package iam

import (
	"context"
	"errors"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The inputs of IAM's group operations.
type (
	groupIn      struct{ GroupName, Path string }
	groupPagesIn struct {
		GroupName, Marker, PathPrefix string
		MaxItems                      int32
	}
	updateGroupIn struct{ GroupName, NewGroupName, NewPath string }
	groupPolicyIn struct{ GroupName, PolicyName, PolicyDocument string }
	groupAttachIn struct{ GroupName, PolicyArn string }
)

type xmlGroup struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func toXMLGroup(g Group) xmlGroup {
	return xmlGroup{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created)}
}

type groupResult struct {
	Group xmlGroup `xml:"Group"`
}

type listGroupsResult struct {
	Groups      xmlMembers[xmlGroup] `xml:"Groups"`
	IsTruncated bool                 `xml:"IsTruncated"`
	Marker      string               `xml:"Marker,omitempty"`
}

func pageGroups(groups []Group, marker string, maxItems int32) (listGroupsResult, error) {
	groups, next, err := page(groups, marker, maxItems)
	if err != nil {
		return listGroupsResult{}, err
	}
	res := listGroupsResult{IsTruncated: next != "", Marker: next}
	res.Groups.Member = []xmlGroup{}
	for _, g := range groups {
		res.Groups.Member = append(res.Groups.Member, toXMLGroup(g))
	}
	return res, nil
}

// groupOps are the IAM operations on groups, their members and policies.
func (a *API) groupOps() []awsapi.Declared {
	onGroup := func(c *awsapi.Call, in *groupIn) ([]awsapi.Target, error) {
		return a.groupTarget(c.Context(), in.GroupName, in.Path, nil), nil
	}
	onPages := func(c *awsapi.Call, in *groupPagesIn) ([]awsapi.Target, error) {
		return a.groupTarget(c.Context(), in.GroupName, "", nil), nil
	}
	onMember := func(c *awsapi.Call, in *userAndGroupIn) ([]awsapi.Target, error) {
		return a.groupTarget(c.Context(), in.GroupName, "", nil), nil
	}
	onPolicy := func(c *awsapi.Call, in *groupPolicyIn) ([]awsapi.Target, error) {
		return a.groupTarget(c.Context(), in.GroupName, "", nil), nil
	}
	onAttach := func(c *awsapi.Call, in *groupAttachIn) ([]awsapi.Target, error) {
		return a.groupTarget(c.Context(), in.GroupName, "", condition("iam:PolicyARN", in.PolicyArn)), nil
	}
	return []awsapi.Declared{
		awsapi.Op[groupIn, groupResult]{Name: "CreateGroup", Action: "iam:CreateGroup", Resources: onGroup, Handler: a.createGroup},
		awsapi.Op[groupPagesIn, getGroupResult]{Name: "GetGroup", Action: "iam:GetGroup", Resources: onPages, Handler: a.getGroup},
		awsapi.Op[groupPagesIn, listGroupsResult]{Name: "ListGroups", Action: "iam:ListGroups", Handler: a.listGroups},
		awsapi.Op[updateGroupIn, awsapi.None]{Name: "UpdateGroup", Action: "iam:UpdateGroup",
			Resources: func(c *awsapi.Call, in *updateGroupIn) ([]awsapi.Target, error) {
				return a.groupTarget(c.Context(), in.GroupName, "", nil), nil
			},
			Handler: a.updateGroup},
		awsapi.Op[groupIn, awsapi.None]{Name: "DeleteGroup", Action: "iam:DeleteGroup", Resources: onGroup, Handler: a.deleteGroup},
		awsapi.Op[userAndGroupIn, awsapi.None]{Name: "AddUserToGroup", Action: "iam:AddUserToGroup", Resources: onMember, Handler: a.addUserToGroup},
		awsapi.Op[userAndGroupIn, awsapi.None]{Name: "RemoveUserFromGroup", Action: "iam:RemoveUserFromGroup", Resources: onMember, Handler: a.removeUserFromGroup},
		awsapi.Op[groupPolicyIn, awsapi.None]{Name: "PutGroupPolicy", Action: "iam:PutGroupPolicy", Resources: onPolicy, Handler: a.putGroupPolicy},
		awsapi.Op[groupPolicyIn, getGroupPolicyResult]{Name: "GetGroupPolicy", Action: "iam:GetGroupPolicy", Resources: onPolicy, Handler: a.getGroupPolicy},
		awsapi.Op[groupPagesIn, listRolePoliciesResult]{Name: "ListGroupPolicies", Action: "iam:ListGroupPolicies", Resources: onPages, Handler: a.listGroupPolicies},
		awsapi.Op[groupPolicyIn, awsapi.None]{Name: "DeleteGroupPolicy", Action: "iam:DeleteGroupPolicy", Resources: onPolicy, Handler: a.deleteGroupPolicy},
		awsapi.Op[groupAttachIn, awsapi.None]{Name: "AttachGroupPolicy", Action: "iam:AttachGroupPolicy", Resources: onAttach, Handler: a.attachGroupPolicy},
		awsapi.Op[groupAttachIn, awsapi.None]{Name: "DetachGroupPolicy", Action: "iam:DetachGroupPolicy", Resources: onAttach, Handler: a.detachGroupPolicy},
		awsapi.Op[groupPagesIn, listAttachedResult]{Name: "ListAttachedGroupPolicies", Action: "iam:ListAttachedGroupPolicies", Resources: onPages, Handler: a.listAttachedGroupPolicies},
	}
}

// groupTarget is an operation on the group named name: its ARN if it
// exists, else the one it would have under path.
func (a *API) groupTarget(ctx context.Context, name, path string, cond map[string][]string) []awsapi.Target {
	arn := GroupARN(a.store.account.ID, orRoot(path), name)
	if g, err := a.store.GetGroup(ctx, name); err == nil && name != "" {
		arn = g.ARN
	}
	return a.target(ctx, arn, nil, cond)
}

// group is the group an operation names, or IAM's NoSuchEntity.
func (a *API) group(ctx context.Context, name string) (Group, error) {
	if err := required("GroupName", name); err != nil {
		return Group{}, err
	}
	g, err := a.store.GetGroup(ctx, name)
	if errors.Is(err, ErrNoSuchEntity) {
		return Group{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The group with name %s cannot be found.", name)
	}
	return g, err
}

func (a *API) createGroup(c *awsapi.Call, in *groupIn) (groupResult, error) {
	if err := checkName("GroupName", in.GroupName, 128); err != nil {
		return groupResult{}, err
	}
	g, err := a.store.CreateGroup(c.Context(), in.GroupName, in.Path)
	if errors.Is(err, ErrEntityExists) {
		return groupResult{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "Group with name %s already exists.", in.GroupName)
	}
	if err != nil {
		return groupResult{}, err
	}
	return groupResult{Group: toXMLGroup(g)}, nil
}

type getGroupResult struct {
	Group       xmlGroup            `xml:"Group"`
	Users       xmlMembers[xmlUser] `xml:"Users"`
	IsTruncated bool                `xml:"IsTruncated"`
	Marker      string              `xml:"Marker,omitempty"`
}

func (a *API) getGroup(c *awsapi.Call, in *groupPagesIn) (getGroupResult, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return getGroupResult{}, err
	}
	users, err := a.store.GroupMembers(c.Context(), g.Name)
	if err != nil {
		return getGroupResult{}, err
	}
	users, next, err := page(users, in.Marker, in.MaxItems)
	if err != nil {
		return getGroupResult{}, err
	}
	res := getGroupResult{Group: toXMLGroup(g), IsTruncated: next != "", Marker: next}
	res.Users.Member = []xmlUser{}
	for _, u := range users {
		res.Users.Member = append(res.Users.Member, toXMLUser(u, false))
	}
	return res, nil
}

func (a *API) listGroups(c *awsapi.Call, in *groupPagesIn) (listGroupsResult, error) {
	groups, err := a.store.ListGroups(c.Context(), orRoot(in.PathPrefix))
	if err != nil {
		return listGroupsResult{}, err
	}
	return pageGroups(groups, in.Marker, in.MaxItems)
}

func (a *API) updateGroup(c *awsapi.Call, in *updateGroupIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	if in.NewGroupName != "" {
		if err := checkName("NewGroupName", in.NewGroupName, 128); err != nil {
			return awsapi.None{}, err
		}
	}
	_, err = a.store.UpdateGroup(c.Context(), g.Name, in.NewGroupName, in.NewPath)
	if errors.Is(err, ErrEntityExists) {
		return awsapi.None{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "Group with name %s already exists.", in.NewGroupName)
	}
	return awsapi.None{}, err
}

func (a *API) deleteGroup(c *awsapi.Call, in *groupIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteGroup(c.Context(), g.Name)
}

func (a *API) addUserToGroup(c *awsapi.Call, in *userAndGroupIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.AddUserToGroup(c.Context(), g.Name, u.Name)
}

func (a *API) removeUserFromGroup(c *awsapi.Call, in *userAndGroupIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.RemoveUserFromGroup(c.Context(), g.Name, u.Name)
}

func (a *API) putGroupPolicy(c *awsapi.Call, in *groupPolicyIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyDocument", in.PolicyDocument); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.PutGroupPolicy(c.Context(), g.Name, in.PolicyName, in.PolicyDocument)
}

type getGroupPolicyResult struct {
	GroupName      string `xml:"GroupName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func noGroupPolicy(name string) error {
	return awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The group policy with name %s cannot be found.", name)
}

func (a *API) getGroupPolicy(c *awsapi.Call, in *groupPolicyIn) (getGroupPolicyResult, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return getGroupPolicyResult{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return getGroupPolicyResult{}, err
	}
	doc, ok := g.Inline[in.PolicyName]
	if !ok {
		return getGroupPolicyResult{}, noGroupPolicy(in.PolicyName)
	}
	return getGroupPolicyResult{GroupName: g.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

func (a *API) listGroupPolicies(c *awsapi.Call, in *groupPagesIn) (listRolePoliciesResult, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return listRolePoliciesResult{}, err
	}
	return listNames(g.InlineNames(), in.Marker, in.MaxItems)
}

func (a *API) deleteGroupPolicy(c *awsapi.Call, in *groupPolicyIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyGroup(c.Context(), g.Name, func(g *Group) error {
		if _, ok := g.Inline[in.PolicyName]; !ok {
			return noGroupPolicy(in.PolicyName)
		}
		delete(g.Inline, in.PolicyName)
		return nil
	})
	return awsapi.None{}, err
}

func (a *API) attachGroupPolicy(c *awsapi.Call, in *groupAttachIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := a.attachable(c.Context(), in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyGroup(c.Context(), g.Name, func(g *Group) error {
		return attach(&g.Attached, in.PolicyArn, maxAttachedUser, "PoliciesPerGroup")
	})
	return awsapi.None{}, err
}

func (a *API) detachGroupPolicy(c *awsapi.Call, in *groupAttachIn) (awsapi.None, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyGroup(c.Context(), g.Name, func(g *Group) error { return detach(&g.Attached, in.PolicyArn) })
	return awsapi.None{}, err
}

func (a *API) listAttachedGroupPolicies(c *awsapi.Call, in *groupPagesIn) (listAttachedResult, error) {
	g, err := a.group(c.Context(), in.GroupName)
	if err != nil {
		return listAttachedResult{}, err
	}
	return a.listAttached(c.Context(), g.Attached, in.PathPrefix, in.Marker, in.MaxItems)
}
