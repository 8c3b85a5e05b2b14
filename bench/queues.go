package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/nats-io/nats.go/jetstream"
)

// benchQueues measures SQS on nubo with aws-sdk-go-v2 clients: sends
// (SendMessageBatch of 10 × 200 B from 8 clients), a drain
// (ReceiveMessage of 10 + DeleteMessageBatch from 8 clients) of a 5,000
// message backlog, and a message's trip from SendMessage to a waiting long
// poll; beside the floor, raw JetStream in the same process (publish;
// fetch + ack; publish to a waiting fetch).
func benchQueues(ctx context.Context, env *benchEnv) error {
	const clients, backlog = 8, 5000
	d := env.duration(5 * time.Second)
	drainN, trips := backlog, 200
	if env.quick {
		drainN, trips = backlog/5, 50
	}
	if env.smoke {
		drainN, trips = 200, 10
	}
	n, err := startNubo(ctx, env)
	if err != nil {
		return err
	}
	defer n.close()
	hc := httpClient(clients)
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(n.url), RetryMaxAttempts: 1, HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	mk := func(name string) (string, error) {
		out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.QueueUrl), nil
	}
	body := strings.Repeat("x", 200)
	entries := make([]sqstypes.SendMessageBatchRequestEntry, 10)
	for i := range entries {
		entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body)}
	}
	tb := &table{title: "Queues (SQS)", head: []string{"what", "nubo", "raw JetStream (floor)", "nubo / floor"}}

	// Sends.
	sendURL, err := mk("bench-send")
	if err != nil {
		return err
	}
	stop := profileRow("nubo queues send")
	sent, err := sendLoad(ctx, c, sendURL, entries, clients, d)
	stop()
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	js := n.p.Backbone.JetStream()
	floorStream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "BENCH_FLOOR", Subjects: []string{"bench.floor"}, Storage: jetstream.FileStorage})
	if err != nil {
		return err
	}
	payload := []byte(body)
	floorSend, err := loadEach(ctx, clients, d, func() func() error {
		return func() error {
			for range 10 {
				if _, err := js.Publish(ctx, "bench.floor", payload); err != nil {
					return err
				}
			}
			return nil
		}
	})
	if err != nil {
		return fmt.Errorf("floor send: %w", err)
	}
	tb.add(fmt.Sprintf("SendMessageBatch 10 × 200 B, %d clients: msgs/s", clients), fmt.Sprintf("%.0f", sent.rate*10),
		fmt.Sprintf("%.0f (sync publish)", floorSend.rate*10), ratio(sent.rate, floorSend.rate))

	// Drain a backlog.
	drainURL, err := mk("bench-drain")
	if err != nil {
		return err
	}
	if err := fill(ctx, c, drainURL, entries, drainN); err != nil {
		return err
	}
	stop = profileRow("nubo queues drain")
	drainRate, err := sqsDrain(ctx, c, drainURL, clients, drainN)
	stop()
	if err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	if err := floorStream.Purge(ctx); err != nil {
		return err
	}
	for range drainN {
		if _, err := js.Publish(ctx, "bench.floor", payload); err != nil {
			return err
		}
	}
	cons, err := floorStream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "floor", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		return err
	}
	floorDrain, err := drain(ctx, clients, drainN, func() (int, error) {
		b, err := cons.FetchNoWait(10)
		if err != nil {
			return 0, err
		}
		got := 0
		for m := range b.Messages() {
			if err := m.DoubleAck(ctx); err != nil {
				return got, err
			}
			got++
		}
		return got, nil
	})
	if err != nil {
		return fmt.Errorf("floor drain: %w", err)
	}
	tb.add(fmt.Sprintf("ReceiveMessage 10 + DeleteMessageBatch, %d clients, %d backlog: msgs/s", clients, drainN),
		fmt.Sprintf("%.0f", drainRate), fmt.Sprintf("%.0f (fetch 10 + ack each)", floorDrain), ratio(drainRate, floorDrain))

	// Send to a waiting long poll.
	tripURL, err := mk("bench-trip")
	if err != nil {
		return err
	}
	trip, err := roundTrips(trips, func() (func() error, func() error) {
		return func() error {
				_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(tripURL), MessageBody: aws.String(body)})
				return err
			}, func() error {
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(tripURL), WaitTimeSeconds: 20})
				if err != nil {
					return err
				}
				if len(out.Messages) != 1 {
					return errors.New("the long poll returned no message")
				}
				_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(tripURL), ReceiptHandle: out.Messages[0].ReceiptHandle})
				return err
			}
	}, func() (bool, error) {
		q, err := n.p.Queues.Get(ctx, "bench-trip")
		if err != nil {
			return false, err
		}
		ci, err := js.Consumer(ctx, "SQS_"+q.ID, "receive")
		if err != nil {
			return false, err
		}
		info, err := ci.Info(ctx)
		return err == nil && info.NumWaiting > 0, err
	})
	if err != nil {
		return fmt.Errorf("send to a long poll: %w", err)
	}
	floorTrip, err := roundTrips(trips, func() (func() error, func() error) {
		return func() error {
				_, err := js.Publish(ctx, "bench.floor", payload)
				return err
			}, func() error {
				b, err := cons.Fetch(1, jetstream.FetchMaxWait(20*time.Second))
				if err != nil {
					return err
				}
				for m := range b.Messages() {
					return m.Ack()
				}
				return errors.New("the fetch returned no message")
			}
	}, func() (bool, error) {
		info, err := cons.Info(ctx)
		return err == nil && info.NumWaiting > 0, err
	})
	if err != nil {
		return fmt.Errorf("floor send to a waiting fetch: %w", err)
	}
	tb.add("SendMessage → waiting ReceiveMessage: p50", ms(trip.pct(50)), ms(floorTrip.pct(50))+" (publish → waiting fetch)", ratio(float64(trip.pct(50)), float64(floorTrip.pct(50))))
	tb.add("SendMessage → waiting ReceiveMessage: p99", ms(trip.pct(99)), ms(floorTrip.pct(99)), ratio(float64(trip.pct(99)), float64(floorTrip.pct(99))))
	if err := esmRow(ctx, env, n, c, tb, trips); err != nil {
		return fmt.Errorf("event source mapping: %w", err)
	}
	if !env.smoke {
		if err := motoRows(ctx, env, tb, entries, clients, d, min(drainN, 1000), sent.rate*10, drainRate); err != nil {
			return err
		}
	}
	tb.print(env.out)
	fmt.Fprintln(env.out, "\ngoaws: not measured. Its latest release (v0.4.5, go install github.com/Admiral-Piett/goaws/app/cmd@latest)"+
		" routes by the query protocol's Action= only, and aws-sdk-go-v2's sqs client sends JSON 1.0: the same client"+
		" code cannot drive both.")
	return nil
}

