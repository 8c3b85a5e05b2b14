package platform

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestKillNineBetweenFirings: nubo is killed with SIGKILL after one
// schedule fired and before another is due; restarted after that due
// time, the missed firing happens once and the one before does not again.
func TestKillNineBetweenFirings(t *testing.T) {
	n := newNuboProcess(t)
	zip := fnZip(t, "probe")
	first := n.start()
	url := n.url()
	ctx := context.Background()
	if _, err := lambdaClientFor(url).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("slow"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole(t, url, "r")), Timeout: aws.Int32(10), Code: &lambdatypes.FunctionCode{ZipFile: zip},
	}); err != nil {
		t.Fatal(err)
	}
	role := schedulerRole(t, url, "sched-role", true)
	c := schedulerClientFor(url)
	at := func(name string, d time.Duration) time.Time {
		due := time.Now().UTC().Add(d).Truncate(time.Second).Add(time.Second)
		in := scheduleInput(name, "at("+due.Format("2006-01-02T15:04:05")+")", "slow", role)
		in.Target.Input = aws.String(`{"id":"` + name + `"}`)
		if _, err := c.CreateSchedule(ctx, in); err != nil {
			t.Fatal(err)
		}
		return due
	}
	at("ev-before", 0)
	waitUntil(t, "the first firing", 30*time.Second, func() bool { return logEvents(t, url, "slow", "probe ev-before done") == 1 })
	due := at("ev-during", 2*time.Second)
	n.kill9(first)
	waitUntil(t, "the second firing's due time to pass while nubo is down", 10*time.Second, func() bool { return time.Now().After(due) })

	n.start()
	waitUntil(t, "the missed firing after the restart", 30*time.Second, func() bool { return logEvents(t, url, "slow", "probe ev-during done") == 1 })
	// A third schedule after it: any repeat of the others would have come.
	at("ev-fence", 0)
	waitUntil(t, "the fence", 30*time.Second, func() bool { return logEvents(t, url, "slow", "probe ev-fence done") == 1 })
	if b, d := logEvents(t, url, "slow", "probe ev-before done"), logEvents(t, url, "slow", "probe ev-during done"); b != 1 || d != 1 {
		t.Fatalf("ev-before fired %d times, ev-during %d", b, d)
	}
}

// logEvents counts the log events of a function that contain marker,
// through the Logs API.
func logEvents(t *testing.T, url, fn, marker string) int {
	t.Helper()
	body := `{"logGroupName":"/aws/lambda/` + fn + `"}`
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "Logs_20140328.FilterLogEvents")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	signLogs(t, req, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var out struct {
		Events []struct {
			Message string `json:"message"`
		} `json:"events"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return -1
	}
	count := 0
	for _, e := range out.Events {
		count += strings.Count(e.Message, marker)
	}
	return count
}
