package dev.c1m.heartbeat;

import java.nio.ByteBuffer;

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

    private static final byte[] PING_SPACE = {'P', 'I', 'N', 'G', ' '};
    private static final String LONG_MAX_DIGITS = Long.toString(Long.MAX_VALUE);
    private static final String LONG_MIN_DIGITS = Long.toString(Long.MIN_VALUE).substring(1);

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

    /**
     * Writes {@code PING <seq> <senderNanos>} (no newline) into {@code out} as ASCII, the same
     * bytes as {@code Heartbeat.ping(seq, senderNanos).toLine()} but with no {@code String}: what a
     * load generator sending a million heartbeats a minute wants.
     *
     * @throws java.nio.BufferOverflowException if {@code out} has fewer than {@link #MAX_LINE_CHARS} bytes left
     */
    public static void putPing(ByteBuffer out, long seq, long senderNanos) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative: " + seq);
        }
        out.put(PING_SPACE);
        putDecimal(out, seq);
        out.put((byte) ' ');
        putDecimal(out, senderNanos);
    }

    private static void putDecimal(ByteBuffer out, long value) {
        if (value < 0) {
            out.put((byte) '-');
        }
        long negative = value < 0 ? value : -value; // negative, so Long.MIN_VALUE has a magnitude too
        int first = out.position();
        do {
            out.put((byte) ('0' - negative % 10));
            negative /= 10;
        } while (negative != 0);
        for (int i = first, j = out.position() - 1; i < j; i++, j--) { // digits came least significant first
            byte digit = out.get(i);
            out.put(i, out.get(j));
            out.put(j, digit);
        }
    }

    /**
     * Whether the remaining bytes of {@code line} (without its newline) are a PING spelled exactly
     * as {@link Heartbeat#toLine} spells it: no leading zeros, no {@code -0}, both numbers in range.
     * Its PONG is then the same bytes with {@code PONG} in place of {@code PING}, so a server can
     * answer it without decoding a {@code String} (chapter 8 does, a million times a minute). Any
     * other line, including valid but unusual spellings such as {@code PING 007 1}, is for
     * {@link #classify} and {@link #pongLineOrNull}. Reads the bytes in place; moves nothing.
     */
    public static boolean isCanonicalPing(ByteBuffer line) {
        int from = line.position();
        int to = line.limit();
        if (to - from > MAX_LINE_CHARS || to - from < "PING 0 0".length()
                || line.get(from) != 'P' || line.get(from + 1) != 'I' || line.get(from + 2) != 'N'
                || line.get(from + 3) != 'G' || line.get(from + 4) != ' ') {
            return false;
        }
        int seqEnd = canonicalDecimalEnd(line, from + 5, to, false);
        return seqEnd > 0 && seqEnd < to && line.get(seqEnd) == ' '
                && canonicalDecimalEnd(line, seqEnd + 1, to, true) == to;
    }

    /**
     * Where the decimal that starts at {@code from} ends (the index of the first byte after its
     * digits), or -1 if no canonical {@code long} starts there: digits with no leading zero, a
     * minus sign only if {@code signed} and never before 0, and no more than {@code long} holds.
     */
    private static int canonicalDecimalEnd(ByteBuffer bytes, int from, int to, boolean signed) {
        boolean negative = signed && from < to && bytes.get(from) == '-';
        int digitsFrom = negative ? from + 1 : from;
        int end = digitsFrom;
        while (end < to && bytes.get(end) >= '0' && bytes.get(end) <= '9') {
            end++;
        }
        int digits = end - digitsFrom;
        if (digits == 0 || (bytes.get(digitsFrom) == '0' && (digits > 1 || negative))) {
            return -1;
        }
        String limit = negative ? LONG_MIN_DIGITS : LONG_MAX_DIGITS;
        if (digits > limit.length()) {
            return -1;
        }
        if (digits == limit.length()) {
            for (int i = 0; i < digits; i++) {
                int difference = bytes.get(digitsFrom + i) - limit.charAt(i);
                if (difference != 0) {
                    return difference < 0 ? end : -1;
                }
            }
        }
        return end;
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
