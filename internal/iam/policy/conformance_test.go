package policy

import "testing"

// Resources the cases use.
const (
	fnARN    = "arn:aws:lambda:us-east-1:111122223333:function:f"
	paramARN = "arn:aws:ssm:us-east-1:111122223333:parameter/x"
	queueARN = "arn:aws:sqs:us-east-1:111122223333:q"
	xQueue   = "arn:aws:sqs:us-east-1:444455556666:q"
	tableARN = "arn:aws:dynamodb:us-east-1:111122223333:table/Books"
	bucket   = "arn:aws:s3:::amzn-s3-demo-bucket"
)

const (
	AI = AllowedByIdentity
	AR = AllowedByResource
	DI = ExplicitDenyIdentity
	DR = ExplicitDenyResource
	DB = ExplicitDenyBoundary
	NI = NoIdentityAllow
	NR = NoResourceAllow
	NB = NoBoundaryAllow
	DS = ExplicitDenySession
	NS = NoSessionAllow
)

// Principal elements for resource-based policies.
const (
	pSession = `{"AWS":"arn:aws:sts::111122223333:assumed-role/R/S"}`
	pRole    = `{"AWS":"arn:aws:iam::111122223333:role/R"}`
	pAcct    = `{"AWS":"111122223333"}`
	pRoot    = `{"AWS":"arn:aws:iam::111122223333:root"}`
	pOther   = `{"AWS":"arn:aws:iam::444455556666:role/Other"}`
	pAll     = `"*"`
	pAPIGW   = `{"Service":"apigateway.amazonaws.com"}`
	pS3      = `{"Service":"s3.amazonaws.com"}`
)

