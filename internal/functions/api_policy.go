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

// policyFunction resolves the function of a policy request; it (and the
// version or alias a Qualifier names) must exist. A function has one
// policy, which covers its versions and aliases.
func (a *lambdaAPI) policyFunction(r *http.Request) (string, error) {
	name, qual, err := a.refQ(r)
	if err != nil {
		return "", err
	}
	if _, err := a.s.GetVersion(r.Context(), name, qual); err != nil {
		return "", a.notFound(name, err)
	}
	return name, nil
}

func (a *lambdaAPI) addPermission(w http.ResponseWriter, r *http.Request) error {
	name, err := a.policyFunction(r)
	if err != nil {
		return err
	}
	var in addPermissionBody
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.StatementID == "" || in.Action == "" || in.Principal == "" {
		return awsapi.Errorf(http.StatusBadRequest, "ValidationException", "StatementId, Action and Principal are required")
	}
	if _, err := a.policies.Permission(name, in.StatementID); err == nil {
		return awsapi.NewError(http.StatusConflict, "ResourceConflictException",
			fmt.Sprintf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementID))
	}
	p := Permission{Sid: in.StatementID, Action: in.Action, Principal: in.Principal, SourceARN: in.SourceArn,
		SourceAccount: in.SourceAccount, EventSourceToken: in.EventSourceToken, PrincipalOrgID: in.PrincipalOrgID,
		FunctionURLAuthType: in.FunctionURLAuthType, InvokedViaFunctionURL: in.InvokedViaFunctionURL}
	if err := a.policies.AddPermission(r.Context(), name, p); err != nil {
		return err
	}
	stmt, err := json.Marshal(p.statement(a.s.account.FunctionARN(name)))
	if err != nil {
		return err
	}
	awsapi.WriteJSON(w, http.StatusCreated, map[string]string{"Statement": string(stmt)})
	return nil
}

func (a *lambdaAPI) getPolicy(w http.ResponseWriter, r *http.Request) error {
	name, err := a.policyFunction(r)
	if err != nil {
		return err
	}
	doc, err := a.policies.Policy(name)
	if errors.Is(err, ErrPolicyNotFound) {
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	if err != nil {
		return err
	}
	awsapi.WriteJSON(w, http.StatusOK, map[string]string{"Policy": string(doc), "RevisionId": newRevisionID()})
	return nil
}

func (a *lambdaAPI) removePermission(w http.ResponseWriter, r *http.Request) error {
	name, err := a.policyFunction(r)
	if err != nil {
		return err
	}
	sid := r.PathValue("StatementId")
	err = a.policies.RemovePermission(r.Context(), name, sid)
	if errors.Is(err, ErrPolicyNotFound) {
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException",
			"Statement "+strings.TrimSpace(sid)+" is not found in resource policy.")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
