package parameters

import (
	"context"
	"fmt"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// DataTypes SSM accepts for a parameter. nubo keeps the data type as given;
// it does not check that an aws:ec2:image value names an AMI (SSM does
// that asynchronously against EC2, which nubo does not have).
var dataTypes = map[string]bool{"text": true, "aws:ec2:image": true, "aws:ssm:integration": true}

// checkDataType refuses a DataType SSM does not know, in SSM's words.
func checkDataType(dt string) error {
	if !dataTypes[dt] {
		return fmt.Errorf("%w: The following data type is not supported: %s (Data type names are all lowercase.)", ErrInvalid, dt)
	}
	return nil
}

// callerARN is the ARN of whoever made the request in ctx (an SSM
// parameter's LastModifiedUser); a change made by nubo itself (a stack
// deploy without a caller) is the account root's.
func callerARN(ctx context.Context, acct awsapi.Account) string {
	if p, ok := awsapi.PrincipalFrom(ctx); ok && p.ARN != "" {
		return p.ARN
	}
	return "arn:aws:iam::" + acct.ID + ":root"
}
