package policy

import (
	"errors"
	"strings"
	"testing"
)

// grammarCases are documents with IAM's verdict: "" accepted, otherwise
// the MalformedPolicyDocument message IAM answers with. The rules and
// messages are those of IAM's policy grammar
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
// and the messages IAM returns for documents that break it.
var grammarCases = []struct {
	name    string
	kind    Kind
	managed bool // CreatePolicy / CreatePolicyVersion
	doc     string
	want    string
}{
	// JSON and the document's structure.
	{"not JSON", Identity, false, `This is not a json document`, MsgInvalidJSON},
	{"truncated", Identity, false, `{"Version":"2012-10-17","Statement":[`, MsgInvalidJSON},
	{"trailing garbage", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}} x`, MsgInvalidJSON},
	{"null", Identity, false, `null`, MsgSyntax},
	{"a list", Identity, false, `[]`, MsgSyntax},
	{"unknown top-level element", Identity, false, `{"Version":"2012-10-17","Foo":1,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"no Statement", Identity, false, `{"Version":"2012-10-17"}`, MsgSyntax},
	{"empty Statement list", Identity, false, `{"Version":"2012-10-17","Statement":[]}`, MsgSyntax},
	{"Statement a string", Identity, false, `{"Version":"2012-10-17","Statement":"x"}`, MsgSyntax},
	{"unknown Version", Identity, false, `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"Version a number", Identity, false, `{"Version":2012,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"Id not a string", Identity, false, `{"Version":"2012-10-17","Id":[1],"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"unknown statement element", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Actions":"x"}}`, MsgSyntax},
	{"statement not an object", Identity, false, `{"Version":"2012-10-17","Statement":["x"]}`, MsgSyntax},
	{"missing Effect", Identity, false, `{"Version":"2012-10-17","Statement":{"Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"Effect neither Allow nor Deny", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"Effect a list", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":["Allow"],"Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"Action and NotAction", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}}`, MsgSyntax},
	{"Resource and NotResource", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}}`, MsgSyntax},
	{"Action an object", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":{"s3":"*"},"Resource":"*"}}`, MsgSyntax},
	{"Resource a number", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":5}}`, MsgSyntax},
	{"Sid a number", Identity, false, `{"Version":"2012-10-17","Statement":{"Sid":1,"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, MsgSyntax},
	{"unknown condition operator", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}}`, MsgSyntax},
	{"Condition a list", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":[]}}`, MsgSyntax},
	{"condition value an object", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":1}}}}}`, MsgSyntax},
	{"unknown principal type", Trust, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Robot":"x"},"Action":"sts:AssumeRole"}}`, MsgSyntax},

	// Version: managed policies need 2012-10-17; inline and trust policies do not.
	{"managed without Version", Identity, true, `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, MsgVersion},
	{"managed 2008-10-17", Identity, true, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, MsgVersion},
	{"inline without Version", Identity, false, `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
	{"trust 2008-10-17", Trust, false, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},

	// Legacy parsing: the exact Effect, date values, ARN shapes.
	{"Effect lower case", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, MsgLegacy},
	{"bad date", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2019-13-01T00:00:00Z"}}}}`, MsgLegacy},
	{"date not a date", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}}`, MsgLegacy},
	{"epoch date", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:EpochTime":"1700000000"}}}}`, ""},
	{"ISO date with offset", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-04-01T00:00:00+02:00"}}}}`, ""},
	{"ARN with too few parts", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3::bucket"}}`, MsgLegacy},

	// Statement ids.
	{"duplicate Sid", Identity, false, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, MsgSidUnique},
	{"Sid with a space", Identity, false, `{"Version":"2012-10-17","Statement":{"Sid":"read all","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, MsgSidAlnum},

	// Actions.
	{"no Action", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`, MsgNoActions},
	{"empty Action list", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, MsgNoActions},
	{"action without a service prefix", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, MsgVendor},
	{"NotAction without a service prefix", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":["s3:GetObject","ListBuckets"],"Resource":"*"}}`, MsgVendor},
	{"action with two colons", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}}`, MsgOneColon},
	{"bad vendor", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3?:GetObject","Resource":"*"}}`, "Vendor s3? is not valid"},
	{"action *", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ""},

	// Resources.
	{"resource not an ARN", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"my-bucket"}}`, `Resource my-bucket must be in ARN format or "*".`},
	{"resource in a bad partition", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws-mars:s3:::bucket"}}`, `Partition "aws-mars" is not valid for resource "arn:aws-mars:s3:::bucket".`},
	{"resource without a vendor", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws"}}`, MsgResourceVendor},
	{"IAM resource with a region", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam:us-east-1:123456789012:role/x"}}`, "IAM resource arn:aws:iam:us-east-1:123456789012:role/x cannot contain region information."},
	{"S3 resource with a region", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:bucket/x"}}`, "Resource arn:aws:s3:us-east-1:123456789012:bucket/x can not contain region information."},
	{"S3 access point with a region", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap"}}`, ""},
	{"IAM resource of an unknown type", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:robot/x"}}`, msgIAMPath},
	{"resource wildcards", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ssm:GetParameter","Resource":["arn:aws:ssm:*:*:parameter/app/*","arn:*:iam::*:role/*"]}}`, ""},
	{"no Resource", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}`, MsgNoResources},
	{"empty Resource list", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":[]}}`, MsgNoResources},

	// Principals: identity policies have none, trust policies need one.
	{"Principal in an identity policy", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, MsgPrincipal},
	{"NotPrincipal in an identity policy", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"*"}}`, MsgPrincipal},
	{"trust policy", Trust, false, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, ""},
	{"trust policy without Principal", Trust, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, MsgNoPrincipal},
	{"trust policy with Resource", Trust, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`, MsgTrustResource},
	{"trust policy granting s3", Trust, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject"}}`, MsgTrustActions},
	{"trust policy with NotAction", Trust, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"NotAction":"s3:*"}}`, MsgTrustActions},
	{"web identity trust", Trust, false, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}}`, ""},

	// Documents IAM accepts.
	{"managed policy", Identity, true, `{"Version":"2012-10-17","Statement":[{"Sid":"Read1","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`, ""},
	{"condition with IfExists and a set operator", Identity, false, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/admin","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]},"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10}}}}`, ""},
}

func TestCheckGrammar(t *testing.T) {
	if len(grammarCases) < 40 {
		t.Fatalf("%d cases; the issue asks for at least 40", len(grammarCases))
	}
	for _, tc := range grammarCases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckGrammar([]byte(tc.doc), GrammarOptions{Kind: tc.kind, RequireVersion2012: tc.managed})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted, IAM answers %q", tc.want)
			case tc.want != "" && err.Error() != tc.want:
				t.Fatalf("message %q, IAM's is %q", err, tc.want)
			case err != nil && !errors.Is(err, ErrMalformed):
				t.Fatalf("%v is not an ErrMalformed", err)
			}
			if tc.want == "" {
				// What the grammar accepts, nubo's evaluator reads.
				p, err := Parse([]byte(tc.doc))
				if err == nil {
					err = p.Validate(tc.kind)
				}
				if err == nil {
					_, err = p.Compile("t")
				}
				if err != nil && !strings.Contains(tc.name, "2008") {
					t.Fatalf("accepted by the grammar but not compiled: %v", err)
				}
			}
		})
	}
}

func FuzzCheckGrammar(f *testing.F) {
	for _, tc := range grammarCases {
		f.Add(tc.doc, int(tc.kind), tc.managed)
	}
	f.Fuzz(func(t *testing.T, doc string, kind int, managed bool) {
		err := CheckGrammar([]byte(doc), GrammarOptions{Kind: Kind((kind%3 + 3) % 3), RequireVersion2012: managed})
		var ge *GrammarError
		if err != nil && (!errors.As(err, &ge) || ge.Message == "") {
			t.Fatalf("%T %v", err, err)
		}
	})
}
