package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** RequestHandler<String, String>: a JSON string in, a JSON string out. */
public class StringHandler implements RequestHandler<String, String> {
    @Override
    public String handleRequest(String in, Context context) {
        return "hello " + in + " \"quoted\" é";
    }
}
