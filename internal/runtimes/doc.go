// Package runtimes holds the bootstrap shims nubo ships for Lambda's managed
// runtimes: a Python bootstrap (python/bootstrap.py, stdlib only) and a Node.js
// bootstrap (node/bootstrap.mjs, no npm dependencies). Each one is a Lambda
// Runtime API client: it loads the handler named in _HANDLER from
// LAMBDA_TASK_ROOT, long-polls AWS_LAMBDA_RUNTIME_API for events, and posts
// results and errors in the shapes AWS's own runtimes use.
//
// The instance pool calls Install once to write the shims to disk, then
// Set.Command for the argv of each instance it starts. runtimes.go lists the
// runtimes and finds interpreters; install.go writes the shims and builds
// commands; handler.go validates handler strings.
package runtimes
