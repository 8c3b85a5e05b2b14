package gateway

import "testing"

// FuzzBody: any Body (a JSON or YAML string) either is refused with an error
// or yields an API that Validate judges without panicking; whatever the
// document, reading it never panics.
func FuzzBody(f *testing.F) {
	f.Add(`{"openapi":"3.0.1","paths":{"/a/{id}":{"get":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations","payloadFormatVersion":"2.0"}}}}}`, true)
	f.Add("swagger: '2.0'\npaths:\n  /{proxy+}:\n    x-amazon-apigateway-any-method:\n      x-amazon-apigateway-integration: {type: aws_proxy, uri: f}\n      security: [{k: []}]\nsecurityDefinitions:\n  k: {type: apiKey, name: x-api-key, in: header}\n", false)
	f.Add(`{"components":{"securitySchemes":{"a":{"x-amazon-apigateway-authorizer":{"type":"request","identitySource":"$request.header.A, $request.querystring.q"}}}},"security":[{"a":[]}],"paths":{"$default":{"x-amazon-apigateway-any-method":{"isDefaultRoute":true,"x-amazon-apigateway-integration":{"type":"AWS_PROXY","uri":"f"}}}}}`, true)
	f.Add(`{"x-amazon-apigateway-cors":{"allowOrigins":"*","maxAge":"x"},"x-amazon-apigateway-binary-media-types":["image~1png",1]}`, false)
	f.Add(`{"swagger":"2.0","paths":{"/m":{"options":{"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},"responses":{"default":{"statusCode":"200","responseParameters":{"method.response.header.A":"'b'"},"responseTemplates":{"application/json":"{}"}},"5\\d{2}":{"statusCode":"500"}}}},"get":{"x-amazon-apigateway-integration":{"type":"http_proxy"}}}}}`, false)
	f.Add(`{"swagger":"2.0","paths":{"/p/{id}":{"post":{"x-amazon-apigateway-integration":{"type":"aws","httpMethod":"POST","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations","credentials":"arn:aws:iam::000000000000:role/r","passthroughBehavior":"when_no_templates","requestTemplates":{"application/json":"#set($b = $input.path('$')){\"id\": \"$input.params('id')\"}"},"responses":{"default":{"statusCode":"200"},"Bad.*":{"statusCode":"400","responseTemplates":{"application/json":"#if("}}}}},"get":{"x-amazon-apigateway-integration":{"type":"http","httpMethod":"GET","uri":"http://127.0.0.1:1/{id}","requestParameters":{"integration.request.path.id":"method.request.path.id"},"responses":{"(?<=x)":{"statusCode":"x"}}}}}}}`, false)
	f.Fuzz(func(t *testing.T, body string, http bool) {
		doc, err := bodyDoc(body)
		if err != nil {
			return
		}
		a := API{ID: "fuzz", Type: TypeREST}
		if http {
			a.Type = TypeHTTP
		}
		_ = bodyWarnings(a.Type, body)
		if err := applyBody(&a, doc); err != nil {
			return
		}
		a.Normalize()
		_ = a.Validate()
	})
}
