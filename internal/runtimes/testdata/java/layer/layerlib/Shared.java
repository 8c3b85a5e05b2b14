package layerlib;

/** A class a layer provides in java/lib/*.jar. */
public final class Shared {
    private Shared() {}

    public static String greet(String who) {
        return "shared hello " + who;
    }
}
