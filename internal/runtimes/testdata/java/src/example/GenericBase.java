package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** A generic base handler: subclasses bind T. */
public abstract class GenericBase<T> implements RequestHandler<T, String> {
    @Override
    public String handleRequest(T input, Context context) {
        return describe(input);
    }

    abstract String describe(T input);
}
