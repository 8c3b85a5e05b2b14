package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** Its constructor throws: an init error. */
public class BadInit implements RequestHandler<String, String> {
    public BadInit() {
        throw new IllegalArgumentException("no config");
    }

    @Override
    public String handleRequest(String in, Context context) {
        return in;
    }
}
