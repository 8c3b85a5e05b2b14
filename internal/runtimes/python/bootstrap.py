"""nubo's bootstrap for Python Lambda handlers.

Runs one function instance: imports the handler named in _HANDLER from
LAMBDA_TASK_ROOT, then loops over the Lambda Runtime API at
AWS_LAMBDA_RUNTIME_API (next event, handler, response or error). Results and
errors use the documents AWS's Python runtime produces, so callers see the
same payloads. Standard library only; Python 3.9 or later.
"""

import decimal
import http.client
import importlib
import io
import json
import logging
import math
import os
import sys
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"

# Marks the lines of an error written to the log as one record (Lambda joins
# them with carriage returns) and keeps their indentation visible.
LOG_RECORD_JOIN = "\r"
LOG_INDENT = "\u00a0"


class Fault(Exception):
    """A failure the runtime reports with a Runtime.* error type."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


# ---------------------------------------------------------------- std streams


def make_unbuffered(stream, fd):
    """A text stream over fd that writes through to the OS on every write, so
    the pool sees each line when it is printed (and can attribute it to the
    running invocation)."""
    try:
        raw = io.FileIO(fd, "w", closefd=False)
        return io.TextIOWrapper(
            raw,
            encoding=getattr(stream, "encoding", None) or "utf-8",
            errors=getattr(stream, "errors", None) or "backslashreplace",
            line_buffering=True,
            write_through=True,
        )
    except (OSError, ValueError):
        return stream


# ------------------------------------------------------------------ JSON codec


class _NeedsSlowPath(Exception):
    pass


def _fast_default(obj):
    if isinstance(obj, decimal.Decimal):
        raise _NeedsSlowPath()
    raise TypeError("Object of type %s is not JSON serializable" % type(obj).__name__)


class LambdaJSON:
    """Encodes results the way Lambda's Python runtime does: ', ' and ': '
    separators, NaN and Infinity allowed, decimal.Decimal written exactly as
    str(d) (NaN decimals as NaN), non-ASCII escaped except on Python 3.12 and
    later runtimes."""

    def __init__(self, ensure_ascii):
        self.ensure_ascii = ensure_ascii
        self.encode_str = (
            json.encoder.encode_basestring_ascii
            if ensure_ascii
            else json.encoder.encode_basestring
        )

    def dumps(self, obj):
        try:
            return json.dumps(obj, ensure_ascii=self.ensure_ascii, default=_fast_default)
        except _NeedsSlowPath:
            out = []
            self._encode(obj, out, set())
            return "".join(out)

    def _float(self, f):
        if f != f:
            return "NaN"
        if f == math.inf:
            return "Infinity"
        if f == -math.inf:
            return "-Infinity"
        return float.__repr__(f)

    def _key(self, k):
        if isinstance(k, str):
            return k
        if k is True:
            return "true"
        if k is False:
            return "false"
        if k is None:
            return "null"
        if isinstance(k, float):
            return self._float(k)
        if isinstance(k, int):
            return int.__repr__(k)
        if isinstance(k, decimal.Decimal):
            return str(k)
        raise TypeError("keys must be str, int, float, bool or None, not %s" % type(k).__name__)

    def _encode(self, o, out, seen):
        if isinstance(o, str):
            out.append(self.encode_str(o))
        elif o is None:
            out.append("null")
        elif o is True:
            out.append("true")
        elif o is False:
            out.append("false")
        elif isinstance(o, int):
            out.append(int.__repr__(o))
        elif isinstance(o, float):
            out.append(self._float(o))
        elif isinstance(o, decimal.Decimal):
            out.append("NaN" if o.is_nan() else str(o))
        elif isinstance(o, (list, tuple, dict)):
            if id(o) in seen:
                raise ValueError("Circular reference detected")
            seen.add(id(o))
            if isinstance(o, dict):
                out.append("{")
                for i, (k, v) in enumerate(o.items()):
                    if i:
                        out.append(", ")
                    out.append(self.encode_str(self._key(k)))
                    out.append(": ")
                    self._encode(v, out, seen)
                out.append("}")
            else:
                out.append("[")
                for i, v in enumerate(o):
                    if i:
                        out.append(", ")
                    self._encode(v, out, seen)
                out.append("]")
            seen.discard(id(o))
        else:
            raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def ensure_ascii_for_runtime():
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    prefix = "AWS_Lambda_python3."
    if env.startswith(prefix):
        try:
            return int(env[len(prefix):]) < 12
        except ValueError:
            pass
    return sys.version_info < (3, 12)


# ------------------------------------------------------------ Runtime API client


class RuntimeAPI:
    """A keep-alive HTTP/1.1 connection to the Runtime API."""

    def __init__(self, address):
        # host:port, optionally followed by a path prefix (nubo puts the
        # instance's secret there) that goes before every API path.
        hostport, slash, prefix = address.partition("/")
        host, _, port = hostport.rpartition(":")
        if not host or not port.isdigit():
            raise SystemExit("nubo python bootstrap: AWS_LAMBDA_RUNTIME_API=%r is not host:port[/prefix]" % address)
        self.host = host.strip("[]")
        self.port = int(port)
        self.prefix = (slash + prefix).rstrip("/")
        self.conn = None

    def _request(self, method, path, body=None, headers=None):
        last = None
        for _ in range(2):  # one retry on a connection the server closed
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, self.prefix + path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.conn.close()
                    self.conn = None
                return resp, data
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest, http.client.BadStatusLine) as e:
                last = e
                self.conn.close()
                self.conn = None
        raise last

    def next(self):
        resp, body = self._request("GET", API_PREFIX + "/invocation/next")
        if resp.status != 200:
            raise SystemExit(
                "nubo python bootstrap: GET invocation/next: status %d: %s"
                % (resp.status, body[:512].decode("utf-8", "replace"))
            )
        return resp.headers, body

    def _post(self, path, body, headers):
        resp, data = self._request("POST", API_PREFIX + path, body, headers)
        if resp.status >= 300:
            sys.stderr.write(
                "nubo python bootstrap: POST %s: status %d: %s\n"
                % (path, resp.status, data[:512].decode("utf-8", "replace"))
            )
        return resp.status

    def post_response(self, request_id, body, content_type):
        return self._post(
            "/invocation/%s/response" % request_id,
            body,
            {"Content-Type": content_type},
        )

    @staticmethod
    def header_value(s):
        # An exception's class name is user data: keep the header valid.
        s = "".join(c if c >= " " and c != "\x7f" else "?" for c in str(s))
        return s.encode("latin-1", "replace").decode("latin-1")

    def post_error(self, request_id, doc_json, error_type):
        return self._post(
            "/invocation/%s/error" % request_id,
            doc_json.encode("utf-8"),
            {
                "Content-Type": "application/json",
                "Lambda-Runtime-Function-Error-Type": self.header_value(error_type),
            },
        )

    def post_init_error(self, doc_json, error_type):
        return self._post(
            "/init/error",
            doc_json.encode("utf-8"),
            {
                "Content-Type": "application/json",
                "Lambda-Runtime-Function-Error-Type": self.header_value(error_type),
            },
        )


# ---------------------------------------------------------------- the context


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, identity_id=None, pool_id=None):
        self.cognito_identity_id = identity_id
        self.cognito_identity_pool_id = pool_id

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id,
            self.cognito_identity_pool_id,
        )


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __repr__(self):
        return "Client([%s])" % ",".join("%s=%s" % (f, getattr(self, f)) for f in self.__slots__)


class ClientContext:
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return "ClientContext([custom=%s,env=%s,client=%s])" % (self.custom, self.env, self.client)


def _from_dict(cls, d):
    obj = cls()
    for f in cls.__slots__:
        setattr(obj, f, d.get(f) if isinstance(d, dict) else None)
    return obj


class LambdaContext:
    """The context object handed to the handler, with the attributes and
    methods of Lambda's Python context."""

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity, tenant_id=None):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        # A string, as Lambda passes it (from the environment).
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.tenant_id = tenant_id
        self.client_context = None
        if client_context is not None:
            self.client_context = _from_dict(ClientContext, client_context)
            if self.client_context.client is not None:
                self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = CognitoIdentity()
        if isinstance(identity, dict):
            self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        left = self._deadline_ms - int(time.time() * 1000)
        return left if left > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
            "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
            "invoked_function_arn=%s,client_context=%s,identity=%s,tenant_id=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
                self.tenant_id,
            )
        )


