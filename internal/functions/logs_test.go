package functions

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
	"github.com/aws/aws-sdk-go-v2/service/lambda"
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
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "talker", "echo")
	before := time.Now().Add(-time.Second)
	for i := 0; i < 3; i++ {
		if _, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("talker"), Payload: []byte(fmt.Sprintf(`{"i":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
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

func TestLogStoreFollow(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- h.logs.Read(ctx, "follow", LogQuery{Follow: true, Since: time.Now().Add(-time.Minute)}, func(e LogEvent) error {
			got <- e.Message
			return nil
		})
	}()
	for i := 0; i < 3; i++ {
		h.logs.Line("follow", "rid", time.Now(), []byte(fmt.Sprintf("line %d", i)))
		select {
		case m := <-got:
			if m != fmt.Sprintf("line %d", i) {
				t.Fatalf("got %q", m)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("follow did not deliver a new line")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
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

// Lines stored together (one message) read back as separate events, in
// order, each with its own time and request id, and a page token can stop
// in the middle of a message.
func TestLogStoreBatchedLines(t *testing.T) {
	ls, _ := startLogStore(t)
	base := time.Unix(1_790_000_000, 0)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Millisecond) }
	type want struct {
		rid, msg string
		at       time.Time
	}
	var wants []want
	put := func(rid string, from int, msgs ...string) {
		var lines []LogLine
		for i, m := range msgs {
			lines = append(lines, LogLine{At: at(from + i), Text: []byte(m)})
			wants = append(wants, want{rid, m, at(from + i)})
		}
		if len(lines) == 1 {
			ls.Line("f", rid, lines[0].At, lines[0].Text)
			return
		}
		ls.Lines("f", rid, lines)
	}
	put("", 0, "between invocations")
	put("r1", 1, "START RequestId: r1 Version: $LATEST", "first output line")
	put("r1", 3, "", "line after an empty one")
	put("r1", 5, "END RequestId: r1", "REPORT RequestId: r1\tDuration: 1.00 ms")
	var many []string
	for i := range maxBatchLines + 5 { // more than one message holds
		many = append(many, fmt.Sprintf("line %d", i))
	}
	put("r2", 10, many...)
	put("", 100, "almost last")
	// A line given an older time than the one before it (another instance's
	// clock) takes that time: no line is stored after a newer one.
	put("r3", 99, "last")
	wants[len(wants)-1].at = at(100)

	read := func(q LogQuery) []LogEvent {
		t.Helper()
		var got []LogEvent
		if err := ls.Read(context.Background(), "f", q, func(e LogEvent) error {
			got = append(got, e)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	// Lines are not acknowledged: wait until the last one is stored.
	var all []LogEvent
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if all = read(LogQuery{}); len(all) > 0 && all[len(all)-1].Message == "last" {
			break
		}
	}
	if len(all) != len(wants) {
		t.Fatalf("read %d events, want %d", len(all), len(wants))
	}
	for i, e := range all {
		w := wants[i]
		if e.Message != w.msg || e.RequestID != w.rid || !e.Time.Equal(w.at) {
			t.Fatalf("event %d: %q %q %v, want %q %q %v", i, e.Message, e.RequestID, e.Time, w.msg, w.rid, w.at)
		}
		if i > 0 && e.Seq <= all[i-1].Seq {
			t.Fatalf("event %d: seq %d after %d", i, e.Seq, all[i-1].Seq)
		}
	}
	// Resuming after any event gives exactly the ones after it.
	for i, e := range all {
		rest := read(LogQuery{AfterSeq: e.Seq})
		if len(rest) != len(all)-i-1 {
			t.Fatalf("after event %d: %d events, want %d", i, len(rest), len(all)-i-1)
		}
		for j, r := range rest {
			if r.Seq != all[i+1+j].Seq || r.Message != all[i+1+j].Message {
				t.Fatalf("after event %d: event %d is %d %q, want %d %q", i, j, r.Seq, r.Message, all[i+1+j].Seq, all[i+1+j].Message)
			}
		}
	}
	// Each line's own time decides Until, inside a message too.
	if got := read(LogQuery{Until: at(1)}); len(got) != 2 || got[1].Message != wants[1].msg {
		t.Fatalf("until the START line: %d events", len(got))
	}
}

func FuzzSplitLogLines(f *testing.F) {
	f.Add([]byte("ab"), "1:1,2:1")
	f.Add([]byte("abc"), "1:1,2:1")
	f.Add([]byte(""), "")
	f.Add([]byte("x"), "5:-1")
	f.Add([]byte("xyz"), "1:3,")
	f.Add([]byte("abc"), "1:1:0,2:2:1")
	f.Add([]byte("abc"), "1:1:0,2:2:7")
	f.Fuzz(func(t *testing.T, data []byte, index string) {
		at := time.Unix(0, 42)
		msgs, times, ids := splitLogLines(data, index, "r0,r1", "rid", at)
		if len(msgs) == 0 || len(msgs) != len(times) || len(msgs) != len(ids) || len(msgs) > maxBatchLines {
			t.Fatalf("%d lines, %d times, %d ids", len(msgs), len(times), len(ids))
		}
		for _, id := range ids {
			if id != "rid" && id != "r0" && id != "r1" {
				t.Fatalf("request id %q", id)
			}
		}
		if strings.Join(msgs, "") != string(data) {
			t.Fatalf("lines %q do not make up %q", msgs, data)
		}
	})
}
