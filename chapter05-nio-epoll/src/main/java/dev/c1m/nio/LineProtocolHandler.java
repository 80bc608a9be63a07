package dev.c1m.nio;

import dev.c1m.echo.EchoProtocol;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Chapter 1's line protocol ({@link EchoProtocol}) on a reactor: answers each line with
 * {@code "echo: " + line} (or whatever its {@link Responder} says), answers a line over the limit with {@code "error: line too long"} and
 * then closes the connection after that reply, and answers a last line ended by EOF before
 * closing, exactly like chapter 1's blocking {@code LineEchoHandler}.
 *
 * <p>One per connection, confined to its reactor thread. Holds only its {@link LineDecoder} and
 * its responder: no buffer while no partial line is pending.
 */
public final class LineProtocolHandler implements Handler {

    /**
     * What the protocol answers to one complete line (without its line ending): the reply's
     * bytes, newline included, or null for no reply. Called on the reactor thread; must not block.
     */
    @FunctionalInterface
    public interface Responder {
        Responder ECHO = EchoProtocol::replyBytes;

        byte[] replyTo(String line);
    }

    private static final System.Logger LOG = System.getLogger(LineProtocolHandler.class.getName());
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
            decoder.decode(input, line -> answer(connection, line));
        } catch (ProtocolException e) {
            refuse(connection, e);
        }
    }

    private void answer(Connection connection, String line) {
        byte[] reply = responder.replyTo(line);
        if (reply != null) {
            connection.write(reply);
        }
    }

    private void refuse(Connection connection, ProtocolException reason) {
        LOG.log(Level.INFO, "closing {0}: {1}", connection.remoteAddress(), reason.getMessage());
        decoder.release();
        connection.write(LINE_TOO_LONG);
        connection.closeAfterFlush();
    }

    @Override
    public void onEndOfInput(Connection connection) {
        try {
            decoder.finish(line -> answer(connection, line));
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
}
