package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.HashMap;
import java.util.Map;

/** The shape of `sam init`'s Java hello-world handler, behind an Api event. */
public class HelloApi implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent input, Context context) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Custom-Header", "application/json");
        Map<String, String> query = input.getQueryStringParameters();
        String name = query == null ? "world" : query.getOrDefault("name", "world");
        String body = String.format("{\"message\":\"hello %s\",\"method\":\"%s\",\"resource\":\"%s\",\"stage\":\"%s\",\"hasSourceIp\":%b}",
                name, input.getHttpMethod(), input.getResource(), input.getRequestContext().getStage(),
                input.getRequestContext().getIdentity().getSourceIp() != null);
        return new APIGatewayProxyResponseEvent().withHeaders(headers).withStatusCode(200).withBody(body);
    }
}
