package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// esmRow measures an event source mapping: SendMessage → the function
// (bench/fn/esmping, warm, its mapping's pollers waiting in a long poll)
// posts the record's body back to this process. One message at a time.
func esmRow(ctx context.Context, env *benchEnv, n *nubo, c *sqs.Client, tb *table, trips int) error {
	pings := make(chan string, 16)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		pings <- string(b)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ic := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(n.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := ic.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("bench"), PolicyName: aws.String("sqs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)}); err != nil {
		return fmt.Errorf("role policy: %w", err)
	}
	if err := n.deploy(ctx, env, "esmping", "esmping"); err != nil {
		return err
	}
	if _, err := n.lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("esmping"),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"PING_URL": "http://" + ln.Addr().String()}}}); err != nil {
		return err
	}
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-esm")})
	if err != nil {
		return err
	}
	if _, err := n.lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("esmping"),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:bench-esm"), BatchSize: aws.Int32(1)}); err != nil {
		return err
	}
	var s sample
	for i := -1; i < trips; i++ { // the first trip warms the instance
		body := strconv.Itoa(i)
		start := time.Now()
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			return err
		}
		for got := ""; got != body; {
			select {
			case got = <-pings:
			case <-time.After(30 * time.Second):
				return fmt.Errorf("message %s never reached the function", body)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if i >= 0 {
			s = append(s, time.Since(start))
		}
	}
	tb.add("ESM: SendMessage → function sees the record: p50", ms(s.pct(50)), "-", "-")
	tb.add("ESM: SendMessage → function sees the record: p99", ms(s.pct(99)), "-", "-")
	return nil
}
