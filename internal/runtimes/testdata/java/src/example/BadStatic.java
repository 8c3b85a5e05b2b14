package example;

import java.util.Map;

/** Its static initializer throws: an init error. */
public class BadStatic {
    static final String CONFIG = load();

    static String load() {
        throw new IllegalStateException("no table name");
    }

    public static String handle(Map<String, Object> in) {
        return CONFIG;
    }
}
