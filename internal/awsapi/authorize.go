package awsapi

import (
	"context"
	"net/http"
)

// Authorizer decides whether the caller of a request may perform an action on
// a resource. Services call it after decoding a request and before acting:
//
//	if err := awsapi.Authorize(ctx, s.authz, awsapi.AuthzRequest{
//		Service: "lambda", Action: "lambda:InvokeFunction", Resource: fnARN,
//		ResourcePolicy: fn.Policy, HTTP: r,
//	}); err != nil {
//		awsapi.WriteError(w, r, awsapi.RestJSON, err, log)
//		return
//	}
//
// The error is the service's AccessDenied *Error (code, status and AWS's
// message), ready for WriteError. internal/iam implements it.
type Authorizer interface {
	Authorize(ctx context.Context, req AuthzRequest) error
}

// AuthzRequest is one authorization question.
type AuthzRequest struct {
	// Service is the API's signing name ("lambda", "ssm"); it picks the
	// AccessDenied code and status of a denial.
	Service string
	// Action is the IAM action, "service:Operation" as in AWS's service
	// authorization reference: "lambda:InvokeFunction", "ssm:GetParameter".
	Action string
	// Resource is the resource's ARN; "" or "*" for actions without one.
	Resource string
	// Context holds service-specific condition keys ("lambda:FunctionArn",
	// "s3:prefix"). The authorizer adds the global keys it can derive
	// (aws:PrincipalArn, aws:SecureTransport, aws:SourceIp, aws:CurrentTime,
	// aws:userid, ...); keys set here win.
	Context map[string][]string
	// ResourcePolicy is the resource's resource-based policy document (JSON),
	// e.g. a function's policy built from AddPermission; "" when it has none.
	ResourcePolicy string
	// Principal is the caller; nil means the authenticated principal of ctx.
	Principal *Principal
	// ServicePrincipal, when set, is an AWS service acting on its own behalf
	// ("apigateway.amazonaws.com" invoking a function for a route): only the
	// resource-based policy can allow it. Set aws:SourceArn and
	// aws:SourceAccount in Context.
	ServicePrincipal string
	// HTTP is the request being served, if any (aws:SourceIp, aws:SecureTransport).
	HTTP *http.Request
	// CalledVia lists the services that made this request on the caller's
	// behalf, first to last ("cloudformation.amazonaws.com" creating a
	// stack's function): aws:CalledVia, aws:CalledViaFirst/Last, and
	// aws:ViaAWSService true.
	CalledVia []string
	// RequestTags are the tags the request sets (aws:RequestTag/KEY and
	// aws:TagKeys); ResourceTags those the resource has (aws:ResourceTag/KEY).
	RequestTags  map[string]string
	ResourceTags map[string]string
}

// Authorize asks a; a nil Authorizer allows everything (nubo serve --iam off).
func Authorize(ctx context.Context, a Authorizer, req AuthzRequest) error {
	if a == nil {
		return nil
	}
	return a.Authorize(ctx, req)
}

// AccessDenied is the error a service answers a denied request with: the
// code and status its SDK expects (Lambda: AccessDeniedException 403; IAM,
// STS, SQS, S3: AccessDenied 403; SNS: AuthorizationError 403; the JSON 1.x
// services: AccessDeniedException 400).
func AccessDenied(service, message string) *Error {
	switch service {
	case "iam", "sts", "sqs", "s3":
		return NewError(http.StatusForbidden, "AccessDenied", message)
	case "sns":
		return NewError(http.StatusForbidden, "AuthorizationError", message)
	case "ssm", "dynamodb", "events", "states", "logs", "secretsmanager", "kms", "xray", "kinesis", "scheduler":
		return NewError(http.StatusBadRequest, "AccessDeniedException", message)
	}
	return NewError(http.StatusForbidden, "AccessDeniedException", message)
}
