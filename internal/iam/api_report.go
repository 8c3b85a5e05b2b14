package iam

import (
	"context"
	"encoding/json"
	"errors"
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

// Admin returns the API of nubo's own IAM operations:
//
//	UsageReport {roleName} -> UsageReport
//
// authorized as iam:GenerateServiceLastAccessedDetails on the role (what
// IAM Access Analyzer's "last accessed" needs on AWS), with IAM's
// AccessDenied.
func (a *API) Admin() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:      AdminServiceName,
		Protocol:     awsapi.JSON,
		TargetPrefix: strings.TrimSuffix(AdminTargetPrefix, "."),
		AuthzService: "iam",
		Authorizer:   a.authz,
		Logger:       a.log,
		DecodeJSON: func(body []byte, v any) error {
			if json.Unmarshal(body, v) != nil {
				return usageReportUsage()
			}
			return nil
		},
		MaxBody:      1 << 20,
		BodyTooLarge: func(int64) error { return usageReportUsage() },
		Ops: []awsapi.Declared{
			awsapi.Op[UsageReportRequest, UsageReport]{Name: "UsageReport", Action: "iam:GenerateServiceLastAccessedDetails",
				Resources: func(c *awsapi.Call, in *UsageReportRequest) ([]awsapi.Target, error) {
					role, err := a.reportRole(c.Context(), in)
					if err != nil {
						return nil, err
					}
					return []awsapi.Target{{Resource: role.ARN}}, nil
				},
				Handler: func(c *awsapi.Call, in *UsageReportRequest) (UsageReport, error) {
					if _, err := a.reportRole(c.Context(), in); err != nil {
						return UsageReport{}, err
					}
					return a.authz.Report(c.Context(), in.RoleName)
				}},
		},
	})
}

// reportRole is the role a usage report is asked for.
func (a *API) reportRole(ctx context.Context, in *UsageReportRequest) (Role, error) {
	if in.RoleName == "" {
		return Role{}, usageReportUsage()
	}
	role, err := a.store.GetRole(ctx, in.RoleName)
	if errors.Is(err, ErrNoSuchEntity) {
		return Role{}, awsapi.NewError(http.StatusNotFound, "NoSuchEntity", "The role with name "+in.RoleName+" cannot be found.")
	}
	return role, err
}

func usageReportUsage() error {
	return awsapi.ValidationError("UsageReport takes {\"roleName\": NAME}")
}
