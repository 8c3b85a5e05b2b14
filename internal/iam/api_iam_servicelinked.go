package iam

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	serviceLinkedIn struct {
		AWSServiceName, Description, CustomSuffix, RoleName string
	}
	deletionStatusIn struct{ DeletionTaskId string }
)

// deletionTask is a DeleteServiceLinkedRole task: nubo deletes the role at
// once, so each task has SUCCEEDED when it is recorded.
type deletionTask struct {
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

func deletionTaskKey(id string) string { return "slrtasks." + keyPart(id) }

type deleteServiceLinkedResult struct {
	DeletionTaskID string `xml:"DeletionTaskId"`
}

type deletionStatusResult struct {
	Status string `xml:"Status"`
}

// serviceRoleNames are the role names of services whose name is not their
// principal's first label, capitalised.
var serviceRoleNames = map[string]string{
	"autoscaling":          "AutoScaling",
	"ecs":                  "ECS",
	"elasticloadbalancing": "ElasticLoadBalancing",
	"rds":                  "RDS",
	"elasticbeanstalk":     "ElasticBeanstalk",
	"cloudformation":       "CloudFormationStackSetsOrgAdmin",
	"lambda":               "Lambda",
	"apigateway":           "APIGateway",
	"ssm":                  "AmazonSSM",
	"dynamodb":             "DynamoDBReplication",
	"elasticache":          "ElastiCache",
	"es":                   "AmazonElasticsearchService",
	"eks":                  "AmazonEKS",
	"organizations":        "Organizations",
	"support":              "Support",
	"trustedadvisor":       "TrustedAdvisor",
}

// serviceLinkedName is the role CreateServiceLinkedRole makes for service
// (a principal such as "autoscaling.amazonaws.com").
func serviceLinkedName(service, suffix string) (string, error) {
	label, ok := strings.CutSuffix(service, ".amazonaws.com")
	if !ok || label == "" || strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
		return "", awsapi.Errorf(http.StatusBadRequest, "InvalidInput", "Service role name %s is not a valid AWS service principal.", service)
	}
	first, _, _ := strings.Cut(label, ".")
	name, ok := serviceRoleNames[first]
	if !ok {
		name = strings.ToUpper(first[:1]) + first[1:]
	}
	name = "AWSServiceRoleFor" + name
	if suffix != "" {
		name += "_" + suffix
	}
	if err := validName("role name", name, 64); err != nil {
		return "", err
	}
	return name, nil
}

func (a *API) serviceLinkedOps() []awsapi.Declared {
	return []awsapi.Declared{
		awsapi.Op[serviceLinkedIn, roleResult]{Name: "CreateServiceLinkedRole", Action: "iam:CreateServiceLinkedRole",
			Resources: func(c *awsapi.Call, in *serviceLinkedIn) ([]awsapi.Target, error) {
				name, _ := serviceLinkedName(in.AWSServiceName, in.CustomSuffix)
				return a.target(c.Context(), RoleARN(a.store.account.ID, "/aws-service-role/"+in.AWSServiceName+"/", name), nil,
					condition("iam:AWSServiceName", in.AWSServiceName)), nil
			},
			Handler: a.createServiceLinkedRole},
		awsapi.Op[serviceLinkedIn, deleteServiceLinkedResult]{Name: "DeleteServiceLinkedRole", Action: "iam:DeleteServiceLinkedRole",
			Resources: func(c *awsapi.Call, in *serviceLinkedIn) ([]awsapi.Target, error) {
				return a.roleTarget(c.Context(), in.RoleName, "", nil, nil), nil
			},
			Handler: a.deleteServiceLinkedRole},
		awsapi.Op[deletionStatusIn, deletionStatusResult]{Name: "GetServiceLinkedRoleDeletionStatus", Action: "iam:GetServiceLinkedRoleDeletionStatus",
			Resources: func(c *awsapi.Call, in *deletionStatusIn) ([]awsapi.Target, error) {
				// task/aws-service-role/SERVICE/ROLE/ID names the role.
				arn := "*"
				if parts := strings.Split(in.DeletionTaskId, "/"); len(parts) == 5 && parts[0] == "task" {
					arn = RoleARN(a.store.account.ID, "/"+parts[1]+"/"+parts[2]+"/", parts[3])
				}
				return a.target(c.Context(), arn, nil, nil), nil
			},
			Handler: a.getServiceLinkedRoleDeletionStatus},
	}
}

func (a *API) createServiceLinkedRole(c *awsapi.Call, in *serviceLinkedIn) (roleResult, error) {
	if err := required("AWSServiceName", in.AWSServiceName); err != nil {
		return roleResult{}, err
	}
	r, err := a.store.CreateServiceLinkedRole(c.Context(), in.AWSServiceName, in.CustomSuffix, in.Description)
	if err != nil {
		return roleResult{}, err
	}
	return roleResult{Role: toXMLRole(r)}, nil
}

// CreateServiceLinkedRole creates the role service (a principal such as
// "autoscaling.amazonaws.com") is linked to, trusted by that service only.
func (s *Store) CreateServiceLinkedRole(ctx context.Context, service, suffix, description string) (Role, error) {
	name, err := serviceLinkedName(service, suffix)
	if err != nil {
		return Role{}, err
	}
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":[%q]},"Action":["sts:AssumeRole"]}]}`, service)
	r, err := s.CreateRole(ctx, RoleInput{Name: name, Path: "/aws-service-role/" + service + "/", TrustPolicy: trust, Description: description})
	if errors.Is(err, ErrEntityExists) {
		return Role{}, awsapi.Errorf(http.StatusBadRequest, "InvalidInput", "Service role name %s has been taken in this account, please try a different suffix.", name)
	}
	return r, err
}

func (a *API) deleteServiceLinkedRole(c *awsapi.Call, in *serviceLinkedIn) (deleteServiceLinkedResult, error) {
	ctx := c.Context()
	r, err := a.role(ctx, in.RoleName)
	if err != nil {
		return deleteServiceLinkedResult{}, err
	}
	service, ok := strings.CutPrefix(r.Path, "/aws-service-role/")
	if !ok {
		return deleteServiceLinkedResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "Role %s is not a service-linked role.", r.Name)
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	h := hex.EncodeToString(id[:])
	task := deletionTask{ID: "task/aws-service-role/" + strings.TrimSuffix(service, "/") + "/" + r.Name + "/" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:],
		Status: "SUCCEEDED", Created: a.store.now().UTC()}
	if err := a.store.DeleteRole(ctx, r.Name, true); err != nil {
		return deleteServiceLinkedResult{}, err
	}
	if err := a.store.create(ctx, deletionTaskKey(task.ID), task); err != nil {
		return deleteServiceLinkedResult{}, err
	}
	return deleteServiceLinkedResult{DeletionTaskID: task.ID}, nil
}

func (a *API) getServiceLinkedRoleDeletionStatus(c *awsapi.Call, in *deletionStatusIn) (deletionStatusResult, error) {
	if err := required("DeletionTaskId", in.DeletionTaskId); err != nil {
		return deletionStatusResult{}, err
	}
	var t deletionTask
	if _, err := a.store.get(c.Context(), deletionTaskKey(in.DeletionTaskId), &t); err != nil {
		if errors.Is(err, ErrNoSuchEntity) {
			return deletionStatusResult{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Deletion task %s cannot be found.", in.DeletionTaskId)
		}
		return deletionStatusResult{}, err
	}
	return deletionStatusResult{Status: t.Status}, nil
}
