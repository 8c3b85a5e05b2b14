// Package sam expands the AWS::Serverless-2016-10-31 transform: SAM resources
// (AWS::Serverless::Function, ::Api, ::HttpApi, ::SimpleTable, ::StateMachine, ::LayerVersion)
// and their events
// become plain CloudFormation resources, with the implicit resources named exactly as AWS's own
// translator names them (templates reference them: MyFunctionRole, ServerlessRestApi, ...).
//
// Start with transform.go (Transform, the pass order and error collection), then function.go
// and role.go (functions, execution roles, Policies; samtemplates.go defines the 81 SAM policy
// templates and policies.go expands them), events.go (function event sources), restapi.go, swagger.go and apiauth.go
// (REST APIs and their OpenAPI document), httpapi.go (HTTP APIs), statemachine.go with
// definition.go, simpletable.go, layer.go, validate.go (what AWS rejects) and attributes.go (attributes of
// shared resources).
//
// Tests: conformance_test.go runs AWS's translator test cases from
// ../shared/conformance/sam-translator through its check.py (logical IDs and types) and
// properties_test.go compares every generated resource with AWS's output; golden_test.go checks
// templates of our own against aws-sam-translator's output kept in testdata/golden (regenerate
// with -update when python3 has samtranslator).
//
// Differences from AWS's translator that are deliberate: a local CodeUri (a directory) is kept
// as the function's Code string for the deployer to package (AWS requires s3:// after `sam
// package`); a policy template without statements here is rejected as not supported yet; tag
// lists are sorted by key (the parsed template keeps no key order).
package sam