// drain runs take from clients goroutines until total messages were taken,
// and returns messages per second.
func drain(ctx context.Context, clients, total int, take func() (int, error)) (float64, error) {
	var done atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, clients)
	start := time.Now()
	deadline := start.Add(2 * time.Minute)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done.Load() < int64(total) && ctx.Err() == nil {
				if time.Now().After(deadline) {
					errc <- fmt.Errorf("%d of %d messages drained in 2 minutes", done.Load(), total)
					return
				}
				got, err := take()
				if err != nil {
					errc <- err
					return
				}
				done.Add(int64(got))
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), ctx.Err()
}

// roundTrips measures n trips: a receiver starts waiting, and once waiting
// reports it waits, the sender sends; the time is from the send to the
// receiver's return.
func roundTrips(n int, pair func() (send, receive func() error), waiting func() (bool, error)) (sample, error) {
	var out sample
	for range n {
		send, receive := pair()
		done := make(chan error, 1)
		var end time.Time
		go func() {
			err := receive()
			end = time.Now()
			done <- err
		}()
		for deadline := time.Now().Add(10 * time.Second); ; {
			ok, err := waiting()
			if err != nil {
				return nil, err
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				return nil, errors.New("the receiver never waited")
			}
			time.Sleep(100 * time.Microsecond)
		}
		start := time.Now()
		if err := send(); err != nil {
			return nil, err
		}
		if err := <-done; err != nil {
			return nil, err
		}
		out = append(out, end.Sub(start))
	}
	return out, nil
}

// sendLoad runs SendMessageBatch of entries from clients goroutines for d.
func sendLoad(ctx context.Context, c *sqs.Client, url string, entries []sqstypes.SendMessageBatchRequestEntry, clients int, d time.Duration) (loadResult, error) {
	return loadEach(ctx, clients, d, func() func() error {
		return func() error {
			out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
			if err == nil && len(out.Failed) > 0 {
				err = fmt.Errorf("send batch: %d failed", len(out.Failed))
			}
			return err
		}
	})
}

// fill sends n messages (a multiple of 10) to the queue at url.
func fill(ctx context.Context, c *sqs.Client, url string, entries []sqstypes.SendMessageBatchRequestEntry, n int) error {
	for i := 0; i < n; i += 10 {
		if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
			return err
		}
	}
	return nil
}

// sqsDrain receives and deletes n messages from clients goroutines.
func sqsDrain(ctx context.Context, c *sqs.Client, url string, clients, n int) (float64, error) {
	return drain(ctx, clients, n, func() (int, error) {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		if err != nil || len(out.Messages) == 0 {
			return 0, err
		}
		del := make([]sqstypes.DeleteMessageBatchRequestEntry, len(out.Messages))
		for i, m := range out.Messages {
			del[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		res, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del})
		if err == nil && len(res.Failed) > 0 {
			err = fmt.Errorf("delete batch: %d failed", len(res.Failed))
		}
		return len(out.Messages), err
	})
}

// motoRows measures moto_server (in memory, its own process), when
// installed, with the same client code: sends and a drain.
func motoRows(ctx context.Context, env *benchEnv, tb *table, entries []sqstypes.SendMessageBatchRequestEntry, clients int, d time.Duration, drainN int, nuboSend, nuboDrain float64) error {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		tb.add("moto_server", "not installed", "", "")
		return nil
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "-p", port)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("moto_server: %w", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	url := "http://127.0.0.1:" + port
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1, HTTPClient: httpClient(clients),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	var q *sqs.CreateQueueOutput
	for deadline := time.Now().Add(30 * time.Second); ; {
		if q, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-send")}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server did not answer: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sent, err := sendLoad(ctx, c, aws.ToString(q.QueueUrl), entries, clients, d)
	if err != nil {
		return fmt.Errorf("moto_server send: %w", err)
	}
	tb.add("moto_server 5.x (in memory): SendMessageBatch msgs/s", fmt.Sprintf("%.0f", sent.rate*10), "", "nubo "+ratio(nuboSend, sent.rate*10))
	dq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-drain")})
	if err != nil {
		return err
	}
	if err := fill(ctx, c, aws.ToString(dq.QueueUrl), entries, drainN); err != nil {
		return err
	}
	rate, err := sqsDrain(ctx, c, aws.ToString(dq.QueueUrl), clients, drainN)
	if err != nil {
		return fmt.Errorf("moto_server drain: %w", err)
	}
	tb.add(fmt.Sprintf("moto_server: drain msgs/s, %d backlog", drainN), fmt.Sprintf("%.0f", rate), "", "nubo "+ratio(nuboDrain, rate))
	return nil
}
