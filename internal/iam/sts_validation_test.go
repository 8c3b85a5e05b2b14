package iam

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// AssumeRole names the constraint a role session name breaks, in STS's
// words: its length limits, then its pattern.
func TestSTS_RoleSessionNameValidation(t *testing.T) {
	h := newHarness(t, Enforce)
	mustRole(t, h, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)
	for _, tc := range []struct{ session, want string }{
		{strings.Repeat("s", 65), "Member must have length less than or equal to 64"},
		{"s", "Member must have length greater than or equal to 2"},
		{"no spaces", "Member must satisfy regular expression pattern"},
	} {
		_, err := h.sts(h.root()).AssumeRole(context.Background(), &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::000000000000:role/ops"), RoleSessionName: aws.String(tc.session)})
		if msg := apiError(t, err, "ValidationError"); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "'roleSessionName'") {
			t.Fatalf("%q: %s, want %q", tc.session, msg, tc.want)
		}
	}
}
