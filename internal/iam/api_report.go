package iam

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// nubo's own IAM operations, for `nubo iam report`: a signed JSON service on
// the edge (signing name "nubo-iam"), X-Amz-Target "NuboIAM.<Operation>".
const (
	AdminServiceName  = "nubo-iam"
	AdminTargetPrefix = "NuboIAM."
)

// UsageReportRequest asks for the usage report of one role.
type UsageReportRequest struct {
	RoleName string `json:"roleName"`
}

// Admin returns the handler of nubo's own IAM operations:
//
//	UsageReport {roleName} -> UsageReport
//
// authorized as iam:GenerateServiceLastAccessedDetails on the role (what
// IAM Access Analyzer's "last accessed" needs on AWS).
func (a *API) Admin() awsapi.Service {
	return awsapi.Service{
		Name: AdminServiceName, Protocol: awsapi.JSON, Handler: http.HandlerFunc(a.serveAdmin),
		Matches: func(r *http.Request) bool { return strings.HasPrefix(r.Header.Get("X-Amz-Target"), AdminTargetPrefix) },
	}
}

func (a *API) serveAdmin(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { awsapi.WriteError(w, r, awsapi.JSON, err, a.log) }
	op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), AdminTargetPrefix)
	if op != "UsageReport" || r.Method != http.MethodPost {
		fail(awsapi.Errorf(http.StatusBadRequest, "UnknownOperationException", "nubo IAM does not implement %q", op))
		return
	}
	var in UsageReportRequest
	if b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20)); err != nil || json.Unmarshal(b, &in) != nil || in.RoleName == "" {
		fail(awsapi.ValidationError("UsageReport takes {\"roleName\": NAME}"))
		return
	}
	role, err := a.store.GetRole(r.Context(), in.RoleName)
	if err != nil {
		if errors.Is(err, ErrNoSuchEntity) {
			fail(awsapi.NewError(http.StatusNotFound, "NoSuchEntity", "The role with name "+in.RoleName+" cannot be found."))
			return
		}
		fail(awsapi.InternalError(err))
		return
	}
	if err := a.authz.Authorize(r.Context(), awsapi.AuthzRequest{Service: "iam", Action: "iam:GenerateServiceLastAccessedDetails", Resource: role.ARN, HTTP: r}); err != nil {
		fail(err)
		return
	}
	rep, err := a.authz.Report(r.Context(), in.RoleName)
	if err != nil {
		fail(awsapi.InternalError(err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	awsapi.WriteJSON(w, http.StatusOK, rep)
}