// TestConformance_Evaluation covers "Policy evaluation logic", "Cross-account
// policy evaluation logic" and "Permissions boundaries for IAM entities".
func TestConformance_Evaluation(t *testing.T) {
	const sec = "Policy evaluation logic: "
	const xa = "Cross-account policy evaluation logic: "
	const pb = "Permissions boundaries for IAM entities: "
	get := rq("ssm:GetParameter", paramARN)
	runConformance(t, []conformanceCase{
		{name: sec + "by default all requests are implicitly denied", req: get, want: NI},
		{name: sec + "an identity-based Allow allows", id: []string{pol(allow("ssm:GetParameter", paramARN))}, req: get, want: AI},
		{name: sec + "an Allow for another action is an implicit deny", id: []string{pol(allow("ssm:PutParameter", paramARN))}, req: get, want: NI},
		{name: sec + "an Allow for another resource is an implicit deny", id: []string{pol(allow("ssm:GetParameter", paramARN+"2"))}, req: get, want: NI},
		{name: sec + "an explicit deny overrides an allow in the same policy", id: []string{pol(allow("ssm:*", "*"), deny("ssm:GetParameter", paramARN))}, req: get, want: DI},
		{name: sec + "an explicit deny overrides an allow in another policy", id: []string{pol(allow("*", "*")), pol(deny("ssm:GetParameter", "*"))}, req: get, want: DI},
		{name: sec + "statement order does not matter: deny first", id: []string{pol(deny("ssm:GetParameter", paramARN), allow("ssm:GetParameter", paramARN))}, req: get, want: DI},
		{name: sec + "a deny for another action does not affect the request", id: []string{pol(allow("ssm:*", "*"), deny("ssm:PutParameter", "*"))}, req: get, want: AI},
		{name: sec + "a deny whose condition is false does not deny", id: []string{pol(allow("ssm:*", "*"), deny("ssm:*", "*", cond("Bool", "aws:SecureTransport", "false")))}, req: rq("ssm:GetParameter", paramARN, "aws:SecureTransport=true"), want: AI},
		{name: sec + "a deny whose condition is true denies", id: []string{pol(allow("ssm:*", "*"), deny("ssm:*", "*", cond("Bool", "aws:SecureTransport", "false")))}, req: rq("ssm:GetParameter", paramARN, "aws:SecureTransport=false"), want: DI},
		{name: sec + "an allow whose condition is false is an implicit deny", id: []string{pol(allow("ssm:*", "*", cond("StringEquals", "aws:SourceAccount", acct)))}, req: rq("ssm:GetParameter", paramARN, "aws:SourceAccount=999999999999"), want: NI},
		{name: sec + "an empty statement list allows nothing", id: []string{`{"Version":"2012-10-17","Statement":[]}`}, req: get, want: NI},
		{name: sec + "a resource-based policy naming the role allows within the account", rp: []string{pol(rpStmt("Allow", pRole, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: AR},
		{name: sec + "a resource-based policy naming the session allows within the account", rp: []string{pol(rpStmt("Allow", pSession, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: AR},
		// "Principal: AWS account principals": naming an account delegates to the account's IAM policies.
		{name: sec + "a resource-based policy naming the account delegates: alone it does not allow", rp: []string{pol(rpStmt("Allow", pAcct, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: NI},
		{name: sec + "a resource-based policy naming the account root ARN delegates: alone it does not allow", rp: []string{pol(rpStmt("Allow", pRoot, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: NI},
		{name: sec + "a resource-based policy naming the account plus an identity allow allows", id: []string{pol(allow("lambda:InvokeFunction", "*"))}, rp: []string{pol(rpStmt("Allow", pRoot, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: AI},
		{name: sec + "identity allow or resource allow is enough within an account (union)", id: []string{pol(allow("lambda:GetFunction", fnARN))}, rp: []string{pol(rpStmt("Allow", pRole, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:GetFunction", fnARN), want: AI},
		{name: sec + "a resource-based policy for another principal does not allow", rp: []string{pol(rpStmt("Allow", pOther, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: NI},
		{name: sec + "an explicit deny in a resource-based policy overrides an identity allow", id: []string{pol(allow("lambda:*", "*"))}, rp: []string{pol(rpStmt("Deny", pAll, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: DR},
		{name: sec + "an explicit deny in an identity policy overrides a resource-based allow", id: []string{pol(deny("lambda:InvokeFunction", "*"))}, rp: []string{pol(rpStmt("Allow", pRole, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: DI},
		{name: sec + "a resource-based deny for another principal does not deny", id: []string{pol(allow("lambda:*", "*"))}, rp: []string{pol(rpStmt("Deny", pOther, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: AI},
		{name: sec + "a service principal is allowed only by a resource-based policy", rp: []string{pol(rpStmt("Allow", pAPIGW, "lambda:InvokeFunction", fnARN))}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN), want: AR},
		{name: sec + "a service principal without a resource-based policy is denied", req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN), want: NR},
		{name: sec + "a resource-based policy for another service does not allow", rp: []string{pol(rpStmt("Allow", pS3, "lambda:InvokeFunction", fnARN))}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN), want: NR},
		{name: sec + "a service principal's aws:SourceArn condition must match", rp: []string{pol(rpStmt("Allow", pAPIGW, "lambda:InvokeFunction", fnARN, cond("ArnLike", "aws:SourceArn", "arn:aws:execute-api:us-east-1:111122223333:api1/*")))}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN, "aws:SourceArn=arn:aws:execute-api:us-east-1:111122223333:api2/GET/x"), want: NR},
		{name: sec + "a service principal's matching aws:SourceArn allows", rp: []string{pol(rpStmt("Allow", pAPIGW, "lambda:InvokeFunction", fnARN, cond("ArnLike", "aws:SourceArn", "arn:aws:execute-api:us-east-1:111122223333:api1/*")))}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN, "aws:SourceArn=arn:aws:execute-api:us-east-1:111122223333:api1/GET/x"), want: AR},
		{name: sec + "Principal * in a resource-based policy allows any principal", rp: []string{pol(rpStmt("Allow", pAll, "sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: AR},
		{name: sec + "Principal {AWS: *} allows any principal", rp: []string{pol(rpStmt("Allow", `{"AWS":"*"}`, "sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: AR},
		{name: sec + "a resource-based statement without a Principal never applies", rp: []string{pol(allow("sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: NI},
		{name: sec + "identity policies ignore Principal checks: statements apply to the attached identity", id: []string{pol(allow("sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: AI},

		{name: xa + "cross-account access needs the identity policy to allow", rp: []string{pol(rpStmt("Allow", pRole, "sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: NI},
		{name: xa + "cross-account access needs the resource policy to allow", id: []string{pol(allow("sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: NR},
		{name: xa + "cross-account access is allowed when both allow", id: []string{pol(allow("sqs:SendMessage", xQueue))}, rp: []string{pol(rpStmt("Allow", pRole, "sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: AR},
		{name: xa + "cross-account trust in the account root allows when the identity allows", id: []string{pol(allow("sqs:*", "*"))}, rp: []string{pol(rpStmt("Allow", pRoot, "sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: AR},
		{name: xa + "a deny in the other account's resource policy wins", id: []string{pol(allow("sqs:*", "*"))}, rp: []string{pol(rpStmt("Allow", pRole, "sqs:*", xQueue), rpStmt("Deny", pAll, "sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: DR},
		{name: xa + "the boundary still limits cross-account access", id: []string{pol(allow("sqs:*", "*"))}, pb: pol(allow("s3:*", "*")), rp: []string{pol(rpStmt("Allow", pRole, "sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: NB},
		{name: xa + "AWS managed policies (pseudo-account aws) are not another account", id: []string{pol(allow("iam:GetPolicy", "*"))}, req: rq("iam:GetPolicy", "arn:aws:iam::aws:policy/AdministratorAccess"), want: AI},
		{name: xa + "resources without an account in the ARN are same-account", id: []string{pol(allow("s3:ListBucket", bucket))}, req: rq("s3:ListBucket", bucket), want: AI},

		{name: pb + "effective permissions are the intersection of identity policy and boundary", id: []string{pol(allow("ssm:*", "*"))}, pb: pol(allow("ssm:GetParameter", "*")), req: get, want: AI},
		{name: pb + "an action outside the boundary is denied even if the identity allows", id: []string{pol(allow("ssm:*", "*"))}, pb: pol(allow("ssm:GetParameter", "*")), req: rq("ssm:PutParameter", paramARN), want: NB},
		{name: pb + "a boundary alone grants nothing", pb: pol(allow("*", "*")), req: get, want: NI},
		{name: pb + "an explicit deny in the boundary denies", id: []string{pol(allow("*", "*"))}, pb: pol(allow("*", "*"), deny("ssm:GetParameter", "*")), req: get, want: DB},
		{name: pb + "session policies limit identity allows like a boundary", id: []string{pol(allow("*", "*"))}, req: rq("ssm:GetParameter", paramARN), want: NS, sess: []string{pol(allow("s3:*", "*"))}},
		{name: pb + "session policies allow inside them", id: []string{pol(allow("*", "*"))}, req: rq("s3:GetObject", bucket+"/k"), want: AI, sess: []string{pol(allow("s3:*", "*"))}},
		{name: pb + "several session policies: one allowing is enough", id: []string{pol(allow("*", "*"))}, req: rq("sqs:SendMessage", queueARN), want: AI, sess: []string{pol(allow("s3:*", "*")), pol(allow("sqs:*", "*"))}},
		{name: pb + "an explicit deny in a session policy denies", id: []string{pol(allow("*", "*"))}, req: rq("s3:GetObject", bucket+"/k"), want: DS, sess: []string{pol(allow("*", "*"), deny("s3:*", "*"))}},
		{name: pb + "a session policy does not limit a resource-based policy naming the session", rp: []string{pol(rpStmt("Allow", pSession, "sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: AR, sess: []string{pol(allow("s3:*", "*"))}},
		{name: pb + "a session policy limits a resource-based policy naming the role", rp: []string{pol(rpStmt("Allow", pRole, "sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: NS, sess: []string{pol(allow("s3:*", "*"))}},
		{name: pb + "a boundary limits a resource-based policy naming the role", pb: pol(allow("s3:*", "*")), rp: []string{pol(rpStmt("Allow", pRole, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: NB},
		{name: pb + "a boundary does not limit a resource-based policy naming the session", pb: pol(allow("s3:*", "*")), rp: []string{pol(rpStmt("Allow", pSession, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: AR},
		{name: pb + "a boundary resource restriction applies", id: []string{pol(allow("s3:GetObject", "*"))}, pb: pol(allow("s3:GetObject", bucket+"/public/*")), req: rq("s3:GetObject", bucket+"/private/a"), want: NB},
		{name: pb + "a boundary resource restriction allows inside it", id: []string{pol(allow("s3:GetObject", "*"))}, pb: pol(allow("s3:GetObject", bucket+"/public/*")), req: rq("s3:GetObject", bucket+"/public/a"), want: AI},
		{name: pb + "a boundary does not apply to service principals", pb: pol(allow("s3:*", "*")), rp: []string{pol(rpStmt("Allow", pAPIGW, "lambda:InvokeFunction", fnARN))}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN), want: AR},
		// "Permissions boundaries for IAM entities" (and "NotPrincipal"): a resource-based Deny with NotPrincipal always denies a principal that has a boundary, whatever NotPrincipal names.
		{name: pb + "a resource-based Deny with NotPrincipal naming the session denies a principal with a boundary", id: []string{pol(allow("*", "*"))}, pb: pol(allow("*", "*")), rp: []string{pol(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:sts::111122223333:assumed-role/R/S","arn:aws:iam::111122223333:role/R","arn:aws:iam::111122223333:root"]},"Action":"sqs:*","Resource":"*"}`)}, req: rq("sqs:SendMessage", queueARN), want: DR},
		{name: pb + "a resource-based Deny with NotPrincipal naming the session spares it without a boundary", id: []string{pol(allow("*", "*"))}, rp: []string{pol(`{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:sts::111122223333:assumed-role/R/S","arn:aws:iam::111122223333:role/R","arn:aws:iam::111122223333:root"]},"Action":"sqs:*","Resource":"*"}`)}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: pb + "a resource-based Deny with NotPrincipal does not deny a service principal for a boundary", pb: pol(allow("*", "*")), rp: []string{pol(rpStmt("Allow", pAPIGW, "lambda:InvokeFunction", fnARN), `{"Effect":"Deny","NotPrincipal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:*","Resource":"*"}`)}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN), want: AR},
		{name: pb + "a boundary with conditions is evaluated with the request context", id: []string{pol(allow("*", "*"))}, pb: pol(allow("*", "*", cond("StringEquals", "aws:RequestedRegion", "us-east-1"))), req: rq("ssm:GetParameter", paramARN, "aws:RequestedRegion=eu-west-1"), want: NB},
	})
}
