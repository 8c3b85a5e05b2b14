package functions

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

func TestLambdaCRUD(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	created := h.createFn(t, "crud", "echo")
	if got := aws.ToString(created.FunctionArn); got != "arn:aws:lambda:us-east-1:000000000000:function:crud" {
		t.Fatalf("arn %q", got)
	}
	if created.State != lambdatypes.StateActive || aws.ToInt32(created.MemorySize) != 128 || aws.ToInt32(created.Timeout) != 3 {
		t.Fatalf("defaults: state %s memory %d timeout %d", created.State, aws.ToInt32(created.MemorySize), aws.ToInt32(created.Timeout))
	}
	for _, ref := range []string{"crud", "000000000000:function:crud", "arn:aws:lambda:us-east-1:000000000000:function:crud", "crud:$LATEST"} {
		got, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ref)})
		if err != nil {
			t.Fatalf("get %q: %v", ref, err)
		}
		if aws.ToString(got.Configuration.CodeSha256) != aws.ToString(created.CodeSha256) {
			t.Fatalf("get %q: sha %q", ref, aws.ToString(got.Configuration.CodeSha256))
		}
	}
	cfg, err := h.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("crud")})
	if err != nil || aws.ToString(cfg.Handler) != "echo" || aws.ToString(cfg.LoggingConfig.LogGroup) != "/aws/lambda/crud" {
		t.Fatalf("configuration: %v %+v", err, cfg)
	}

	up, err := h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("crud"), MemorySize: aws.Int32(512), Timeout: aws.Int32(30),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"GREETING": "hi"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(up.MemorySize) != 512 || aws.ToInt32(up.Timeout) != 30 || up.Environment.Variables["GREETING"] != "hi" {
		t.Fatalf("update config: %+v", up)
	}
	if up.RevisionId == created.RevisionId {
		t.Fatal("revision id unchanged after update")
	}
	_, err = h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("crud"), Description: aws.String("x"), RevisionId: created.RevisionId})
	var pre *lambdatypes.PreconditionFailedException
	if !errors.As(err, &pre) {
		t.Fatalf("stale revision id: %v", err)
	}

	newZip := bootstrapZip(t, "v2")
	code, err := h.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("crud"), ZipFile: newZip})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(code.CodeSha256) == aws.ToString(created.CodeSha256) || code.CodeSize != int64(len(newZip)) {
		t.Fatalf("update code: sha %q size %d", aws.ToString(code.CodeSha256), code.CodeSize)
	}
	if h.exec.retired["crud"] < 2 {
		t.Fatalf("instances not retired after updates: %d", h.exec.retired["crud"])
	}

	for i := 0; i < 4; i++ {
		h.createFn(t, "list-"+string(rune('a'+i)), "echo")
	}
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		out, err := h.client.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
		if out.NextMarker == nil {
			break
		}
		if pages > 5 {
			t.Fatal("list does not end")
		}
		marker = out.NextMarker
	}
	if strings.Join(names, ",") != "crud,list-a,list-b,list-c,list-d" {
		t.Fatalf("listed %v", names)
	}

	if _, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("crud")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("crud")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(aws.ToString(nf.Message), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:crud") {
		t.Fatalf("get after delete: %v", err)
	}
	// The name is free again, and the same package can be deployed again.
	again := h.createFn(t, "crud", "echo")
	if aws.ToString(again.CodeSha256) != aws.ToString(created.CodeSha256) {
		t.Fatalf("recreated with sha %q", aws.ToString(again.CodeSha256))
	}
	if out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("crud"), Payload: []byte(`1`)}); err != nil || string(out.Payload) != "1" {
		t.Fatalf("invoke recreated: %v", err)
	}
}

