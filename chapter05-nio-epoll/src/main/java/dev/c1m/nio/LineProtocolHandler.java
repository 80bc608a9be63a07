package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Chapter 1's line protocol ({@link EchoProtocol}) on a reactor: answers each line with
 * {@code "echo: " + line} (or whatever its {@link Responder} says), answers a line over the limit
 * with {@code "error: line too long"} and then closes the connection after that reply, and answers a last line ended by EOF before
 * closing, exactly like chapter 1's blocking {@code LineEchoHandler}.
 *
 * <p><b>Two paths to the same bytes.</b> The protocol's reply is the line decoded from UTF-8
 * (invalid bytes as U+FFFD) and encoded again. For a line of ASCII bytes only, that round trip is
 * the identity, so the reply is the prefix, the line's own bytes and {@code \n}: the fast path
 * copies them straight from the read buffer into the write stage, with no {@code String} and no
 * array per line. Any byte of {@code 0x80} or above sends the line down the slow path through a
 * {@code String}, which is what replaces invalid UTF-8 exactly as chapter 1 does. Each
 * {@link Responder} chooses its own fast path ({@link Responder#answerInPlace}); chapter 8's
 * heartbeat responder answers a {@code PING} from its bytes the same way.
 *
 * <pre>
 *   read buffer  ... | h | i | \n | ...          (ASCII: every byte &lt; 0x80)
 *   write stage  | e | c | h | o | : | ' ' | h | i | \n |
 *                  ECHO_PREFIX, encoded once     line   NEWLINE
 * </pre>
 *
 * <p>One per connection, confined to its reactor thread. Holds only its {@link LineDecoder} and
 * its responder: no buffer while no partial line is pending.
 */
public final class LineProtocolHandler implements Handler, LineDecoder.LineSink<Connection> {

    /**
     * What the protocol answers to one complete line (without its line ending). Called on the
     * reactor thread; must not block.
     */
    public interface Responder {
        /** Chapter 1's echo protocol, with the ASCII fast path. */
        Responder ECHO = new Responder() {
            @Override
            public boolean answerInPlace(Connection connection, ByteBuffer line) {
                return echoInPlace(connection, line);
            }

            @Override
            public byte[] replyTo(String line) {
                return EchoProtocol.replyBytes(line);
            }
        };

        /**
         * Answers the line straight from its bytes and returns true, if this responder can (the
         * fast path: no {@code String}, no array); returns false to have {@link #replyTo} answer
         * it. Writes to {@code connection} only if it returns true; moves nothing in {@code line}
         * that it does not write.
         */
        default boolean answerInPlace(Connection connection, ByteBuffer line) {
            return false;
        }

        /** The reply's bytes, newline included, or null for no reply. */
        byte[] replyTo(String line);
    }

    private static final System.Logger LOG = System.getLogger(LineProtocolHandler.class.getName());
    private static final byte[] ECHO_PREFIX = EchoProtocol.REPLY_PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = {'\n'};
    private static final byte[] LINE_TOO_LONG = (EchoProtocol.LINE_TOO_LONG + "\n").getBytes(StandardCharsets.UTF_8);

    private final LineDecoder decoder;
    private final Responder responder;

    public LineProtocolHandler(Connection connection, int maxLineBytes, Responder responder) {
        this.decoder = new LineDecoder(maxLineBytes, connection.buffers());
        this.responder = responder;
    }

    /** A factory for the server: an echo handler with the given line limit per connection. */
    public static Handler.Factory factory(int maxLineBytes) {
        return connection -> new LineProtocolHandler(connection, maxLineBytes, Responder.ECHO);
    }

    @Override
    public void onInput(Connection connection, ByteBuffer input) {
        try {
            decoder.decodeBytes(input, connection, this); // no lambda: it would be an object per read
        } catch (ProtocolException e) {
            refuse(connection, e);
        }
    }

    @Override
    public void onEndOfInput(Connection connection) {
        try {
            decoder.finishBytes(connection, this);
        } catch (ProtocolException e) {
            refuse(connection, e);
            return;
        }
        connection.closeAfterFlush();
    }

    @Override
    public void onClosed(Connection connection) {
        decoder.release();
    }

    /** Writes the reply to the line in {@code line}'s remaining bytes (the decoder's callback). */
    @Override
    public void accept(Connection connection, ByteBuffer line) {
        if (responder.answerInPlace(connection, line)) {
            return;
        }
        byte[] reply = responder.replyTo(LineDecoder.utf8(line));
        if (reply != null) {
            connection.write(reply);
        }
    }

    /**
     * The echo fast path, for any {@link Responder} whose protocol echoes: if the line is all
     * ASCII, writes {@code "echo: " + line + "\n"} from its bytes and returns true; otherwise
     * writes nothing and returns false (the line needs the UTF-8 round trip of the slow path).
     */
    public static boolean echoInPlace(Connection connection, ByteBuffer line) {
        if (!isAscii(line)) {
            return false;
        }
        connection.write(ECHO_PREFIX);
        connection.write(line);
        connection.write(NEWLINE);
        return true;
    }

    private static boolean isAscii(ByteBuffer bytes) {
        for (int i = bytes.position(), end = bytes.limit(); i < end; i++) {
            if (bytes.get(i) < 0) { // 0x80 to 0xFF: a byte of a multi-byte character, or invalid
                return false;
            }
        }
        return true;
    }

    private void refuse(Connection connection, ProtocolException reason) {
        LOG.log(Level.INFO, "closing {0}: {1}", connection.remoteAddress(), reason.getMessage());
        decoder.release();
        connection.write(LINE_TOO_LONG);
        connection.closeAfterFlush();
    }
}
