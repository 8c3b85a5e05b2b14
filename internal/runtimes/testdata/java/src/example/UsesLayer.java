package example;

import java.util.Map;

/** Uses a class from a layer's java/lib/*.jar. */
public class UsesLayer {
    public String handle(Map<String, String> in) {
        return layerlib.Shared.greet(in.get("who"));
    }
}
