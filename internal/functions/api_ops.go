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
	URLs URLStore
	// EventSources serves the event source mapping operations
	// (api_esm.go); nil leaves them out.
	EventSources *EventSources
	Logger       *slog.Logger
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
	a := &lambdaAPI{s: o.Service, log: log, policies: o.Policies, urls: o.URLs, set: &settingsStore{bb: o.Service.opts.Backbone}, esm: o.EventSources}
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
		op(a, "ListFunctions", "lambda:ListFunctions", "GET /2015-03-31/functions", 0, a.listFunctions),
		op(a, "GetAccountSettings", "lambda:GetAccountSettings", "GET /2016-08-19/account-settings", 0, a.getAccountSettings),
		op(a, "GetFunction", "lambda:GetFunction", "GET /2015-03-31/functions/{FunctionName}", 0, a.getFunction),
		op(a, "DeleteFunction", "lambda:DeleteFunction", "DELETE /2015-03-31/functions/{FunctionName}", http.StatusNoContent, a.deleteFunction),
		op(a, "GetFunctionConfiguration", "lambda:GetFunctionConfiguration", "GET /2015-03-31/functions/{FunctionName}/configuration", 0, a.getFunctionConfiguration),
		op(a, "UpdateFunctionConfiguration", "lambda:UpdateFunctionConfiguration", "PUT /2015-03-31/functions/{FunctionName}/configuration", 0, a.updateFunctionConfiguration),
		op(a, "UpdateFunctionCode", "lambda:UpdateFunctionCode", "PUT /2015-03-31/functions/{FunctionName}/code", 0, a.updateFunctionCode),
		// Invoke owns the exchange: a raw payload with its own limits, the
		// invocation type's status, the function's headers.
		a.raw("Invoke", "lambda:InvokeFunction", "POST /2015-03-31/functions/{FunctionName}/invocations", a.invoke),
		a.raw("InvokeWithResponseStream", "lambda:InvokeFunction", "POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations", a.invokeWithResponseStream), // api_stream.go
		a.raw("InvokeAsync", "lambda:InvokeAsync", "POST /2014-11-13/functions/{FunctionName}/invoke-async", a.invokeAsync),
		op(a, "PutFunctionConcurrency", "lambda:PutFunctionConcurrency", "PUT /2017-10-31/functions/{FunctionName}/concurrency", 0, a.putConcurrency),
		op(a, "DeleteFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "DELETE /2017-10-31/functions/{FunctionName}/concurrency", http.StatusNoContent, a.deleteConcurrency),
		op(a, "GetFunctionConcurrency", "lambda:GetFunctionConcurrency", "GET /2019-09-30/functions/{FunctionName}/concurrency", 0, a.getConcurrency),
		op(a, "PutFunctionEventInvokeConfig", "lambda:PutFunctionEventInvokeConfig", "PUT /2019-09-25/functions/{FunctionName}/event-invoke-config", 0, a.putEventInvokeConfig),
		op(a, "UpdateFunctionEventInvokeConfig", "lambda:UpdateFunctionEventInvokeConfig", "POST /2019-09-25/functions/{FunctionName}/event-invoke-config", 0, a.updateEventInvokeConfig),
		op(a, "GetFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig", "GET /2019-09-25/functions/{FunctionName}/event-invoke-config", 0, a.getEventInvokeConfig),
		op(a, "DeleteFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig", "DELETE /2019-09-25/functions/{FunctionName}/event-invoke-config", http.StatusNoContent, a.deleteEventInvokeConfig),
		op(a, "ListFunctionEventInvokeConfigs", "lambda:ListFunctionEventInvokeConfigs", "GET /2019-09-25/functions/{FunctionName}/event-invoke-config/list", 0, a.listEventInvokeConfigs),

		// Tags (api_tags.go): the path names the function by its ARN.
		op(a, "TagResource", "lambda:TagResource", "POST /2017-03-31/tags/{Resource}", http.StatusNoContent, a.tagResource),
		op(a, "UntagResource", "lambda:UntagResource", "DELETE /2017-03-31/tags/{Resource}", http.StatusNoContent, a.untagResource),
		op(a, "ListTags", "lambda:ListTags", "GET /2017-03-31/tags/{Resource}", 0, a.listTags),

		// Stored settings (api_settings.go, api_codesigning.go).
		op(a, "GetFunctionRecursionConfig", "lambda:GetFunctionRecursionConfig", "GET /2024-08-31/functions/{FunctionName}/recursion-config", 0, a.getRecursionConfig),
		op(a, "PutFunctionRecursionConfig", "lambda:PutFunctionRecursionConfig", "PUT /2024-08-31/functions/{FunctionName}/recursion-config", 0, a.putRecursionConfig),
		op(a, "GetRuntimeManagementConfig", "lambda:GetRuntimeManagementConfig", "GET /2021-07-20/functions/{FunctionName}/runtime-management-config", 0, a.getRuntimeManagement),
		op(a, "PutRuntimeManagementConfig", "lambda:PutRuntimeManagementConfig", "PUT /2021-07-20/functions/{FunctionName}/runtime-management-config", 0, a.putRuntimeManagement),
		op(a, "CreateCodeSigningConfig", "lambda:CreateCodeSigningConfig", "POST /2020-04-22/code-signing-configs", http.StatusCreated, a.createCSC),
		op(a, "ListCodeSigningConfigs", "lambda:ListCodeSigningConfigs", "GET /2020-04-22/code-signing-configs", 0, a.listCSCs),
		op(a, "GetCodeSigningConfig", "lambda:GetCodeSigningConfig", "GET /2020-04-22/code-signing-configs/{CodeSigningConfigArn}", 0, a.getCSC),
		op(a, "UpdateCodeSigningConfig", "lambda:UpdateCodeSigningConfig", "PUT /2020-04-22/code-signing-configs/{CodeSigningConfigArn}", 0, a.updateCSC),
		op(a, "DeleteCodeSigningConfig", "lambda:DeleteCodeSigningConfig", "DELETE /2020-04-22/code-signing-configs/{CodeSigningConfigArn}", http.StatusNoContent, a.deleteCSC),
		op(a, "ListFunctionsByCodeSigningConfig", "lambda:ListFunctionsByCodeSigningConfig", "GET /2020-04-22/code-signing-configs/{CodeSigningConfigArn}/functions", 0, a.listFunctionsByCSC),
		op(a, "PutFunctionCodeSigningConfig", "lambda:PutFunctionCodeSigningConfig", "PUT /2020-06-30/functions/{FunctionName}/code-signing-config", 0, a.putFunctionCSC),
		op(a, "GetFunctionCodeSigningConfig", "lambda:GetFunctionCodeSigningConfig", "GET /2020-06-30/functions/{FunctionName}/code-signing-config", 0, a.getFunctionCSC),
		op(a, "DeleteFunctionCodeSigningConfig", "lambda:DeleteFunctionCodeSigningConfig", "DELETE /2020-06-30/functions/{FunctionName}/code-signing-config", http.StatusNoContent, a.deleteFunctionCSC),

		// Versions, aliases, provisioned concurrency (api_versions.go).
		op(a, "PublishVersion", "lambda:PublishVersion", "POST /2015-03-31/functions/{FunctionName}/versions", http.StatusCreated, a.publishVersion),
		op(a, "ListVersionsByFunction", "lambda:ListVersionsByFunction", "GET /2015-03-31/functions/{FunctionName}/versions", 0, a.listVersions),
		op(a, "CreateAlias", "lambda:CreateAlias", "POST /2015-03-31/functions/{FunctionName}/aliases", http.StatusCreated, a.createAlias),
		op(a, "ListAliases", "lambda:ListAliases", "GET /2015-03-31/functions/{FunctionName}/aliases", 0, a.listAliases),
		op(a, "GetAlias", "lambda:GetAlias", "GET /2015-03-31/functions/{FunctionName}/aliases/{Name}", 0, a.getAlias),
		op(a, "UpdateAlias", "lambda:UpdateAlias", "PUT /2015-03-31/functions/{FunctionName}/aliases/{Name}", 0, a.updateAlias),
		op(a, "DeleteAlias", "lambda:DeleteAlias", "DELETE /2015-03-31/functions/{FunctionName}/aliases/{Name}", http.StatusNoContent, a.deleteAlias),
		op(a, "PutProvisionedConcurrencyConfig", "lambda:PutProvisionedConcurrencyConfig", "PUT /2019-09-30/functions/{FunctionName}/provisioned-concurrency", http.StatusAccepted, a.putProvisioned),
		op(a, "GetProvisionedConcurrencyConfig", "lambda:GetProvisionedConcurrencyConfig", "GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency", 0, a.getProvisioned),
		op(a, "DeleteProvisionedConcurrencyConfig", "lambda:DeleteProvisionedConcurrencyConfig", "DELETE /2019-09-30/functions/{FunctionName}/provisioned-concurrency", http.StatusNoContent, a.deleteProvisioned),
		op(a, "ListProvisionedConcurrencyConfigs", "lambda:ListProvisionedConcurrencyConfigs", "GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL", 0, a.listProvisioned),

		// Layers (api_layers.go).
		op(a, "PublishLayerVersion", "lambda:PublishLayerVersion", "POST /2018-10-31/layers/{LayerName}/versions", http.StatusCreated, a.publishLayerVersion),
		op(a, "ListLayerVersions", "lambda:ListLayerVersions", "GET /2018-10-31/layers/{LayerName}/versions", 0, a.listLayerVersions),
		op(a, "GetLayerVersion", "lambda:GetLayerVersion", "GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}", 0, a.getLayerVersion),
		op(a, "DeleteLayerVersion", "lambda:DeleteLayerVersion", "DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}", http.StatusNoContent, a.deleteLayerVersion),
		op(a, "ListLayers", "lambda:ListLayers", "GET /2018-10-31/layers", 0, a.listLayers),
		awsapi.Op[layerVersionByARNInput, layerVersionOutput]{Name: "GetLayerVersionByArn", Action: "lambda:GetLayerVersion",
			HTTP: "GET /2018-10-31/layers?find=LayerVersion", Resources: layerVersionByARNTarget, Handler: a.getLayerVersionByARN},
		op(a, "AddLayerVersionPermission", "lambda:AddLayerVersionPermission", "POST /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy", http.StatusCreated, a.addLayerVersionPermission),
		op(a, "GetLayerVersionPolicy", "lambda:GetLayerVersionPolicy", "GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy", 0, a.getLayerVersionPolicy),
		op(a, "RemoveLayerVersionPermission", "lambda:RemoveLayerVersionPermission", "DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}", http.StatusNoContent, a.removeLayerVersionPermission),
	}
	if a.policies != nil { // api_policy.go
		ops = append(ops,
			op(a, "AddPermission", "lambda:AddPermission", "POST /2015-03-31/functions/{FunctionName}/policy", http.StatusCreated, a.addPermission),
			op(a, "GetPolicy", "lambda:GetPolicy", "GET /2015-03-31/functions/{FunctionName}/policy", 0, a.getPolicy),
			op(a, "RemovePermission", "lambda:RemovePermission", "DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}", http.StatusNoContent, a.removePermission),
			// The same policy as one document (api_resourcepolicy.go).
			op(a, "GetResourcePolicy", "lambda:GetResourcePolicy", "GET /2026-07-09/resource-policy/{ResourceArn}", 0, a.getResourcePolicy),
			op(a, "PutResourcePolicy", "lambda:PutResourcePolicy", "PUT /2026-07-09/resource-policy/{ResourceArn}", 0, a.putResourcePolicy),
			op(a, "DeleteResourcePolicy", "lambda:DeleteResourcePolicy", "DELETE /2026-07-09/resource-policy/{ResourceArn}", http.StatusNoContent, a.deleteResourcePolicy),
		)
	}
	if a.urls != nil { // api_url.go
		ops = append(ops,
			op(a, "CreateFunctionUrlConfig", "lambda:CreateFunctionUrlConfig", "POST /2021-10-31/functions/{FunctionName}/url", http.StatusCreated, a.createURL),
			op(a, "GetFunctionUrlConfig", "lambda:GetFunctionUrlConfig", "GET /2021-10-31/functions/{FunctionName}/url", 0, a.getURL),
			op(a, "UpdateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "PUT /2021-10-31/functions/{FunctionName}/url", 0, a.updateURL),
			op(a, "DeleteFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig", "DELETE /2021-10-31/functions/{FunctionName}/url", http.StatusNoContent, a.deleteURL),
			op(a, "ListFunctionUrlConfigs", "lambda:ListFunctionUrlConfigs", "GET /2021-10-31/functions/{FunctionName}/urls", 0, a.listURLs),
		)
	}
	if a.esm != nil {
		ops = append(ops, a.esmOps()...)
	}
	return ops
}
