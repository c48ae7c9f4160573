"""The emulator's Lambda Python runtime: one execution environment's process (run with -I -S).

What Lambda's own Python runtime (awslambdaric's bootstrap) does, with the standard library only:
the Runtime API loop on AWS_LAMBDA_RUNTIME_API (HTTP/1.1 on one socket) (GET next, POST response or error, POST init/error),
`_HANDLER` = `[package/]module.function` imported from LAMBDA_TASK_ROOT, first on sys.path as
/var/task is, `event` as a dict and a `context` like Lambda's, a handler's exception answered as
Lambda answers it ({"errorMessage", "errorType", "requestId", "stackTrace"}) and logged as
`[ERROR] Type: message` with its traceback on one line, `print` and `logging` in the function's log
(logging with Lambda's `[LEVEL]\\ttime\\trequestId\\tmessage` prefix).

boto3 reaches the emulator with the code unchanged: requests botocore sends to an AWS host the
emulator serves go to its local endpoint (the map in _FANOUT_BENCH_AWS_ENDPOINTS, the Node side's),
HTTPS to one of the emulator's own endpoints (an `endpoint_url` built from the event's domainName)
goes as plain HTTP, and any other AWS host fails as a refused connection naming it. botocore is
patched when it is first imported, not before: a handler that never imports it pays nothing.
"""
import sys

TASK_ROOT_ENV = "LAMBDA_TASK_ROOT"

import os  # noqa: E402
import importlib  # noqa: E402
import importlib.machinery  # noqa: E402
import site  # noqa: E402  (run with -S: importing it changes nothing; its functions say where the host's packages are)

# --- sys.path as Lambda's ---------------------------------------------------------------------
# The code's folder first, as /var/task is, then the layers (`/opt/python/lib/pythonX.Y/site-packages`,
# `/opt/python`), then the standard library. The host's site-packages are not on it (the process
# runs with -I -S): what the host happens to have installed (PyYAML, requests) is not Lambda's.
# Only what Lambda's runtime ships beside the standard library, boto3 and its dependencies, is
# found there, after everything the function ships itself (_RuntimePackages).

_RUNTIME_PACKAGES = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"})
# What the host's boto3 needs that Lambda's does not ship (Debian's botocore uses the system's
# requests where AWS's vendors it): served to those packages only, never to the function's code.
_THEIR_DEPENDENCIES = frozenset({"requests", "idna", "certifi", "charset_normalizer", "chardet"})
_LAYER_PATHS = [p for p in os.environ.pop("_FANOUT_BENCH_LAYER_PATHS", "").split(":") if p]
_PACKAGE = os.environ.pop("_FANOUT_BENCH_PACKAGE", None)


