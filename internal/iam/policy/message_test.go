package policy

import "testing"

func TestDenialMessage(t *testing.T) {
	get := rq("ssm:GetParameter", paramARN)
	get.Principal = "arn:aws:sts::111122223333:assumed-role/R/F"
	cases := []struct {
		name    string
		ps      Policies
		req     Request
		msg     string
		suggest string
	}{
		{
			name:    "implicit",
			req:     get,
			msg:     "User: arn:aws:sts::111122223333:assumed-role/R/F is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:111122223333:parameter/x because no identity-based policy allows the ssm:GetParameter action",
			suggest: `{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/x"}`,
		},
		{
			name: "explicit deny in a managed policy",
			ps:   Policies{Identity: []*Compiled{mustCompile(t, "arn:aws:iam::111122223333:policy/NoSSM", pol(deny("ssm:*", "*")))}},
			req:  get,
			msg:  "User: arn:aws:sts::111122223333:assumed-role/R/F is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:111122223333:parameter/x with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/NoSSM",
		},
		{
			name: "explicit deny by condition names the key and the request's value",
			ps:   Policies{Identity: []*Compiled{mustCompile(t, "arn:aws:iam::111122223333:policy/NoProd", pol(deny("ssm:*", "*", cond("StringEquals", "aws:PrincipalTag/env", "prod"))))}},
			req:  rq("ssm:GetParameter", paramARN, "aws:PrincipalTag/env=prod"),
			msg:  "User: arn:aws:sts::111122223333:assumed-role/R/S is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:111122223333:parameter/x with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/NoProd (condition StringEquals aws:PrincipalTag/env \"prod\", request value \"prod\")",
		},
		{
			name: "explicit deny by a Null condition names the absent key",
			ps:   Policies{Identity: []*Compiled{mustCompile(t, "i", pol(deny("ssm:*", "*", cond("Null", "aws:SourceVpc", "true"))))}},
			req:  rq("ssm:GetParameter", paramARN),
			msg:  "User: arn:aws:sts::111122223333:assumed-role/R/S is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:111122223333:parameter/x with an explicit deny in an identity-based policy (condition Null aws:SourceVpc \"true\", the key is absent from the request)",
		},
		{
			name:    "boundary",
			ps:      Policies{Identity: []*Compiled{mustCompile(t, "i", pol(allow("*", "*")))}, Boundary: mustCompile(t, "b", pol(allow("s3:*", "*")))},
			req:     get,
			msg:     "User: arn:aws:sts::111122223333:assumed-role/R/F is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:111122223333:parameter/x because no permissions boundary allows the ssm:GetParameter action",
			suggest: `{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/x"}`,
		},
		{
			name:    "no resource",
			req:     rq("sts:GetCallerIdentity", ""),
			msg:     "User: arn:aws:sts::111122223333:assumed-role/R/S is not authorized to perform: sts:GetCallerIdentity because no identity-based policy allows the sts:GetCallerIdentity action",
			suggest: `{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}`,
		},
		{
			name:    "service principal",
			req:     svc("apigateway.amazonaws.com", "lambda:InvokeFunction", fnARN, "aws:SourceArn=arn:aws:execute-api:us-east-1:111122223333:a/*/GET/x"),
			msg:     "User: apigateway.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: " + fnARN + " because no resource-based policy allows the lambda:InvokeFunction action",
			suggest: `{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `","Condition":{"ArnLike":{"aws:SourceArn":["arn:aws:execute-api:us-east-1:111122223333:a/*/GET/x"]}}}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(&tc.ps, &tc.req)
			if d.Allowed {
				t.Fatal("allowed")
			}
			if got := DenialMessage(&tc.req, d); got != tc.msg {
				t.Errorf("message:\n got %s\nwant %s", got, tc.msg)
			}
			s, ok := Suggest(&tc.req, d)
			if ok != (tc.suggest != "") {
				t.Fatalf("suggest ok=%v", ok)
			}
			if ok && s.JSON() != tc.suggest {
				t.Errorf("suggestion:\n got %s\nwant %s", s.JSON(), tc.suggest)
			}
			if ok {
				// The suggestion really allows the request.
				var ps Policies
				switch s.Where {
				case "identity-based policy":
					ps = Policies{Identity: []*Compiled{mustCompile(t, "s", pol(s.JSON()))}}
				case "resource-based policy":
					ps = Policies{Resource: []*Compiled{mustCompile(t, "s", pol(s.JSON()))}}
				case "permissions boundary":
					ps = Policies{Identity: tc.ps.Identity, Boundary: mustCompile(t, "s", pol(s.JSON()))}
				}
				if d := Evaluate(&ps, &tc.req); !d.Allowed {
					t.Errorf("the suggested statement does not allow the request: %s", d.Reason)
				}
			}
		})
	}
}

func mustCompile(t testing.TB, name, doc string) *Compiled {
	t.Helper()
	c, err := Compile(name, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUnmetConditions(t *testing.T) {
	id := mustCompile(t, "i", pol(
		allow("ssm:PutParameter", "*", cond("Bool", "aws:SecureTransport", "false")),
		allow("ssm:GetParameter", paramARN, `"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`)))
	req := rq("ssm:GetParameter", paramARN, "aws:PrincipalTag/team=blue", "aws:SourceIp=127.0.0.1")
	ps := Policies{Identity: []*Compiled{id}}
	d := Evaluate(&ps, &req)
	m, failed, ok := UnmetConditions(&ps, &req, d)
	if !ok || m.Index != 1 || len(failed) != 1 || failed[0].String() != `IpAddress aws:SourceIp "10.0.0.0/8", request value "127.0.0.1"` {
		t.Fatalf("%v %+v %v", ok, m, failed)
	}
	// An absent key is named as absent.
	req = rq("ssm:GetParameter", paramARN, "aws:SourceIp=10.1.2.3")
	d = Evaluate(&ps, &req)
	if _, failed, ok := UnmetConditions(&ps, &req, d); !ok || JoinConditions(failed) != `StringEquals aws:PrincipalTag/team "blue", the key is absent from the request` {
		t.Fatalf("%v %v", ok, failed)
	}
	// No Allow covering the resource: nothing to name.
	req = rq("ssm:GetParameter", paramARN+"2", "aws:SourceIp=127.0.0.1")
	d = Evaluate(&ps, &req)
	if _, _, ok := UnmetConditions(&ps, &req, d); ok {
		t.Fatal("named a statement for another resource")
	}
	// A boundary's Allow whose condition failed.
	ps = Policies{Identity: []*Compiled{mustCompile(t, "i", pol(allow("*", "*")))}, Boundary: mustCompile(t, "b", pol(allow("*", "*", cond("StringEquals", "aws:RequestedRegion", "eu-west-1"))))}
	req = rq("ssm:GetParameter", paramARN, "aws:RequestedRegion=us-east-1")
	d = Evaluate(&ps, &req)
	if _, failed, ok := UnmetConditions(&ps, &req, d); !ok || d.Reason != NoBoundaryAllow || failed[0].Key != "aws:RequestedRegion" {
		t.Fatalf("%v %v %v", ok, d.Reason, failed)
	}
}
