// Package iam is nubo's identity and access management: roles and managed
// policies durable in JetStream (store.go), the AWS managed policies and SAM
// policy templates templates use (managed.go, samtemplates.go), the
// Authorizer every service calls after SigV4 (authorizer.go) with a record of
// the permissions each role used (usage.go), and the IAM and STS query APIs
// (api_iam.go, api_sts.go).
//
// Read authorizer.go first: it is the seam services use. The policy language
// and AWS's evaluation logic are in the policy subpackage.
package iam
