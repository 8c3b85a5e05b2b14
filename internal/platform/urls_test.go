package platform

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/gateway"
)

// parseURLTime reads a function URL time as Lambda sends it (ISO-8601).
func parseURLTime(t *testing.T, what string, s *string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, aws.ToString(s))
	if err != nil {
		t.Fatalf("%s %q: %v", what, aws.ToString(s), err)
	}
	return v
}

// TestFunctionURLAPI drives the function URL operations with the SDK's
// Lambda client and calls the URL they create on the --http-addr listener.
func TestFunctionURLAPI(t *testing.T) {
	p := startPlatform(t, Options{})
	e := &gwEnv{p: p, c: &http.Client{Timeout: 30 * time.Second}}
	ctx := context.Background()
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	createFunction(t, lc, "echo", "echo")
	fn := aws.String("echo")
	arn := "arn:aws:lambda:us-east-1:000000000000:function:echo"

	created, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: fn,
		AuthType: lambdatypes.FunctionUrlAuthTypeNone,
		Cors:     &lambdatypes.Cors{AllowOrigins: []string{"https://learn.example"}, MaxAge: aws.Int32(60)}})
	if err != nil {
		t.Fatalf("CreateFunctionUrlConfig: %v", err)
	}
	u := aws.ToString(created.FunctionUrl)
	id, ok := strings.CutPrefix(u, "http://")
	id, _, _ = strings.Cut(id, ".")
	if !ok || u != gateway.FunctionURLAddress(p.HTTPAddr(), id) {
		t.Fatalf("FunctionUrl %q", u)
	}
	if aws.ToString(created.FunctionArn) != arn || created.AuthType != lambdatypes.FunctionUrlAuthTypeNone ||
		created.InvokeMode != lambdatypes.InvokeModeBuffered || created.Cors == nil || aws.ToInt32(created.Cors.MaxAge) != 60 {
		t.Fatalf("CreateFunctionUrlConfig answered %+v", created)
	}
	creation := parseURLTime(t, "CreationTime", created.CreationTime)

	// AuthType NONE still needs the public permission, as in Lambda.
	if a := e.fetch(t, u+"hello"); a.status != http.StatusForbidden {
		t.Fatalf("URL without permission: %d %s", a.status, a.body)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: fn, StatementId: aws.String("public-url"),
		Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"),
		FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatalf("AddPermission: %v", err)
	}
	if a := e.fetch(t, u+"hello"); a.status != http.StatusOK || !strings.Contains(a.body, `"rawPath":"/hello"`) {
		t.Fatalf("URL with permission: %d %s", a.status, a.body)
	}
	// The same URL under /_url/{id}/ on the listener's own address.
	if a := e.send(t, http.MethodGet, "", "/_url/"+id+"/there"); a.status != http.StatusOK || !strings.Contains(a.body, `"rawPath":"/there"`) {
		t.Fatalf("/_url/ form: %d %s", a.status, a.body)
	}

	got, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetFunctionUrlConfig: %v", err)
	}
	if aws.ToString(got.FunctionUrl) != u || got.AuthType != lambdatypes.FunctionUrlAuthTypeNone ||
		!parseURLTime(t, "CreationTime", got.CreationTime).Equal(creation) || got.Cors == nil ||
		len(got.Cors.AllowOrigins) != 1 || got.Cors.AllowOrigins[0] != "https://learn.example" {
		t.Fatalf("GetFunctionUrlConfig answered %+v", got)
	}
	parseURLTime(t, "LastModifiedTime", got.LastModifiedTime)

	// Update: the fields given replace, the others stay.
	upd, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: fn,
		AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
	if err != nil {
		t.Fatalf("UpdateFunctionUrlConfig: %v", err)
	}
	if upd.AuthType != lambdatypes.FunctionUrlAuthTypeAwsIam || aws.ToString(upd.FunctionUrl) != u ||
		upd.Cors == nil || aws.ToInt32(upd.Cors.MaxAge) != 60 || upd.InvokeMode != lambdatypes.InvokeModeBuffered ||
		!parseURLTime(t, "CreationTime", upd.CreationTime).Equal(creation) {
		t.Fatalf("UpdateFunctionUrlConfig answered %+v", upd)
	}
	if a := e.fetch(t, u+"hello"); a.status != http.StatusForbidden {
		t.Fatalf("unsigned call of an AWS_IAM URL: %d %s", a.status, a.body)
	}
	upd, err = lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: fn,
		InvokeMode: lambdatypes.InvokeModeResponseStream, Cors: &lambdatypes.Cors{AllowMethods: []string{"GET"}}})
	if err != nil {
		t.Fatalf("UpdateFunctionUrlConfig: %v", err)
	}
	if upd.AuthType != lambdatypes.FunctionUrlAuthTypeAwsIam || upd.InvokeMode != lambdatypes.InvokeModeResponseStream ||
		upd.Cors == nil || len(upd.Cors.AllowOrigins) != 0 || len(upd.Cors.AllowMethods) != 1 {
		t.Fatalf("UpdateFunctionUrlConfig answered %+v", upd)
	}

	list, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: fn, MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatalf("ListFunctionUrlConfigs: %v", err)
	}
	if len(list.FunctionUrlConfigs) != 1 || aws.ToString(list.FunctionUrlConfigs[0].FunctionUrl) != u ||
		list.FunctionUrlConfigs[0].AuthType != lambdatypes.FunctionUrlAuthTypeAwsIam || list.NextMarker != nil {
		t.Fatalf("ListFunctionUrlConfigs answered %+v", list)
	}

	if _, err := lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: fn}); err != nil {
		t.Fatalf("DeleteFunctionUrlConfig: %v", err)
	}
	if a := e.send(t, http.MethodGet, "", "/_url/"+id+"/hello"); a.status != http.StatusNotFound {
		t.Fatalf("deleted URL: %d %s", a.status, a.body)
	}
	list, err = lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: fn})
	if err != nil || len(list.FunctionUrlConfigs) != 0 {
		t.Fatalf("ListFunctionUrlConfigs after delete: %+v %v", list, err)
	}
	// A new URL after the delete: a new address.
	again, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: fn,
		AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if err != nil || aws.ToString(again.FunctionUrl) == u {
		t.Fatalf("CreateFunctionUrlConfig after delete: %+v %v", again, err)
	}
	if a := e.fetch(t, aws.ToString(again.FunctionUrl)+"x"); a.status != http.StatusOK {
		t.Fatalf("recreated URL: %d %s", a.status, a.body)
	}

	// DeleteFunction deletes the function's URL: a new function of the
	// same name starts without one.
	if _, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: fn}); err != nil {
		t.Fatal(err)
	}
	if len(p.Gateway.FunctionURLs()) != 0 {
		t.Fatalf("URLs after DeleteFunction: %+v", p.Gateway.FunctionURLs())
	}
	createFunction(t, lc, "echo", "echo")
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: fn}); !errors.As(err, &nf) {
		t.Fatalf("GetFunctionUrlConfig of a recreated function: %v", err)
	}
}

