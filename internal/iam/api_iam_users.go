package iam

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The inputs of IAM's user operations, as awsapi.DecodeQuery reads them.
type (
	userIn       struct{ UserName string }
	createUserIn struct {
		UserName, Path, PermissionsBoundary string
		Tags                                []Tag
	}
	listUsersIn struct {
		PathPrefix, Marker string
		MaxItems           int32
	}
	updateUserIn struct{ UserName, NewUserName, NewPath string }
	tagUserIn    struct {
		UserName string
		Tags     []Tag
	}
	untagUserIn struct {
		UserName string
		TagKeys  []string
	}
	userPagesIn struct {
		UserName, Marker, PathPrefix string
		MaxItems                     int32
	}
	accessKeyIn struct{ UserName, AccessKeyId, Status string }
	loginIn     struct {
		UserName, Password    string
		PasswordResetRequired *bool
	}
	userPolicyIn    struct{ UserName, PolicyName, PolicyDocument string }
	userAttachIn    struct{ UserName, PolicyArn string }
	userBoundaryIn  struct{ UserName, PermissionsBoundary string }
	accessKeyOnlyIn struct{ AccessKeyId string }
	userAndGroupIn  struct{ UserName, GroupName string }
)

type xmlUser struct {
	Path                string       `xml:"Path"`
	UserName            string       `xml:"UserName"`
	UserID              string       `xml:"UserId"`
	Arn                 string       `xml:"Arn"`
	CreateDate          string       `xml:"CreateDate"`
	PermissionsBoundary *xmlBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                *xmlTags     `xml:"Tags,omitempty"`
}

// toXMLUser is a user as GetUser and CreateUser return it; ListUsers and
// GetGroup leave out its boundary and tags, as IAM does.
func toXMLUser(u User, full bool) xmlUser {
	x := xmlUser{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created)}
	if full {
		x.Tags = toXMLTags(u.Tags)
		if u.Boundary != "" {
			x.PermissionsBoundary = &xmlBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: u.Boundary}
		}
	}
	return x
}

type userResult struct {
	User xmlUser `xml:"User"`
}

