package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** RequestHandler with POJO input and output. */
public class EchoPojo implements RequestHandler<Person, Greeting> {
    private int calls;

    @Override
    public Greeting handleRequest(Person p, Context context) {
        calls++;
        context.getLogger().log("greeting " + p.getName() + " (call " + calls + ")");
        String city = p.getAddress() == null ? "nowhere" : p.getAddress().getCity();
        return new Greeting("hello " + p.getName() + " from " + city, p.getAge() + 1, p.getTags(), p.admin,
                p.getAge() >= 18 ? Greeting.Level.HIGH : Greeting.Level.LOW);
    }
}
