package functions

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// GetResourcePolicy, PutResourcePolicy and DeleteResourcePolicy: a
// function's resource-based policy as one document, named by the function's
// ARN (qualified or not: a function has one policy, which covers its
// versions and aliases). It is the same policy AddPermission writes and
// nubo enforces (PolicyStore), so PutResourcePolicy takes the statements
// AddPermission can express: Allow, one lambda: action, a Principal of "*",
// an account, an AWS ARN or a service, and the conditions AddPermission
// sets (AWS:SourceArn, AWS:SourceAccount, aws:PrincipalOrgID,
// lambda:EventSourceToken, lambda:FunctionUrlAuthType,
// lambda:InvokedViaFunctionUrl). Other statements are refused, naming what
// nubo cannot hold. RevisionId is the policy's revision in the backbone.

type resourcePolicyRef struct {
	ResourceArn string `aws:"uri=ResourceArn" json:"-"`
	RevisionId  string `aws:"querystring=RevisionId" json:"-"`
}

type putResourcePolicyInput struct {
	ResourceArn string `aws:"uri=ResourceArn" json:"-"`
	Policy      string `json:"Policy"`
	RevisionId  string `json:"RevisionId"`
}

type resourcePolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionId string `json:"RevisionId"`
}

// policyResource resolves the function a resource policy call names by
// its full ARN; the function (version, alias) must exist.
func (a *lambdaAPI) policyResource(c *awsapi.Call, raw string) (string, error) {
	arn, err := awsapi.ParseARN(raw)
	if err != nil || arn.Service != "lambda" || !strings.HasPrefix(arn.Resource, "function:") || strings.Contains(raw, "*") {
		return "", validationErr("resourceArn", "'"+raw+"'", "Member must be the complete ARN of a Lambda function, version or alias")
	}
	return a.policyFunction(c, raw, "")
}

func (a *lambdaAPI) checkPolicyRevision(name, want string) error {
	if want == "" {
		return nil
	}
	if strconv.FormatUint(a.policies.Revision(name), 10) != want {
		return awsapi.NewError(http.StatusPreconditionFailed, "PreconditionFailedException", "The RevisionId provided does not match the latest RevisionId for the Lambda function or alias. Call the GetResourcePolicy API to retrieve the latest RevisionId for your resource.")
	}
	return nil
}

func (a *lambdaAPI) getResourcePolicy(c *awsapi.Call, in *resourcePolicyRef) (resourcePolicyOutput, error) {
	name, err := a.policyResource(c, in.ResourceArn)
	if err != nil {
		return resourcePolicyOutput{}, err
	}
	doc, err := a.policies.Policy(name)
	if errors.Is(err, ErrPolicyNotFound) {
		return resourcePolicyOutput{}, awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	if err != nil {
		return resourcePolicyOutput{}, err
	}
	return resourcePolicyOutput{Policy: string(doc), RevisionId: strconv.FormatUint(a.policies.Revision(name), 10)}, nil
}

func (a *lambdaAPI) putResourcePolicy(c *awsapi.Call, in *putResourcePolicyInput) (resourcePolicyOutput, error) {
	name, err := a.policyResource(c, in.ResourceArn)
	if err != nil {
		return resourcePolicyOutput{}, err
	}
	if strings.TrimSpace(in.Policy) == "" {
		return resourcePolicyOutput{}, validationErr("policy", "null", "Member must not be null")
	}
	perms, err := permissionsOf(in.Policy)
	if err != nil {
		return resourcePolicyOutput{}, err
	}
	if err := a.checkPolicyRevision(name, in.RevisionId); err != nil {
		return resourcePolicyOutput{}, err
	}
	if err := a.policies.ReplacePermissions(c.Context(), name, perms); err != nil {
		return resourcePolicyOutput{}, err
	}
	return a.getResourcePolicy(c, &resourcePolicyRef{ResourceArn: in.ResourceArn})
}

func (a *lambdaAPI) deleteResourcePolicy(c *awsapi.Call, in *resourcePolicyRef) (awsapi.None, error) {
	name, err := a.policyResource(c, in.ResourceArn)
	if err != nil {
		return awsapi.None{}, err
	}
	if _, err := a.policies.Policy(name); errors.Is(err, ErrPolicyNotFound) {
		return awsapi.None{}, awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	if err := a.checkPolicyRevision(name, in.RevisionId); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.policies.ReplacePermissions(c.Context(), name, nil)
}

// policyDoc is the part of a policy document PutResourcePolicy reads.
type policyDoc struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal json.RawMessage              `json:"Principal"`
	Action    json.RawMessage              `json:"Action"`
	Resource  json.RawMessage              `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition"`
}

func policyInvalid(format string, args ...any) error {
	return awsapi.InvalidParameter("The policy is not valid: "+format, args...)
}

// oneString reads a JSON string or a list of exactly one string.
func oneString(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil && len(l) == 1 {
		return l[0], true
	}
	return "", false
}

// permissionsOf reads a policy document into the Permissions it grants.
func permissionsOf(doc string) ([]Permission, error) {
	var d policyDoc
	dec := json.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return nil, policyInvalid("%v", err)
	}
	if len(d.Statement) == 0 {
		return nil, policyInvalid("it has no Statement")
	}
	var out []Permission
	seen := map[string]bool{}
	for i, st := range d.Statement {
		where := "Statement " + strconv.Itoa(i)
		if st.Sid == "" || seen[st.Sid] {
			return nil, policyInvalid("%s: each statement needs a unique Sid", where)
		}
		seen[st.Sid] = true
		if st.Effect != "Allow" {
			return nil, policyInvalid("%s: nubo holds Allow statements only (Effect %q)", where, st.Effect)
		}
		action, ok := oneString(st.Action)
		if !ok {
			return nil, policyInvalid("%s: Action must be one lambda: action", where)
		}
		p := Permission{Sid: st.Sid, Action: action}
		if p.Principal, ok = principalOf(st.Principal); !ok {
			return nil, policyInvalid("%s: Principal must be \"*\", {\"AWS\": ...} or {\"Service\": ...} with one value", where)
		}
		for op, kv := range st.Condition {
			for k, v := range kv {
				switch strings.ToLower(op + " " + k) {
				case "arnlike aws:sourcearn", "arnequals aws:sourcearn":
					p.SourceARN = v
				case "stringequals aws:sourceaccount":
					p.SourceAccount = v
				case "stringequals aws:principalorgid":
					p.PrincipalOrgID = v
				case "stringequals lambda:eventsourcetoken":
					p.EventSourceToken = v
				case "stringequals lambda:functionurlauthtype":
					p.FunctionURLAuthType = v
				case "bool lambda:invokedviafunctionurl":
					p.InvokedViaFunctionURL = v == "true"
				default:
					return nil, policyInvalid("%s: nubo does not hold the condition %s %s", where, op, k)
				}
			}
		}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// principalOf reads a statement's Principal as Permission.Principal.
func principalOf(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return "", false
	}
	for k, v := range m {
		p, ok := oneString(v)
		if !ok || (k != "AWS" && k != "Service") {
			return "", false
		}
		if k == "AWS" {
			if acct, found := strings.CutPrefix(p, "arn:aws:iam::"); found && strings.HasSuffix(acct, ":root") {
				return strings.TrimSuffix(acct, ":root"), true
			}
		}
		return p, true
	}
	return "", false
}