// userOps are the IAM operations on users, their access keys, login
// profiles and policies.
func (a *API) userOps() []awsapi.Declared {
	onUser := func(c *awsapi.Call, in *userIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
	}
	onUserPages := func(c *awsapi.Call, in *userPagesIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
	}
	onKey := func(c *awsapi.Call, in *accessKeyIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
	}
	onLogin := func(c *awsapi.Call, in *loginIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
	}
	onPolicy := func(c *awsapi.Call, in *userPolicyIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
	}
	onAttach := func(c *awsapi.Call, in *userAttachIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, condition("iam:PolicyARN", in.PolicyArn)), nil
	}
	onBoundary := func(c *awsapi.Call, in *userBoundaryIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, condition("iam:PermissionsBoundary", in.PermissionsBoundary)), nil
	}
	return []awsapi.Declared{
		awsapi.Op[createUserIn, userResult]{Name: "CreateUser", Action: "iam:CreateUser",
			Resources: func(c *awsapi.Call, in *createUserIn) ([]awsapi.Target, error) {
				return a.userTarget(c.Context(), in.UserName, in.Path, in.Tags, condition("iam:PermissionsBoundary", in.PermissionsBoundary)), nil
			},
			Handler: a.createUser},
		awsapi.Op[userIn, userResult]{Name: "GetUser", Action: "iam:GetUser", Resources: onUser, Handler: a.getUser},
		awsapi.Op[listUsersIn, listUsersResult]{Name: "ListUsers", Action: "iam:ListUsers", Handler: a.listUsers},
		awsapi.Op[updateUserIn, awsapi.None]{Name: "UpdateUser", Action: "iam:UpdateUser",
			Resources: func(c *awsapi.Call, in *updateUserIn) ([]awsapi.Target, error) {
				return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
			},
			Handler: a.updateUser},
		awsapi.Op[userIn, awsapi.None]{Name: "DeleteUser", Action: "iam:DeleteUser", Resources: onUser, Handler: a.deleteUser},
		awsapi.Op[tagUserIn, awsapi.None]{Name: "TagUser", Action: "iam:TagUser",
			Resources: func(c *awsapi.Call, in *tagUserIn) ([]awsapi.Target, error) {
				return a.userTarget(c.Context(), in.UserName, "", in.Tags, nil), nil
			},
			Handler: a.tagUser},
		awsapi.Op[untagUserIn, awsapi.None]{Name: "UntagUser", Action: "iam:UntagUser",
			Resources: func(c *awsapi.Call, in *untagUserIn) ([]awsapi.Target, error) {
				var cond map[string][]string
				if len(in.TagKeys) > 0 {
					cond = map[string][]string{"aws:TagKeys": in.TagKeys}
				}
				return a.userTarget(c.Context(), in.UserName, "", nil, cond), nil
			},
			Handler: a.untagUser},
		awsapi.Op[userPagesIn, listRoleTagsResult]{Name: "ListUserTags", Action: "iam:ListUserTags", Resources: onUserPages, Handler: a.listUserTags},

		awsapi.Op[accessKeyIn, createAccessKeyResult]{Name: "CreateAccessKey", Action: "iam:CreateAccessKey", Resources: onKey, Handler: a.createAccessKey},
		awsapi.Op[userPagesIn, listAccessKeysResult]{Name: "ListAccessKeys", Action: "iam:ListAccessKeys", Resources: onUserPages, Handler: a.listAccessKeys},
		awsapi.Op[accessKeyIn, awsapi.None]{Name: "UpdateAccessKey", Action: "iam:UpdateAccessKey", Resources: onKey, Handler: a.updateAccessKey},
		awsapi.Op[accessKeyIn, awsapi.None]{Name: "DeleteAccessKey", Action: "iam:DeleteAccessKey", Resources: onKey, Handler: a.deleteAccessKey},
		awsapi.Op[accessKeyOnlyIn, accessKeyLastUsedResult]{Name: "GetAccessKeyLastUsed", Action: "iam:GetAccessKeyLastUsed",
			Resources: func(c *awsapi.Call, in *accessKeyOnlyIn) ([]awsapi.Target, error) {
				user := ""
				if k, err := a.store.AccessKey(c.Context(), in.AccessKeyId); err == nil {
					user = k.UserName
				}
				return a.userTarget(c.Context(), user, "", nil, nil), nil
			},
			Handler: a.getAccessKeyLastUsed},

		awsapi.Op[loginIn, loginProfileResult]{Name: "CreateLoginProfile", Action: "iam:CreateLoginProfile", Resources: onLogin, Handler: a.createLoginProfile},
		awsapi.Op[loginIn, loginProfileResult]{Name: "GetLoginProfile", Action: "iam:GetLoginProfile", Resources: onLogin, Handler: a.getLoginProfile},
		awsapi.Op[loginIn, awsapi.None]{Name: "UpdateLoginProfile", Action: "iam:UpdateLoginProfile", Resources: onLogin, Handler: a.updateLoginProfile},
		awsapi.Op[loginIn, awsapi.None]{Name: "DeleteLoginProfile", Action: "iam:DeleteLoginProfile", Resources: onLogin, Handler: a.deleteLoginProfile},

		awsapi.Op[userPolicyIn, awsapi.None]{Name: "PutUserPolicy", Action: "iam:PutUserPolicy", Resources: onPolicy, Handler: a.putUserPolicy},
		awsapi.Op[userPolicyIn, getUserPolicyResult]{Name: "GetUserPolicy", Action: "iam:GetUserPolicy", Resources: onPolicy, Handler: a.getUserPolicy},
		awsapi.Op[userPagesIn, listRolePoliciesResult]{Name: "ListUserPolicies", Action: "iam:ListUserPolicies", Resources: onUserPages, Handler: a.listUserPolicies},
		awsapi.Op[userPolicyIn, awsapi.None]{Name: "DeleteUserPolicy", Action: "iam:DeleteUserPolicy", Resources: onPolicy, Handler: a.deleteUserPolicy},
		awsapi.Op[userAttachIn, awsapi.None]{Name: "AttachUserPolicy", Action: "iam:AttachUserPolicy", Resources: onAttach, Handler: a.attachUserPolicy},
		awsapi.Op[userAttachIn, awsapi.None]{Name: "DetachUserPolicy", Action: "iam:DetachUserPolicy", Resources: onAttach, Handler: a.detachUserPolicy},
		awsapi.Op[userPagesIn, listAttachedResult]{Name: "ListAttachedUserPolicies", Action: "iam:ListAttachedUserPolicies", Resources: onUserPages, Handler: a.listAttachedUserPolicies},
		awsapi.Op[userBoundaryIn, awsapi.None]{Name: "PutUserPermissionsBoundary", Action: "iam:PutUserPermissionsBoundary", Resources: onBoundary, Handler: a.putUserPermissionsBoundary},
		awsapi.Op[userBoundaryIn, awsapi.None]{Name: "DeleteUserPermissionsBoundary", Action: "iam:DeleteUserPermissionsBoundary", Resources: onBoundary, Handler: a.deleteUserPermissionsBoundary},
		awsapi.Op[userPagesIn, listGroupsResult]{Name: "ListGroupsForUser", Action: "iam:ListGroupsForUser", Resources: onUserPages, Handler: a.listGroupsForUser},
	}
}

