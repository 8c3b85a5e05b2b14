package platform

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// streamNode is a Node.js function that streams: it writes a chunk, waits
// for the file its event names (the test creates it once it has read that
// chunk), then writes two more; fails writes a chunk and throws.
const streamNode = `import fs from 'node:fs';
export const handler = awslambda.streamifyResponse(async (event, stream) => {
  stream.setContentType('text/plain');
  stream.write('first;');
  while (!fs.existsSync(event.signal)) await new Promise((r) => setTimeout(r, 10));
  stream.write('second;');
  stream.end('third');
});
export const fails = awslambda.streamifyResponse(async (event, stream) => {
  stream.write('partial');
  throw new Error('mid-stream failure');
});
`

func zipOne(t *testing.T, name, src string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// streamEvents reads an InvokeWithResponseStream's events: each chunk is
// handed to onChunk as it arrives; the InvokeComplete event is returned.
func streamEvents(t *testing.T, out *lambda.InvokeWithResponseStreamOutput, onChunk func(string)) *lambdatypes.InvokeWithResponseStreamCompleteEvent {
	t.Helper()
	st := out.GetStream()
	defer st.Close()
	var done *lambdatypes.InvokeWithResponseStreamCompleteEvent
	for ev := range st.Events() {
		switch v := ev.(type) {
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			if done != nil {
				t.Fatal("a chunk after InvokeComplete")
			}
			onChunk(string(v.Value.Payload))
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			done = &v.Value
		default:
			t.Fatalf("unexpected event %T", ev)
		}
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if done == nil {
		t.Fatal("no InvokeComplete event")
	}
	return done
}

// TestInvokeWithResponseStream reads a streaming Node.js function's
// chunks with aws-sdk-go-v2 while the function runs, and a buffered
// Python function's answer as one chunk.
func TestInvokeWithResponseStream(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	c := lambdaClientFor(url)
	ctx := context.Background()
	role := lambdaRole(t, url, "stream-role")
	create := func(in *lambda.CreateFunctionInput) {
		t.Helper()
		in.Role, in.Timeout = aws.String(role), aws.Int32(30)
		if _, err := c.CreateFunction(ctx, in); err != nil {
			t.Fatalf("create %s: %v", aws.ToString(in.FunctionName), err)
		}
	}

	t.Run("python buffered", func(t *testing.T) {
		if _, err := exec.LookPath("python3"); err != nil {
			t.Skip("python3 is not installed")
		}
		create(&lambda.CreateFunctionInput{FunctionName: aws.String("py-buffered"), Runtime: "python3.12", Handler: aws.String("index.handler"),
			Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(event, context):\n    print('log line')\n    return {'got': event}\n")}})
		out, err := c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("py-buffered"),
			Payload: []byte(`{"a":1}`), LogType: lambdatypes.LogTypeTail})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ExecutedVersion) != "$LATEST" || out.StatusCode != 200 {
			t.Errorf("executed version %q status %d", aws.ToString(out.ExecutedVersion), out.StatusCode)
		}
		var chunks []string
		done := streamEvents(t, out, func(s string) { chunks = append(chunks, s) })
		var got map[string]any
		if err := json.Unmarshal([]byte(strings.Join(chunks, "")), &got); err != nil || got["got"].(map[string]any)["a"] != 1.0 {
			t.Fatalf("chunks %q: %v", chunks, err)
		}
		if done.ErrorCode != nil {
			t.Errorf("error code %q", aws.ToString(done.ErrorCode))
		}
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(done.LogResult))
		if !strings.Contains(string(tail), "log line") {
			t.Errorf("log tail %q", tail)
		}

		// DryRun checks the function exists; a missing one is a 404.
		if _, err := c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("py-buffered"), InvocationType: lambdatypes.ResponseStreamingInvocationTypeDryRun}); err != nil {
			t.Errorf("dry run: %v", err)
		}
		var nf *lambdatypes.ResourceNotFoundException
		if _, err := c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("nope")}); !errors.As(err, &nf) {
			t.Errorf("missing function: %v", err)
		}
	})

	t.Run("node streaming", func(t *testing.T) {
		if _, err := exec.LookPath("node"); err != nil {
			t.Skip("node is not installed")
		}
		create(&lambda.CreateFunctionInput{FunctionName: aws.String("node-stream"), Runtime: "nodejs20.x", Handler: aws.String("index.handler"),
			Code: &lambdatypes.FunctionCode{ZipFile: zipOne(t, "index.mjs", streamNode)}})
		create(&lambda.CreateFunctionInput{FunctionName: aws.String("node-fails"), Runtime: "nodejs20.x", Handler: aws.String("index.fails"),
			Code: &lambdatypes.FunctionCode{ZipFile: zipOne(t, "index.mjs", streamNode)}})

		signal := filepath.Join(t.TempDir(), "go-on")
		ev, _ := json.Marshal(map[string]string{"signal": signal})
		out, err := c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("node-stream"), Payload: ev})
		if err != nil {
			t.Fatal(err)
		}
		if ct := aws.ToString(out.ResponseStreamContentType); ct != "text/plain" {
			t.Errorf("content type %q", ct)
		}
		var got string
		done := streamEvents(t, out, func(s string) {
			if got == "" {
				// The function is waiting for this file: the first chunk
				// arrived while it runs.
				if s != "first;" {
					t.Errorf("first chunk %q", s)
				}
				if err := os.WriteFile(signal, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got += s
		})
		if got != "first;second;third" || done.ErrorCode != nil {
			t.Fatalf("streamed %q, complete %+v", got, done)
		}

		out, err = c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("node-fails")})
		if err != nil {
			t.Fatal(err)
		}
		got = ""
		done = streamEvents(t, out, func(s string) { got += s })
		if got != "partial" || aws.ToString(done.ErrorCode) == "" || !strings.Contains(aws.ToString(done.ErrorDetails), "mid-stream failure") {
			t.Fatalf("failing stream: %q, complete code %q details %q", got, aws.ToString(done.ErrorCode), aws.ToString(done.ErrorDetails))
		}
	})
}

// TestLambdaMoreWithBoto3 runs boto3 (botocore's own event stream parser,
// shapes and error codes) through InvokeWithResponseStream, InvokeAsync,
// the stored settings and code signing configs.
func TestLambdaMoreWithBoto3(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	p := startPlatform(t, Options{})
	cmd := exec.Command("python3", "testdata/boto3/lambda_more.py")
	cmd.Env = append(os.Environ(), "NUBO_URL=http://"+p.EdgeAddr(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
