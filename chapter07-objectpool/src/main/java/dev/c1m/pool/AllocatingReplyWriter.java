package dev.c1m.pool;

import dev.c1m.echo.EchoProtocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The baseline: frames echo replies the way most Java code does, and chapter 1 does. Per line it
 * copies the bytes into a {@code byte[]}, decodes a {@code String}, builds the reply with string
 * concatenation and encodes it to a new {@code byte[]}; per batch it collects replies in a
 * {@link ByteArrayOutputStream} (which grows by doubling) and writes a heap {@link ByteBuffer}
 * wrapping a copy of it (which the JDK copies once more, into a temporary direct buffer of its
 * own, on every channel write). Nothing here is wrong; it is simply garbage for the collector,
 * which {@code ReplyAllocationTest} and {@code GcPressureBenchmark} measure.
 *
 * <p>Threads: one instance per connection, confined to its thread.
 */
public final class AllocatingReplyWriter implements ReplyWriter {

    private ByteArrayOutputStream batch;

    @Override
    public void append(ByteBuffer source, int start, int end, WritableByteChannel out) throws IOException {
        byte[] raw = new byte[end - start];
        source.get(start, raw);
        byte[] reply = EchoProtocol.replyBytes(new String(raw, StandardCharsets.UTF_8));
        if (batch == null) {
            batch = new ByteArrayOutputStream();
        }
        batch.write(reply);
    }

    @Override
    public void flush(WritableByteChannel out) throws IOException {
        if (batch == null) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(batch.toByteArray());
        batch = null;
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        batch = null;
    }
}