// callerUser is the user an operation whose UserName is optional acts on:
// the named one, else the calling user's own.
func callerUser(ctx context.Context, name string) string {
	if name != "" {
		return name
	}
	if p, ok := awsapi.PrincipalFrom(ctx); ok && p.UserARN != "" && !federated(p) {
		n, _ := UserNameFromARN(p.UserARN)
		return n
	}
	return ""
}

// userTarget is an operation on the user named name (the caller when
// empty): its ARN and tags if it exists, else the ARN it would have.
func (a *API) userTarget(ctx context.Context, name, path string, requestTags []Tag, cond map[string][]string) []awsapi.Target {
	name = callerUser(ctx, name)
	arn := UserARN(a.store.account.ID, orRoot(path), name)
	var tags []Tag
	if u, err := a.store.GetUser(ctx, name); err == nil && name != "" {
		arn, tags = u.ARN, u.Tags
	}
	t := a.target(ctx, arn, requestTags, cond)
	if len(tags) > 0 {
		t[0].ResourceTags = tagMap(tags)
		if t[0].Context == nil {
			t[0].Context = map[string][]string{}
		}
		for _, tg := range tags {
			t[0].Context["iam:ResourceTag/"+tg.Key] = []string{tg.Value}
		}
	}
	return t
}

// user is the user an operation names, or IAM's NoSuchEntity.
func (a *API) user(ctx context.Context, name string) (User, error) {
	if err := required("UserName", name); err != nil {
		return User{}, err
	}
	u, err := a.store.GetUser(ctx, name)
	if errors.Is(err, ErrNoSuchEntity) {
		return User{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The user with name %s cannot be found.", name)
	}
	return u, err
}

func (a *API) createUser(c *awsapi.Call, in *createUserIn) (userResult, error) {
	if err := checkName("UserName", in.UserName, 64); err != nil {
		return userResult{}, err
	}
	u, err := a.store.CreateUser(c.Context(), in.UserName, in.Path, in.PermissionsBoundary, in.Tags)
	if errors.Is(err, ErrEntityExists) {
		return userResult{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "User with name %s already exists.", in.UserName)
	}
	if err != nil {
		return userResult{}, err
	}
	return userResult{User: toXMLUser(u, true)}, nil
}

func (a *API) getUser(c *awsapi.Call, in *userIn) (userResult, error) {
	ctx := c.Context()
	name := callerUser(ctx, in.UserName)
	if name == "" {
		// The account's root user, as IAM answers GetUser for it.
		if p, ok := awsapi.PrincipalFrom(ctx); ok && p.Root {
			return userResult{User: xmlUser{UserID: a.store.account.ID, Arn: p.ARN, CreateDate: isoTime(a.store.now())}}, nil
		}
		return userResult{}, required("UserName", "")
	}
	u, err := a.user(ctx, name)
	if err != nil {
		return userResult{}, err
	}
	return userResult{User: toXMLUser(u, true)}, nil
}

type listUsersResult struct {
	Users       xmlMembers[xmlUser] `xml:"Users"`
	IsTruncated bool                `xml:"IsTruncated"`
	Marker      string              `xml:"Marker,omitempty"`
}

func (a *API) listUsers(c *awsapi.Call, in *listUsersIn) (listUsersResult, error) {
	users, err := a.store.ListUsers(c.Context(), orRoot(in.PathPrefix))
	if err != nil {
		return listUsersResult{}, err
	}
	users, marker, err := page(users, in.Marker, in.MaxItems)
	if err != nil {
		return listUsersResult{}, err
	}
	res := listUsersResult{IsTruncated: marker != "", Marker: marker}
	res.Users.Member = []xmlUser{}
	for _, u := range users {
		res.Users.Member = append(res.Users.Member, toXMLUser(u, false))
	}
	return res, nil
}

func (a *API) updateUser(c *awsapi.Call, in *updateUserIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if in.NewUserName != "" {
		if err := checkName("NewUserName", in.NewUserName, 64); err != nil {
			return awsapi.None{}, err
		}
	}
	_, err = a.store.UpdateUser(c.Context(), u.Name, in.NewUserName, in.NewPath)
	if errors.Is(err, ErrEntityExists) {
		return awsapi.None{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "User with name %s already exists.", in.NewUserName)
	}
	return awsapi.None{}, err
}

func (a *API) deleteUser(c *awsapi.Call, in *userIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteUser(c.Context(), u.Name)
}

func (a *API) tagUser(c *awsapi.Call, in *tagUserIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.TagUser(c.Context(), u.Name, in.Tags)
}

func (a *API) untagUser(c *awsapi.Call, in *untagUserIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.UntagUser(c.Context(), u.Name, in.TagKeys)
}

func (a *API) listUserTags(c *awsapi.Call, in *userPagesIn) (listRoleTagsResult, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return listRoleTagsResult{}, err
	}
	res := listRoleTagsResult{Tags: toXMLTags(u.Tags)}
	if res.Tags == nil {
		res.Tags = &xmlTags{}
	}
	return res, nil
}

