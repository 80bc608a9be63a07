package dev.c1m.nio;

import java.nio.ByteBuffer;

/**
 * Writes frames in the layout {@link FrameDecoder} reads: a 4-byte big-endian length, then the
 * payload. Stateless.
 */
public final class FrameEncoder {

    private FrameEncoder() {
    }

    /** The frame for {@code payload}, as a new array: for clients and tests. */
    public static byte[] encode(byte[] payload) {
        return ByteBuffer.allocate(FrameDecoder.LENGTH_BYTES + payload.length)
                .putInt(payload.length).put(payload).array();
    }

    /** Writes the frame for the remaining bytes of {@code payload} to {@code connection}. */
    public static void write(Connection connection, ByteBuffer payload) {
        ByteBuffer header = ByteBuffer.allocate(FrameDecoder.LENGTH_BYTES).putInt(0, payload.remaining());
        connection.write(header);
        connection.write(payload);
    }
}
