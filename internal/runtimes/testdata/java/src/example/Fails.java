package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.util.Map;

/** Throws: the invocation's error document. */
public class Fails implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> in, Context context) {
        throw new IllegalStateException("boom: " + in.get("why"), new UncheckedIOException("disk", new IOException("full")));
    }
}
