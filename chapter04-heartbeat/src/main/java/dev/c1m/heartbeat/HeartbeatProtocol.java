package dev.c1m.heartbeat;

/**
 * The heartbeat lines of the course's line protocol, parsed and formatted without any socket,
 * so a blocking handler, a reactor or a test can use them alike.
 *
 * <pre>
 * +------+----+-----+----+--------------+----+
 * | PING | SP | seq | SP | sender-nanos | LF |   client -&gt; server
 * +------+----+-----+----+--------------+----+
 * | PONG | SP | seq | SP | sender-nanos | LF |   server -&gt; client, both numbers echoed unchanged
 * +------+----+-----+----+--------------+----+
 *   seq:          decimal, 0 .. 2^63-1, increasing per connection
 *   sender-nanos: decimal, may be negative (a System.nanoTime() value of the sender)
 * </pre>
 *
 * Exactly one space between fields; the keywords are upper case. Any line whose first word is not
 * {@code PING} or {@code PONG} is not a heartbeat and keeps its usual meaning (the echo
 * protocol answers it with {@code echo: <line>}). A line that starts with {@code PING} or
 * {@code PONG} but does not follow the grammar is malformed: the server answers it with
 * {@link #MALFORMED_REPLY} and keeps the connection. Try it with {@code nc 127.0.0.1 9000}: type
 * {@code PING 1 42}, get {@code PONG 1 42}.
 *
 * <p>The sender's clock travels in the message so the sender can compute the round-trip time
 * from the PONG alone; a careful sender still matches the sequence number against what it sent
 * ({@link PeerHealth} does) rather than trusting a time that came back over the network.
 *
 * <p>Stateless; safe from any thread.
 */
public final class HeartbeatProtocol {

    /** The reply to a line that starts like a heartbeat but is not one. */
    public static final String MALFORMED_REPLY = "error: malformed heartbeat, expected PING <seq> <sender-nanos>";

    /** The longest valid heartbeat line: keyword, two spaces, 19 digits and 20 characters. */
    public static final int MAX_LINE_CHARS = 4 + 1 + 19 + 1 + 20;

    private HeartbeatProtocol() {
    }

    /** What a line is, for a handler's dispatch. */
    public enum LineType { PING, PONG, MALFORMED, OTHER }

    /** Classifies {@code line}: a PING, a PONG, a malformed heartbeat, or anything else. */
    public static LineType classify(String line) {
        Heartbeat.Kind kind = keyword(line);
        if (kind == null) {
            return LineType.OTHER;
        }
        if (parseOrNull(line) == null) {
            return LineType.MALFORMED;
        }
        return kind == Heartbeat.Kind.PING ? LineType.PING : LineType.PONG;
    }

    /**
     * Parses a heartbeat line (without its newline).
     *
     * @return the heartbeat, or null if the line is not a well-formed heartbeat
     */
    public static Heartbeat parseOrNull(String line) {
        Heartbeat.Kind kind = keyword(line);
        if (kind == null || line.length() > MAX_LINE_CHARS) {
            return null;
        }
        int secondSpace = line.indexOf(' ', 5);
        if (secondSpace < 0 || !isNumber(line, 5, secondSpace) || !isNumber(line, secondSpace + 1, line.length())) {
            return null;
        }
        try {
            long seq = Long.parseLong(line, 5, secondSpace, 10);
            long senderNanos = Long.parseLong(line, secondSpace + 1, line.length(), 10);
            return seq < 0 ? null : new Heartbeat(kind, seq, senderNanos);
        } catch (NumberFormatException outOfRange) {
            return null;
        }
    }

    /** The reply line to a well-formed PING line, or null if {@code line} is not one. */
    public static String pongLineOrNull(String line) {
        Heartbeat heartbeat = parseOrNull(line);
        return heartbeat != null && heartbeat.kind() == Heartbeat.Kind.PING ? heartbeat.pong().toLine() : null;
    }

    private static Heartbeat.Kind keyword(String line) {
        if (line.startsWith("PING") && (line.length() == 4 || line.charAt(4) == ' ')) {
            return Heartbeat.Kind.PING;
        }
        if (line.startsWith("PONG") && (line.length() == 4 || line.charAt(4) == ' ')) {
            return Heartbeat.Kind.PONG;
        }
        return null;
    }

    private static boolean isNumber(String line, int from, int to) {
        int digitsFrom = from < to && line.charAt(from) == '-' ? from + 1 : from;
        if (digitsFrom == to) {
            return false;
        }
        for (int i = digitsFrom; i < to; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
