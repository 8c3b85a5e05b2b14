package platform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// awsCLI runs Debian's AWS CLI v2 (which speaks SQS's query protocol)
// against p and decodes its JSON output into out.
func awsCLI(t *testing.T, p *Platform, out any, args ...string) {
	t.Helper()
	cmd := exec.Command("/usr/bin/aws", append([]string{"--endpoint-url", p.EndpointURL(), "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+DefaultAccessKey, "AWS_SECRET_ACCESS_KEY="+DefaultSecretKey,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	b, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
}

// TestSQSQueryProtocolCLI: AWS CLI v2.9 (query protocol, XML replies, and
// botocore's MD5 checks) creates a queue, sends with an attribute,
// receives, deletes.
func TestSQSQueryProtocolCLI(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("AWS CLI v2 is not installed at /usr/bin/aws")
	}
	p := startPlatform(t, Options{})
	var created struct{ QueueUrl string }
	awsCLI(t, p, &created, "sqs", "create-queue", "--queue-name", "cli", "--attributes", "VisibilityTimeout=40")
	if !strings.HasSuffix(created.QueueUrl, "/000000000000/cli") {
		t.Fatalf("QueueUrl = %q", created.QueueUrl)
	}
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	awsCLI(t, p, &sent, "sqs", "send-message", "--queue-url", created.QueueUrl, "--message-body", "from the cli",
		"--message-attributes", `{"k":{"DataType":"String","StringValue":"v"},"b":{"DataType":"Binary","BinaryValue":"AAEC"}}`)
	if sent.MessageId == "" || sent.MD5OfMessageAttributes == "" {
		t.Fatalf("send-message = %+v", sent)
	}
	var got struct {
		Messages []struct {
			MessageId, ReceiptHandle, Body string
			Attributes                     map[string]string
			MessageAttributes              map[string]struct{ DataType, StringValue, BinaryValue string }
		}
	}
	awsCLI(t, p, &got, "sqs", "receive-message", "--queue-url", created.QueueUrl, "--attribute-names", "All",
		"--message-attribute-names", "All", "--wait-time-seconds", "1")
	if len(got.Messages) != 1 || got.Messages[0].Body != "from the cli" || got.Messages[0].MessageId != sent.MessageId {
		t.Fatalf("receive-message = %+v", got)
	}
	m := got.Messages[0]
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.MessageAttributes["k"].StringValue != "v" || m.MessageAttributes["b"].BinaryValue != "AAEC" {
		t.Fatalf("attributes = %+v", m)
	}
	awsCLI(t, p, nil, "sqs", "delete-message", "--queue-url", created.QueueUrl, "--receipt-handle", m.ReceiptHandle)
	var attrs struct{ Attributes map[string]string }
	awsCLI(t, p, &attrs, "sqs", "get-queue-attributes", "--queue-url", created.QueueUrl, "--attribute-names", "All")
	if attrs.Attributes["VisibilityTimeout"] != "40" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("get-queue-attributes = %+v", attrs)
	}
	var list struct{ QueueUrls []string }
	awsCLI(t, p, &list, "sqs", "list-queues", "--queue-name-prefix", "c")
	if len(list.QueueUrls) != 1 || list.QueueUrls[0] != created.QueueUrl {
		t.Fatalf("list-queues = %+v", list)
	}
}

// TestSQSQueryProtocolErrors: a form-encoded request for a missing queue is
// answered with the query code AWS.SimpleQueueService.NonExistentQueue in an
// XML ErrorResponse, and a request posted to the queue's URL without
// QueueUrl names the queue by its path.
func TestSQSQueryProtocolErrors(t *testing.T) {
	p := startPlatform(t, Options{})
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		body := form.Encode()
		req, _ := http.NewRequest(http.MethodPost, p.EndpointURL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: DefaultAccessKey, SecretAccessKey: DefaultSecretKey},
			req, hex.EncodeToString(sum[:]), "sqs", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := post("/", url.Values{"Action": {"GetQueueUrl"}, "Version": {"2012-11-05"}, "QueueName": {"missing"}})
	if status != 400 || !strings.Contains(body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") {
		t.Fatalf("missing queue: %d %s", status, body)
	}
	status, body = post("/", url.Values{"Action": {"CreateQueue"}, "Version": {"2012-11-05"}, "QueueName": {"byform"},
		"Attribute.1.Name": {"DelaySeconds"}, "Attribute.1.Value": {"0"}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"pay"}})
	if status != 200 || !strings.Contains(body, "<QueueUrl>") {
		t.Fatalf("create by form: %d %s", status, body)
	}
	status, body = post("/000000000000/byform", url.Values{"Action": {"SendMessage"}, "Version": {"2012-11-05"}, "MessageBody": {"posted"},
		"MessageAttribute.1.Name": {"n"}, "MessageAttribute.1.Value.DataType": {"Number"}, "MessageAttribute.1.Value.StringValue": {"1"}})
	if status != 200 || !strings.Contains(body, "<MD5OfMessageBody>") || !strings.Contains(body, "<MD5OfMessageAttributes>") {
		t.Fatalf("send to the queue's path: %d %s", status, body)
	}
	status, body = post("/000000000000/byform", url.Values{"Action": {"ListQueueTags"}, "Version": {"2012-11-05"}})
	if status != 200 || !strings.Contains(body, "<Tag><Key>team</Key><Value>pay</Value></Tag>") {
		t.Fatalf("tags: %d %s", status, body)
	}
}
