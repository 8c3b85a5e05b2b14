package example;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Handlers named Class::method. */
public class Methods {
    /** void: the response is null. */
    public void nothing(Map<String, Object> in) {
        System.out.println("nothing returned");
    }

    /** Overloaded: Lambda calls the one with the most parameters. */
    public String over(Map<String, Object> in) {
        return "one";
    }

    public String over(Map<String, Object> in, Context c) {
        return "two";
    }

    /** (I): no Context. */
    public String greet(Map<String, String> in) {
        return "hi " + in.get("name");
    }

    /** (I, Context): the context, as the function sees it. */
    public Map<String, Object> context(Map<String, Object> in, Context c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("awsRequestId", c.getAwsRequestId());
        out.put("functionName", c.getFunctionName());
        out.put("functionVersion", c.getFunctionVersion());
        out.put("invokedFunctionArn", c.getInvokedFunctionArn());
        out.put("memoryLimitInMB", c.getMemoryLimitInMB());
        out.put("logGroupName", c.getLogGroupName());
        out.put("logStreamName", c.getLogStreamName());
        int left = c.getRemainingTimeInMillis();
        out.put("remainingPositive", left > 0 && left <= 60000);
        out.put("xrayTraceId", c.getXrayTraceId());
        out.put("traceProperty", System.getProperty("com.amazonaws.xray.traceHeader"));
        CognitoIdentity id = c.getIdentity();
        if (id != null) {
            out.put("identity", id.getIdentityId() + "|" + id.getIdentityPoolId());
        }
        ClientContext cc = c.getClientContext();
        if (cc != null) {
            out.put("client", cc.getClient().getInstallationId() + "|" + cc.getClient().getAppTitle());
            out.put("custom", cc.getCustom());
            out.put("env", cc.getEnvironment());
        }
        out.put("contextClassLoaderSeesHandler", Thread.currentThread().getContextClassLoader() == Methods.class.getClassLoader());
        return out;
    }

    /** A static (I) method with a record in and out. */
    public static Order total(Order o) {
        double sum = 0;
        for (Line l : o.lines()) {
            sum += l.qty() * l.price();
        }
        return new Order(o.id(), o.lines(), sum);
    }

    public record Line(String sku, int qty, double price) {}

    public record Order(String id, List<Line> lines, double total) {}

    /** (): the JVM's maximum heap, its collectors and its options. */
    public Map<String, Object> jvm() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("maxHeap", Runtime.getRuntime().maxMemory());
        List<String> gcs = new java.util.ArrayList<>();
        for (java.lang.management.GarbageCollectorMXBean b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.add(b.getName());
        }
        out.put("gc", gcs);
        out.put("args", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        return out;
    }

    /** (InputStream, OutputStream): a stream method without Context. */
    public void copy(InputStream in, OutputStream out) throws IOException {
        out.write('[');
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) >= 0;) {
            out.write(buf, 0, n);
        }
        out.write(']');
    }
}