// ---- access keys ----

type xmlAccessKey struct {
	UserName        string `xml:"UserName,omitempty"` // none for the root user's key
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate,omitempty"` // unknown for the root user's key
}

type createAccessKeyResult struct {
	AccessKey xmlAccessKey `xml:"AccessKey"`
}

// keyUser is the user a key operation acts on (the caller's own when
// UserName is not given).
func (a *API) keyUser(ctx context.Context, name string) (User, error) {
	return a.user(ctx, callerUser(ctx, name))
}

// rootCaller reports whether the call is the root user's and names no
// user: IAM then acts on the root user's own access keys.
func rootCaller(ctx context.Context, name string) bool {
	p, ok := awsapi.PrincipalFrom(ctx)
	return name == "" && ok && p.Root
}

func (a *API) createAccessKey(c *awsapi.Call, in *accessKeyIn) (createAccessKeyResult, error) {
	if rootCaller(c.Context(), in.UserName) {
		// The root user's one key is nubo's own credentials (--access-key).
		return createAccessKeyResult{}, awsapi.NewError(http.StatusConflict, "LimitExceeded",
			"Cannot exceed quota for AccessKeysPerUser: the root user's access key is nubo's own credentials; nubo creates no other root keys (create an IAM user and give it keys)")
	}
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return createAccessKeyResult{}, err
	}
	k, err := a.store.CreateAccessKey(c.Context(), u.Name)
	if err != nil {
		return createAccessKeyResult{}, err
	}
	return createAccessKeyResult{AccessKey: xmlAccessKey{UserName: k.UserName, AccessKeyID: k.ID, Status: k.Status,
		SecretAccessKey: k.Secret, CreateDate: isoTime(k.Created)}}, nil
}

