package functions

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// AddPermission, GetPolicy and RemovePermission on the Lambda API: the
// function's resource-based policy, the same statements
// AWS::Lambda::Permission writes (PolicyStore).

type addPermissionBody struct {
	FunctionName          string `aws:"uri=FunctionName" json:"-"`
	Qualifier             string `aws:"querystring=Qualifier" json:"-"`
	StatementID           string `json:"StatementId"`
	Action                string `json:"Action"`
	Principal             string `json:"Principal"`
	SourceArn             string `json:"SourceArn"`
	SourceAccount         string `json:"SourceAccount"`
	EventSourceToken      string `json:"EventSourceToken"`
	PrincipalOrgID        string `json:"PrincipalOrgID"`
	FunctionURLAuthType   string `json:"FunctionUrlAuthType"`
	InvokedViaFunctionURL bool   `json:"InvokedViaFunctionUrl"`
	RevisionID            string `json:"RevisionId"`
}

// authz adds AddPermission's body condition keys (lambda:Principal,
// lambda:FunctionUrlAuthType).
func (in *addPermissionBody) authz(action string, t *awsapi.Target) {
	t.Context = conditionKeys(action, nil, in.FunctionURLAuthType, in.Principal)
}

// policyFunction resolves the function of a policy request; it (and the
// version or alias a Qualifier names) must exist. A function has one
// policy, which covers its versions and aliases.
func (a *lambdaAPI) policyFunction(c *awsapi.Call, raw, q string) (string, error) {
	name, qual, err := a.resolveRef(raw, q)
	if err != nil {
		return "", err
	}
	if _, err := a.s.GetVersion(c.Context(), name, qual); err != nil {
		return "", a.notFound(name, err)
	}
	return name, nil
}

type addPermissionOutput struct {
	Statement string `json:"Statement"`
}

func (a *lambdaAPI) addPermission(c *awsapi.Call, in *addPermissionBody) (addPermissionOutput, error) {
	name, err := a.policyFunction(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return addPermissionOutput{}, err
	}
	if in.StatementID == "" || in.Action == "" || in.Principal == "" {
		return addPermissionOutput{}, awsapi.Errorf(http.StatusBadRequest, "ValidationException", "StatementId, Action and Principal are required")
	}
	if _, err := a.policies.Permission(name, in.StatementID); err == nil {
		return addPermissionOutput{}, awsapi.NewError(http.StatusConflict, "ResourceConflictException",
			fmt.Sprintf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementID))
	}
	p := Permission{Sid: in.StatementID, Action: in.Action, Principal: in.Principal, SourceARN: in.SourceArn,
		SourceAccount: in.SourceAccount, EventSourceToken: in.EventSourceToken, PrincipalOrgID: in.PrincipalOrgID,
		FunctionURLAuthType: in.FunctionURLAuthType, InvokedViaFunctionURL: in.InvokedViaFunctionURL}
	if err := a.policies.AddPermission(c.Context(), name, p); err != nil {
		return addPermissionOutput{}, err
	}
	stmt, err := json.Marshal(p.statement(a.s.account.FunctionARN(name)))
	if err != nil {
		return addPermissionOutput{}, err
	}
	return addPermissionOutput{Statement: string(stmt)}, nil
}

type getPolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionId string `json:"RevisionId"`
}

func (a *lambdaAPI) getPolicy(c *awsapi.Call, in *fnRef) (getPolicyOutput, error) {
	name, err := a.policyFunction(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return getPolicyOutput{}, err
	}
	doc, err := a.policies.Policy(name)
	if errors.Is(err, ErrPolicyNotFound) {
		return getPolicyOutput{}, awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	if err != nil {
		return getPolicyOutput{}, err
	}
	return getPolicyOutput{Policy: string(doc), RevisionId: newRevisionID()}, nil
}

type removePermissionInput struct {
	FunctionName string `aws:"uri=FunctionName" json:"-"`
	Qualifier    string `aws:"querystring=Qualifier" json:"-"`
	StatementId  string `aws:"uri=StatementId" json:"-"`
}

func (a *lambdaAPI) removePermission(c *awsapi.Call, in *removePermissionInput) (awsapi.None, error) {
	name, err := a.policyFunction(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return awsapi.None{}, err
	}
	err = a.policies.RemovePermission(c.Context(), name, in.StatementId)
	if errors.Is(err, ErrPolicyNotFound) {
		return awsapi.None{}, awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException",
			"Statement "+strings.TrimSpace(in.StatementId)+" is not found in resource policy.")
	}
	return awsapi.None{}, err
}
