package dev.c1m.nio;

import java.nio.ByteBuffer;

/**
 * Echoes every length-prefixed frame back as the same frame. A protocol error (negative or
 * oversized length) propagates to the reactor, which logs it and closes only this connection:
 * a binary protocol has no room for an error message the peer could read.
 *
 * <p>One per connection, confined to its reactor thread.
 */
public final class FrameEchoHandler implements Handler {

    private final FrameDecoder decoder;

    public FrameEchoHandler(Connection connection, int maxFrameBytes) {
        this.decoder = new FrameDecoder(maxFrameBytes, connection.buffers());
    }

    public static Handler.Factory factory(int maxFrameBytes) {
        return connection -> new FrameEchoHandler(connection, maxFrameBytes);
    }

    @Override
    public void onInput(Connection connection, ByteBuffer input) throws ProtocolException {
        decoder.decode(input, payload -> FrameEncoder.write(connection, payload));
    }

    @Override
    public void onClosed(Connection connection) {
        decoder.release();
    }
}
