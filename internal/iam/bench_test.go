package iam

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// BenchmarkAuthorize is the cost per request through the Authorizer (cached
// compiled policies, context building, evaluation, usage record) with 1, 10
// and 100 statements attached to the caller's role.
func BenchmarkAuthorize(b *testing.B) {
	bb := backbonetest.New(b)
	ctx := context.Background()
	st, err := New(Options{Backbone: bb, Account: awsapi.Account{Region: "us-east-1", ID: testAccount}})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close(ctx) })
	az, err := NewAuthorizer(AuthorizerOptions{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 10, 100} {
		role := fmt.Sprintf("bench%d", n)
		stmts := make([]string, 0, n)
		for i := 0; i < n-1; i++ {
			stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["sqs:Send%d*","sqs:ReceiveMessage"],"Resource":"arn:aws:sqs:us-east-1:000000000000:queue-%d"}`, i, i))
		}
		stmts = append(stmts, `{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:us-east-1:000000000000:parameter/app/*"}`)
		if _, err := st.PutRole(ctx, RoleInput{Name: role, TrustPolicy: lambdaTrust,
			Inline: map[string]string{"p": `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`}}); err != nil {
			b.Fatal(err)
		}
		p := SessionPrincipal(RoleARN(testAccount, "/", role), "fn")
		rctx := awsapi.WithPrincipal(ctx, p)
		req := awsapi.AuthzRequest{Service: "ssm", Action: "ssm:GetParameter", Resource: "arn:aws:ssm:us-east-1:000000000000:parameter/app/db"}
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			if err := az.Authorize(rctx, req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := az.Authorize(rctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
