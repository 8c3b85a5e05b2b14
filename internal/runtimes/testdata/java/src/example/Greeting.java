package example;

import java.util.List;

/** A POJO written through getters; a null property is left out. */
public class Greeting {
    private final String message;
    private final int nextAge;
    private final List<String> tags;
    private final String missing = null;
    private final boolean admin;
    private final Level level;

    public enum Level { LOW, HIGH }

    public Greeting(String message, int nextAge, List<String> tags, boolean admin, Level level) {
        this.message = message;
        this.nextAge = nextAge;
        this.tags = tags;
        this.admin = admin;
        this.level = level;
    }

    public String getMessage() { return message; }
    public int getNextAge() { return nextAge; }
    public List<String> getTags() { return tags; }
    public String getMissing() { return missing; }
    public boolean isAdmin() { return admin; }
    public Level getLevel() { return level; }
}
