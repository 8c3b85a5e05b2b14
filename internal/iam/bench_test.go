package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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
		// IAM's quotas (10,240 characters of inline policy per role, 6,144 per
		// managed policy) mean 100 statements come in managed policies of 10.
		var attached []string
		for i := 0; i < len(stmts); i += 10 {
			p, err := st.CreatePolicy(ctx, PolicyInput{Name: fmt.Sprintf("%s-%d", role, i),
				Document: `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts[i:min(i+10, len(stmts))], ",") + `]}`})
			if err != nil {
				b.Fatal(err)
			}
			attached = append(attached, p.ARN)
		}
		if _, err := st.PutRole(ctx, RoleInput{Name: role, TrustPolicy: lambdaTrust, Attached: attached}); err != nil {
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
			durs := make([]time.Duration, 0, 1<<16)
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				if err := az.Authorize(rctx, req); err != nil {
					b.Fatal(err)
				}
				if len(durs) < cap(durs) {
					durs = append(durs, time.Since(start))
				}
			}
			slices.Sort(durs)
			if len(durs) > 0 {
				b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
				b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
			}
		})
	}
}