# ------------------------------------------------------------------- logging


class RequestState:
    request_id = None


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = RequestState.request_id or ""
        return True


class StdoutHandler(logging.Handler):
    def emit(self, record):
        try:
            sys.stdout.write(self.format(record))
        except Exception:
            self.handleError(record)


def setup_logging():
    """Give the root logger Lambda's handler and format, so logging calls in
    handlers print as they do on Lambda."""
    logging.Formatter.converter = time.gmtime
    handler = StdoutHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = (os.environ.get("AWS_LAMBDA_LOG_LEVEL") or "").upper()
    if level in ("CRITICAL", "FATAL", "ERROR", "WARNING", "WARN", "INFO", "DEBUG"):
        root.setLevel({"FATAL": "CRITICAL", "WARN": "WARNING"}.get(level, level))
    root.addHandler(handler)


def log_error(doc):
    """Write an error document to the log as Lambda's Python runtime does: one
    record, lines joined by carriage returns."""
    head = "[ERROR]"
    if doc.get("errorType"):
        head += " " + doc["errorType"]
    if doc.get("errorMessage"):
        head += (":" if doc.get("errorType") else "") + " " + doc["errorMessage"]
    lines = [head, "Traceback (most recent call last):"]
    for element in doc.get("stackTrace") or []:
        if element == "":
            lines.append("")
            continue
        for line in element.splitlines():
            stripped = line.lstrip(" ")
            lines.append(LOG_INDENT * (len(line) - len(stripped)) + stripped)
    sys.stdout.write(LOG_RECORD_JOIN.join(lines) + "\n")


