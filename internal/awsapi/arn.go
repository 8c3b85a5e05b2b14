package awsapi

import (
	"fmt"
	"strings"
)

// Default region and account id; both are configurable on nubo serve.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "000000000000"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, AccountID, Resource string
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// ParseARN parses "arn:partition:service:region:account:resource".
func ParseARN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, fmt.Errorf("invalid ARN %q", s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], AccountID: parts[4], Resource: parts[5]}, nil
}

// Account is where resources live: the region and account id in their ARNs.
type Account struct {
	Region string
	ID     string
}

// ARN builds an ARN in this account for service and resource.
func (a Account) ARN(service, resource string) string {
	return ARN{Partition: "aws", Service: service, Region: a.Region, AccountID: a.ID, Resource: resource}.String()
}

// FunctionARN is arn:aws:lambda:REGION:ACCOUNT:function:NAME.
func (a Account) FunctionARN(name string) string { return a.ARN("lambda", "function:"+name) }
