package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/** The types the bootstrap's JSON mapper reads and writes, echoed back. */
public class Kinds implements RequestHandler<Kinds.All, Kinds.All> {
    public enum Color { RED, GREEN }

    public static class All {
        public int[] nums;
        public List<Map<String, Integer>> nested;
        public Set<String> set;
        public BigDecimal price;
        public char letter;
        public Color color;
        public byte[] data;
        public Long big;
        public double ratio;
        public float f;
        public short sh;
        public Boolean flag;
        public SortedMap<Integer, String> byNumber;
        public String raw;
        public String text;
        public Date when;
        public Object any;
        public List<Color> colors;
        public String[][] grid;
        public Instant stamp;
        public java.util.UUID uuid;
        public java.net.URI uri;
        public java.time.OffsetDateTime at;
        public Instant epoch;
        public String detailType;
        public java.nio.ByteBuffer buf;
        private String hidden = "secret";
        public transient String unset;

        public Boolean getIsBase64Encoded() {
            return Boolean.FALSE;
        }

        public String getComputed() {
            return text == null ? null : text.toUpperCase();
        }
    }

    @Override
    public All handleRequest(All in, Context context) {
        in.stamp = Instant.ofEpochSecond(0);
        return in;
    }
}
