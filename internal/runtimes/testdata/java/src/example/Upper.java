package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** RequestStreamHandler: the bytes in, upper-cased, are the response. */
public class Upper implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) >= 0;) {
            b.write(buf, 0, n);
        }
        context.getLogger().log("stream of " + b.size() + " bytes");
        out.write(new String(b.toByteArray(), StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
    }
}