# ------------------------------------------------------------------- errors


def error_doc(message, error_type, trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": trace or [],
    }


def exception_doc(exc, request_id=None):
    """The error document of an exception raised by user code: its class
    name, message and the traceback below this bootstrap's own frames."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            frames = frames[i:]
            break
    return error_doc(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


# ------------------------------------------------------------- the handler


def load_handler(handler):
    try:
        module_path, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if module_path.split(".")[0] in sys.builtin_module_names:
        raise Fault(
            "Runtime.BuiltInModuleConflict",
            "Cannot use built-in module %s as a handler module" % module_path,
        )
    try:
        module = importlib.import_module(module_path.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_path, e))
    except SyntaxError as e:
        raise Fault(
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module '%s': %s" % (module_path, e),
            ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)],
        )
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault(
            "Runtime.HandlerNotFound",
            "Handler '%s' missing on module '%s'" % (function_name, module_path),
        )


def parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise Fault("Runtime.LambdaContextUnmarshalError", "Unable to parse %s JSON: %s" % (name, e))


def invoke(api, fn, encoder, headers, body):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id") or ""
    RequestState.request_id = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)

    doc = None
    try:
        try:
            deadline = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        except ValueError:
            deadline = 0
        client_context = headers.get("Lambda-Runtime-Client-Context")
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        context = LambdaContext(
            request_id,
            deadline,
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            parse_json_header(client_context, "Client Context") if client_context else None,
            parse_json_header(identity, "Cognito Identity") if identity else None,
            headers.get("Lambda-Runtime-Aws-Tenant-Id"),
        )
        content_type = headers.get("Content-Type") or "application/json"
        if content_type == "application/json":
            try:
                event = json.loads(body)
            except Exception as e:
                raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        else:
            event = body
        result = fn(event, context)
        if isinstance(result, bytes):
            payload, result_type = result, "application/unknown"
        else:
            try:
                payload, result_type = encoder.dumps(result).encode("utf-8"), "application/json"
            except Exception as e:
                raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)
    except Fault as f:
        doc = error_doc(f.message, f.error_type, f.trace, request_id)
    except Exception as e:
        doc = exception_doc(e, request_id)

    if doc is not None:
        log_error(doc)
        api.post_error(request_id, encoder.dumps(doc), doc["errorType"])
    else:
        api.post_response(request_id, payload, result_type)
    RequestState.request_id = None


def main():
    sys.stdout = make_unbuffered(sys.stdout, 1)
    sys.stderr = make_unbuffered(sys.stderr, 2)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    # nubo's options: --nubo-init=LINE, logged first when this interpreter
    # stands in for the version the runtime names; --nubo-sdk=DIR, where
    # boto3 is when this interpreter lacks it (searched after the task root
    # and the function's own packages, as Lambda's /var/runtime is).
    sdk_dirs = []
    for arg in sys.argv[1:]:
        if arg.startswith("--nubo-init="):
            sys.stdout.write(arg[len("--nubo-init="):] + "\n")
        elif arg.startswith("--nubo-sdk="):
            sdk_dirs.append(arg[len("--nubo-sdk="):])

    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        raise SystemExit("nubo python bootstrap: AWS_LAMBDA_RUNTIME_API is not set")
    api = RuntimeAPI(address)
    encoder = LambdaJSON(ensure_ascii_for_runtime())

    # User code is imported from the task root, never from this bootstrap's
    # own directory (which Python put first on sys.path).
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    sys.path.extend(d for d in sdk_dirs if d not in sys.path)

    try:
        setup_logging()
        if sys.version_info < (3, 9):
            raise Fault("Runtime.InvalidRuntime", "nubo's Python bootstrap needs Python 3.9 or later, got %d.%d" % sys.version_info[:2])
        fn = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as f:
        doc = error_doc(f.message, f.error_type, f.trace)
    except Exception as e:
        doc = exception_doc(e)
    else:
        doc = None
    if doc is not None:
        log_error(doc)
        api.post_init_error(encoder.dumps(doc), doc["errorType"])
        sys.exit(1)

    while True:
        headers, body = api.next()
        invoke(api, fn, encoder, headers, body)


if __name__ == "__main__":
    main()
