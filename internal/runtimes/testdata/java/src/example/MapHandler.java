package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** RequestHandler over Map: the value types are those Jackson reads into Object. */
public class MapHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> in, Context context) {
        Map<String, Object> types = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : in.entrySet()) {
            types.put(e.getKey(), e.getValue() == null ? "null" : e.getValue().getClass().getSimpleName());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("echo", in);
        out.put("types", types);
        System.out.println("line one\nline two");
        return out;
    }
}