// TestFunctionURLAPIErrors checks the codes and messages Lambda answers.
func TestFunctionURLAPIErrors(t *testing.T) {
	p := startPlatform(t, Options{})
	ctx := context.Background()
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	createFunction(t, lc, "has-url", "echo")
	createFunction(t, lc, "no-url", "echo")
	if _, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("has-url"),
		AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam}); err != nil {
		t.Fatal(err)
	}
	create := func(fn string, auth lambdatypes.FunctionUrlAuthType, mode lambdatypes.InvokeMode, cors *lambdatypes.Cors) func() error {
		return func() error {
			_, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(fn),
				AuthType: auth, InvokeMode: mode, Cors: cors})
			return err
		}
	}
	cases := []struct {
		name     string
		call     func() error
		code     string
		inMsg    string
		httpCode int
	}{
		{"create twice", create("has-url", lambdatypes.FunctionUrlAuthTypeNone, "", nil), "ResourceConflictException", "exists", 409},
		{"unknown function", create("nope", lambdatypes.FunctionUrlAuthTypeNone, "", nil), "ResourceNotFoundException", "function:nope", 404},
		{"bad AuthType", create("no-url", "OPEN", "", nil), "ValidationException", "'authType'", 400},
		{"bad InvokeMode", create("no-url", lambdatypes.FunctionUrlAuthTypeNone, "STREAMING", nil), "ValidationException", "'invokeMode'", 400},
		{"bad Cors MaxAge", create("no-url", lambdatypes.FunctionUrlAuthTypeNone, "",
			&lambdatypes.Cors{MaxAge: aws.Int32(86401)}), "ValidationException", "'cors.maxAge'", 400},
		{"credentials with any origin", create("no-url", lambdatypes.FunctionUrlAuthTypeNone, "",
			&lambdatypes.Cors{AllowCredentials: aws.Bool(true), AllowOrigins: []string{"*"}}), "InvalidParameterValueException", "AllowOrigins", 400},
		{"version qualifier", func() error {
			_, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("no-url"),
				Qualifier: aws.String("7"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
			return err
		}, "ResourceNotFoundException", "function:no-url:7", 404},
		{"get none", func() error {
			_, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("no-url")})
			return err
		}, "ResourceNotFoundException", "does not exist", 404},
		{"update none", func() error {
			_, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("no-url"),
				AuthType: lambdatypes.FunctionUrlAuthTypeNone})
			return err
		}, "ResourceNotFoundException", "does not exist", 404},
		{"update with a bad AuthType", func() error {
			_, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("has-url"),
				AuthType: "OPEN"})
			return err
		}, "ValidationException", "'authType'", 400},
		{"delete none", func() error {
			_, err := lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("no-url")})
			return err
		}, "ResourceNotFoundException", "does not exist", 404},
		{"list of an unknown function", func() error {
			_, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "function:nope", 404},
		{"list with a bad marker", func() error {
			_, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: aws.String("has-url"),
				Marker: aws.String("nothing")})
			return err
		}, "InvalidParameterValueException", "Marker", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != c.code || !strings.Contains(ae.ErrorMessage(), c.inMsg) {
				t.Fatalf("got %v, want %s naming %q", err, c.code, c.inMsg)
			}
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != c.httpCode {
				t.Fatalf("status of %v: want %d", err, c.httpCode)
			}
		})
	}

	// The URL is still there after the refused create; deleted, it is gone.
	if _, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("has-url")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String("has-url")}); err != nil {
		t.Fatal(err)
	}
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("has-url")}); !errors.As(err, &nf) {
		t.Fatalf("Get after Delete: %v", err)
	}
}
