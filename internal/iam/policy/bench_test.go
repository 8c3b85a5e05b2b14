package policy

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkEvaluate_SameService is the worst case for the service index:
// 100 statements all about ssm, the request allowed by the last one.
func BenchmarkEvaluate_SameService(b *testing.B) {
	stmts := make([]string, 0, 100)
	for i := 0; i < 99; i++ {
		stmts = append(stmts, allow([]string{fmt.Sprintf("ssm:GetParameter%d", i), "ssm:PutParameter"}, fmt.Sprintf("arn:aws:ssm:us-east-1:111122223333:parameter/p%d/*", i)))
	}
	stmts = append(stmts, allow("ssm:GetParameter", "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"))
	c, err := Compile("bench", []byte(pol(strings.Join(stmts, ","))))
	if err != nil {
		b.Fatal(err)
	}
	ps := &Policies{Identity: []*Compiled{c}}
	req := rq("ssm:GetParameter", "arn:aws:ssm:us-east-1:111122223333:parameter/app/db-url")
	b.ReportAllocs()
	for b.Loop() {
		if !Evaluate(ps, &req).Allowed {
			b.Fatal("denied")
		}
	}
}

// BenchmarkEvaluate measures one authorization against compiled policies with
// 1, 10 and 100 statements, the request allowed by the last statement (the
// worst case: every statement is tried).
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			stmts := make([]string, 0, n)
			for i := 0; i < n-1; i++ {
				switch i % 3 {
				case 0:
					stmts = append(stmts, allow([]string{fmt.Sprintf("sqs:Send%d*", i), "sqs:ReceiveMessage"}, fmt.Sprintf("arn:aws:sqs:us-east-1:111122223333:queue-%d", i)))
				case 1:
					stmts = append(stmts, allow(fmt.Sprintf("dynamodb:Get%d", i), fmt.Sprintf("arn:aws:dynamodb:*:111122223333:table/t%d/*", i), cond("StringEquals", "aws:SourceAccount", acct)))
				default:
					stmts = append(stmts, deny(fmt.Sprintf("s3:Delete%d", i), bucket+"/*"))
				}
			}
			stmts = append(stmts, allow([]string{"ssm:GetParameter", "ssm:GetParameters"}, "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"))
			c, err := Compile("bench", []byte(pol(strings.Join(stmts, ","))))
			if err != nil {
				b.Fatal(err)
			}
			ps := &Policies{Identity: []*Compiled{c}}
			req := rq("ssm:GetParameter", "arn:aws:ssm:us-east-1:111122223333:parameter/app/db-url", "aws:SecureTransport=true")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if !Evaluate(ps, &req).Allowed {
					b.Fatal("denied")
				}
			}
		})
	}
}