def _host_site_dirs():
    dirs = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    user = site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
    if user:
        dirs.append(user)
    dirs.extend(p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages")))
    seen = []
    for d in dirs:
        if d not in seen and os.path.isdir(d):
            seen.append(d)
    return seen


_HOST_SITE = _host_site_dirs()
_OWN_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [os.environ[TASK_ROOT_ENV], *_LAYER_PATHS, *(p for p in sys.path if p not in _HOST_SITE and p != _OWN_DIR and p != "")]
# What the managed runtime ships beside the standard library, last as /var/runtime is: SnapStart's
# hooks library (snapshot_restore_py); a function's own copy of it comes first.
sys.path.append(os.path.join(_OWN_DIR, "python-runtime"))


class _RuntimePackages:
    """A meta path finder, last: boto3 and its dependencies from the host's site-packages, as
    Lambda's runtime ships them; nothing else of the host's."""

    def find_spec(self, name, path, target=None):
        if path is not None:
            return None
        if name in _RUNTIME_PACKAGES or (name in _THEIR_DEPENDENCIES and _imported_by_runtime_package()):
            return importlib.machinery.PathFinder.find_spec(name, _HOST_SITE)
        return None


def _imported_by_runtime_package():
    """Whether the import under way comes from boto3's side (the first frame outside importlib)."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(("importlib", "_frozen_importlib")):
            return module.partition(".")[0] in _RUNTIME_PACKAGES | _THEIR_DEPENDENCIES
        frame = frame.f_back
    return False


sys.meta_path.append(_RuntimePackages())


def _outside_note(error):
    """`: found in <host path>, which Lambda's runtime does not have; …` for a module only the host has, else ''."""
    name = getattr(error, "name", None)
    if not isinstance(error, ModuleNotFoundError) or not name:
        return ""
    top = name.partition(".")[0]
    if top in _RUNTIME_PACKAGES:
        return ""
    spec = importlib.machinery.PathFinder.find_spec(top, _HOST_SITE)
    if spec is None:
        return ""
    where = spec.submodule_search_locations[0] if spec.submodule_search_locations else spec.origin
    package = f" ({_PACKAGE})" if _PACKAGE else ""
    return f": found in {where}, which Lambda's runtime does not have (it ships boto3 and its dependencies only); ship it in the function's package{package}, or put it in a layer"

import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

_ENDPOINTS = json.loads(os.environ.pop("_FANOUT_BENCH_AWS_ENDPOINTS", "{}"))
_OWN_HOSTS = {urlsplit(base).netloc for base in _ENDPOINTS.values()}
_AWS_HOST = re.compile(r"\.(amazonaws\.com(\.cn)?|api\.aws)$", re.IGNORECASE)
_request_id = None


# --- boto3 to the emulator -------------------------------------------------------------------


def _local_url(url):
    """The URL a botocore request goes to instead, None to leave it, or an Exception to refuse it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https" and f"{host}:{port}" in _OWN_HOSTS:
        return urlunsplit(("http", parts.netloc, parts.path, parts.query, parts.fragment))
    if not _AWS_HOST.search(host):
        return None
    labels = host.split(".")
    prefix = "execute-api" if len(labels) > 1 and labels[1] == "execute-api" else labels[0]
    base = _ENDPOINTS.get(prefix)
    if base is None:
        return ConnectionRefusedError(
            111, f"connect ECONNREFUSED {host}:{port} (the local emulator does not serve this AWS endpoint; it never reaches AWS)"
        )
    local = urlsplit(base)
    return urlunsplit(("http", local.netloc, local.path.rstrip("/") + parts.path, parts.query, parts.fragment))


_UNSERVED_CALLS = _ENDPOINTS.get("@unserved-calls")
_MAX_SEEN_BODY = 65536  # emulator/lambda/runtimes/aws-endpoint-redirect.ts MAX_SEEN_BODY


def _record_unserved(request):
    """The refused request, as botocore wrote it, to the emulator's record (the gateway reads what it
    asked, as it does a Node function's: common/unserved-calls.ts). Never fails the call's own error."""
    if not _UNSERVED_CALLS:
        return
    try:
        import http.client

        parts = urlsplit(request.url)
        body = request.body
        if hasattr(body, "read"):
            body = b""  # a streamed body is not read: it is the call's to send
        if isinstance(body, bytes):
            body = body[:_MAX_SEEN_BODY].decode("utf-8", "replace")
        seen = {
            "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "unknown"),
            "at": int(time.time() * 1000),
            "request": {
                "hostname": parts.hostname or "",
                "method": request.method or "GET",
                "path": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                "headers": {str(k).lower(): v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()},
                "body": (body or "")[:_MAX_SEEN_BODY],
            },
        }
        record = urlsplit(_UNSERVED_CALLS)
        conn = http.client.HTTPConnection(record.hostname, record.port or 80, timeout=2)
        try:
            conn.request("POST", record.path, body=json.dumps(seen), headers={"content-type": "application/json"})
            conn.getresponse().read()
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - the record is the emulator's; the call's refusal is what the code meets
        pass


def _patch_httpsession(module):
    from botocore.exceptions import EndpointConnectionError

    original = module.URLLib3Session.send

    def send(self, request):
        target = _local_url(request.url)
        if isinstance(target, Exception):
            _record_unserved(request)
            # botocore's own error for a refused connection, its message naming why
            raise EndpointConnectionError(endpoint_url=f"{request.url} (the local emulator does not serve this AWS endpoint; it never reaches AWS)", error=target)
        if target is not None:
            request.url = target
        return original(self, request)

    module.URLLib3Session.send = send


class _BotocoreRedirect:
    """A meta path finder that patches botocore.httpsession right after it is first executed."""

    def find_spec(self, name, path, target=None):
        if name != "botocore.httpsession":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def patched(module):
            exec_module(module)
            _patch_httpsession(module)

        spec.loader.exec_module = patched
        return spec


sys.meta_path.insert(0, _BotocoreRedirect())


# --- logging as Lambda's Python runtime sets it up ------------------------------------------


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        return True


class _LambdaLogHandler(logging.Handler):
    """One log event per record: newlines inside it become carriage returns, as on Lambda."""

    def emit(self, record):
        try:
            sys.stdout.write(self.format(record).replace("\n", "\r") + "\n")
        except Exception:
            self.handleError(record)


class _JsonFormatter(logging.Formatter):
    """LoggingConfig.LogFormat JSON: one object per record, awslambdaric's fields
    (timestamp, level, message, logger, requestId; the exception's errorType, errorMessage,
    stackTrace and location when there is one; a record's extra attributes as they are)."""

    _RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"aws_request_id", "message", "asctime"}

    def format(self, record):
        level = min(50, max(0, record.levelno)) // 10 * 10
        created = time.gmtime(record.created)
        result = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", created) + ".%03dZ" % int(record.msecs),
            "level": logging.getLevelName(level),
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": getattr(record, "aws_request_id", None) or None,
        }
        if record.exc_info:
            result["errorType"] = record.exc_info[0].__name__
            result["errorMessage"] = str(record.exc_info[1])
            result["stackTrace"] = traceback.format_tb(record.exc_info[2])
            result["location"] = f"{record.pathname}:{record.funcName}:{record.lineno}"
        for key, value in record.__dict__.items():
            if key not in self._RESERVED and key not in result:
                result[key] = value
        return json.dumps({k: v for k, v in result.items() if v is not None}, ensure_ascii=False, default=str)


