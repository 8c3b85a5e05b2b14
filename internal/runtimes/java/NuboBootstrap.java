// nubo's bootstrap for Java Lambda handlers.
//
// Runs one function instance: loads the handler named in _HANDLER from
// LAMBDA_TASK_ROOT (its classes at the root, lib/*.jar and *.jar beside
// them, the layout `sam build`, Gradle and Maven zips use), then loops over
// the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API: next event, handler,
// response or error, in the documents Lambda's Java runtime posts.
//
// Handlers: a class implementing RequestHandler<I,O> or RequestStreamHandler
// ("pkg.Class"), or "pkg.Class::method" with (I), (I, Context),
// (InputStream, OutputStream) or (InputStream, OutputStream, Context).
// The aws-lambda-java-core interfaces come from the function's own jars:
// they are reached by name, through reflection and java.lang.reflect.Proxy.
//
// JSON for POJO handlers is a small reflective mapper (class Json below);
// see docs/functions.md for what it does not cover. Java 8 source level, no
// dependencies: nubo compiles this file once per machine with javac, or runs
// it with the single-file source launcher (Java 11 or later).

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.UndeclaredThrowableException;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Calendar;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

public final class NuboBootstrap {
    static final String CORE = "com.amazonaws.services.lambda.runtime.";

    static PrintStream out;

