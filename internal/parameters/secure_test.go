package parameters_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/platform"
)

// A SecureString is read as its ciphertext unless WithDecryption is set,
// by GetParameter, GetParameters and GetParametersByPath alike.
func TestSSMSecureStringNeedsDecryption(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/secret"), Value: aws.String("hunter2"), Type: types.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/plain"), Value: aws.String("visible"), Type: types.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	values := func(decrypt bool) map[string]string {
		t.Helper()
		out := map[string]string{}
		one, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/secret"), WithDecryption: aws.Bool(decrypt)})
		if err != nil {
			t.Fatal(err)
		}
		out["GetParameter"] = aws.ToString(one.Parameter.Value)
		many, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/secret", "/app/plain"}, WithDecryption: aws.Bool(decrypt)})
		if err != nil || len(many.Parameters) != 2 {
			t.Fatalf("GetParameters: %v %+v", err, many)
		}
		for _, p := range many.Parameters {
			out["GetParameters "+aws.ToString(p.Name)] = aws.ToString(p.Value)
		}
		path, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/app"), WithDecryption: aws.Bool(decrypt)})
		if err != nil || len(path.Parameters) != 2 {
			t.Fatalf("GetParametersByPath: %v %+v", err, path)
		}
		for _, p := range path.Parameters {
			out["GetParametersByPath "+aws.ToString(p.Name)] = aws.ToString(p.Value)
		}
		return out
	}
	plain := values(true)
	for k, v := range plain {
		if want := map[bool]string{true: "visible", false: "hunter2"}[strings.HasSuffix(k, "/app/plain")]; v != want {
			t.Errorf("with decryption, %s = %q, want %q", k, v, want)
		}
	}
	hidden := values(false)
	cipher := hidden["GetParameter"]
	blob, err := base64.StdEncoding.DecodeString(cipher)
	if err != nil || len(blob) < 32 || strings.Contains(cipher, "hunter2") || bytes.Contains(blob, []byte("hunter2")) {
		t.Fatalf("ciphertext %q (%v): want opaque base64", cipher, err)
	}
	for k, v := range hidden {
		want := cipher
		if strings.HasSuffix(k, "/app/plain") {
			want = "visible"
		}
		if v != want {
			t.Errorf("without decryption, %s = %q, want %q", k, v, want)
		}
	}
	if again := values(false)["GetParameter"]; again != cipher {
		t.Errorf("the ciphertext of one version changed between reads: %q then %q", cipher, again)
	}
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/secret"), Value: aws.String("hunter3"), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if next := values(false)["GetParameter"]; next == cipher {
		t.Error("a new version has the old version's ciphertext")
	}
}

// Values are checked as SSM checks them: by tier, as valid Unicode, and a
// request too large to be any valid one is refused as such.
func TestSSMValueValidation(t *testing.T) {
	p, c := startPlatform(t)
	ctx := context.Background()
	put := func(value, tier string) (*ssm.PutParameterOutput, error) {
		return c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/v/x"), Value: aws.String(value), Type: types.ParameterTypeString,
			Tier: types.ParameterTier(tier), Overwrite: aws.Bool(true)})
	}
	for _, tc := range []struct {
		name, tier string
		size       int
		wantTier   string // "" for refused
		wantMsg    string
	}{
		{"standard at its limit", "", 4096, "Standard", ""},
		{"standard over", "Standard", 4097, "", "Standard tier parameters support a maximum parameter value of 4096 characters"},
		{"advanced", "Advanced", 8192, "Advanced", ""},
		{"advanced over", "Advanced", 8193, "", "Advanced tier parameters support a maximum parameter value of 8192 characters"},
		{"intelligent small", "Intelligent-Tiering", 10, "Standard", ""},
		{"intelligent large", "Intelligent-Tiering", 5000, "Advanced", ""},
		{"five megabytes", "", 5 << 20, "", "Standard tier parameters support a maximum parameter value of 4096 characters"},
		{"unknown tier", "Premium", 10, "", "Value 'Premium' at 'tier' failed to satisfy constraint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			char := "é" // limits count characters, not bytes
			if tc.size > 1<<20 {
				char = "a"
			}
			out, err := put(strings.Repeat(char, tc.size), tc.tier)
			if tc.wantTier != "" {
				if err != nil || string(out.Tier) != tc.wantTier {
					t.Fatalf("got %v %+v, want tier %s", err, out, tc.wantTier)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || !strings.Contains(ae.ErrorMessage(), tc.wantMsg) {
				t.Fatalf("got %v, want ValidationException %q", err, tc.wantMsg)
			}
		})
	}

	for _, tc := range []struct {
		name string
		body []byte
		code string
		msg  string
	}{
		{"invalid UTF-8 value", []byte("{\"Name\":\"/v/u\",\"Type\":\"String\",\"Value\":\"ab\xff\xfecd\"}"), "ValidationException", "Value at 'value' failed to satisfy constraint: Member must be valid Unicode"},
		{"lone surrogate value", []byte(`{"Name":"/v/u","Type":"String","Value":"ab\udc80cd"}`), "ValidationException", "Value at 'value' failed to satisfy constraint"},
		{"lone surrogate description", []byte(`{"Name":"/v/u","Type":"String","Value":"ok","Description":"\ud800x"}`), "ValidationException", "Value at 'description' failed to satisfy constraint"},
		{"body over the read limit", append(append([]byte(`{"Name":"/v/u","Type":"String","Value":"`), bytes.Repeat([]byte("a"), 9<<20)...), `"}`...), "ValidationException", "request body is larger than 8388608 bytes"},
		{"a surrogate pair is fine", []byte(`{"Name":"/v/pair","Type":"String","Value":"\ud83d\ude00"}`), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code, msg := rawSSM(t, p, "PutParameter", tc.body)
			if tc.code == "" {
				if status != 200 {
					t.Fatalf("status %d %s %s", status, code, msg)
				}
				return
			}
			if status != 400 || code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Fatalf("got %d %s %q, want 400 %s %q", status, code, msg, tc.code, tc.msg)
			}
		})
	}
	if got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/v/pair")}); err != nil || aws.ToString(got.Parameter.Value) != "😀" {
		t.Errorf("surrogate pair value: %v %+v", err, got)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/v/u")}); err == nil {
		t.Error("a refused value was stored")
	}
}

// DeleteParameter of a missing name says which.
func TestSSMDeleteMissingSaysWhich(t *testing.T) {
	_, c := startPlatform(t)
	_, err := c.DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String("/nope/x")})
	var nf *types.ParameterNotFound
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Parameter /nope/x not found." {
		t.Fatalf("got %v, want ParameterNotFound naming /nope/x", err)
	}
}

// rawSSM sends body, signed with the platform's keys, as an SSM operation,
// and returns the status and error code and message.
func rawSSM(t *testing.T, p *platform.Platform, op string, body []byte) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+p.EdgeAddr()+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM."+op)
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: platform.DefaultAccessKey, SecretAccessKey: platform.DefaultSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ssm", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &e)
	if e.Message == "" {
		var m struct{ Message string }
		_ = json.Unmarshal(raw, &m)
		e.Message = m.Message
	}
	return resp.StatusCode, e.Type, e.Message
}
