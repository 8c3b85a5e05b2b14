package policy

import "testing"

// TestConformance_Elements covers "IAM JSON policy elements": Action,
// NotAction, Resource, NotResource, Principal, NotPrincipal, Statement.
func TestConformance_Elements(t *testing.T) {
	const act = "IAM JSON policy elements: Action: "
	const nact = "IAM JSON policy elements: NotAction: "
	const res = "IAM JSON policy elements: Resource: "
	const nres = "IAM JSON policy elements: NotResource: "
	const pr = "IAM JSON policy elements: Principal: "
	const npr = "IAM JSON policy elements: NotPrincipal: "
	const stm = "IAM JSON policy elements: Statement: "
	runConformance(t, []conformanceCase{
		{name: act + "* matches every action", id: []string{pol(allow("*", "*"))}, req: rq("dynamodb:GetItem", tableARN), want: AI},
		{name: act + "service:* matches every action of the service", id: []string{pol(allow("dynamodb:*", "*"))}, req: rq("dynamodb:GetItem", tableARN), want: AI},
		{name: act + "service:* does not match another service", id: []string{pol(allow("dynamodb:*", "*"))}, req: rq("sqs:SendMessage", queueARN), want: NI},
		{name: act + "action names are case-insensitive (policy lower case)", id: []string{pol(allow("ssm:getparameter", "*"))}, req: rq("ssm:GetParameter", paramARN), want: AI},
		{name: act + "action names are case-insensitive (policy upper case)", id: []string{pol(allow("SSM:GETPARAMETER", "*"))}, req: rq("ssm:GetParameter", paramARN), want: AI},
		{name: act + "a prefix wildcard matches Get*", id: []string{pol(allow("dynamodb:Get*", "*"))}, req: rq("dynamodb:GetItem", tableARN), want: AI},
		{name: act + "a prefix wildcard does not match Put", id: []string{pol(allow("dynamodb:Get*", "*"))}, req: rq("dynamodb:PutItem", tableARN), want: NI},
		{name: act + "a wildcard in the middle matches", id: []string{pol(allow("iam:*AccessKey*", "*"))}, req: rq("iam:CreateAccessKey", "*"), want: AI},
		{name: act + "a wildcard in the middle needs the literal parts", id: []string{pol(allow("iam:*AccessKey*", "*"))}, req: rq("iam:CreateRole", "*"), want: NI},
		{name: act + "? matches exactly one character", id: []string{pol(allow("s3:?etObject", "*"))}, req: rq("s3:GetObject", bucket+"/a"), want: AI},
		{name: act + "? does not match zero characters", id: []string{pol(allow("s3:?GetObject", "*"))}, req: rq("s3:GetObject", bucket+"/a"), want: NI},
		{name: act + "a list of actions matches any of them", id: []string{pol(allow([]string{"sqs:SendMessage", "sqs:ReceiveMessage"}, "*"))}, req: rq("sqs:ReceiveMessage", queueARN), want: AI},
		{name: act + "a list of actions does not match others", id: []string{pol(allow([]string{"sqs:SendMessage", "sqs:ReceiveMessage"}, "*"))}, req: rq("sqs:DeleteMessage", queueARN), want: NI},
		{name: act + "the service prefix must match exactly", id: []string{pol(allow("s3:GetObject", "*"))}, req: rq("s3x:GetObject", bucket), want: NI},
		{name: act + "a deny with a wildcard action denies", id: []string{pol(allow("*", "*"), deny("ssm:Delete*", "*"))}, req: rq("ssm:DeleteParameter", paramARN), want: DI},

		{name: nact + "Allow with NotAction allows every other action", id: []string{pol(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}, req: rq("ssm:GetParameter", paramARN), want: AI},
		{name: nact + "Allow with NotAction does not allow the listed action", id: []string{pol(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)}, req: rq("iam:CreateRole", "*"), want: NI},
		{name: nact + "Deny with NotAction denies every action not listed", id: []string{pol(allow("*", "*"), `{"Effect":"Deny","NotAction":["ssm:GetParameter"],"Resource":"*"}`)}, req: rq("ssm:PutParameter", paramARN), want: DI},
		{name: nact + "Deny with NotAction does not deny the listed action", id: []string{pol(allow("*", "*"), `{"Effect":"Deny","NotAction":["ssm:GetParameter"],"Resource":"*"}`)}, req: rq("ssm:GetParameter", paramARN), want: AI},
		{name: nact + "NotAction is case-insensitive", id: []string{pol(`{"Effect":"Allow","NotAction":"IAM:*","Resource":"*"}`)}, req: rq("iam:GetRole", "*"), want: NI},
		{name: nact + "NotAction with a resource limits the allow to that resource", id: []string{pol(`{"Effect":"Allow","NotAction":"iam:*","Resource":"` + queueARN + `"}`)}, req: rq("sqs:SendMessage", xQueue), want: NI},

		{name: res + "* matches every resource", id: []string{pol(allow("sqs:SendMessage", "*"))}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: res + "an exact ARN matches", id: []string{pol(allow("sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: res + "resource ARNs are case-sensitive", id: []string{pol(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:Q"))}, req: rq("sqs:SendMessage", queueARN), want: NI},
		{name: res + "a trailing wildcard matches a path", id: []string{pol(allow("s3:GetObject", bucket+"/*"))}, req: rq("s3:GetObject", bucket+"/a/b/c.txt"), want: AI},
		{name: res + "bucket/* does not match the bucket itself", id: []string{pol(allow("s3:ListBucket", bucket+"/*"))}, req: rq("s3:ListBucket", bucket), want: NI},
		{name: res + "a wildcard in the region field matches", id: []string{pol(allow("sqs:SendMessage", "arn:aws:sqs:*:111122223333:q"))}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: res + "a wildcard spans colons and slashes", id: []string{pol(allow("lambda:InvokeFunction", "arn:aws:lambda:*"))}, req: rq("lambda:InvokeFunction", fnARN+":1"), want: AI},
		{name: res + "a function ARN without a qualifier does not match a qualified ARN", id: []string{pol(allow("lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN+":prod"), want: NI},
		{name: res + "function:f* matches qualified ARNs", id: []string{pol(allow("lambda:InvokeFunction", fnARN+"*"))}, req: rq("lambda:InvokeFunction", fnARN+":prod"), want: AI},
		{name: res + "? matches one character in a resource", id: []string{pol(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:?"))}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: res + "? does not match two characters", id: []string{pol(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:?"))}, req: rq("sqs:SendMessage", queueARN+"2"), want: NI},
		{name: res + "a list of resources matches any", id: []string{pol(allow("dynamodb:GetItem", []string{queueARN, tableARN}))}, req: rq("dynamodb:GetItem", tableARN), want: AI},
		{name: res + "a table ARN does not cover its indexes", id: []string{pol(allow("dynamodb:Query", tableARN))}, req: rq("dynamodb:Query", tableARN+"/index/ByAuthor"), want: NI},
		{name: res + "table/index/* covers the indexes", id: []string{pol(allow("dynamodb:Query", tableARN+"/index/*"))}, req: rq("dynamodb:Query", tableARN+"/index/ByAuthor"), want: AI},
		{name: res + "a wildcard in the account field matches any account", id: []string{pol(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:*:q"))}, req: rq("sqs:SendMessage", queueARN), want: AI},

		{name: nres + "Allow with NotResource allows other resources", id: []string{pol(`{"Effect":"Allow","Action":"s3:*","NotResource":"` + bucket + `/secret/*"}`)}, req: rq("s3:GetObject", bucket+"/public/a"), want: AI},
		{name: nres + "Allow with NotResource does not allow the listed resource", id: []string{pol(`{"Effect":"Allow","Action":"s3:*","NotResource":"` + bucket + `/secret/*"}`)}, req: rq("s3:GetObject", bucket+"/secret/a"), want: NI},
		{name: nres + "Deny with NotResource denies everything except the listed resources", id: []string{pol(allow("sqs:*", "*"), `{"Effect":"Deny","Action":"sqs:*","NotResource":["`+queueARN+`"]}`)}, req: rq("sqs:SendMessage", queueARN+"2"), want: DI},
		{name: nres + "Deny with NotResource does not deny the listed resource", id: []string{pol(allow("sqs:*", "*"), `{"Effect":"Deny","Action":"sqs:*","NotResource":["`+queueARN+`"]}`)}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: nres + "NotAction and NotResource combine", id: []string{pol(`{"Effect":"Allow","NotAction":"iam:*","NotResource":"` + queueARN + `"}`)}, req: rq("sqs:SendMessage", queueARN), want: NI},

		{name: pr + "a role ARN principal covers the role's sessions", rp: []string{pol(rpStmt("Allow", pRole, "sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: AR},
		{name: pr + "a role session principal must name the exact session", rp: []string{pol(rpStmt("Allow", `{"AWS":"arn:aws:sts::111122223333:assumed-role/R/Other"}`, "sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: NI},
		{name: pr + "an account id principal covers every principal in the account (cross-account)", id: []string{pol(allow("sqs:*", "*"))}, rp: []string{pol(rpStmt("Allow", pAcct, "sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: AR},
		{name: pr + "another account's id does not cover this principal", id: []string{pol(allow("sqs:*", "*"))}, rp: []string{pol(rpStmt("Allow", `{"AWS":"444455556666"}`, "sqs:SendMessage", xQueue))}, req: rq("sqs:SendMessage", xQueue), want: NR},
		{name: pr + "a list of principals matches any", rp: []string{pol(rpStmt("Allow", `{"AWS":["arn:aws:iam::444455556666:role/X","arn:aws:iam::111122223333:role/R"]}`, "sqs:SendMessage", queueARN))}, req: rq("sqs:SendMessage", queueARN), want: AR},
		{name: pr + "a service principal matches the service", rp: []string{pol(rpStmt("Allow", `{"Service":["s3.amazonaws.com","apigateway.amazonaws.com"]}`, "lambda:InvokeFunction", fnARN))}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN), want: AR},
		{name: pr + "a service principal does not cover IAM principals", rp: []string{pol(rpStmt("Allow", pAPIGW, "lambda:InvokeFunction", fnARN))}, req: rq("lambda:InvokeFunction", fnARN), want: NI},
		{name: pr + "an AWS principal does not cover a service", rp: []string{pol(rpStmt("Allow", pAcct, "lambda:InvokeFunction", fnARN))}, req: svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN), want: NR},
		{name: pr + "Principal * covers services too", rp: []string{pol(rpStmt("Allow", pAll, "lambda:InvokeFunction", fnARN))}, req: svc("events.amazonaws.com", "lambda:InvokeFunction", fnARN), want: AR},

		{name: npr + "Deny with NotPrincipal denies everyone else", id: []string{pol(allow("*", "*"))}, rp: []string{pol(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"sqs:*","Resource":"*"}`)}, req: rq("sqs:SendMessage", queueARN), want: DR},
		{name: npr + "Deny with NotPrincipal spares the named principal", id: []string{pol(allow("*", "*"))}, rp: []string{pol(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/R"},"Action":"sqs:*","Resource":"*"}`)}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: npr + "Allow with NotPrincipal allows everyone else", rp: []string{pol(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"sqs:*","Resource":"*"}`)}, req: rq("sqs:SendMessage", queueARN), want: AR},

		{name: stm + "a single statement object instead of a list", id: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: stm + "single string values instead of lists", id: []string{`{"Version":"2012-10-17","Statement":[{"Sid":"One","Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + queueARN + `"}]}`}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: stm + "a policy without Version uses 2008-10-17", id: []string{`{"Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`}, req: rq("sqs:SendMessage", queueARN), want: AI},
		{name: stm + "several policies: one allow is enough", id: []string{pol(allow("s3:*", "*")), pol(allow("sqs:SendMessage", "*"))}, req: rq("sqs:SendMessage", queueARN), want: AI},
	})
}