    public static void main(String[] args) throws Exception {
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(out);
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, "UTF-8"));
        for (String a : args) {
            if (a.startsWith("--nubo-init=")) {
                out.println(a.substring("--nubo-init=".length()));
            }
        }
        String addr = System.getenv("AWS_LAMBDA_RUNTIME_API");
        if (addr == null || addr.isEmpty()) {
            System.err.println("nubo java bootstrap: AWS_LAMBDA_RUNTIME_API is not set");
            System.exit(1);
        }
        Api api = new Api(addr);
        Handler handler;
        try {
            handler = Handler.load(System.getenv("_HANDLER"), taskRoot());
        } catch (Throwable t) {
            Throwable e = unwrap(t);
            logError(e);
            api.postInitError(Errors.doc(e), Errors.type(e));
            System.exit(1);
            return;
        }
        for (;;) {
            Invocation inv = api.next();
            System.setProperty("com.amazonaws.xray.traceHeader", inv.traceId == null ? "" : inv.traceId);
            byte[] result;
            try {
                result = handler.invoke(inv);
            } catch (Throwable t) {
                Throwable e = unwrap(t);
                logError(e);
                api.postError(inv.requestId, Errors.doc(e), Errors.type(e));
                if (e instanceof VirtualMachineError) {
                    System.exit(1); // as Lambda's runtime: the JVM cannot be trusted after this
                }
                continue;
            }
            api.postResponse(inv.requestId, result);
        }
    }

    static String taskRoot() {
        String r = System.getenv("LAMBDA_TASK_ROOT");
        return r == null || r.isEmpty() ? System.getProperty("user.dir") : r;
    }

    static Throwable unwrap(Throwable t) {
        for (;;) {
            if (t instanceof InvocationTargetException && t.getCause() != null) {
                t = t.getCause();
            } else if (t instanceof UndeclaredThrowableException && t.getCause() != null) {
                t = t.getCause();
            } else {
                return t;
            }
        }
    }

    /**
     * logError writes an exception as one log record (lines joined with
     * \r): its type and message, its frames above nubo's bootstrap, its
     * causes.
     */
    static void logError(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (depth > 0) {
                b.append("\nCaused by: ");
            }
            b.append(Errors.type(t));
            if (t.getMessage() != null) {
                b.append(": ").append(t.getMessage());
            }
            for (String f : Errors.frames(t)) {
                b.append("\n\tat ").append(f);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        out.println(oneRecord(b.toString()));
    }

    static String oneRecord(String s) {
        return s.replace("\r\n", "\r").replace('\n', '\r');
    }

    // ------------------------------------------------------------- the API

    static final class Invocation {
        String requestId, invokedArn, traceId, clientContext, cognitoIdentity;
        long deadlineMs;
        byte[] body;
    }

    /** Api is a client of the Lambda Runtime API (HttpURLConnection keeps the connection alive). */
    static final class Api {
        final String base;

        Api(String addr) {
            base = "http://" + addr + "/2018-06-01/runtime";
        }

        Invocation next() throws IOException {
            HttpURLConnection c;
            int status;
            byte[] body;
            try {
                c = open("/invocation/next", "GET");
                status = c.getResponseCode();
                body = readAll(status >= 400 ? c.getErrorStream() : c.getInputStream());
            } catch (IOException e) { // once more, on a new connection
                c = open("/invocation/next", "GET");
                status = c.getResponseCode();
                body = readAll(status >= 400 ? c.getErrorStream() : c.getInputStream());
            }
            if (status != 200) {
                System.err.println("nubo java bootstrap: GET invocation/next: status " + status + ": " + new String(body, StandardCharsets.UTF_8));
                System.exit(1);
            }
            Invocation inv = new Invocation();
            inv.requestId = c.getHeaderField("Lambda-Runtime-Aws-Request-Id");
            inv.invokedArn = c.getHeaderField("Lambda-Runtime-Invoked-Function-Arn");
            inv.traceId = c.getHeaderField("Lambda-Runtime-Trace-Id");
            inv.clientContext = c.getHeaderField("Lambda-Runtime-Client-Context");
            inv.cognitoIdentity = c.getHeaderField("Lambda-Runtime-Cognito-Identity");
            String d = c.getHeaderField("Lambda-Runtime-Deadline-Ms");
            try {
                inv.deadlineMs = d == null ? 0 : Long.parseLong(d.trim());
            } catch (NumberFormatException e) {
                inv.deadlineMs = 0;
            }
            inv.body = body;
            return inv;
        }

        void postResponse(String id, byte[] body) throws IOException {
            post("/invocation/" + id + "/response", body, null);
        }

        void postError(String id, String doc, String type) throws IOException {
            post("/invocation/" + id + "/error", doc.getBytes(StandardCharsets.UTF_8), type);
        }

        void postInitError(String doc, String type) throws IOException {
            post("/init/error", doc.getBytes(StandardCharsets.UTF_8), type);
        }

        HttpURLConnection open(String path, String method) throws IOException {
            HttpURLConnection c = (HttpURLConnection) java.net.URI.create(base + path).toURL().openConnection(java.net.Proxy.NO_PROXY);
            c.setRequestMethod(method);
            c.setReadTimeout(0);
            c.setUseCaches(false);
            return c;
        }

        void post(String path, byte[] body, String errorType) throws IOException {
            try {
                postOnce(path, body, errorType);
            } catch (IOException e) { // a kept-alive connection the server closed: once more
                postOnce(path, body, errorType);
            }
        }

        void postOnce(String path, byte[] body, String errorType) throws IOException {
            HttpURLConnection c = open(path, "POST");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            c.setRequestProperty("Content-Type", "application/json");
            if (errorType != null) {
                c.setRequestProperty("Lambda-Runtime-Function-Error-Type", headerValue(errorType));
            }
            OutputStream os = c.getOutputStream();
            os.write(body);
            os.close();
            int status = c.getResponseCode();
            byte[] resp = readAll(status >= 400 ? c.getErrorStream() : c.getInputStream());
            if (status >= 300) {
                System.err.println("nubo java bootstrap: POST " + path + ": status " + status + ": " + new String(resp, StandardCharsets.UTF_8));
            }
        }

        static String headerValue(String s) {
            StringBuilder b = new StringBuilder();
            for (char ch : s.toCharArray()) {
                b.append(ch < ' ' || ch > '~' ? '?' : ch);
            }
            return b.toString();
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0;) {
                b.write(buf, 0, n);
            }
            return b.toByteArray();
        } finally {
            in.close();
        }
    }

    // -------------------------------------------------------------- errors

    /** Errors builds the error documents of Lambda's Java runtime. */
    static final class Errors {
        static String type(Throwable t) {
            return t instanceof Fault ? ((Fault) t).type : t.getClass().getName();
        }

        static String doc(Throwable t) {
            return Json.write(docMap(t, 0));
        }

        /** frames are t's stack frames above nubo's bootstrap (none for a Fault). */
        static List<String> frames(Throwable t) {
            List<String> trace = new ArrayList<String>();
            if (!(t instanceof Fault)) {
                for (StackTraceElement e : t.getStackTrace()) {
                    if (e.getClassName().startsWith("NuboBootstrap")) {
                        break; // the frames below the handler are nubo's
                    }
                    trace.add(e.toString());
                }
            }
            return trace;
        }

        static Map<String, Object> docMap(Throwable t, int depth) {
            Map<String, Object> m = new LinkedHashMap<String, Object>();
            if (t.getMessage() != null) {
                m.put("errorMessage", t.getMessage());
            }
            m.put("errorType", type(t));
            m.put("stackTrace", frames(t));
            if (t.getCause() != null && t.getCause() != t && depth < 16) {
                m.put("cause", docMap(t.getCause(), depth + 1));
            }
            return m;
        }
    }

    /** Fault is a failure the runtime itself reports, with Lambda's wording and type. */
    static final class Fault extends Exception {
        private static final long serialVersionUID = 1L;
        final String type;

        Fault(String type, String message) {
            super(message);
            this.type = type;
        }

        Fault(String type, String message, Throwable cause) {
            super(message, cause);
            this.type = type;
        }
    }

    // ------------------------------------------------------------- handler

    /** Handler is the loaded function: how to call it with an event. */
    static final class Handler {
        Object target;       // the instance (null for a static method)
        Method method;
        boolean stream;      // (InputStream, OutputStream[, Context])
        Type input;          // the event's type, for POJO handlers
        int arity;           // parameters of method
        boolean wantsContext;
        ContextFactory contexts;

        static Handler load(String spec, String root) throws Throwable {
            if (spec == null || spec.isEmpty()) {
                throw new Fault("Runtime.HandlerNotFound", "_HANDLER is not set");
            }
            String cls = spec, name = null;
            int i = spec.indexOf("::");
            if (i >= 0) {
                cls = spec.substring(0, i);
                name = spec.substring(i + 2);
            }
            ClassLoader loader = loader(root);
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> c;
            try {
                c = Class.forName(cls, true, loader);
            } catch (ClassNotFoundException e) {
                throw new Fault("java.lang.ClassNotFoundException", "Class not found: " + cls);
            }
            Handler h = new Handler();
            Class<?> ctx = optional(loader, CORE + "Context");
            h.contexts = ctx == null ? null : new ContextFactory(ctx);
            Class<?> streamIface = optional(loader, CORE + "RequestStreamHandler");
            Class<?> pojoIface = optional(loader, CORE + "RequestHandler");
            if (name == null && streamIface != null && streamIface.isAssignableFrom(c)) {
                h.method = streamIface.getMethod("handleRequest", InputStream.class, OutputStream.class, ctx);
                h.stream = true;
                h.arity = 3;
            } else if (name == null && pojoIface != null && pojoIface.isAssignableFrom(c)) {
                h.method = pojoIface.getMethod("handleRequest", Object.class, ctx);
                h.input = Types.typeArgument(c, pojoIface, 0);
                h.arity = 2;
            } else {
                h.method = pick(c, name == null ? "handleRequest" : name, ctx);
                Class<?>[] ps = h.method.getParameterTypes();
                h.arity = ps.length;
                h.stream = ps.length >= 2 && ps[0] == InputStream.class && ps[1] == OutputStream.class;
                if (ps.length >= 1 && !h.stream) {
                    h.input = h.method.getGenericParameterTypes()[0];
                }
            }
            h.wantsContext = h.arity == 3 || (h.arity == 2 && !h.stream);
            h.method.setAccessible(true);
            if (!Modifier.isStatic(h.method.getModifiers())) {
                Constructor<?> k;
                try {
                    k = c.getDeclaredConstructor();
                } catch (NoSuchMethodException e) {
                    throw new Fault("java.lang.NoSuchMethodException", "Class " + cls + " has no public zero-argument constructor");
                }
                k.setAccessible(true);
                h.target = k.newInstance();
            }
            return h;
        }

        /** pick finds the public method name of c that Lambda would call: the one with the most parameters. */
        static Method pick(Class<?> c, String name, Class<?> ctx) throws Fault {
            Method best = null;
            for (Method m : c.getMethods()) {
                if (!m.getName().equals(name) || m.isBridge() || m.isSynthetic()) {
                    continue;
                }
                Class<?>[] ps = m.getParameterTypes();
                boolean ok;
                switch (ps.length) {
                    case 0:
                    case 1:
                        ok = true;
                        break;
                    case 2:
                        ok = (ps[0] == InputStream.class && ps[1] == OutputStream.class) || (ctx != null && ps[1] == ctx);
                        break;
                    case 3:
                        ok = ps[0] == InputStream.class && ps[1] == OutputStream.class && ctx != null && ps[2] == ctx;
                        break;
                    default:
                        ok = false;
                }
                if (ok && (best == null || ps.length > best.getParameterTypes().length)) {
                    best = m;
                }
            }
            if (best == null) {
                throw new Fault("java.lang.NoSuchMethodException", "No public method named " + name + " with appropriate method signature found on class " + c.getName());
            }
            return best;
        }

        byte[] invoke(Invocation inv) throws Throwable {
            Object ctx = wantsContext && contexts != null ? contexts.make(inv) : null;
            if (stream) {
                ByteArrayOutputStream os = new ByteArrayOutputStream();
                InputStream is = new ByteArrayInputStream(inv.body);
                if (arity == 3) {
                    method.invoke(target, is, os, ctx);
                } else {
                    method.invoke(target, is, os);
                }
                return os.toByteArray();
            }
            Object[] args = new Object[arity];
            if (arity >= 1) {
                try {
                    args[0] = Json.convert(Json.parse(new String(inv.body, StandardCharsets.UTF_8)), input);
                } catch (RuntimeException e) {
                    throw new Fault("java.lang.RuntimeException", "An error occurred during JSON parsing", e);
                }
            }
            if (arity == 2) {
                args[1] = ctx;
            }
            Object result = method.invoke(target, args);
            return Json.write(result).getBytes(StandardCharsets.UTF_8);
        }

        static Class<?> optional(ClassLoader l, String name) {
            try {
                return Class.forName(name, false, l);
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }

        /**
         * loader sees the task root's classes, its lib/*.jar and *.jar, the
         * layers' java/lib/*.jar (Lambda's /opt/java/lib, which nubo merges
         * into $NUBO_OPT), and the JDK, not nubo's bootstrap.
         */
        static ClassLoader loader(String root) throws IOException {
            List<URL> urls = new ArrayList<URL>();
            File dir = new File(root);
            urls.add(dir.toURI().toURL());
            List<File> jarDirs = new ArrayList<File>(Arrays.asList(new File(dir, "lib"), dir));
            String opt = System.getenv("NUBO_OPT");
            if (opt != null && !opt.isEmpty()) {
                jarDirs.add(new File(new File(opt, "java"), "lib"));
            }
            for (File d : jarDirs) {
                File[] jars = d.listFiles();
                if (jars == null) {
                    continue;
                }
                Arrays.sort(jars);
                for (File j : jars) {
                    if (j.isFile() && j.getName().endsWith(".jar")) {
                        urls.add(j.toURI().toURL());
                    }
                }
            }
            return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader().getParent());
        }
    }

    // ------------------------------------------------------------- context

    /** ContextFactory makes Context objects implementing the function's own copy of the interface. */
    static final class ContextFactory {
        final Class<?> iface;
        final Object logger;
        final String functionName = env("AWS_LAMBDA_FUNCTION_NAME");
        final String functionVersion = env("AWS_LAMBDA_FUNCTION_VERSION");
        final String logGroup = env("AWS_LAMBDA_LOG_GROUP_NAME");
        final String logStream = env("AWS_LAMBDA_LOG_STREAM_NAME");
        final int memory;

        ContextFactory(Class<?> iface) {
            this.iface = iface;
            int mb = 0;
            try {
                mb = Integer.parseInt(env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
            } catch (NumberFormatException e) {
                // left 0
            }
            memory = mb;
            Class<?> lt = returnType(iface, "getLogger");
            logger = lt == null ? null : Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {lt}, new InvocationHandler() {
                public Object invoke(Object p, Method m, Object[] a) {
                    if (m.getName().equals("log") && a != null && a.length >= 1) {
                        String s = a[0] instanceof byte[] ? new String((byte[]) a[0], StandardCharsets.UTF_8) : String.valueOf(a[0]);
                        out.println(oneRecord(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s));
                        return null;
                    }
                    return object(p, m, a, "LambdaLogger");
                }
            });
        }

        static String env(String k) {
            String v = System.getenv(k);
            return v == null ? "" : v;
        }

        Object make(final Invocation inv) {
            final Map<String, Object> v = new HashMap<String, Object>();
            v.put("getAwsRequestId", inv.requestId);
            v.put("getLogGroupName", logGroup);
            v.put("getLogStreamName", logStream);
            v.put("getFunctionName", functionName);
            v.put("getFunctionVersion", functionVersion);
            v.put("getInvokedFunctionArn", inv.invokedArn);
            v.put("getMemoryLimitInMB", memory);
            v.put("getLogger", logger);
            v.put("getXrayTraceId", inv.traceId);
            v.put("getIdentity", identity(inv.cognitoIdentity));
            v.put("getClientContext", clientContext(inv.clientContext));
            return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, new InvocationHandler() {
                public Object invoke(Object p, Method m, Object[] a) {
                    if (m.getName().equals("getRemainingTimeInMillis") && (a == null || a.length == 0)) {
                        long left = inv.deadlineMs - System.currentTimeMillis();
                        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
                    }
                    if (v.containsKey(m.getName()) && (a == null || a.length == 0)) {
                        return v.get(m.getName());
                    }
                    return object(p, m, a, "Context[" + inv.requestId + "]");
                }
            });
        }

        Object identity(String json) {
            Class<?> t = returnType(iface, "getIdentity");
            if (json == null || json.isEmpty() || t == null) {
                return null;
            }
            Map<String, Object> m = asMap(json);
            Map<String, Object> v = new HashMap<String, Object>();
            v.put("getIdentityId", str(m.get("cognitoIdentityId")));
            v.put("getIdentityPoolId", str(m.get("cognitoIdentityPoolId")));
            return values(t, v);
        }

        Object clientContext(String json) {
            Class<?> t = returnType(iface, "getClientContext");
            if (json == null || json.isEmpty() || t == null) {
                return null;
            }
            Map<String, Object> m = asMap(json);
            Map<String, Object> v = new HashMap<String, Object>();
            Class<?> ct = returnType(t, "getClient");
            Object client = m.get("client");
            if (ct != null && client instanceof Map) {
                Map<?, ?> c = (Map<?, ?>) client;
                Map<String, Object> cv = new HashMap<String, Object>();
                cv.put("getInstallationId", str(c.get("installation_id")));
                cv.put("getAppTitle", str(c.get("app_title")));
                cv.put("getAppVersionName", str(c.get("app_version_name")));
                cv.put("getAppVersionCode", str(c.get("app_version_code")));
                cv.put("getAppPackageName", str(c.get("app_package_name")));
                v.put("getClient", values(ct, cv));
            }
            v.put("getCustom", strings(m.get("custom")));
            v.put("getEnvironment", strings(m.get("env")));
            return values(t, v);
        }

        static Map<String, Object> asMap(String json) {
            try {
                Object o = Json.convert(Json.parse(json), Object.class);
                if (o instanceof Map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) o;
                    return m;
                }
            } catch (RuntimeException e) {
                // an unreadable header reads as empty
            }
            return new HashMap<String, Object>();
        }

        static String str(Object o) {
            return o == null ? null : String.valueOf(o);
        }

        static Map<String, String> strings(Object o) {
            if (!(o instanceof Map)) {
                return null;
            }
            Map<String, String> m = new LinkedHashMap<String, String>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                m.put(String.valueOf(e.getKey()), e.getValue() instanceof String ? (String) e.getValue() : Json.write(e.getValue()));
            }
            return m;
        }

        static Class<?> returnType(Class<?> c, String method) {
            try {
                return c.getMethod(method).getReturnType();
            } catch (NoSuchMethodException e) {
                return null;
            }
        }

        /** values is a proxy of iface whose getters answer from v. */
        static Object values(Class<?> iface, final Map<String, Object> v) {
            if (!iface.isInterface()) {
                return null;
            }
            return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, new InvocationHandler() {
                public Object invoke(Object p, Method m, Object[] a) {
                    if (v.containsKey(m.getName()) && (a == null || a.length == 0)) {
                        return v.get(m.getName());
                    }
                    return object(p, m, a, v.toString());
                }
            });
        }

        /** object answers Object's methods, and a default for anything else. */
        static Object object(Object p, Method m, Object[] a, String str) {
            String n = m.getName();
            if (n.equals("toString") && (a == null || a.length == 0)) {
                return str;
            }
            if (n.equals("hashCode") && (a == null || a.length == 0)) {
                return System.identityHashCode(p);
            }
            if (n.equals("equals") && a != null && a.length == 1) {
                return p == a[0];
            }
            Class<?> r = m.getReturnType();
            if (r == boolean.class) {
                return false;
            }
            if (r == int.class || r == long.class || r == short.class || r == byte.class || r == char.class || r == float.class || r == double.class) {
                return Json.convert(null, r);
            }
            return null;
        }
    }

    // --------------------------------------------------------------- types

    static final class Types {
        /** typeArgument is the index'th type argument c binds on generic interface target (Object when unbound). */
        static Type typeArgument(Class<?> c, Class<?> target, int index) {
            Type t = find(c, target, new HashMap<TypeVariable<?>, Type>());
            if (t instanceof ParameterizedType) {
                Type a = ((ParameterizedType) t).getActualTypeArguments()[index];
                return a instanceof TypeVariable ? Object.class : a;
            }
            return Object.class;
        }

        static Type find(Type t, Class<?> target, Map<TypeVariable<?>, Type> bound) {
            Class<?> raw = raw(t);
            if (raw == null) {
                return null;
            }
            Map<TypeVariable<?>, Type> b = new HashMap<TypeVariable<?>, Type>(bound);
            if (t instanceof ParameterizedType) {
                TypeVariable<?>[] vars = raw.getTypeParameters();
                Type[] args = ((ParameterizedType) t).getActualTypeArguments();
                for (int i = 0; i < vars.length && i < args.length; i++) {
                    b.put(vars[i], substitute(args[i], bound));
                }
            }
            if (raw == target) {
                if (!(t instanceof ParameterizedType)) {
                    return t;
                }
                final Type[] args = ((ParameterizedType) t).getActualTypeArguments().clone();
                for (int i = 0; i < args.length; i++) {
                    args[i] = substitute(args[i], bound);
                }
                final Type owner = raw;
                return new ParameterizedType() {
                    public Type[] getActualTypeArguments() {
                        return args;
                    }

                    public Type getRawType() {
                        return owner;
                    }

                    public Type getOwnerType() {
                        return null;
                    }
                };
            }
            List<Type> supers = new ArrayList<Type>(Arrays.asList(raw.getGenericInterfaces()));
            if (raw.getGenericSuperclass() != null) {
                supers.add(raw.getGenericSuperclass());
            }
            for (Type s : supers) {
                Type r = find(s, target, b);
                if (r != null) {
                    return r;
                }
            }
            return null;
        }

        static Type substitute(Type t, Map<TypeVariable<?>, Type> bound) {
            if (t instanceof TypeVariable && bound.containsKey(t)) {
                return bound.get(t);
            }
            return t;
        }

        static Class<?> raw(Type t) {
            if (t instanceof Class) {
                return (Class<?>) t;
            }
            if (t instanceof ParameterizedType) {
                return raw(((ParameterizedType) t).getRawType());
            }
            if (t instanceof GenericArrayType) {
                Class<?> c = raw(((GenericArrayType) t).getGenericComponentType());
                return c == null ? null : Array.newInstance(c, 0).getClass();
            }
            if (t instanceof WildcardType) {
                return raw(((WildcardType) t).getUpperBounds()[0]);
            }
            if (t instanceof TypeVariable) {
                Type[] bounds = ((TypeVariable<?>) t).getBounds();
                return bounds.length > 0 ? raw(bounds[0]) : Object.class;
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- JSON

    /**
     * Json parses and writes JSON, and maps it to and from Java objects by
     * reflection, close to the Jackson configuration of Lambda's Java
     * runtime: Map/List/String/Number/Boolean/null, arrays, enums (by name),
     * POJOs through public setters/getters and public fields (property names
     * as Jackson derives them, matched case-insensitively, unknown ones
     * ignored, null properties left out of output), records, byte[] as
     * base64, Date and Calendar as epoch milliseconds. Annotations are not
     * read.
     */
    static final class Json {
        /** Num is a number as written, converted when its target type is known. */
        static final class Num {
            final String text;

            Num(String text) {
                this.text = text;
            }

            boolean integral() {
                return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
            }

            /** untyped is the number as Jackson reads it into Object: Integer, Long, BigInteger or Double. */
            Object untyped() {
                if (!integral()) {
                    return Double.valueOf(text);
                }
                BigInteger b = new BigInteger(text);
                if (b.bitLength() < 32) {
                    return b.intValue();
                }
                if (b.bitLength() < 64) {
                    return b.longValue();
                }
                return b;
            }

            public String toString() {
                return text;
            }
        }

        static final int MAX_DEPTH = 500;

        // -- parsing

        static Object parse(String s) {
            Parser p = new Parser(s);
            p.ws();
            if (p.i == s.length()) {
                return null; // an empty payload reads as null
            }
            Object v = p.value(0);
            p.ws();
            if (p.i != s.length()) {
                throw p.error("unexpected data after the JSON value");
            }
            return v;
        }

        static final class Parser {
            final String s;
            int i;

            Parser(String s) {
                this.s = s;
            }

            IllegalArgumentException error(String msg) {
                return new IllegalArgumentException("invalid JSON at offset " + i + ": " + msg);
            }

            void ws() {
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                        return;
                    }
                    i++;
                }
            }

            Object value(int depth) {
                if (depth > MAX_DEPTH) {
                    throw error("nested too deeply");
                }
                ws();
                if (i >= s.length()) {
                    throw error("unexpected end");
                }
                char c = s.charAt(i);
                switch (c) {
                    case '{': {
                        i++;
                        Map<String, Object> m = new LinkedHashMap<String, Object>();
                        ws();
                        if (peek('}')) {
                            i++;
                            return m;
                        }
                        for (;;) {
                            ws();
                            if (!peek('"')) {
                                throw error("want a string key");
                            }
                            String k = string();
                            ws();
                            expect(':');
                            m.put(k, value(depth + 1));
                            ws();
                            if (peek(',')) {
                                i++;
                                continue;
                            }
                            expect('}');
                            return m;
                        }
                    }
                    case '[': {
                        i++;
                        List<Object> l = new ArrayList<Object>();
                        ws();
                        if (peek(']')) {
                            i++;
                            return l;
                        }
                        for (;;) {
                            l.add(value(depth + 1));
                            ws();
                            if (peek(',')) {
                                i++;
                                continue;
                            }
                            expect(']');
                            return l;
                        }
                    }
                    case '"':
                        return string();
                    case 't':
                        word("true");
                        return Boolean.TRUE;
                    case 'f':
                        word("false");
                        return Boolean.FALSE;
                    case 'n':
                        word("null");
                        return null;
                    default:
                        return number();
                }
            }

            boolean peek(char c) {
                return i < s.length() && s.charAt(i) == c;
            }

            void expect(char c) {
                if (!peek(c)) {
                    throw error("want '" + c + "'");
                }
                i++;
            }

            void word(String w) {
                if (!s.startsWith(w, i)) {
                    throw error("unexpected character");
                }
                i += w.length();
            }

            Num number() {
                int start = i;
                if (peek('-')) {
                    i++;
                }
                int digits = i;
                while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                    i++;
                }
                if (i == digits || (s.charAt(digits) == '0' && i - digits > 1)) {
                    throw error("invalid number");
                }
                if (peek('.')) {
                    i++;
                    int f = i;
                    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                        i++;
                    }
                    if (i == f) {
                        throw error("invalid number");
                    }
                }
                if (peek('e') || peek('E')) {
                    i++;
                    if (peek('+') || peek('-')) {
                        i++;
                    }
                    int e = i;
                    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                        i++;
                    }
                    if (i == e) {
                        throw error("invalid number");
                    }
                }
                return new Num(s.substring(start, i));
            }

            String string() {
                i++; // the opening quote
                StringBuilder b = new StringBuilder();
                for (;;) {
                    if (i >= s.length()) {
                        throw error("unterminated string");
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        return b.toString();
                    }
                    if (c < ' ') {
                        throw error("control character in a string");
                    }
                    if (c != '\\') {
                        b.append(c);
                        continue;
                    }
                    if (i >= s.length()) {
                        throw error("unterminated string");
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case '"': b.append('"'); break;
                        case '\\': b.append('\\'); break;
                        case '/': b.append('/'); break;
                        case 'b': b.append('\b'); break;
                        case 'f': b.append('\f'); break;
                        case 'n': b.append('\n'); break;
                        case 'r': b.append('\r'); break;
                        case 't': b.append('\t'); break;
                        case 'u':
                            if (i + 4 > s.length()) {
                                throw error("short \\u escape");
                            }
                            try {
                                b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            } catch (NumberFormatException x) {
                                throw error("bad \\u escape");
                            }
                            i += 4;
                            break;
                        default:
                            throw error("bad escape");
                    }
                }
            }
        }

        // -- mapping to Java

        /** convert maps a parsed value to type t. */
        static Object convert(Object v, Type t) {
            if (t instanceof ParameterizedType) {
                return convertParameterized(v, (ParameterizedType) t);
            }
            if (t instanceof GenericArrayType) {
                return array(v, ((GenericArrayType) t).getGenericComponentType());
            }
            if (t instanceof WildcardType || t instanceof TypeVariable) {
                return convert(v, Types.raw(t));
            }
            Class<?> c = (Class<?>) t;
            if (c == null || c == Object.class) {
                return untyped(v);
            }
            if (c.isPrimitive()) {
                if (v == null) {
                    return primitiveZero(c);
                }
                return scalar(v, wrapper(c));
            }
            if (v == null) {
                return null;
            }
            if (c == String.class) {
                if (v instanceof String) {
                    return v;
                }
                if (v instanceof Num || v instanceof Boolean) {
                    return v.toString();
                }
                return write(untyped(v)); // an object or array, as its JSON text
            }
            if (Number.class.isAssignableFrom(c) || c == Boolean.class || c == Character.class) {
                return scalar(v, c);
            }
            if (c.isEnum()) {
                return enumValue(v, c);
            }
            if (c == byte[].class && v instanceof String) {
                return Base64.getDecoder().decode((String) v);
            }
            if (c == java.nio.ByteBuffer.class && v instanceof String) {
                return java.nio.ByteBuffer.wrap(Base64.getDecoder().decode((String) v));
            }
            if (c.isArray()) {
                return array(v, c.getComponentType());
            }
            if (Map.class.isAssignableFrom(c)) {
                return map(v, c, Object.class, Object.class);
            }
            if (Collection.class.isAssignableFrom(c)) {
                return collection(v, c, Object.class);
            }
            if (c == Date.class) {
                return new Date(((Number) scalar(v, Long.class)).longValue());
            }
            if (isRecord(c)) {
                return record(v, c);
            }
            if (!(v instanceof Map)) {
                Object o = fromScalar(v, c);
                if (o != null) {
                    return o;
                }
            }
            return pojo(v, c);
        }

        /**
         * fromScalar reads a value type from a string (a public static
         * parse, valueOf, fromString or of, or a constructor taking a
         * String: java.time, UUID, URI, Joda-Time) or from an integral
         * number (ofEpochMilli or a constructor taking a long: epoch
         * milliseconds); null when c has none of them.
         */
        static Object fromScalar(Object v, Class<?> c) {
            Class<?>[][] params;
            Object arg;
            if (v instanceof String) {
                params = new Class<?>[][] {{String.class}, {CharSequence.class}};
                arg = v;
            } else if (v instanceof Num && ((Num) v).integral()) {
                params = new Class<?>[][] {{long.class}};
                arg = Long.valueOf(((Num) v).text);
            } else {
                return null;
            }
            for (Class<?>[] ps : params) {
                for (String name : new String[] {"parse", "valueOf", "fromString", "of", "ofEpochMilli"}) {
                    try {
                        Method m = c.getMethod(name, ps);
                        if (Modifier.isStatic(m.getModifiers()) && c.isAssignableFrom(m.getReturnType())) {
                            return m.invoke(null, arg);
                        }
                    } catch (NoSuchMethodException e) {
                        // try the next
                    } catch (InvocationTargetException | IllegalAccessException e) {
                        throw new IllegalArgumentException("cannot read " + v + " as " + c.getName() + ": " + unwrap(e));
                    }
                }
                try {
                    return c.getConstructor(ps).newInstance(arg);
                } catch (NoSuchMethodException e) {
                    // try the next
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("cannot read " + v + " as " + c.getName() + ": " + unwrap(e));
                }
            }
            return null;
        }

        static Object convertParameterized(Object v, ParameterizedType p) {
            Class<?> raw = Types.raw(p);
            Type[] args = p.getActualTypeArguments();
            if (v == null) {
                return null;
            }
            if (Map.class.isAssignableFrom(raw) && args.length == 2) {
                return map(v, raw, args[0], args[1]);
            }
            if (Collection.class.isAssignableFrom(raw) && args.length == 1) {
                return collection(v, raw, args[0]);
            }
            return convert(v, raw);
        }

        static Object untyped(Object v) {
            if (v instanceof Num) {
                return ((Num) v).untyped();
            }
            if (v instanceof Map) {
                Map<String, Object> m = new LinkedHashMap<String, Object>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    m.put((String) e.getKey(), untyped(e.getValue()));
                }
                return m;
            }
            if (v instanceof List) {
                List<Object> l = new ArrayList<Object>();
                for (Object o : (List<?>) v) {
                    l.add(untyped(o));
                }
                return l;
            }
            return v;
        }

        static IllegalArgumentException cannot(Object v, Type t) {
            String what = v instanceof Map ? "an object" : v instanceof List ? "an array" : v instanceof String ? "a string" : v instanceof Num ? "a number" : String.valueOf(v);
            return new IllegalArgumentException("cannot read " + what + " as " + t.getTypeName());
        }

        static Object primitiveZero(Class<?> c) {
            if (c == boolean.class) {
                return false;
            }
            if (c == char.class) {
                return '\0';
            }
            return scalar(new Num("0"), wrapper(c));
        }

        static Class<?> wrapper(Class<?> c) {
            if (c == int.class) return Integer.class;
            if (c == long.class) return Long.class;
            if (c == double.class) return Double.class;
            if (c == float.class) return Float.class;
            if (c == short.class) return Short.class;
            if (c == byte.class) return Byte.class;
            if (c == boolean.class) return Boolean.class;
            if (c == char.class) return Character.class;
            return c;
        }

        static Object scalar(Object v, Class<?> c) {
            if (c == Boolean.class) {
                if (v instanceof Boolean) {
                    return v;
                }
                if (v instanceof String && ("true".equals(v) || "false".equals(v))) {
                    return Boolean.valueOf((String) v);
                }
                if (v instanceof Num && ((Num) v).integral()) {
                    return !((Num) v).text.matches("-?0");
                }
                throw cannot(v, c);
            }
            if (c == Character.class) {
                if (v instanceof String && ((String) v).length() == 1) {
                    return ((String) v).charAt(0);
                }
                throw cannot(v, c);
            }
            String text;
            if (v instanceof Num) {
                text = ((Num) v).text;
            } else if (v instanceof String) {
                text = ((String) v).trim(); // Jackson accepts numbers in strings
            } else {
                throw cannot(v, c);
            }
            try {
                BigDecimal d = new BigDecimal(text);
                if (c == BigDecimal.class) return d;
                if (c == Double.class) return Double.valueOf(text);
                if (c == Float.class) return Float.valueOf(text);
                if (c == BigInteger.class) return d.toBigInteger();
                if (c == Long.class) return d.longValue();
                if (c == Integer.class) return d.intValue();
                if (c == Short.class) return d.shortValue();
                if (c == Byte.class) return d.byteValue();
                if (c == Number.class) return new Num(text).untyped();
            } catch (NumberFormatException e) {
                throw cannot(v, c);
            }
            throw cannot(v, c);
        }

        static Object enumValue(Object v, Class<?> c) {
            if (v instanceof String) {
                for (Object k : c.getEnumConstants()) {
                    if (((Enum<?>) k).name().equals(v)) {
                        return k;
                    }
                }
            }
            if (v instanceof Num && ((Num) v).integral()) {
                int n = Integer.parseInt(((Num) v).text);
                Object[] ks = c.getEnumConstants();
                if (n >= 0 && n < ks.length) {
                    return ks[n];
                }
            }
            throw new IllegalArgumentException("cannot read " + v + " as " + c.getName() + ": not one of " + Arrays.toString(c.getEnumConstants()));
        }

        static Object array(Object v, Type component) {
            if (!(v instanceof List)) {
                throw cannot(v, component);
            }
            List<?> l = (List<?>) v;
            Object a = Array.newInstance(Types.raw(component), l.size());
            for (int i = 0; i < l.size(); i++) {
                Array.set(a, i, convert(l.get(i), component));
            }
            return a;
        }

        @SuppressWarnings("unchecked")
        static Object map(Object v, Class<?> raw, Type key, Type value) {
            if (!(v instanceof Map)) {
                throw cannot(v, raw);
            }
            Map<Object, Object> m;
            if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
                m = SortedMap.class.isAssignableFrom(raw) ? new TreeMap<Object, Object>() : new LinkedHashMap<Object, Object>();
            } else {
                m = (Map<Object, Object>) instantiate(raw);
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                Object k = e.getKey();
                Class<?> kc = Types.raw(key);
                if (kc != null && kc != Object.class && kc != String.class) {
                    k = kc.isEnum() ? enumValue(k, kc) : scalar(k, wrapper(kc));
                }
                m.put(k, convert(e.getValue(), value));
            }
            return m;
        }

        @SuppressWarnings("unchecked")
        static Object collection(Object v, Class<?> raw, Type element) {
            if (!(v instanceof List)) {
                throw cannot(v, raw);
            }
            Collection<Object> c;
            if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
                if (SortedSet.class.isAssignableFrom(raw)) {
                    c = new TreeSet<Object>();
                } else if (Set.class.isAssignableFrom(raw)) {
                    c = new LinkedHashSet<Object>();
                } else {
                    c = new ArrayList<Object>();
                }
            } else {
                c = (Collection<Object>) instantiate(raw);
            }
            for (Object o : (List<?>) v) {
                c.add(convert(o, element));
            }
            return c;
        }

        static Object instantiate(Class<?> c) {
            try {
                Constructor<?> k = c.getDeclaredConstructor();
                k.setAccessible(true);
                return k.newInstance();
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                throw t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot create " + c.getName() + ": it needs a zero-argument constructor (" + e + ")");
            }
        }

        static Object pojo(Object v, Class<?> c) {
            if (!(v instanceof Map)) {
                throw cannot(v, c);
            }
            Object o = instantiate(c);
            Map<String, Method> setters = new HashMap<String, Method>();
            for (Method m : c.getMethods()) {
                if (m.getName().startsWith("set") && m.getName().length() > 3 && m.getParameterTypes().length == 1 && !Modifier.isStatic(m.getModifiers())) {
                    String k = key(propertyName(m.getName().substring(3)));
                    if (!setters.containsKey(k)) {
                        setters.put(k, m);
                    }
                }
            }
            Map<String, Field> fields = new HashMap<String, Field>();
            for (Field f : c.getFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isStatic(mod) && !Modifier.isFinal(mod) && !Modifier.isTransient(mod)) {
                    fields.put(key(f.getName()), f);
                }
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                String k = key((String) e.getKey());
                try {
                    Method s = setters.get(k);
                    if (s != null) {
                        s.invoke(o, convert(e.getValue(), s.getGenericParameterTypes()[0]));
                        continue;
                    }
                    Field f = fields.get(k);
                    if (f != null) {
                        f.set(o, convert(e.getValue(), f.getGenericType()));
                    }
                } catch (IllegalAccessException x) {
                    throw new IllegalArgumentException("cannot set " + c.getName() + "." + e.getKey() + ": " + x.getMessage());
                } catch (InvocationTargetException x) {
                    Throwable t = x.getCause();
                    throw t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
                }
            }
            return o;
        }

        static boolean isRecord(Class<?> c) {
            return c.getSuperclass() != null && c.getSuperclass().getName().equals("java.lang.Record");
        }

        /** components lists a record's component accessors, in order (reflection keeps Java 8 source). */
        static Method[] components(Class<?> c) {
            try {
                Object[] cs = (Object[]) Class.class.getMethod("getRecordComponents").invoke(c);
                Method[] out = new Method[cs.length];
                for (int i = 0; i < cs.length; i++) {
                    out[i] = (Method) cs[i].getClass().getMethod("getAccessor").invoke(cs[i]);
                    out[i].setAccessible(true);
                }
                return out;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        static Object record(Object v, Class<?> c) {
            if (!(v instanceof Map)) {
                throw cannot(v, c);
            }
            Map<String, Object> byName = new HashMap<String, Object>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                byName.put(key((String) e.getKey()), e.getValue());
            }
            Method[] acc = components(c);
            Class<?>[] types = new Class<?>[acc.length];
            Object[] args = new Object[acc.length];
            for (int i = 0; i < acc.length; i++) {
                types[i] = acc[i].getReturnType();
                args[i] = convert(byName.get(key(acc[i].getName())), acc[i].getGenericReturnType());
            }
            try {
                Constructor<?> k = c.getDeclaredConstructor(types);
                k.setAccessible(true);
                return k.newInstance(args);
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                throw t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot create record " + c.getName() + ": " + e);
            }
        }

        /**
         * key is how a JSON key meets a property: case-insensitively (as
         * Lambda's serializer), and without '-' and '_' ("detail-type" is
         * detailType, "first_name" firstName).
         */
        static String key(String name) {
            StringBuilder b = new StringBuilder(name.length());
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c != '-' && c != '_') {
                    b.append(Character.toLowerCase(c));
                }
            }
            return b.toString();
        }

        /** propertyName is Jackson's name for a getter or setter suffix: leading capitals lowered. */
        static String propertyName(String s) {
            StringBuilder b = new StringBuilder(s);
            for (int i = 0; i < b.length() && Character.isUpperCase(b.charAt(i)); i++) {
                b.setCharAt(i, Character.toLowerCase(b.charAt(i)));
            }
            return b.toString();
        }

        // -- writing

        static String write(Object o) {
            StringBuilder b = new StringBuilder();
            write(o, b, 0);
            return b.toString();
        }

        static void write(Object o, StringBuilder b, int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("cannot write JSON: nested too deeply (a cycle?)");
            }
            if (o == null) {
                b.append("null");
            } else if (o instanceof String || o instanceof Character) {
                quote(o.toString(), b);
            } else if (o instanceof Num) {
                b.append(((Num) o).text);
            } else if (o instanceof Boolean) {
                b.append(o);
            } else if (o instanceof Double || o instanceof Float) {
                double d = ((Number) o).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    quote(o.toString(), b); // Jackson quotes non-numeric numbers by default
                } else {
                    b.append(o);
                }
            } else if (o instanceof Number) {
                b.append(o);
            } else if (o instanceof Enum) {
                quote(((Enum<?>) o).name(), b);
            } else if (o instanceof byte[]) {
                quote(Base64.getEncoder().encodeToString((byte[]) o), b);
            } else if (o instanceof java.nio.ByteBuffer) {
                java.nio.ByteBuffer bb = ((java.nio.ByteBuffer) o).duplicate();
                byte[] bs = new byte[bb.remaining()];
                bb.get(bs);
                quote(Base64.getEncoder().encodeToString(bs), b);
            } else if (o instanceof Map) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    quote(String.valueOf(e.getKey()), b);
                    b.append(':');
                    write(e.getValue(), b, depth + 1);
                }
                b.append('}');
            } else if (o instanceof Iterable) {
                b.append('[');
                Iterator<?> it = ((Iterable<?>) o).iterator();
                for (boolean first = true; it.hasNext(); first = false) {
                    if (!first) {
                        b.append(',');
                    }
                    write(it.next(), b, depth + 1);
                }
                b.append(']');
            } else if (o.getClass().isArray()) {
                b.append('[');
                for (int i = 0, n = Array.getLength(o); i < n; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    write(Array.get(o, i), b, depth + 1);
                }
                b.append(']');
            } else if (o instanceof Date) {
                b.append(((Date) o).getTime());
            } else if (o instanceof Calendar) {
                b.append(((Calendar) o).getTimeInMillis());
            } else if (o.getClass().getName().startsWith("java.") || o.getClass().getName().startsWith("org.joda.time.")) {
                quote(o.toString(), b); // java.time, Joda-Time and the like: their ISO text
            } else {
                writeBean(o, b, depth);
            }
        }

        static void writeBean(Object o, StringBuilder b, int depth) {
            Map<String, Object> props = new LinkedHashMap<String, Object>();
            Class<?> c = o.getClass();
            try {
                if (isRecord(c)) {
                    for (Method m : components(c)) {
                        props.put(m.getName(), m.invoke(o));
                    }
                } else {
                    for (Field f : c.getFields()) {
                        if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
                            props.put(f.getName(), f.get(o));
                        }
                    }
                    List<Method> getters = new ArrayList<Method>();
                    for (Method m : c.getMethods()) {
                        if (Modifier.isStatic(m.getModifiers()) || m.getParameterTypes().length != 0 || m.getDeclaringClass() == Object.class || m.getReturnType() == void.class) {
                            continue;
                        }
                        String n = m.getName();
                        if ((n.startsWith("get") && n.length() > 3) || (n.startsWith("is") && n.length() > 2 && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class))) {
                            getters.add(m);
                        }
                    }
                    final List<String> order = declaredOrder(c);
                    java.util.Collections.sort(getters, new java.util.Comparator<Method>() {
                        public int compare(Method x, Method y) {
                            int a = order.indexOf(getterProperty(x)), z = order.indexOf(getterProperty(y));
                            a = a < 0 ? Integer.MAX_VALUE : a;
                            z = z < 0 ? Integer.MAX_VALUE : z;
                            return a != z ? Integer.compare(a, z) : getterProperty(x).compareTo(getterProperty(y));
                        }
                    });
                    for (Method m : getters) {
                        m.setAccessible(true);
                        props.put(getterProperty(m), m.invoke(o));
                    }
                }
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot write " + c.getName() + " as JSON: " + e.getMessage());
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                throw t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : props.entrySet()) {
                if (e.getValue() == null) {
                    continue; // as Lambda's serializer: null properties are left out
                }
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(e.getKey(), b);
                b.append(':');
                write(e.getValue(), b, depth + 1);
            }
            b.append('}');
        }

        static String getterProperty(Method m) {
            String n = m.getName();
            return propertyName(n.startsWith("is") ? n.substring(2) : n.substring(3));
        }

        static List<String> declaredOrder(Class<?> c) {
            List<Class<?>> chain = new ArrayList<Class<?>>();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                chain.add(0, k);
            }
            List<String> names = new ArrayList<String>();
            for (Class<?> k : chain) {
                for (Field f : k.getDeclaredFields()) {
                    names.add(f.getName());
                }
            }
            return names;
        }

        static void quote(String s, StringBuilder b) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    case '\b': b.append("\\b"); break;
                    case '\f': b.append("\\f"); break;
                    default:
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                }
            }
            b.append('"');
        }
    }
}
