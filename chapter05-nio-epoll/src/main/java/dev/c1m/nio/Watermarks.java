package dev.c1m.nio;

/**
 * Per-connection outbound backpressure thresholds, in bytes of output queued in the server
 * because the peer's socket buffer is full.
 *
 * <p>When a connection's queued output reaches {@code high}, its reactor stops reading from it
 * (removes {@code OP_READ}): a peer that sends requests but does not read the replies cannot
 * make the server buffer without limit. When the queue drains to {@code low} or less, reading
 * resumes. The gap between the two avoids flapping the interest set on every write. Immutable.
 */
public record Watermarks(int low, int high) {

    /** 16 KiB low, 64 KiB high. */
    public static final Watermarks DEFAULT = new Watermarks(16 * 1024, 64 * 1024);

    public Watermarks {
        if (low < 0 || high <= 0 || low >= high) {
            throw new IllegalArgumentException("need 0 <= low < high, got low=" + low + " high=" + high);
        }
    }
}