type listAccessKeysResult struct {
	AccessKeyMetadata xmlMembers[xmlAccessKey] `xml:"AccessKeyMetadata"`
	IsTruncated       bool                     `xml:"IsTruncated"`
	Marker            string                   `xml:"Marker,omitempty"`
}

func (a *API) listAccessKeys(c *awsapi.Call, in *userPagesIn) (listAccessKeysResult, error) {
	if rootCaller(c.Context(), in.UserName) {
		return listAccessKeysResult{AccessKeyMetadata: xmlMembers[xmlAccessKey]{Member: []xmlAccessKey{
			{AccessKeyID: a.keys.Root().AccessKeyID, Status: "Active"}}}}, nil
	}
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return listAccessKeysResult{}, err
	}
	keys, err := a.store.UserAccessKeys(c.Context(), u.Name)
	if err != nil {
		return listAccessKeysResult{}, err
	}
	keys, marker, err := page(keys, in.Marker, in.MaxItems)
	if err != nil {
		return listAccessKeysResult{}, err
	}
	res := listAccessKeysResult{IsTruncated: marker != "", Marker: marker}
	res.AccessKeyMetadata.Member = []xmlAccessKey{}
	for _, k := range keys {
		res.AccessKeyMetadata.Member = append(res.AccessKeyMetadata.Member,
			xmlAccessKey{UserName: k.UserName, AccessKeyID: k.ID, Status: k.Status, CreateDate: isoTime(k.Created)})
	}
	return res, nil
}

func (a *API) updateAccessKey(c *awsapi.Call, in *accessKeyIn) (awsapi.None, error) {
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("AccessKeyId", in.AccessKeyId); err != nil {
		return awsapi.None{}, err
	}
	if err := required("Status", in.Status); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.UpdateAccessKey(c.Context(), u.Name, in.AccessKeyId, in.Status)
}

func (a *API) deleteAccessKey(c *awsapi.Call, in *accessKeyIn) (awsapi.None, error) {
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("AccessKeyId", in.AccessKeyId); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteAccessKey(c.Context(), u.Name, in.AccessKeyId)
}

type xmlKeyLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	ServiceName  string `xml:"ServiceName"`
	Region       string `xml:"Region"`
}

type accessKeyLastUsedResult struct {
	UserName          string         `xml:"UserName"`
	AccessKeyLastUsed xmlKeyLastUsed `xml:"AccessKeyLastUsed"`
}

// getAccessKeyLastUsed answers when and for which service the key last
// signed an authorized request (N/A when never).
func (a *API) getAccessKeyLastUsed(c *awsapi.Call, in *accessKeyOnlyIn) (accessKeyLastUsedResult, error) {
	if err := required("AccessKeyId", in.AccessKeyId); err != nil {
		return accessKeyLastUsedResult{}, err
	}
	k, err := a.store.AccessKey(c.Context(), in.AccessKeyId)
	if errors.Is(err, ErrNoSuchEntity) {
		return accessKeyLastUsedResult{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The Access Key with id %s cannot be found.", in.AccessKeyId)
	}
	if err != nil {
		return accessKeyLastUsedResult{}, err
	}
	used := xmlKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	if !k.LastUsed.IsZero() {
		used = xmlKeyLastUsed{LastUsedDate: isoTime(k.LastUsed), ServiceName: k.LastUsedService, Region: k.LastUsedRegion}
	}
	return accessKeyLastUsedResult{UserName: k.UserName, AccessKeyLastUsed: used}, nil
}

// ---- login profiles ----

type xmlLoginProfile struct {
	UserName              string `xml:"UserName"`
	CreateDate            string `xml:"CreateDate"`
	PasswordResetRequired bool   `xml:"PasswordResetRequired"`
}

type loginProfileResult struct {
	LoginProfile xmlLoginProfile `xml:"LoginProfile"`
}

func checkPassword(pw string) error {
	if len(pw) > 128 {
		return awsapi.NewError(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128")
	}
	return nil
}

// passwordAllowed checks pw against the account's password policy, if it
// has one.
func (a *API) passwordAllowed(ctx context.Context, pw string) error {
	p, err := a.store.GetPasswordPolicy(ctx)
	if errors.Is(err, ErrNoSuchEntity) {
		return nil
	}
	if err != nil {
		return err
	}
	if v := p.passwordViolation(pw); v != "" {
		return awsapi.NewError(http.StatusBadRequest, "PasswordPolicyViolation", v)
	}
	return nil
}

func (a *API) createLoginProfile(c *awsapi.Call, in *loginIn) (loginProfileResult, error) {
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return loginProfileResult{}, err
	}
	if err := required("Password", in.Password); err != nil {
		return loginProfileResult{}, err
	}
	if err := checkPassword(in.Password); err != nil {
		return loginProfileResult{}, err
	}
	if err := a.passwordAllowed(c.Context(), in.Password); err != nil {
		return loginProfileResult{}, err
	}
	lp := &LoginProfile{Created: a.store.now().UTC(), ResetRequired: in.PasswordResetRequired != nil && *in.PasswordResetRequired}
	u, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error {
		if u.Login != nil {
			return awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "Login Profile for user %s already exists.", u.Name)
		}
		u.Login = lp
		return nil
	})
	if err != nil {
		return loginProfileResult{}, err
	}
	return loginProfileResult{LoginProfile: xmlLoginProfile{UserName: u.Name, CreateDate: isoTime(lp.Created), PasswordResetRequired: lp.ResetRequired}}, nil
}

