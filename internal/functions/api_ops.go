package functions

import (
	"log/slog"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// APIOptions are what the Lambda API serves.
type APIOptions struct {
	// Service is the functions service the operations act on. Required.
	Service *Service
	// Policies serves AddPermission, GetPolicy and RemovePermission (the
	// statements AWS::Lambda::Permission writes); nil leaves them out.
	Policies *PolicyStore
	// URLs serves the function URL operations; nil leaves them out.
	URLs   URLStore
	Logger *slog.Logger
}

// maxRequestBody bounds a Lambda request body: CreateFunction's .zip of
// up to 50 MB, base64-encoded in JSON.
const maxRequestBody = 70 << 20

// NewAPI declares the Lambda REST-JSON API, as aws-sdk-go-v2's
// service/lambda and the AWS CLI call it, as an operation table: each
// operation is authorized as its IAM action on the function (qualified by
// the version or alias the request names) or layer its path names, with the
// function's resource-based policy and tags and the condition keys of its
// body (target).
func NewAPI(o APIOptions) (*awsapi.API, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &lambdaAPI{s: o.Service, log: log, policies: o.Policies, urls: o.URLs}
	return awsapi.NewAPI(awsapi.Spec{
		Service:    "lambda",
		SDKID:      "lambda",
		Protocol:   awsapi.RestJSON,
		Authorizer: o.Service.opts.Authorizer,
		Logger:     log,
		MapError:   mapError,
		DecodeJSON: decodeBytes, // InvalidRequestContentException
		MaxBody:    maxRequestBody,
		BodyTooLarge: func(limit int64) error {
			return awsapi.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "Request must be smaller than %d bytes", limit)
		},
		Ops: a.ops(),
	})
}

