package dev.c1m.heartbeat;

/**
 * One heartbeat line: a {@code PING} or the {@code PONG} that answers it.
 *
 * @param kind        PING or PONG
 * @param seq         the sender's sequence number, 0 or more, increasing per connection
 * @param senderNanos the sender's {@link System#nanoTime()} when it sent the PING, echoed
 *                    unchanged in the PONG; meaningful only to the sender (any long)
 */
public record Heartbeat(Kind kind, long seq, long senderNanos) {

    public enum Kind { PING, PONG }

    public Heartbeat {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative: " + seq);
        }
    }

    public static Heartbeat ping(long seq, long senderNanos) {
        return new Heartbeat(Kind.PING, seq, senderNanos);
    }

    /** The PONG that answers this PING. */
    public Heartbeat pong() {
        if (kind != Kind.PING) {
            throw new IllegalStateException("only a PING is answered: " + this);
        }
        return new Heartbeat(Kind.PONG, seq, senderNanos);
    }

    /** The line as it goes on the wire, without its newline: {@code PING 7 123456789}. */
    public String toLine() {
        return kind.name() + ' ' + seq + ' ' + senderNanos;
    }
}
