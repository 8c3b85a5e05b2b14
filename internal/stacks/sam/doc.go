// Package sam expands the AWS::Serverless-2016-10-31 transform: SAM resources
// (AWS::Serverless::Function, ::Api, ::HttpApi, ::SimpleTable, ::StateMachine) and their events
// become plain CloudFormation resources, with the implicit resources named exactly as AWS's own
// translator names them (templates reference them: MyFunctionRole, ServerlessRestApi, ...).
//
// Start with transform.go (Transform, the pass order and error collection), then function.go
// (functions, roles, policies), events.go (function event sources), restapi.go / httpapi.go
// (API Gateway), statemachine.go and simpletable.go. The conformance test runs AWS's translator
// test cases from ../shared/conformance/sam-translator.
package sam