_JSON_LOGS = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


def _setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = _LambdaLogHandler()
    if _JSON_LOGS:
        handler.setFormatter(_JsonFormatter())
        # ApplicationLogLevel: Python's logging has no TRACE, it is DEBUG (awslambdaric does the same)
        level = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper(), os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper())
        logging.getLogger().setLevel(level)
    else:
        handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _log_error(result):
    """`[ERROR] Type: message` and the traceback, one log event (lines joined by carriage returns);
    in the JSON log format one object with the error's errorType, errorMessage and stackTrace."""
    if _JSON_LOGS:
        entry = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".%03dZ" % (int(time.time() * 1000) % 1000),
            "level": "ERROR",
            "message": f"{result.get('errorType', '')}: {result.get('errorMessage', '')}",
            "errorType": result.get("errorType"),
            "errorMessage": result.get("errorMessage"),
            "stackTrace": result.get("stackTrace") or [],
            "requestId": _request_id or None,
        }
        sys.stdout.write(json.dumps({k: v for k, v in entry.items() if v is not None}, ensure_ascii=False) + "\n")
        return
    line = "[ERROR]"
    if result.get("errorType"):
        line += " " + result["errorType"]
    if result.get("errorMessage"):
        line += (":" if result.get("errorType") else "") + " " + result["errorMessage"]
    lines = [line]
    stack = result.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            lines.extend(element.splitlines() or [""])
    sys.stdout.write("\r".join(lines) + "\n")


# --- the handler ------------------------------------------------------------------------------


class _Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = [] if trace is None else trace


def _error_result(error_type, message, stack):
    return {"errorMessage": message, "errorType": error_type, "requestId": _request_id or "", "stackTrace": stack}


