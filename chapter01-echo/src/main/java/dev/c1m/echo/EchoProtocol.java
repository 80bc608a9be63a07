package dev.c1m.echo;

import java.nio.charset.StandardCharsets;

/**
 * The course's line protocol, shared by every chapter's server.
 *
 * <p>A request is one line of UTF-8 text ended by {@code \n} ({@code \r\n} is accepted too). The
 * reply to a line {@code L} is {@code "echo: " + L + "\n"}. A line longer than the server's limit
 * (in bytes, not counting its terminator) is answered with {@code "error: line too long\n"}, and
 * the server then closes that connection. Bytes that are not valid UTF-8 are decoded as U+FFFD,
 * the replacement character, so a reply can differ from garbage input but never fails on it.
 *
 * <p>Stateless; safe from any thread.
 */
public final class EchoProtocol {

    /** The default limit on one line: 8 KiB, without its terminator. */
    public static final int DEFAULT_MAX_LINE_BYTES = 8 * 1024;

    /** What every reply starts with. */
    public static final String REPLY_PREFIX = "echo: ";

    /** The reply to a line over the limit, sent just before the server closes the connection. */
    public static final String LINE_TOO_LONG = "error: line too long";

    private EchoProtocol() {
    }

    /** The reply to {@code line}, without its newline. */
    public static String reply(String line) {
        return REPLY_PREFIX + line;
    }

    /** The reply to {@code line} as it goes on the wire, newline included. */
    public static byte[] replyBytes(String line) {
        return (REPLY_PREFIX + line + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A protocol line as it goes on the wire: the text, then {@code \n}. */
    public static byte[] lineBytes(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