func TestLambdaErrors(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "exists", "echo")
	role := aws.String("arn:aws:iam::000000000000:role/r")
	zipOK := bootstrapZip(t, "x")
	pyZip := makeZip(t, zipEntry{name: "app.py", body: "def handler(e, c): return e\n"})
	if _, err := h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("py"), Runtime: "python3.12", Handler: aws.String("app.handler"), Role: role, Code: &lambdatypes.FunctionCode{ZipFile: pyZip}}); err != nil {
		t.Fatal(err)
	}
	create := func(mod func(*lambda.CreateFunctionInput)) error {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String("new-fn"), Runtime: "provided.al2023", Role: role, Code: &lambdatypes.FunctionCode{ZipFile: zipOK}}
		mod(in)
		_, err := h.client.CreateFunction(ctx, in)
		return err
	}
	type want struct {
		code   string
		status int
		msg    string
	}
	cases := map[string]struct {
		call func() error
		want want
	}{
		"unknown runtime": {func() error { return create(func(in *lambda.CreateFunctionInput) { in.Runtime = "cobol9" }) },
			want{"InvalidParameterValueException", 400, "The runtime parameter of cobol9 is not supported"}},
		"python without handler": {func() error {
			return create(func(in *lambda.CreateFunctionInput) { in.Runtime = "python3.12"; in.Code.ZipFile = pyZip })
		}, want{"InvalidParameterValueException", 400, "Handler is required"}},
		"node without handler": {func() error { return create(func(in *lambda.CreateFunctionInput) { in.Runtime = "nodejs20.x" }) },
			want{"InvalidParameterValueException", 400, "Handler is required"}},
		"memory too small": {func() error { return create(func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(64) }) },
			want{"InvalidParameterValueException", 400, "MemorySize 64"}},
		"memory too large": {func() error { return create(func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(10241) }) },
			want{"InvalidParameterValueException", 400, "MemorySize 10241"}},
		"timeout zero": {func() error { return create(func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(0) }) },
			want{"InvalidParameterValueException", 400, "Timeout 0"}},
		"timeout too long": {func() error { return create(func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(901) }) },
			want{"InvalidParameterValueException", 400, "Timeout 901"}},
		"provided without bootstrap": {func() error {
			return create(func(in *lambda.CreateFunctionInput) { in.Code.ZipFile = pyZip })
		}, want{"InvalidParameterValueException", 400, "bootstrap"}},
		"not a zip": {func() error {
			return create(func(in *lambda.CreateFunctionInput) { in.Code.ZipFile = []byte("hello") })
		}, want{"InvalidParameterValueException", 400, "unzip"}},
		"zip slip": {func() error {
			return create(func(in *lambda.CreateFunctionInput) {
				in.Code.ZipFile = makeZip(t, zipEntry{name: "bootstrap", mode: 0o755}, zipEntry{name: "../../evil", body: "x"})
			})
		}, want{"InvalidParameterValueException", 400, "escapes"}},
		"reserved env": {func() error {
			return create(func(in *lambda.CreateFunctionInput) {
				in.Environment = &lambdatypes.Environment{Variables: map[string]string{"AWS_REGION": "x"}}
			})
		}, want{"InvalidParameterValueException", 400, "AWS_REGION"}},
		"environment over 4 KB": {func() error {
			return create(func(in *lambda.CreateFunctionInput) {
				in.Environment = &lambdatypes.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 4100)}}
			})
		}, want{"InvalidParameterValueException", 400, "exceeded the 4KB limit"}},
		"bad environment name": {func() error {
			return create(func(in *lambda.CreateFunctionInput) {
				in.Environment = &lambdatypes.Environment{Variables: map[string]string{"1BAD": "x"}}
			})
		}, want{"InvalidParameterValueException", 400, `"1BAD"`}},
		"description too long": {func() error {
			return create(func(in *lambda.CreateFunctionInput) { in.Description = aws.String(strings.Repeat("d", 257)) })
		}, want{"InvalidParameterValueException", 400, "Description is 257"}},
		"bad function name": {func() error {
			return create(func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("no spaces") })
		},
			want{"ValidationException", 400, "functionName"}},
		"already exists": {func() error {
			return create(func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("exists") })
		},
			want{"ResourceConflictException", 409, "exist"}},
		"get missing": {func() error {
			_, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
			return err
		}, want{"ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"}},
		"get missing version": {func() error {
			_, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("exists"), Qualifier: aws.String("7")})
			return err
		}, want{"ResourceNotFoundException", 404, "function:exists:7"}},
		"delete missing": {func() error {
			_, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("nope")})
			return err
		}, want{"ResourceNotFoundException", 404, "Function not found"}},
		"invoke missing": {func() error {
			_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
			return err
		}, want{"ResourceNotFoundException", 404, "Function not found"}},
		"invoke bad json": {func() error {
			_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("exists"), Payload: []byte("{not json")})
			return err
		}, want{"InvalidRequestContentException", 400, "Could not parse"}},
		"invoke too large": {func() error {
			_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("exists"), Payload: bigJSON(MaxSyncPayload + 1)})
			return err
		}, want{"RequestTooLargeException", 413, "6291456"}},
		"event too large": {func() error {
			_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("exists"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: bigJSON(MaxAsyncPayload + 1)})
			return err
		}, want{"RequestTooLargeException", 413, "1048576"}},
		"update config bad memory": {func() error {
			_, err := h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("exists"), MemorySize: aws.Int32(20000)})
			return err
		}, want{"InvalidParameterValueException", 400, "MemorySize"}},
		"runtime change to provided without bootstrap": {func() error {
			_, err := h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("py"), Runtime: "provided.al2023"})
			return err
		}, want{"InvalidParameterValueException", 400, "bootstrap"}},
		"update code missing": {func() error {
			_, err := h.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("nope"), ZipFile: zipOK})
			return err
		}, want{"ResourceNotFoundException", 404, "Function not found"}},
		"retry attempts out of range": {func() error {
			_, err := h.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("exists"), MaximumRetryAttempts: aws.Int32(3)})
			return err
		}, want{"InvalidParameterValueException", 400, "MaximumRetryAttempts 3"}},
		"event age out of range": {func() error {
			_, err := h.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("exists"), MaximumEventAgeInSeconds: aws.Int32(59)})
			return err
		}, want{"InvalidParameterValueException", 400, "MaximumEventAgeInSeconds 59"}},
		"sqs destination not supported yet": {func() error {
			_, err := h.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("exists"),
				DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")}}})
			return err
		}, want{"InvalidParameterValueException", 400, "sqs destinations are not supported by nubo yet"}},
		"no event invoke config": {func() error {
			_, err := h.client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("exists")})
			return err
		}, want{"ResourceNotFoundException", 404, "doesn't have an EventInvokeConfig"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.call()
			var api smithy.APIError
			if !errors.As(err, &api) {
				t.Fatalf("got %v, want %s", err, c.want.code)
			}
			var re *awshttp.ResponseError
			status := 0
			if errors.As(err, &re) {
				status = re.HTTPStatusCode()
			}
			if api.ErrorCode() != c.want.code || status != c.want.status || !strings.Contains(api.ErrorMessage(), c.want.msg) {
				t.Fatalf("got %s %d %q, want %s %d containing %q", api.ErrorCode(), status, api.ErrorMessage(), c.want.code, c.want.status, c.want.msg)
			}
		})
	}
	// The SDK's typed errors, as callers use them.
	_, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("not a ResourceNotFoundException: %T %v", err, err)
	}
	err = create(func(in *lambda.CreateFunctionInput) { in.Runtime = "cobol9" })
	var ip *lambdatypes.InvalidParameterValueException
	if !errors.As(err, &ip) {
		t.Fatalf("not an InvalidParameterValueException: %T %v", err, err)
	}
	err = create(func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("exists") })
	var rc *lambdatypes.ResourceConflictException
	if !errors.As(err, &rc) {
		t.Fatalf("not a ResourceConflictException: %T %v", err, err)
	}
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("exists"), Payload: []byte("nope")})
	var irc *lambdatypes.InvalidRequestContentException
	if !errors.As(err, &irc) {
		t.Fatalf("not an InvalidRequestContentException: %T %v", err, err)
	}
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("exists"), Payload: bigJSON(MaxSyncPayload + 10)})
	var tl *lambdatypes.RequestTooLargeException
	if !errors.As(err, &tl) {
		t.Fatalf("not a RequestTooLargeException: %T %v", err, err)
	}
}

