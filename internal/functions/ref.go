package functions

import (
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// foreignARN returns the function ARN that ref (a FunctionName as Lambda
// takes it) names when it names another account or region than this
// server's, and "" when it names this one (or is a plain name). nubo holds
// one account in one region: a function elsewhere is never one of its own.
func (a *lambdaAPI) foreignARN(ref string) string {
	account, region := "", ""
	switch {
	case strings.HasPrefix(ref, "arn:"):
		arn, err := awsapi.ParseARN(ref)
		if err != nil {
			return ""
		}
		account, region = arn.AccountID, arn.Region
	case strings.Contains(ref, ":function:"):
		account, _, _ = strings.Cut(ref, ":function:")
	default:
		return ""
	}
	if region == "" {
		region = a.s.account.Region
	}
	if account == a.s.account.ID && region == a.s.account.Region {
		return ""
	}
	name, _, _ := parseFunctionRef(ref)
	return awsapi.ARN{Partition: "aws", Service: "lambda", Region: region, AccountID: account, Resource: "function:" + name}.String()
}

// refuseForeignCreate is Lambda's answer to CreateFunction of a function
// ARN in another account (no account may create functions in another) or
// another region.
func (a *lambdaAPI) refuseForeignCreate(r *http.Request, ref string) error {
	arn := a.foreignARN(ref)
	if arn == "" {
		return nil
	}
	parsed, _ := awsapi.ParseARN(arn)
	if parsed.AccountID != a.s.account.ID {
		who := "anonymous"
		if p, ok := awsapi.PrincipalFrom(r.Context()); ok && p.ARN != "" {
			who = p.ARN
		}
		return awsapi.AccessDenied("lambda", "User: "+who+" is not authorized to perform: lambda:CreateFunction on resource: "+arn+
			" because no resource-based policy allows the lambda:CreateFunction action")
	}
	return invalidf("FunctionName %s is in region %s: this endpoint creates functions in %s", ref, parsed.Region, a.s.account.Region)
}
