package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/nubo-run/nubo/internal/stacks"
)

// adminClient calls the stacks admin API of a running server: SigV4-signed
// JSON with X-Amz-Target NuboStacks.<Operation> (see internal/stacks/api.go).
type adminClient struct {
	endpoint string
	creds    aws.Credentials
	region   string
	http     *http.Client
	signer   *v4.Signer
}

func newAdminClient(endpoint string) *adminClient {
	if endpoint == "" {
		endpoint = envOr("NUBO_ENDPOINT", "http://127.0.0.1:4566")
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	return &adminClient{
		endpoint: strings.TrimSuffix(endpoint, "/"),
		creds: aws.Credentials{
			AccessKeyID:     envOr("NUBO_ACCESS_KEY_ID", envOr("AWS_ACCESS_KEY_ID", "test")),
			SecretAccessKey: envOr("NUBO_SECRET_ACCESS_KEY", envOr("AWS_SECRET_ACCESS_KEY", "test")),
		},
		region: envOr("NUBO_REGION", "us-east-1"),
		http:   &http.Client{},
		signer: v4.NewSigner(),
	}
}

// apiError is an error answered by the server.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

func (c *adminClient) request(ctx context.Context, op string, in any) (*http.Response, error) {
	return c.requestTo(ctx, stacks.ServiceName, stacks.TargetPrefix+op, in)
}

// requestTo sends one signed JSON request to the service signing as
// service, with X-Amz-Target target.
func (c *adminClient) requestTo(ctx context.Context, service, target string, in any) (*http.Response, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), service, c.region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("nubo server at %s: %w (is `nubo serve` running? set NUBO_ENDPOINT)", c.endpoint, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &e) != nil || e.Message == "" {
			return nil, &apiError{Code: resp.Status, Message: fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(b)))}
		}
		return nil, &apiError{Code: e.Type, Message: e.Message}
	}
	return resp, nil
}

func (c *adminClient) call(ctx context.Context, op string, in, out any) error {
	resp, err := c.request(ctx, op, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", op, err)
	}
	return nil
}

// stream calls a streaming operation, handing each event to onEvent.
func (c *adminClient) stream(ctx context.Context, op string, in any, onEvent func(stacks.Event)) (*stacks.DeployResult, error) {
	resp, err := c.request(ctx, op, in)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var l stacks.StreamLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s: bad stream line: %w", op, err)
		}
		if l.Event != nil && onEvent != nil {
			onEvent(*l.Event)
		}
		if l.Error != nil {
			return l.Result, &apiError{Code: l.Error.Code, Message: l.Error.Message}
		}
		if l.Result != nil {
			return l.Result, nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return nil, errors.New(op + ": the server closed the stream without a result (did it stop? `nubo stacks` shows what to do next)")
}