func bigJSON(n int) []byte {
	b := bytes.Repeat([]byte("a"), n)
	b[0], b[n-1] = '"', '"'
	return b
}

func TestInvokeSyncDryRunTail(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "echo", "echo")
	h.createFn(t, "fail", "fail")

	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"hello":"world"}`), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || string(out.Payload) != `{"hello":"world"}` || aws.ToString(out.ExecutedVersion) != "$LATEST" || out.FunctionError != nil {
		t.Fatalf("invoke: %d %s %v %v", out.StatusCode, out.Payload, aws.ToString(out.ExecutedVersion), out.FunctionError)
	}
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil || !strings.Contains(string(tail), `echo {"hello":"world"}`) {
		t.Fatalf("log tail %q (%v)", tail, err)
	}

	out, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fail")})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "boom") {
		t.Fatalf("function error: %d %v %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}

	out, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: lambdatypes.InvocationTypeDryRun})
	if err != nil || out.StatusCode != http.StatusNoContent {
		t.Fatalf("dry run: %v %d", err, out.StatusCode)
	}
	if n := len(h.exec.callsOf("echo")); n != 1 {
		t.Fatalf("dry run invoked the function: %d calls", n)
	}

	// Long tails keep only the last 4 KB.
	out, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: bigJSON(10000), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	tail, _ = base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if len(tail) != logTailBytes || !strings.HasSuffix(string(tail), "END RequestId: "+requestIDOf(t, out)+"\n") {
		t.Fatalf("long tail: %d bytes, ends %q", len(tail), tail[max(0, len(tail)-60):])
	}
}

func requestIDOf(t *testing.T, out *lambda.InvokeOutput) string {
	t.Helper()
	rid, ok := awsmiddlewareRequestID(out.ResultMetadata)
	if !ok {
		t.Fatal("no request id")
	}
	return rid
}

func TestReservedConcurrencyThrottles(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "slow", "block")
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("slow")})
	if err != nil || aws.ToInt32(got.ReservedConcurrentExecutions) != 1 {
		t.Fatalf("get concurrency: %v %v", err, got)
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("slow")})
		done <- err
	}()
	<-h.exec.started
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("slow")})
	var tm *lambdatypes.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Fatalf("second invoke: %v", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 429 {
		t.Fatalf("status: %v", err)
	}
	h.exec.release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Zero reserved concurrency stops every invocation.
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("slow")}); !errors.As(err, &tm) {
		t.Fatalf("invoke with zero concurrency: %v", err)
	}
	if _, err := h.client.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	got, err = h.client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("slow")})
	if err != nil || got.ReservedConcurrentExecutions != nil {
		t.Fatalf("after delete concurrency: %v %v", err, got.ReservedConcurrentExecutions)
	}
}

func TestEventInvokeConfigCRUD(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "src", "echo")
	h.createFn(t, "dst", "echo")
	dst := "arn:aws:lambda:us-east-1:000000000000:function:dst"
	put, err := h.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String("src"), MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(dst)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(put.MaximumRetryAttempts) != 1 || aws.ToInt32(put.MaximumEventAgeInSeconds) != 21600 || aws.ToString(put.DestinationConfig.OnFailure.Destination) != dst || put.LastModified == nil {
		t.Fatalf("put: %+v", put)
	}
	up, err := h.client.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("src"), MaximumEventAgeInSeconds: aws.Int32(120)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(up.MaximumRetryAttempts) != 1 || aws.ToInt32(up.MaximumEventAgeInSeconds) != 120 || aws.ToString(up.DestinationConfig.OnFailure.Destination) != dst {
		t.Fatalf("update merged wrongly: %+v", up)
	}
	get, err := h.client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("src")})
	if err != nil || aws.ToInt32(get.MaximumEventAgeInSeconds) != 120 || aws.ToString(get.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:src:$LATEST" {
		t.Fatalf("get: %v %+v", err, get)
	}
	// Put replaces: unset fields go back to defaults.
	put, err = h.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("src"), MaximumRetryAttempts: aws.Int32(0)})
	if err != nil || aws.ToInt32(put.MaximumEventAgeInSeconds) != 21600 || aws.ToString(put.DestinationConfig.OnFailure.Destination) != "" {
		t.Fatalf("put replace: %v %+v", err, put)
	}
	if _, err := h.client.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("src")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("get after delete: %v", err)
	}
}
