package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/platform"
)

// nubo is one in-process nubo server and a Lambda client for it.
type nubo struct {
	p   *platform.Platform
	url string
	lc  *lambda.Client
}

func startNubo(ctx context.Context, env *benchEnv) (*nubo, error) {
	dir, err := os.MkdirTemp(env.dir, "data-")
	if err != nil {
		return nil, err
	}
	p, err := platform.New(platform.Options{DataDir: dir, Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		return nil, err
	}
	n := &nubo{p: p, url: p.EndpointURL()}
	n.lc = lambdaClient(n.url)
	// CreateFunction refuses a role that does not exist, as Lambda does.
	ic := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(n.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := ic.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bench"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		n.close()
		return nil, fmt.Errorf("create the bench role: %w", err)
	}
	return n, nil
}

func lambdaClient(url string) *lambda.Client { return lambdaClientWith(url, nil) }

// lambdaClientWith uses hc for HTTP (nil: the SDK's default client).
func lambdaClientWith(url string, hc *http.Client) *lambda.Client {
	o := lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	if hc != nil {
		o.HTTPClient = hc
	}
	return lambda.New(o)
}

func (n *nubo) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.p.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench: close nubo:", err)
	}
}

// deploy creates function name from the built bench/fn/code as a
// provided.al2023 bootstrap.
func (n *nubo) deploy(ctx context.Context, env *benchEnv, name, code string) error {
	bin, err := env.bin(code)
	if err != nil {
		return err
	}
	z, err := zipBootstrap(bin)
	if err != nil {
		return err
	}
	_, err = n.lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/bench"), Timeout: aws.Int32(30), MemorySize: aws.Int32(128),
		Code: &lambdatypes.FunctionCode{ZipFile: z},
	})
	if err != nil {
		return fmt.Errorf("create function %s: %w", name, err)
	}
	return nil
}

// invoke calls the function once through the SDK and checks it answered
// without a function error.
func (n *nubo) invoke(ctx context.Context, c *lambda.Client, name string, payload []byte) error {
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload})
	if err != nil {
		return fmt.Errorf("invoke %s: %w", name, err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("invoke %s: function error %s: %s", name, *out.FunctionError, out.Payload)
	}
	return nil
}

func zipBootstrap(bin string) ([]byte, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: filepath.Base(bin), Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// leanInvoke returns a function that makes one signed Invoke call with a
// plain net/http client: the least a Lambda API client can cost, to tell
// nubo's share of a warm invoke from the SDK's.
func leanInvoke(client *http.Client, base, name string, payload []byte) func() error {
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	sum := sha256.Sum256(payload)
	hash := hex.EncodeToString(sum[:])
	url := base + "/2015-03-31/functions/" + name + "/invocations"
	return func() error {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if err := signer.SignHTTP(context.Background(), creds, req, hash, "lambda", "us-east-1", time.Now()); err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Amz-Function-Error") != "" {
			return fmt.Errorf("invoke %s: status %d %s", name, resp.StatusCode, resp.Header.Get("X-Amz-Function-Error"))
		}
		return nil
	}
}

// httpClient keeps up to conns connections per host alive.
func httpClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 2
	t.MaxIdleConnsPerHost = conns * 2
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// waitRetired waits until no instance of name is warm or busy and no
// function process is left, so the next invoke is a cold start and the
// previous instance's exit does not overlap it.
func (n *nubo) waitRetired(ctx context.Context, name string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		warm, busy := n.p.Functions.Instances(name)
		kids := len(childPIDs())
		if warm == 0 && busy == 0 && kids == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s: %d warm %d busy instances, %d processes after retiring", name, warm, busy, kids)
		}
		time.Sleep(time.Millisecond)
	}
}

// coldStarts reads nubo's cold start counter for function from /metrics.
func (n *nubo) coldStarts(function string) (int, error) {
	resp, err := http.Get(n.url + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	prefix := `nubo_function_cold_starts_total{function="` + function + `"} `
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, nil
}

// childPIDs lists this process's child processes (function instances).
func childPIDs() []int {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	var pids []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}
