// nubo's bootstrap for Node.js Lambda handlers (Node 18 or later, no npm
// dependencies).
//
// Runs one function instance: loads the handler named in _HANDLER from
// LAMBDA_TASK_ROOT (CommonJS or ES module, resolved as Lambda does), then
// loops over the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API. It supports
// async, promise-returning and callback handlers (with
// context.callbackWaitsForEmptyEventLoop), response streaming through the
// global `awslambda`, and reports errors in the documents Lambda's Node.js
// runtime produces.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import util from 'node:util';
import { Writable } from 'node:stream';
import Module, { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

const API_PREFIX = '/2018-06-01/runtime';
const HEADER_ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
const TRAILER_ERROR_BODY = 'Lambda-Runtime-Function-Error-Body';
const HEADER_RESPONSE_MODE = 'Lambda-Runtime-Function-Response-Mode';
const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER = new Uint8Array(8);

// ------------------------------------------------------------------ errors

// Runtime.* errors: the runtime's own failure classes, named as Lambda names them.
function runtimeError(kind) {
  const cls = class extends Error {};
  Object.defineProperty(cls, 'name', { value: kind });
  cls.prototype.name = `Runtime.${kind}`;
  return cls;
}
const ImportModuleError = runtimeError('ImportModuleError');
const HandlerNotFound = runtimeError('HandlerNotFound');
const MalformedHandlerName = runtimeError('MalformedHandlerName');
const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const MalformedStreamingHandler = runtimeError('MalformedStreamingHandler');
const InvalidStreamingOperation = runtimeError('InvalidStreamingOperation');
const NodeJsExit = runtimeError('NodeJsExit');
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

function looksLikeError(e) {
  return e && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string' &&
    e.name && e.message && e.stack;
}

// errorDocument is the body of /error and /init/error posts.
function errorDocument(err) {
  try {
    if (util.types.isNativeError(err) || looksLikeError(err)) {
      return { errorType: err.name, errorMessage: err.message, trace: err.stack.split('\n') };
    }
    return { errorType: typeof err, errorMessage: String(err), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

// headerValue makes s safe for an HTTP header (an error's name is user data).
function headerValue(s) {
  return String(s).replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

function asError(e) {
  return e instanceof Error ? e : new Error(e);
}

// formatForLog renders an error for the log line, with its enumerable
// properties, the way Lambda's runtime logs "Invoke Error".
function formatForLog(err) {
  const expand = (_k, v) => {
    if (!(v instanceof Error)) return v;
    const out = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === 'string') out.stack = v.stack.split('\n');
    return out;
  };
  try {
    return '\t' + JSON.stringify(err, expand);
  } catch {
    return '\t' + JSON.stringify(errorDocument(err));
  }
}

// ------------------------------------------------------------------ logging

const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const originalConsole = { error: console.error.bind(console) };

// patchConsole makes console.* print Lambda's text log lines:
// "<ISO time>\t<request id>\t<LEVEL>\t<message>", newlines in the message
// turned into carriage returns so one call stays one record.
function patchConsole() {
  const levels = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
  const min = levels[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] ?? levels.TRACE;
  const line = (level) => (msg, ...params) => {
    const text = `${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level}\t${util.format(msg, ...params)}`;
    process.stdout.write(text.replace(/\n/g, '\r') + '\n');
  };
  const nop = () => {};
  console.trace = levels.TRACE >= min ? line('TRACE') : nop;
  console.debug = levels.DEBUG >= min ? line('DEBUG') : nop;
  console.info = levels.INFO >= min ? line('INFO') : nop;
  console.log = console.info;
  console.warn = levels.WARN >= min ? line('WARN') : nop;
  console.error = levels.ERROR >= min ? line('ERROR') : nop;
  console.fatal = line('FATAL');
}

function logError(what, err) {
  console.error(what, formatForLog(asError(err)));
}

// ------------------------------------------------------------ Runtime API

class RuntimeAPI {
  constructor(address) {
    // host:port, optionally followed by a path prefix (nubo puts the
    // instance's secret there) that goes before every API path.
    const slash = address.indexOf('/');
    const hostport = slash < 0 ? address : address.slice(0, slash);
    this.prefix = slash < 0 ? '' : address.slice(slash).replace(/\/+$/, '');
    const i = hostport.lastIndexOf(':');
    this.hostname = hostport.slice(0, i).replace(/^\[|\]$/g, '');
    this.port = Number(hostport.slice(i + 1));
    if (i <= 0 || !Number.isInteger(this.port)) {
      throw new Error(`AWS_LAMBDA_RUNTIME_API=${address} is not host:port[/prefix]`);
    }
    // One kept-alive connection; idle sockets are unref'd by the agent, so
    // they never keep the event loop from emptying.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, p, headers, body) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { hostname: this.hostname, port: this.port, path: this.prefix + API_PREFIX + p, method, headers, agent: this.agent },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async next() {
    const res = await this.request('GET', '/invocation/next', {});
    if (res.status !== 200) {
      throw new Error(`GET invocation/next: status ${res.status}: ${res.body.toString().slice(0, 512)}`);
    }
    return res;
  }

  async post(p, body, extraHeaders) {
    const buf = Buffer.from(body, 'utf8');
    const res = await this.request('POST', p, {
      'Content-Type': 'application/json',
      'Content-Length': buf.length,
      ...extraHeaders,
    }, buf);
    if (res.status >= 300) {
      process.stderr.write(`nubo node bootstrap: POST ${p}: status ${res.status}: ${res.body.toString().slice(0, 512)}\n`);
    }
  }

  postResponse(id, result) {
    return this.post(`/invocation/${encodeURIComponent(id)}/response`, serialize(result));
  }

  postError(id, err) {
    const doc = errorDocument(err);
    return this.post(`/invocation/${encodeURIComponent(id)}/error`, JSON.stringify(doc), {
      [HEADER_ERROR_TYPE]: headerValue(doc.errorType),
    });
  }

  postInitError(err) {
    const doc = errorDocument(err);
    return this.post('/init/error', JSON.stringify(doc), { [HEADER_ERROR_TYPE]: headerValue(doc.errorType) });
  }

  // streamResponse opens a chunked POST of the response (response
  // streaming); see ResponseStream.
  streamResponse(id, highWaterMark) {
    const req = http.request({
      hostname: this.hostname,
      port: this.port,
      path: `${this.prefix}${API_PREFIX}/invocation/${encodeURIComponent(id)}/response`,
      method: 'POST',
      agent: this.agent,
      headers: {
        [HEADER_RESPONSE_MODE]: 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: `${HEADER_ERROR_TYPE}, ${TRAILER_ERROR_BODY}`,
        'Content-Type': 'application/octet-stream',
      },
    });
    const done = new Promise((resolve, reject) => {
      req.on('response', (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    done.catch(() => {}); // observed by the invoke loop
    return new ResponseStream(req, done, highWaterMark);
  }
}

function serialize(result) {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

// ----------------------------------------------------------- response streaming

// ResponseStream is the writable handed to streaming handlers: every write
// goes out as HTTP chunks of the response POST; end() finishes it; a failure
// is sent as the error trailers.
class ResponseStream extends Writable {
  constructor(req, done, highWaterMark) {
    super(highWaterMark ? { highWaterMark } : {});
    this._req = req;
    this.responseDone = done;
    this._started = false;
    this._failure = null;
    this._onBeforeFirstWrite = undefined;
  }

  setContentType(contentType) {
    if (this._started) {
      throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    }
    this._req.setHeader('Content-Type', contentType);
  }

  // Objects are written as their JSON, as Lambda's response stream does.
  write(chunk, encoding, callback) {
    return super.write(asChunk(chunk), encoding, callback);
  }

  end(chunk, encoding, callback) {
    if (typeof chunk === 'function' || chunk === undefined || chunk === null) {
      return super.end(chunk, encoding, callback);
    }
    return super.end(asChunk(chunk), encoding, callback);
  }

  _start() {
    if (this._started) return;
    this._started = true;
    if (typeof this._onBeforeFirstWrite === 'function') {
      this._onBeforeFirstWrite((c) => this._req.write(c));
    }
  }

  _write(chunk, _encoding, callback) {
    this._start();
    if (this._req.write(chunk)) {
      callback();
    } else {
      this._req.once('drain', () => callback());
    }
  }

  _final(callback) {
    this._start();
    if (this._failure) {
      const doc = errorDocument(this._failure);
      this._req.addTrailers({
        [HEADER_ERROR_TYPE]: headerValue(doc.errorType),
        [TRAILER_ERROR_BODY]: Buffer.from(JSON.stringify(doc)).toString('base64'),
      });
    }
    this._req.end(() => callback());
  }

  // fail ends the response with err in the error trailers.
  fail(err) {
    if (this.writableEnded) {
      return;
    }
    this._failure = err ?? new Error('unknown error');
    this.end();
  }
}

function asChunk(chunk) {
  if (typeof chunk === 'string' || Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) return chunk;
  return JSON.stringify(chunk);
}

// HttpResponseStream.from sets the status code and headers of a function
// URL / HTTP integration response: a JSON prelude, then 8 NUL bytes, then
// the body.
class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_TYPE);
    const metadata = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(PRELUDE_DELIMITER);
    };
    return underlyingStream;
  }
}

// --------------------------------------------------------- loading the handler

function hasTypeModule(folder) {
  for (;;) {
    if (folder.endsWith(`${path.sep}node_modules`)) return false;
    const pj = path.join(folder, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8'))?.type === 'module';
      } catch (e) {
        console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
        return false;
      }
    }
    const parent = path.dirname(folder);
    if (parent === folder) return false;
    folder = parent;
  }
}

function requireIfExists(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function importIfExists(file) {
  return fs.existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

// loadModule finds the handler's file in Lambda's order: the exact name,
// then .js (CommonJS unless the nearest package.json says "type": "module"),
// .mjs, .cjs, and finally Node's own resolution from the task root.
async function loadModule(taskRoot, moduleRoot, name) {
  const base = path.resolve(taskRoot, moduleRoot, name);
  const exact = requireIfExists(base);
  if (exact) return exact;
  const esm = hasTypeModule(path.dirname(base));
  if (!esm) {
    const cjs = requireIfExists(base + '.js');
    if (cjs) return cjs;
  }
  const found = (esm && (await importIfExists(base + '.js'))) ||
    (await importIfExists(base + '.mjs')) ||
    requireIfExists(base + '.cjs');
  if (found) return found;
  return require(require.resolve(name, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] }));
}

async function loadHandler(taskRoot, handler) {
  if (handler.includes('..')) {
    throw new MalformedHandlerName(`'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const base = path.basename(handler);
  const moduleRoot = handler.substring(0, handler.indexOf(base));
  const m = /^([^.]*)\.(.*)$/.exec(base);
  if (!m) {
    throw new MalformedHandlerName('Bad handler');
  }
  const [, name, exportPath] = m;

  let mod;
  try {
    mod = await loadModule(taskRoot, moduleRoot, name);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      // "Error: Cannot find ...", without the [CODE] newer Nodes put in String(e).
      throw new ImportModuleError(`${e.name}: ${e.message}`);
    }
    throw e;
  }
  const fn = exportPath.split('.').reduce((o, k) => o && o[k], mod);
  if (!fn) {
    throw new HandlerNotFound(`${handler} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new HandlerNotFound(`${handler} is not a function`);
  }
  return fn;
}

function streamingMode(fn) {
  const mark = fn[STREAMING_MARK];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark === STREAM_RESPONSE) return true;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

// ---------------------------------------------------------------- the context

function parseHeaderJSON(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

function fillContext(ctx, headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const env = process.env;
  if (headers['lambda-runtime-trace-id']) {
    env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  } else {
    delete env._X_AMZN_TRACE_ID;
  }
  return Object.assign(ctx, {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeaderJSON(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseHeaderJSON(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis() {
      return deadline - Date.now();
    },
  });
}

// ----------------------------------------------------------------- the loop

// onEmptyLoop runs when the event loop has nothing left to do ('beforeExit');
// the invoke loop sets it to finish an invocation that waits for an empty
// event loop.
let onEmptyLoop = () => {};

class Runtime {
  constructor(api, handler) {
    this.api = api;
    // Called as this.handler, so stack traces read "at Runtime.handler" as on Lambda.
    this.handler = handler;
    this.streaming = streamingMode(handler);
    this.isAsync = handler.constructor?.name === 'AsyncFunction';
    const hwm = parseInt(handler[HIGH_WATER_MARK]);
    this.highWaterMark = Number.isNaN(hwm) ? undefined : hwm;
    // Errors outside any handler call: report them for the current invocation.
    this.onUncaught = (err) => this.api.postInitError(err).finally(() => process.exit(129));
    this.onRejection = (err) => this.api.postInitError(err).finally(() => process.exit(128));
  }

  scheduleNext() {
    setImmediate(() => {
      const once = this.streaming ? this.handleStreaming() : this.handle();
      once.catch((err) => {
        console.log(`Unexpected Top Level Error: ${err && err.toString()}`);
        this.onUncaught(err);
      });
    });
  }

  begin(res) {
    const id = res.headers['lambda-runtime-aws-request-id'];
    if (!id) throw new Error('invocation id is missing or invalid');
    globalThis[REQUEST_ID] = id;
    this.onUncaught = (err) => this.api.postError(id, err).finally(() => process.exit(129));
    this.onRejection = (err) => this.api.postError(id, err).finally(() => process.exit(128));
    return id;
  }

  async handle() {
    const res = await this.api.next();
    const id = this.begin(res);

    let waitForEmptyLoop = true;
    let finished = false; // the first of callback/succeed/fail/done wins
    let reported = false;
    const next = () => this.scheduleNext();
    const report = (err, result) => {
      if (reported) {
        console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
        return;
      }
      reported = true;
      if (err !== undefined && err !== null) {
        logError('Invoke Error', err);
        this.api.postError(id, err).then(next, (e) => this.fatal(e));
        return;
      }
      let body;
      try {
        body = serialize(result);
      } catch (e) {
        reported = false;
        report(e);
        return;
      }
      this.api.post(`/invocation/${encodeURIComponent(id)}/response`, body).then(next, (e) => this.fatal(e));
    };
    const once = (f) => (...args) => {
      if (finished) return;
      finished = true;
      f(...args);
    };
    const done = (err, result) => {
      onEmptyLoop = () => {};
      report(err, result);
    };
    const callback = once((err, result) => {
      onEmptyLoop = () => {};
      if (err !== undefined && err !== null) {
        report(err);
      } else if (!waitForEmptyLoop) {
        report(null, result);
      } else {
        onEmptyLoop = () => {
          onEmptyLoop = () => {};
          setImmediate(() => report(null, result));
        };
      }
    });
    const ctx = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyLoop;
      },
      set callbackWaitsForEmptyEventLoop(v) {
        waitForEmptyLoop = v;
      },
      succeed: once((result) => done(null, result)),
      fail: once((err) => done(err === undefined || err === null ? 'handled' : err)),
      done: once(done),
    };

    // A handler that neither calls back nor settles a promise before the
    // event loop empties: a sync handler answers null, an async one failed.
    onEmptyLoop = () => {
      onEmptyLoop = () => {};
      if (finished) return;
      finished = true;
      if (this.isAsync) {
        const err = new NodeJsExit('Runtime exited without providing a reason');
        report(err);
      } else {
        report(null, null);
      }
    };

    try {
      fillContext(ctx, res.headers);
      const result = this.handler(JSON.parse(res.body.toString('utf8')), ctx, callback);
      if (result && typeof result.then === 'function') {
        result.then(ctx.succeed, ctx.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  async handleStreaming() {
    const res = await this.api.next();
    const id = this.begin(res);
    let waitForEmptyLoop = true;
    const stream = this.api.streamResponse(id, this.highWaterMark);
    const ctx = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyLoop;
      },
      set callbackWaitsForEmptyEventLoop(v) {
        waitForEmptyLoop = v;
      },
    };
    const next = () => {
      onEmptyLoop = () => {};
      if (!waitForEmptyLoop) {
        this.scheduleNext();
      } else {
        onEmptyLoop = () => {
          onEmptyLoop = () => {};
          setImmediate(() => this.scheduleNext());
        };
      }
    };
    const fail = async (err) => {
      logError('Invoke Error', err);
      stream.fail(err);
      await stream.responseDone.catch((e) => this.fatal(e));
      next();
    };
    onEmptyLoop = () => {
      onEmptyLoop = () => {};
      this.scheduleNext();
    };
    try {
      fillContext(ctx, res.headers);
      const result = this.handler(JSON.parse(res.body.toString('utf8')), stream, ctx);
      if (!result || typeof result.then !== 'function') {
        await fail('Streaming does not support non-async handlers.');
        return;
      }
      if ((await result) !== undefined) {
        console.warn('Streaming handlers ignore return values.');
      }
      await stream.responseDone;
      if (!stream.writableFinished) {
        await fail('Response stream is not finished.');
        return;
      }
      next();
    } catch (err) {
      await fail(err);
    }
  }

  fatal(err) {
    originalConsole.error('nubo node bootstrap: runtime API:', err);
    process.exit(1);
  }
}

// ------------------------------------------------------------------ SDK

// useSDK makes the packages in dir (a node_modules directory) resolvable by
// the function's require() and import, after its own node_modules, as the
// AWS SDK v3 is on Lambda's Node.js runtimes: require() through NODE_PATH
// (which Lambda sets too), import through a resolve hook that tries dir only
// when the function's own resolution found nothing.
function useSDK(dir) {
  const paths = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  if (!paths.includes(dir)) paths.push(dir);
  process.env.NODE_PATH = paths.join(path.delimiter);
  Module._initPaths();
  if (typeof Module.register !== 'function') return;
  const fallback = pathToFileURL(path.join(dir, 'nubo-sdk-parent.js')).href;
  const hook = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !/^(\\.|\\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);
    if (!bare || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return next(specifier, { ...context, parentURL: ${JSON.stringify(fallback)} });
  }
}`;
  Module.register('data:text/javascript,' + encodeURIComponent(hook));
}

// ------------------------------------------------------------------ main

async function main() {
  // nubo's options: --nubo-init=LINE, logged first when this node stands in
  // for the version the runtime names; --nubo-sdk=DIR, a node_modules holding
  // the AWS SDK v3 that Lambda's runtimes include.
  for (const arg of process.argv.slice(2)) {
    if (arg.startsWith('--nubo-init=')) process.stdout.write(arg.slice('--nubo-init='.length) + '\n');
    else if (arg.startsWith('--nubo-sdk=')) useSDK(arg.slice('--nubo-sdk='.length));
  }
  patchConsole();
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) {
    originalConsole.error('nubo node bootstrap: AWS_LAMBDA_RUNTIME_API is not set');
    process.exit(1);
  }
  const api = new RuntimeAPI(address);
  let runtime = null;
  const initFailed = (what, code) => (err) => {
    logError(what, err);
    api.postInitError(err).finally(() => process.exit(code));
  };
  process.on('uncaughtException', (err) => {
    if (!runtime) return initFailed('Uncaught Exception', 129)(err);
    logError('Uncaught Exception', err);
    runtime.onUncaught(err);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const err = new UnhandledPromiseRejection(reason, promise);
    if (!runtime) return initFailed('Unhandled Promise Rejection', 128)(err);
    logError('Unhandled Promise Rejection', err);
    runtime.onRejection(err);
  });
  process.on('beforeExit', () => onEmptyLoop());

  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING_MARK] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark);
      }
      return handler;
    },
    HttpResponseStream,
  };

  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let fn;
  try {
    fn = await loadHandler(taskRoot, process.env._HANDLER || '');
    runtime = new Runtime(api, fn);
  } catch (err) {
    initFailed('Uncaught Exception', 129)(err);
    return;
  }
  runtime.scheduleNext();
}

main();
