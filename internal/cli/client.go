package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
)

// DefaultEndpoint is where CLI verbs find a running nubo server.
const DefaultEndpoint = "http://127.0.0.1:4566"

// remote is how CLI verbs reach a running server: NUBO_ENDPOINT, signed
// with NUBO_ACCESS_KEY_ID / NUBO_SECRET_ACCESS_KEY (default test/test).
type remote struct {
	endpoint string
	region   string
	creds    aws.Credentials
	http     *http.Client
}

func newRemote() *remote {
	return &remote{
		endpoint: strings.TrimRight(envOr("NUBO_ENDPOINT", DefaultEndpoint), "/"),
		region:   envOr("NUBO_REGION", "us-east-1"),
		creds: aws.Credentials{
			AccessKeyID:     envOr("NUBO_ACCESS_KEY_ID", "test"),
			SecretAccessKey: envOr("NUBO_SECRET_ACCESS_KEY", "test"),
			Source:          "nubo",
		},
		http: &http.Client{},
	}
}

func (r *remote) lambda() *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       r.region,
		BaseEndpoint: aws.String(r.endpoint),
		Credentials:  credentials.StaticCredentialsProvider{Value: r.creds},
		HTTPClient:   r.http,
		// A throttle or a function error is an answer to show, not to retry.
		RetryMaxAttempts: 1,
	})
}

// logsCall sends one CloudWatch Logs (JSON 1.1) request, signed like the
// SDK would sign it.
func (r *remote) logsCall(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, r.creds, req, hex.EncodeToString(sum[:]), "logs", r.region, time.Now()); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return r.explain(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("logs %s: read response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		if e.Type == "" {
			e.Type = resp.Status
		}
		return fmt.Errorf("%s: %s", e.Type, e.Message)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("logs %s: decode response: %w", op, err)
	}
	return nil
}

// explain turns transport and API errors into one line that names the cause.
func (r *remote) explain(err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return fmt.Errorf("%s: %s", api.ErrorCode(), api.ErrorMessage())
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return fmt.Errorf("cannot reach nubo at %s (is `nubo serve` running? set NUBO_ENDPOINT to point elsewhere): %v", r.endpoint, op.Err)
	}
	return err
}