// ops is the operation table: every route of the API, with its AWS
// operation name and IAM action.
func (a *lambdaAPI) ops() []awsapi.Declared {
	ops := []awsapi.Declared{
		awsapi.Op[createFunctionInput, functionConfiguration]{Name: "CreateFunction", Action: "lambda:CreateFunction",
			HTTP: "POST /2015-03-31/functions", Status: http.StatusCreated,
			Resources: a.createFunctionTargets, Handler: a.createFunction},
		a.raw("ListFunctions", "lambda:ListFunctions", "GET /2015-03-31/functions", a.listFunctions),
		a.raw("GetFunction", "lambda:GetFunction", "GET /2015-03-31/functions/{FunctionName}", a.getFunction),
		a.raw("DeleteFunction", "lambda:DeleteFunction", "DELETE /2015-03-31/functions/{FunctionName}", a.deleteFunction),
		a.raw("GetFunctionConfiguration", "lambda:GetFunctionConfiguration", "GET /2015-03-31/functions/{FunctionName}/configuration", a.getFunctionConfiguration),
		a.raw("UpdateFunctionConfiguration", "lambda:UpdateFunctionConfiguration", "PUT /2015-03-31/functions/{FunctionName}/configuration", a.updateFunctionConfiguration),
		a.raw("UpdateFunctionCode", "lambda:UpdateFunctionCode", "PUT /2015-03-31/functions/{FunctionName}/code", a.updateFunctionCode),
		// Invoke owns the exchange: a raw payload, its limits and headers.
		a.raw("Invoke", "lambda:InvokeFunction", "POST /2015-03-31/functions/{FunctionName}/invocations", a.invoke),
		a.raw("PutFunctionConcurrency", "lambda:PutFunctionConcurrency", "PUT /2017-10-31/functions/{FunctionName}/concurrency", a.putConcurrency),
		a.raw("DeleteFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "DELETE /2017-10-31/functions/{FunctionName}/concurrency", a.deleteConcurrency),
		a.raw("GetFunctionConcurrency", "lambda:GetFunctionConcurrency", "GET /2019-09-30/functions/{FunctionName}/concurrency", a.getConcurrency),
		a.raw("PutFunctionEventInvokeConfig", "lambda:PutFunctionEventInvokeConfig", "PUT /2019-09-25/functions/{FunctionName}/event-invoke-config", a.putEventInvokeConfig),
		a.raw("UpdateFunctionEventInvokeConfig", "lambda:UpdateFunctionEventInvokeConfig", "POST /2019-09-25/functions/{FunctionName}/event-invoke-config", a.updateEventInvokeConfig),
		a.raw("GetFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig", "GET /2019-09-25/functions/{FunctionName}/event-invoke-config", a.getEventInvokeConfig),
		a.raw("DeleteFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig", "DELETE /2019-09-25/functions/{FunctionName}/event-invoke-config", a.deleteEventInvokeConfig),

		// Tags (api_tags.go): the path names the function by its ARN.
		a.raw("TagResource", "lambda:TagResource", "POST /2017-03-31/tags/{Resource}", a.tagResource),
		a.raw("UntagResource", "lambda:UntagResource", "DELETE /2017-03-31/tags/{Resource}", a.untagResource),
		a.raw("ListTags", "lambda:ListTags", "GET /2017-03-31/tags/{Resource}", a.listTags),

		// Versions, aliases, provisioned concurrency (api_versions.go).
		a.raw("PublishVersion", "lambda:PublishVersion", "POST /2015-03-31/functions/{FunctionName}/versions", a.publishVersion),
		a.raw("ListVersionsByFunction", "lambda:ListVersionsByFunction", "GET /2015-03-31/functions/{FunctionName}/versions", a.listVersions),
		a.raw("CreateAlias", "lambda:CreateAlias", "POST /2015-03-31/functions/{FunctionName}/aliases", a.createAlias),
		a.raw("ListAliases", "lambda:ListAliases", "GET /2015-03-31/functions/{FunctionName}/aliases", a.listAliases),
		a.raw("GetAlias", "lambda:GetAlias", "GET /2015-03-31/functions/{FunctionName}/aliases/{Name}", a.getAlias),
		a.raw("UpdateAlias", "lambda:UpdateAlias", "PUT /2015-03-31/functions/{FunctionName}/aliases/{Name}", a.updateAlias),
		a.raw("DeleteAlias", "lambda:DeleteAlias", "DELETE /2015-03-31/functions/{FunctionName}/aliases/{Name}", a.deleteAlias),
		a.raw("PutProvisionedConcurrencyConfig", "lambda:PutProvisionedConcurrencyConfig", "PUT /2019-09-30/functions/{FunctionName}/provisioned-concurrency", a.putProvisioned),
		a.raw("GetProvisionedConcurrencyConfig", "lambda:GetProvisionedConcurrencyConfig", "GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency", a.getProvisioned),
		a.raw("DeleteProvisionedConcurrencyConfig", "lambda:DeleteProvisionedConcurrencyConfig", "DELETE /2019-09-30/functions/{FunctionName}/provisioned-concurrency", a.deleteProvisioned),
		a.raw("ListProvisionedConcurrencyConfigs", "lambda:ListProvisionedConcurrencyConfigs", "GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL", a.listProvisioned),

		// Layers (api_layers.go).
		a.raw("PublishLayerVersion", "lambda:PublishLayerVersion", "POST /2018-10-31/layers/{LayerName}/versions", a.publishLayerVersion),
		a.raw("ListLayerVersions", "lambda:ListLayerVersions", "GET /2018-10-31/layers/{LayerName}/versions", a.listLayerVersions),
		a.raw("GetLayerVersion", "lambda:GetLayerVersion", "GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}", a.getLayerVersion),
		a.raw("DeleteLayerVersion", "lambda:DeleteLayerVersion", "DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}", a.deleteLayerVersion),
		a.raw("ListLayers", "lambda:ListLayers", "GET /2018-10-31/layers", a.listLayers),
		awsapi.RawOp{Name: "GetLayerVersionByArn", Action: "lambda:GetLayerVersion", HTTP: "GET /2018-10-31/layers?find=LayerVersion",
			Resources: layerVersionByARNTarget, Handler: a.getLayerVersionByARN},
		a.raw("AddLayerVersionPermission", "lambda:AddLayerVersionPermission", "POST /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy", a.addLayerVersionPermission),
		a.raw("GetLayerVersionPolicy", "lambda:GetLayerVersionPolicy", "GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy", a.getLayerVersionPolicy),
		a.raw("RemoveLayerVersionPermission", "lambda:RemoveLayerVersionPermission", "DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}", a.removeLayerVersionPermission),
	}
	if a.policies != nil { // api_policy.go
		ops = append(ops,
			a.raw("AddPermission", "lambda:AddPermission", "POST /2015-03-31/functions/{FunctionName}/policy", a.addPermission),
			a.raw("GetPolicy", "lambda:GetPolicy", "GET /2015-03-31/functions/{FunctionName}/policy", a.getPolicy),
			a.raw("RemovePermission", "lambda:RemovePermission", "DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}", a.removePermission),
		)
	}
	if a.urls != nil { // api_url.go
		ops = append(ops,
			a.raw("CreateFunctionUrlConfig", "lambda:CreateFunctionUrlConfig", "POST /2021-10-31/functions/{FunctionName}/url", a.createURL),
			a.raw("GetFunctionUrlConfig", "lambda:GetFunctionUrlConfig", "GET /2021-10-31/functions/{FunctionName}/url", a.getURL),
			a.raw("UpdateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "PUT /2021-10-31/functions/{FunctionName}/url", a.updateURL),
			a.raw("DeleteFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig", "DELETE /2021-10-31/functions/{FunctionName}/url", a.deleteURL),
			a.raw("ListFunctionUrlConfigs", "lambda:ListFunctionUrlConfigs", "GET /2021-10-31/functions/{FunctionName}/urls", a.listURLs),
		)
	}
	return ops
}

// raw declares an operation whose handler reads the request and writes the
// response, authorized as action on the request's target.
func (a *lambdaAPI) raw(name, action, route string, h func(http.ResponseWriter, *http.Request) error) awsapi.RawOp {
	return awsapi.RawOp{Name: name, Action: action, HTTP: route, Handler: h,
		Resources: func(c *awsapi.Call) ([]awsapi.Target, error) {
			return []awsapi.Target{a.target(c.R, action)}, nil
		}}
}
