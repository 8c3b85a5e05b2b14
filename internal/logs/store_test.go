package logs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLogStoreFollow(t *testing.T) {
	h := newHarness(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- h.logs.Read(ctx, "follow", Query{Follow: true, Since: time.Now().Add(-time.Minute)}, func(e Event) error {
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
		var lines []Line
		for i, m := range msgs {
			lines = append(lines, Line{At: at(from + i), Text: []byte(m)})
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

	read := func(q Query) []Event {
		t.Helper()
		var got []Event
		if err := ls.Read(context.Background(), "f", q, func(e Event) error {
			got = append(got, e)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	// Lines are not acknowledged: wait until the last one is stored.
	var all []Event
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if all = read(Query{}); len(all) > 0 && all[len(all)-1].Message == "last" {
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
		rest := read(Query{AfterSeq: e.Seq})
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
	if got := read(Query{Until: at(1)}); len(got) != 2 || got[1].Message != wants[1].msg {
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
		msgs, times, ids := splitLines(data, index, "r0,r1", "rid", at)
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