def _exception_result(exc):
    """An exception as Lambda's Python runtime answers it: its type, message and the frames below the runtime's."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = os.path.abspath(__file__)
    while frames and os.path.abspath(frames[0].filename) == own:
        frames = frames[1:]
    # as (file, line, name, text) tuples, as awslambdaric's extract_traceback hands them to format_list:
    # without their columns, Python 3.11+ writes no ^^^ markers under a frame's line
    return _error_result(type(exc).__name__, str(exc), traceback.format_list([(f.filename, f.lineno, f.name, f.line) for f in frames]))


def _load_handler(setting):
    try:
        module_name, function_name = setting.rsplit(".", 1)
    except ValueError as e:
        raise _Fault("Runtime.MalformedHandlerName", f"Bad handler '{setting}': {e}")
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise _Fault("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module")
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise _Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {e}{_outside_note(e)}")
    except SyntaxError as e:
        trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}']
        raise _Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {e}", trace)
    handler = getattr(module, function_name, None)
    if handler is None:
        # As Lambda's: INIT succeeds, and every invocation reports the missing handler.
        fault = _Fault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")

        def missing(event, context):
            raise fault

        return missing
    return handler


class LambdaContext:
    """The handler's `context`, as awslambdaric's lambda_context.py builds it: the function's data
    from the environment's variables, the invocation's from the Runtime API's headers. `identity`
    is a CognitoIdentity whose two fields are None when the invocation carried none; `client_context`
    is None unless it carried one. The remaining time never goes below 0."""

    def __init__(self, invoke_id, client_context, cognito_identity, deadline_ms, invoked_function_arn=None, tenant_id=None):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )


class _Slotted:
    __slots__ = ()

    def __repr__(self):
        fields = ",".join(f"{name}={getattr(self, name)}" for name in self.__slots__)
        return f"{self.__class__.__name__}([{fields}])"


class CognitoIdentity(_Slotted):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client(_Slotted):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext(_Slotted):
    __slots__ = ["custom", "env", "client"]


def _from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


def _json_header(headers, name, label):
    """An optional JSON header of the invocation (Lambda-Runtime-Client-Context, -Cognito-Identity)."""
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except Exception as e:
        raise _Fault("Runtime.LambdaContextUnmarshalError", f"Unable to parse {label} JSON: {e}")


def _json_default(value):
    import decimal

    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# --- the Runtime API loop -------------------------------------------------------------------


class _RuntimeApi:
    """HTTP/1.1 to the Runtime API on one kept-alive socket.

    Written out rather than http.client's: its header parsing (the email package) costs more than
    everything else an invocation does here, and the emulator's API answers one known shape.
    """

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host = address
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def _call(self, method, path, body=b"", headers=""):
        head = f"{method} /2018-06-01/runtime/{path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
        self.sock.sendall(head.encode("latin-1") + body if len(body) < 65536 else head.encode("latin-1"))
        if len(body) >= 65536:
            self.sock.sendall(body)
        status_line = self.reader.readline()
        if not status_line:
            raise ConnectionError("the Runtime API closed the connection")
        status = int(status_line.split()[1])
        fields = {}
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        length = int(fields.get("content-length", "0"))
        return status, fields, self.reader.read(length) if length else b""

    def next(self):
        status, fields, data = self._call("GET", "invocation/next")
        if status != 200:
            raise RuntimeError(f"/next answered {status}: {data!r}")
        return fields, data

    def post(self, path, payload, error_type=None):
        headers = "Content-Type: application/json\r\n"
        if error_type:
            headers += f"Lambda-Runtime-Function-Error-Type: {error_type}\r\n"
        self._call("POST", path, payload, headers)


def _init():
    """INIT: (the handler, None), or (None, the error as Lambda reports it) when it cannot be had."""
    try:
        return _load_handler(os.environ["_HANDLER"]), None
    except _Fault as fault:
        result = _error_result(fault.error_type, fault.message, fault.trace)
    except Exception as e:  # an exception raised while the module ran
        result = _exception_result(e)
    _log_error(result)
    return None, result


def main():
    _setup_logging()
    control = os.environ.pop("_FANOUT_BENCH_SNAPSHOT_FD", None)
    if control is not None:
        api, handler = _snapshot(int(control))  # returns in a restored environment only
    else:
        api = _RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
        handler, error = _init()
        if error is not None:
            api.post("init/error", json.dumps(error).encode(), error["errorType"])
            sys.exit(1)
    _serve(api, handler)


# --- SnapStart ---------------------------------------------------------------------------------
# A published version's INIT runs once, in this process (the snapshot): the handler imported, the
# before-snapshot hooks run. Each environment is then restored from it: a fork of this process,
# which runs the after-restore hooks and serves as any environment does. A fork shares what a
# snapshot does: memory as INIT left it (ids drawn then, `random`'s state), open sockets and files.
# The emulator asks on the control socket (fd _FANOUT_BENCH_SNAPSHOT_FD, JSON lines):
#   in:  {"restore": id, "env": {variables}, "logs": port}
#   out: {"ready": true} | {"initError": result} | {"restored": id, "pid": n} | {"exited": pid, "code": c, "signal": s}
# A restored environment's output goes to a connection to 127.0.0.1:port, its first line its id.

def _snapshot(fd):
    """The snapshot's process: INIT and the before-snapshot hooks, then a fork per restore. Returns
    (its Runtime API, the handler) in a restored environment; the snapshot's process never returns."""
    import signal

    control = socket.socket(fileno=fd)
    reader = control.makefile("rb")

    def say(message):
        control.sendall(json.dumps(message).encode() + b"\n")

    handler, error = _init()
    if error is None:
        try:
            for func, args, kwargs in reversed(list(_hooks("get_before_snapshot"))):
                func(*args, **kwargs)
        except Exception as e:
            error = _exception_result(e)
            error["errorType"] = "Runtime.BeforeSnapshotError"
            _log_error(error)
    if error is not None:
        say({"initError": error})
        sys.exit(64 if error["errorType"] == "Runtime.BeforeSnapshotError" else 1)
    own = os.getpid()

    def reap(_signum, _frame):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            say({"exited": pid, "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None, "signal": signal.Signals(sig).name if sig else None})

    signal.signal(signal.SIGCHLD, reap)
    say({"ready": True})
    for line in reader:
        request = json.loads(line)
        state = sys.modules["random"].getstate() if "random" in sys.modules else None
        # SIGCHLD held while a line is written: the reaper's own line never lands inside it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            reader.close()
            control.close()
            return _restored(request, own, state), handler
        say({"restored": request["restore"], "pid": pid})
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    sys.exit(0)  # the emulator closed the control socket: the snapshot is gone


def _restored(request, snapshot_pid, random_state):
    """One environment restored from the snapshot: its own group, output, variables and Runtime API;
    the after-restore hooks run; a hook's failure reported as Lambda's runtime reports it."""
    os.setpgid(0, 0)
    try:  # ended with the snapshot process, as the snapshot process is with the emulator
        import ctypes

        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:
        pass
    if os.getppid() != snapshot_pid:
        os._exit(1)
    if random_state is not None:  # undo Python's reseed at fork: a restore keeps the snapshot's state
        sys.modules["random"].setstate(random_state)
    out = socket.create_connection(("127.0.0.1", request["logs"]))
    out.sendall(f"{request['restore']}\n".encode())
    os.dup2(out.fileno(), 1)
    os.dup2(out.fileno(), 2)
    out.close()
    os.environ.update(request["env"])
    api = _RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        for func, args, kwargs in list(_hooks("get_after_restore")):
            func(*args, **kwargs)
    except Exception as e:
        error = _exception_result(e)
        error["errorType"] = "Runtime.AfterRestoreError"
        _log_error(error)
        api.post("restore/error", json.dumps(error).encode(), "Runtime.AfterRestoreError")
        os._exit(65)
    return api


def _hooks(getter):
    """What the function registered with snapshot_restore_py (the runtime's copy, or its own)."""
    module = sys.modules.get("snapshot_restore_py")
    return getattr(module, getter)() if module is not None and hasattr(module, getter) else []


def _serve(api, handler):
    global _request_id
    while True:
        headers, body = api.next()
        _request_id = headers["lambda-runtime-aws-request-id"]
        trace = headers.get("lambda-runtime-trace-id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        try:
            context = LambdaContext(
                _request_id,
                _json_header(headers, "lambda-runtime-client-context", "Client Context"),
                _json_header(headers, "lambda-runtime-cognito-identity", "Cognito Identity"),
                int(headers["lambda-runtime-deadline-ms"]),
                headers.get("lambda-runtime-invoked-function-arn"),
                headers.get("lambda-runtime-aws-tenant-id"),
            )
            result = handler(json.loads(body), context)
        except _Fault as fault:
            error = _error_result(fault.error_type, fault.message, fault.trace)
            _log_error(error)
            api.post(f"invocation/{_request_id}/error", json.dumps(error).encode(), fault.error_type)
            continue
        except Exception as e:
            error = _exception_result(e)
            _log_error(error)
            api.post(f"invocation/{_request_id}/error", json.dumps(error).encode(), error["errorType"])
            continue
        try:
            payload = json.dumps(result, default=_json_default).encode()
        except (TypeError, ValueError) as e:
            error = _error_result("Runtime.MarshalError", f"Unable to marshal response: {e}", [])
            _log_error(error)
            api.post(f"invocation/{_request_id}/error", json.dumps(error).encode(), "Runtime.MarshalError")
            continue
        api.post(f"invocation/{_request_id}/response", payload)


if __name__ == "__main__":
    # A process group of its own: the emulator freezes and kills the environment (what the handler
    # forks too) with one signal to it, and the kernel ends it if the stack dies frozen.
    os.setpgid(0, 0)
    # stderr into the same pipe as stdout: the function's log keeps their order.
    os.dup2(1, 2)
    main()
