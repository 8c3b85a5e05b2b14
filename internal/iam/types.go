package iam

import (
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Role is an IAM role: who may assume it (TrustPolicy) and what its sessions
// may do (inline and attached policies, limited by Boundary).
type Role struct {
	Name               string            `json:"name"`
	Path               string            `json:"path"`
	ID                 string            `json:"id"` // AROA...
	ARN                string            `json:"arn"`
	Created            time.Time         `json:"created"`
	Description        string            `json:"description,omitempty"`
	MaxSessionDuration int32             `json:"maxSessionDuration"`
	TrustPolicy        string            `json:"trustPolicy"`
	Boundary           string            `json:"boundary,omitempty"` // policy ARN
	Tags               []Tag             `json:"tags,omitempty"`
	Inline             map[string]string `json:"inline,omitempty"`   // policy name -> document
	Attached           []string          `json:"attached,omitempty"` // managed policy ARNs
}

// InlineNames returns the role's inline policy names, sorted.
func (r *Role) InlineNames() []string {
	names := make([]string, 0, len(r.Inline))
	for n := range r.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Tag is a key/value tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ManagedPolicy is a standalone policy with versions: customer managed (in
// the store) or AWS managed (built in).
type ManagedPolicy struct {
	Name           string          `json:"name"`
	Path           string          `json:"path"`
	ID             string          `json:"id"` // ANPA...
	ARN            string          `json:"arn"`
	Description    string          `json:"description,omitempty"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
	DefaultVersion string          `json:"defaultVersion"`
	Versions       []PolicyVersion `json:"versions"`
	Tags           []Tag           `json:"tags,omitempty"`
	AWSManaged     bool            `json:"-"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string    `json:"id"` // v1, v2, ...
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

// Document returns the default version's document.
func (p *ManagedPolicy) Document() string {
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersion {
			return v.Document
		}
	}
	return ""
}

// RoleInput describes a role declaratively: what CreateRole takes, and what
// an AWS::IAM::Role provider passes to PutRole.
type RoleInput struct {
	Name               string
	Path               string // default "/"
	TrustPolicy        string // AssumeRolePolicyDocument
	Description        string
	MaxSessionDuration int32  // seconds; default 3600
	Boundary           string // permissions boundary policy ARN
	Tags               []Tag
	// Inline and Attached are applied by PutRole (CreateRole ignores them, as
	// the IAM API does).
	Inline   map[string]string
	Attached []string
}

// PolicyInput describes a customer managed policy.
type PolicyInput struct {
	Name        string
	Path        string // default "/"
	Document    string
	Description string
	Tags        []Tag
}

// RoleARN is arn:aws:iam::ACCOUNT:role{path}{name}.
func RoleARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":role" + path + name
}

// PolicyARN is arn:aws:iam::ACCOUNT:policy{path}{name}.
func PolicyARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":policy" + path + name
}

// RoleNameFromARN returns the role name of a role ARN (the last path segment).
func RoleNameFromARN(arn string) (string, bool) {
	a, err := awsapi.ParseARN(arn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return "", false
	}
	res := a.Resource[len("role/"):]
	name := res[strings.LastIndexByte(res, '/')+1:]
	return name, name != ""
}

// SessionARN is the ARN a role session calls as:
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func SessionARN(roleARN, session string) string {
	a, _ := awsapi.ParseARN(roleARN)
	name, _ := RoleNameFromARN(roleARN)
	return "arn:aws:sts::" + a.AccountID + ":assumed-role/" + name + "/" + session
}

// SessionPrincipal is the principal to issue credentials for when a function
// (session = its name) or an AssumeRole caller acts as a role:
//
//	creds, err := keys.Issue(iam.SessionPrincipal(fn.Role, fn.Name), 15*time.Minute)
func SessionPrincipal(roleARN, session string) awsapi.Principal {
	return awsapi.Principal{ARN: SessionARN(roleARN, session), RoleARN: roleARN, Session: session}
}
