package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// logsCall sends one signed CloudWatch Logs JSON 1.1 request.
func logsCall(t *testing.T, h *harness, op string, in any, out any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", h.url+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	sum := sha256Hex(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req, sum, "logs", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v in %s", op, err, b)
		}
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType") + string(b)
}

func TestLogsAPI(t *testing.T) {
	h := newHarness(t, nil)
	h.createFn(t, "talker")
	before := time.Now().Add(-time.Second)
	for i := 0; i < 3; i++ {
		h.invoke("talker", fmt.Sprintf("r%d", i), []byte(fmt.Sprintf(`{"i":%d}`, i)))
	}
	// 3 invocations x (START, echo, END) lines.
	var all filterLogEventsOutput
	waitFor(t, "nine log lines", func() bool {
		all = filterLogEventsOutput{}
		logsCall(t, h, "FilterLogEvents", map[string]any{"logGroupName": "/aws/lambda/talker", "startTime": before.UnixMilli()}, &all)
		return len(all.Events) == 9
	})
	if !strings.Contains(all.Events[1].Message, `echo {"i":0}`) || all.NextToken != "" || all.Events[0].LogStreamName != logStreamName(time.Now()) {
		t.Fatalf("events: %+v", all)
	}

	var filtered filterLogEventsOutput
	logsCall(t, h, "FilterLogEvents", map[string]any{"logGroupName": "/aws/lambda/talker", "filterPattern": `"echo {\"i\":2}"`}, &filtered)
	if len(filtered.Events) != 1 {
		t.Fatalf("filter pattern: %+v", filtered.Events)
	}

	// Paging with nextToken returns each event once, in order.
	var paged []string
	token := ""
	for pages := 0; pages < 10; pages++ {
		var page filterLogEventsOutput
		in := map[string]any{"logGroupIdentifier": "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/talker", "limit": 4}
		if token != "" {
			in["nextToken"] = token
		}
		if code, body := logsCall(t, h, "FilterLogEvents", in, &page); code != 200 {
			t.Fatalf("page: %d %s", code, body)
		}
		for _, e := range page.Events {
			paged = append(paged, e.EventID)
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	if len(paged) != 9 || paged[0] != all.Events[0].EventID || paged[8] != all.Events[8].EventID {
		t.Fatalf("paged %v", paged)
	}

	var got struct {
		Events []outputLogEvent `json:"events"`
		Fwd    string           `json:"nextForwardToken"`
	}
	logsCall(t, h, "GetLogEvents", map[string]any{"logGroupName": "/aws/lambda/talker", "logStreamName": logStreamName(time.Now()), "startFromHead": true}, &got)
	if len(got.Events) != 9 || got.Fwd == "" {
		t.Fatalf("get log events: %+v", got)
	}

	var groups struct {
		LogGroups []logGroup `json:"logGroups"`
	}
	logsCall(t, h, "DescribeLogGroups", map[string]any{"logGroupNamePrefix": "/aws/lambda/"}, &groups)
	if len(groups.LogGroups) != 1 || groups.LogGroups[0].LogGroupName != "/aws/lambda/talker" {
		t.Fatalf("groups: %+v", groups)
	}

	if code, body := logsCall(t, h, "FilterLogEvents", map[string]any{"logGroupName": "/aws/lambda/nope"}, nil); code != 400 || !strings.HasPrefix(body, "ResourceNotFoundException") {
		t.Fatalf("missing group: %d %s", code, body)
	}
}

func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"s/1", "f/99", "b/0", "s/", "x", "s/-1", "s/18446744073709551616"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		for _, prefix := range []string{"s/", "f/", "b/"} {
			if _, err := parseToken(tok, prefix); err == nil && len(tok) <= len(prefix) {
				t.Fatalf("accepted %q", tok)
			}
		}
	})
}
