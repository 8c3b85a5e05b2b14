package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/nats-io/nats.go/jetstream"
)

// benchTables measures DynamoDB's PutItem and GetItem at 8 clients and a
// Query of 100 items, on nubo, on dynalite (DynamoDB on LevelDB, npm) as a
// separate process, and the raw JetStream KV put and get beneath nubo as
// the floor.
func benchTables(ctx context.Context, env *benchEnv) error {
	const clients = 8
	d := env.duration(4 * time.Second)
	n, err := startNubo(ctx, env)
	if err != nil {
		return err
	}
	defer n.close()
	t := &table{title: fmt.Sprintf("tables: DynamoDB operations, %d clients (Query: 1 client, 100 items)", clients),
		head: []string{"row", "ops/s", "p50", "p99", "vs floor"}}
	var putFloor, getFloor float64

	kv, err := n.p.Backbone.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: "bench_tables_floor", History: 1})
	if err != nil {
		return err
	}
	val := []byte(`{"pk":{"S":"user-1"},"sk":{"N":"1"},"payload":{"S":"a typical small item of a few attributes"}}`)
	var seq atomic.Int64
	res, err := loadEach(ctx, clients, d, func() func() error {
		return func() error {
			_, err := kv.Put(ctx, fmt.Sprintf("k%d", seq.Add(1)%1000), val)
			return err
		}
	})
	if err != nil {
		return fmt.Errorf("raw KV put: %w", err)
	}
	putFloor = res.rate
	t.add("raw JetStream KV put (floor)", fmt.Sprintf("%.0f", res.rate), ms(res.lat.pct(50)), ms(res.lat.pct(99)), "1.00x")
	res, err = loadEach(ctx, clients, d, func() func() error {
		return func() error { _, err := kv.Get(ctx, "k1"); return err }
	})
	if err != nil {
		return fmt.Errorf("raw KV get: %w", err)
	}
	getFloor = res.rate
	t.add("raw JetStream KV get (floor)", fmt.Sprintf("%.0f", res.rate), ms(res.lat.pct(50)), ms(res.lat.pct(99)), "1.00x")

	rows := func(name string, c *dynamodb.Client) error {
		if err := dynamoRows(ctx, env, t, name, c, clients, d, putFloor, getFloor); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	if err := rows("nubo", dynamoClient(n.url)); err != nil {
		return err
	}
	if dir, why := dynaliteDir(env); why != "" {
		t.add("dynalite: "+why, "", "", "", "")
	} else {
		dl, err := startDynalite(dir)
		if err != nil {
			t.add("dynalite: "+err.Error(), "", "", "", "")
		} else {
			// dynalite is the baseline, not the subject: its failure is a row.
			err = rows("dynalite", dynamoClient(dl.url))
			dl.close()
			if err != nil {
				t.add("dynalite failed: "+lastLine([]byte(err.Error())), "", "", "", "")
			}
		}
	}
	t.print(env.out)
	return nil
}

func dynamoClient(url string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func dynamoRows(ctx context.Context, env *benchEnv, t *table, name string, c *dynamodb.Client, clients int, d time.Duration, putFloor, getFloor float64) error {
	tbl := aws.String("bench")
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: tbl, BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN}}})
	if err != nil {
		return err
	}
	// dynalite creates tables asynchronously: wait for ACTIVE.
	for deadline := time.Now().Add(30 * time.Second); ; {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: tbl})
		if err == nil && out.Table.TableStatus == types.TableStatusActive {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("table not ACTIVE: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	item := func(pk string, sk int64) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberN{Value: fmt.Sprint(sk)},
			"payload": &types.AttributeValueMemberS{Value: "a typical small item of a few attributes"}}
	}
	for i := range int64(100) {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item("q100", i)}); err != nil {
			return err
		}
	}
	var seq atomic.Int64
	res, err := loadEach(ctx, clients, d, func() func() error {
		return func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: item("user-1", seq.Add(1)%1000)})
			return err
		}
	})
	if err != nil {
		return fmt.Errorf("PutItem: %w", err)
	}
	t.add(name+" PutItem", fmt.Sprintf("%.0f", res.rate), ms(res.lat.pct(50)), ms(res.lat.pct(99)), ratio(res.rate, putFloor))
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "q100"}, "sk": &types.AttributeValueMemberN{Value: "7"}}
	res, err = loadEach(ctx, clients, d, func() func() error {
		return func() error {
			out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key})
			if err == nil && out.Item == nil {
				err = fmt.Errorf("GetItem found nothing")
			}
			return err
		}
	})
	if err != nil {
		return fmt.Errorf("GetItem: %w", err)
	}
	t.add(name+" GetItem", fmt.Sprintf("%.0f", res.rate), ms(res.lat.pct(50)), ms(res.lat.pct(99)), ratio(res.rate, getFloor))
	res, err = loadEach(ctx, 1, d, func() func() error {
		return func() error {
			out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "q100"}}})
			if err == nil && out.Count != 100 {
				err = fmt.Errorf("Query returned %d items", out.Count)
			}
			return err
		}
	})
	if err != nil {
		return fmt.Errorf("Query: %w", err)
	}
	t.add(name+" Query (100 items)", fmt.Sprintf("%.0f", res.rate), ms(res.lat.pct(50)), ms(res.lat.pct(99)), "")
	return nil
}

// dynalite 3, installed with npm into the cache.
func dynaliteDir(env *benchEnv) (string, string) {
	if env.smoke {
		return "", "the smoke run leaves dynalite out"
	}
	dir := cacheDir("dynalite")
	bin := filepath.Join(dir, "node_modules", ".bin", "dynalite")
	if _, err := os.Stat(bin); err == nil {
		return dir, ""
	}
	if env.quick || env.smoke {
		return "", "not installed (--quick does not install it)"
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", "npm is not installed"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err.Error()
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"nubo-bench-dynalite","version":"1.0.0","private":true}`), 0o644); err != nil {
		return "", err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "dynalite@3")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Sprintf("npm install dynalite@3: %v: %s", err, lastLine(out))
	}
	return dir, ""
}

type dynalite struct {
	cmd *exec.Cmd
	url string
}

func startDynalite(dir string) (*dynalite, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(dir, "node_modules", ".bin", "dynalite"), "--port", port)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dynalite: %w", err)
	}
	dl := &dynalite{cmd: cmd, url: "http://127.0.0.1:" + port}
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
		if err == nil {
			c.Close()
			return dl, nil
		}
		if time.Now().After(deadline) {
			dl.close()
			return nil, fmt.Errorf("dynalite did not listen on %s", port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *dynalite) close() {
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	_ = d.cmd.Wait()
}
