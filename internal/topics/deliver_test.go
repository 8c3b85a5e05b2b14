package topics

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// TestLambdaEventShape: the payload a lambda subscription receives decodes
// as aws-lambda-go's SNSEvent with every field set.
func TestLambdaEventShape(t *testing.T) {
	s := &Service{opts: Options{Account: awsapi.Account{Region: "us-east-1", ID: "000000000000"}}}
	sub := &Subscription{ID: "abc", Topic: "payments", Protocol: "lambda"}
	at := time.Date(2026, 12, 8, 1, 2, 3, 456e6, time.UTC)
	m := &Message{ID: "m1", Topic: "payments", Subject: "s", Body: "hello", Timestamp: at, BaseURL: "http://127.0.0.1:4566",
		Attributes: map[string]Attribute{"kind": {DataType: "String", StringValue: "paid"}}}
	b, err := json.Marshal(s.lambdaEvent(sub, m))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if len(ev.Records) != 1 {
		t.Fatalf("records = %d", len(ev.Records))
	}
	r := ev.Records[0]
	e := r.SNS
	if r.EventSource != "aws:sns" || r.EventVersion != "1.0" || r.EventSubscriptionArn != "arn:aws:sns:us-east-1:000000000000:payments:abc" ||
		e.Type != "Notification" || e.MessageID != "m1" || e.TopicArn != "arn:aws:sns:us-east-1:000000000000:payments" || e.Subject != "s" ||
		e.Message != "hello" || !e.Timestamp.Equal(at) || e.SignatureVersion != "1" || e.Signature == "" || e.SigningCertURL == "" ||
		e.UnsubscribeURL == "" {
		t.Errorf("event = %+v", r)
	}
	kind, _ := e.MessageAttributes["kind"].(map[string]any)
	if kind["Type"] != "String" || kind["Value"] != "paid" {
		t.Errorf("message attribute kind = %v", e.MessageAttributes["kind"])
	}
}
