package dev.c1m.limit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The replies a protected server gives when it says no, in the line format of chapter 1's
 * {@code EchoProtocol} ({@code error: <reason>\n}), and a best-effort way to send one to a
 * connection that is about to be closed.
 *
 * <p>Stateless, thread-safe. The arrays are shared: never modify them.
 */
public final class Refusals {

    /** Sent to a connection refused at admission, just before it is closed. */
    public static final byte[] SERVER_BUSY = line("error: server busy");
    /** Sent for one request refused by a rate limiter; the connection stays open. */
    public static final byte[] RATE_LIMITED = line("error: rate limited");
    /** Sent when the in-flight cap or its waiting line refused a request. */
    public static final byte[] OVERLOADED = line("error: overloaded");
    /** Sent when a circuit breaker refused the downstream call a request needed. */
    public static final byte[] DOWNSTREAM_UNAVAILABLE = line("error: downstream unavailable");

    private static final List<byte[]> ALL = List.of(SERVER_BUSY, RATE_LIMITED, OVERLOADED, DOWNSTREAM_UNAVAILABLE);

    private Refusals() {
    }

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether {@code line[0, length)}, a line without its terminator, is one of these refusals: how
     * a client tells a server that said no from one that answered wrongly.
     */
    public static boolean isRefusal(byte[] line, int length) {
        for (byte[] refusal : ALL) {
            if (Arrays.equals(line, 0, length, refusal, 0, refusal.length - 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes {@code reply} with one {@code write} call and reports whether all of it was taken.
     * Never blocks for long on a fresh socket (its send buffer takes a short line at once) and
     * never throws: a refused client that has already gone away is not an error.
     */
    public static boolean sendBestEffort(WritableByteChannel channel, byte[] reply) {
        try {
            return channel.write(ByteBuffer.wrap(reply)) == reply.length;
        } catch (IOException e) {
            return false;
        }
    }
}