func noLoginProfile(user string) error {
	return awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Login Profile for User %s cannot be found.", user)
}

func (a *API) getLoginProfile(c *awsapi.Call, in *loginIn) (loginProfileResult, error) {
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return loginProfileResult{}, err
	}
	if u.Login == nil {
		return loginProfileResult{}, noLoginProfile(u.Name)
	}
	return loginProfileResult{LoginProfile: xmlLoginProfile{UserName: u.Name, CreateDate: isoTime(u.Login.Created), PasswordResetRequired: u.Login.ResetRequired}}, nil
}

func (a *API) updateLoginProfile(c *awsapi.Call, in *loginIn) (awsapi.None, error) {
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := checkPassword(in.Password); err != nil {
		return awsapi.None{}, err
	}
	if in.Password != "" {
		if err := a.passwordAllowed(c.Context(), in.Password); err != nil {
			return awsapi.None{}, err
		}
	}
	_, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error {
		if u.Login == nil {
			return noLoginProfile(u.Name)
		}
		if in.PasswordResetRequired != nil {
			u.Login.ResetRequired = *in.PasswordResetRequired
		}
		return nil
	})
	return awsapi.None{}, err
}

func (a *API) deleteLoginProfile(c *awsapi.Call, in *loginIn) (awsapi.None, error) {
	u, err := a.keyUser(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error {
		if u.Login == nil {
			return noLoginProfile(u.Name)
		}
		u.Login = nil
		return nil
	})
	return awsapi.None{}, err
}

// ---- user policies ----

func (a *API) putUserPolicy(c *awsapi.Call, in *userPolicyIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyDocument", in.PolicyDocument); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.PutUserPolicy(c.Context(), u.Name, in.PolicyName, in.PolicyDocument)
}

