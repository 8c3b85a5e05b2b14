// Package runtimes holds the bootstrap shims nubo ships for Lambda's managed
// runtimes: a Python bootstrap (python/bootstrap.py, stdlib only, Python 3.9
// or later), a Node.js bootstrap (node/bootstrap.mjs, no npm dependencies,
// Node 18 or later) and a Java bootstrap (java/NuboBootstrap.java, Java 8
// source, no dependencies, compiled once per machine into CacheDir by
// java.go). Each one is a Lambda Runtime API client: it loads the
// handler named in _HANDLER from LAMBDA_TASK_ROOT, long-polls
// AWS_LAMBDA_RUNTIME_API for events over one kept-alive connection, and posts
// results and errors in the documents AWS's own runtimes produce.
//
// runtimes.go lists the runtimes and finds interpreters; install.go writes
// the shims and builds commands; java.go finds JVMs, compiles the Java
// bootstrap and builds the JVM's command; handler.go validates handler
// strings.
//
// # How the instance pool starts an instance
//
// Once at start-up: set, err := runtimes.Install(filepath.Join(dataDir, "runtimes")).
// Per instance: argv, err := set.Command(cfg.Runtime, cfg.Handler, cfg.CodeDir)
// (an error means the function cannot start: report it as an init failure),
// then exec argv with the working directory set to the task root and this
// environment (on top of the function's own variables):
//
//	AWS_LAMBDA_RUNTIME_API           host:port/secret of the instance's Runtime API
//	_HANDLER                         the function's Handler setting
//	LAMBDA_TASK_ROOT                 the unpacked code (same as the task root)
//	AWS_EXECUTION_ENV                AWS_Lambda_<runtime>, e.g. AWS_Lambda_python3.12
//	                                 (Python's encoder keys non-ASCII escaping off it)
//	AWS_LAMBDA_FUNCTION_NAME         context.function_name / functionName
//	AWS_LAMBDA_FUNCTION_VERSION      $LATEST or the version number
//	AWS_LAMBDA_FUNCTION_MEMORY_SIZE  memory in MB (a string in both contexts, as on Lambda)
//	AWS_LAMBDA_LOG_GROUP_NAME        /aws/lambda/NAME
//	AWS_LAMBDA_LOG_STREAM_NAME       the instance's log stream
//	AWS_REGION, AWS_DEFAULT_REGION   the region
//	PATH, HOME, LANG, TZ=UTC         as Lambda sets them (PATH must reach nothing
//	                                 more: argv[0] is already absolute)
//	AWS_LAMBDA_LOG_LEVEL (optional)  filters console.* / sets the root logger level
//
// The Runtime API serves GET /2018-06-01/runtime/invocation/next with the
// event and the Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
// -Invoked-Function-Arn, -Trace-Id, -Client-Context (JSON, already decoded
// from base64) and -Cognito-Identity headers; it accepts POST
// /invocation/{id}/response (Content-Type application/json, or
// application/unknown for Python bytes; a streamed response arrives chunked
// with Lambda-Runtime-Function-Response-Mode: streaming and may end with the
// trailers Lambda-Runtime-Function-Error-Type and -Error-Body, base64 JSON),
// POST /invocation/{id}/error and POST /init/error (JSON error documents,
// with a Lambda-Runtime-Function-Error-Type header). After an /init/error post
// the process exits on its own (status 1 for Python and Java, 129 for Node); an
// unhandled rejection or uncaught exception during an invocation is posted as
// that invocation's error and the process exits (128 / 129).
//
// Output: both shims write unbuffered to stdout/stderr, one log record per
// line (multi-line records use \r inside the line, as Lambda's runtimes do),
// so the pool can attribute lines to the invocation running at the time.
package runtimes
