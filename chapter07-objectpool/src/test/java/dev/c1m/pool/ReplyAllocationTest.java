package dev.c1m.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Bytes allocated per echoed message on the full server-side message path (read, split lines,
 * frame replies, write), measured by the JDK's per-thread allocation counter. The channel is a
 * scripted, allocation-free stand-in for a socket, so the counter sees only the path itself.
 */
@Timeout(60)
class ReplyAllocationTest {

    private static final byte[] LINE = "a 32-byte message for the echo!!\n".getBytes(StandardCharsets.US_ASCII);
    private static final int WARM_UP_MESSAGES = 200_000;
    private static final int MEASURED_MESSAGES = 500_000;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void pooledPathAllocatesAlmostNothingPerMessageInTheSteadyState() throws Exception {
        BufferPool pool = new BufferPool("alloc-test", BufferPool.Settings.defaults());
        double perMessage = bytesPerMessage(pool, () -> new PooledReplyWriter(pool));
        assertThat(perMessage).as("bytes allocated per message, pooled").isLessThan(2.0);
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void unpooledPathAllocatesEveryMessage() throws Exception {
        BufferPool pool = new BufferPool("alloc-test", BufferPool.Settings.defaults());
        double perMessage = bytesPerMessage(pool, AllocatingReplyWriter::new);
        // a 32-byte line: its byte[] copy, its String, the reply String and its bytes (about
        // 250 B), plus its share of the batch's growing byte array and final copy
        assertThat(perMessage).as("bytes allocated per message, unpooled").isGreaterThan(100.0);
    }

    private static double bytesPerMessage(BufferPool pool, Supplier<ReplyWriter> writers) throws Exception {
        assumeThat(THREADS.isThreadAllocatedMemorySupported()).as("per-thread allocation counter").isTrue();
        THREADS.setThreadAllocatedMemoryEnabled(true);
        ChannelLineEchoHandler handler = new ChannelLineEchoHandler(pool, writers, 8192);
        ScriptedChannel warmUp = new ScriptedChannel(WARM_UP_MESSAGES);
        handler.serve(warmUp);
        assertThat(warmUp.written).isEqualTo((long) WARM_UP_MESSAGES * (LINE.length + 6));

        ScriptedChannel measured = new ScriptedChannel(MEASURED_MESSAGES);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        handler.serve(measured);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(measured.written).isEqualTo((long) MEASURED_MESSAGES * (LINE.length + 6));
        return (double) allocated / MEASURED_MESSAGES;
    }

    /**
     * Plays {@code messages} copies of {@link #LINE} in reads of at most 1000 bytes (so lines
     * straddle reads, as on a real socket), then EOF; counts and discards what is written.
     */
    private static final class ScriptedChannel implements ByteChannel {
        private static final int MAX_READ = 1000;
        private long bytesLeft;
        private int offset;
        long written;

        ScriptedChannel(int messages) {
            this.bytesLeft = (long) messages * LINE.length;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (bytesLeft == 0) {
                return -1;
            }
            int total = (int) Math.min(Math.min(dst.remaining(), MAX_READ), bytesLeft);
            for (int remaining = total; remaining > 0; ) {
                int n = Math.min(remaining, LINE.length - offset);
                dst.put(LINE, offset, n);
                offset = (offset + n) % LINE.length;
                remaining -= n;
            }
            bytesLeft -= total;
            return total;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            written += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