type getUserPolicyResult struct {
	UserName       string `xml:"UserName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func (a *API) getUserPolicy(c *awsapi.Call, in *userPolicyIn) (getUserPolicyResult, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return getUserPolicyResult{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return getUserPolicyResult{}, err
	}
	doc, ok := u.Inline[in.PolicyName]
	if !ok {
		return getUserPolicyResult{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The user policy with name %s cannot be found.", in.PolicyName)
	}
	return getUserPolicyResult{UserName: u.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

func (a *API) listUserPolicies(c *awsapi.Call, in *userPagesIn) (listRolePoliciesResult, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return listRolePoliciesResult{}, err
	}
	return listNames(u.InlineNames(), in.Marker, in.MaxItems)
}

func listNames(names []string, marker string, maxItems int32) (listRolePoliciesResult, error) {
	names, next, err := page(names, marker, maxItems)
	if err != nil {
		return listRolePoliciesResult{}, err
	}
	res := listRolePoliciesResult{IsTruncated: next != "", Marker: next}
	res.PolicyNames.Member = append([]string{}, names...)
	return res, nil
}

func (a *API) deleteUserPolicy(c *awsapi.Call, in *userPolicyIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error {
		if _, ok := u.Inline[in.PolicyName]; !ok {
			return awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The user policy with name %s cannot be found.", in.PolicyName)
		}
		delete(u.Inline, in.PolicyName)
		return nil
	})
	return awsapi.None{}, err
}

// attachable is the managed policy an Attach names, or IAM's NoSuchEntity.
func (a *API) attachable(ctx context.Context, arn string) error {
	if err := required("PolicyArn", arn); err != nil {
		return err
	}
	if _, err := a.store.GetPolicy(ctx, arn); err != nil {
		if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
			return awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
		}
		return err
	}
	return nil
}

func (a *API) attachUserPolicy(c *awsapi.Call, in *userAttachIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := a.attachable(c.Context(), in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error {
		return attach(&u.Attached, in.PolicyArn, maxAttachedUser, "PoliciesPerUser")
	})
	return awsapi.None{}, err
}

func (a *API) detachUserPolicy(c *awsapi.Call, in *userAttachIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error { return detach(&u.Attached, in.PolicyArn) })
	return awsapi.None{}, err
}

func (a *API) listAttachedUserPolicies(c *awsapi.Call, in *userPagesIn) (listAttachedResult, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return listAttachedResult{}, err
	}
	return a.listAttached(c.Context(), u.Attached, in.PathPrefix, in.Marker, in.MaxItems)
}

// listAttached pages a list of attached managed policies, those under
// pathPrefix.
func (a *API) listAttached(ctx context.Context, arns []string, pathPrefix, marker string, maxItems int32) (listAttachedResult, error) {
	var keep []string
	for _, arn := range arns {
		if pathPrefix != "" {
			if p, err := a.store.GetPolicy(ctx, arn); err == nil && !strings.HasPrefix(p.Path, pathPrefix) {
				continue
			}
		}
		keep = append(keep, arn)
	}
	keep, next, err := page(keep, marker, maxItems)
	if err != nil {
		return listAttachedResult{}, err
	}
	res := listAttachedResult{IsTruncated: next != "", Marker: next}
	res.AttachedPolicies.Member = []xmlAttached{}
	for _, arn := range keep {
		res.AttachedPolicies.Member = append(res.AttachedPolicies.Member, xmlAttached{PolicyName: arn[strings.LastIndexByte(arn, '/')+1:], PolicyArn: arn})
	}
	return res, nil
}

func (a *API) putUserPermissionsBoundary(c *awsapi.Call, in *userBoundaryIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := a.attachable(c.Context(), in.PermissionsBoundary); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error {
		u.Boundary = in.PermissionsBoundary
		return nil
	})
	return awsapi.None{}, err
}

func (a *API) deleteUserPermissionsBoundary(c *awsapi.Call, in *userBoundaryIn) (awsapi.None, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.ModifyUser(c.Context(), u.Name, func(u *User) error {
		u.Boundary = ""
		return nil
	})
	return awsapi.None{}, err
}

func (a *API) listGroupsForUser(c *awsapi.Call, in *userPagesIn) (listGroupsResult, error) {
	u, err := a.user(c.Context(), in.UserName)
	if err != nil {
		return listGroupsResult{}, err
	}
	var groups []Group
	for _, name := range u.Groups {
		if g, err := a.store.GetGroup(c.Context(), name); err == nil {
			groups = append(groups, g)
		}
	}
	return pageGroups(groups, in.Marker, in.MaxItems)
}

// checkName is IAM's validation of a name parameter (field as the request
// spells it, "UserName"), with its message.
func checkName(field, value string, max int) error {
	if value == "" {
		return required(field, "")
	}
	if len(value) > max {
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", value, lowerFirst(field), max)
	}
	if validName(field, value, max) != nil {
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", value, lowerFirst(field))
	}
	return nil
}
