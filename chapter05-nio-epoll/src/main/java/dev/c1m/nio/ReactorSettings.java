package dev.c1m.nio;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The knobs of a reactor and of the servers built from reactors. Immutable; start from
 * {@link #defaults()} and change one knob at a time with the {@code with...} methods.
 *
 * @param readBufferBytes size of each reactor's read buffer, and of its write stage
 *                        (default 64 KiB, like the C reference server)
 * @param watermarks      per-connection output backpressure thresholds
 * @param bufferSources   makes one {@link BufferSource} per reactor (default: plain heap buffers)
 * @param acceptFilter    decides, right after {@code accept()}, whether a connection is served
 * @param backlog         the listen backlog (the kernel caps it at {@code net.core.somaxconn})
 * @param batchWindow     after a turn that handled only a few ready keys, how long the reactor
 *                        waits before it selects again, so that the next turn finds more keys
 *                        ready and one wake-up serves many events; it adds at most this much
 *                        latency. Default zero: select again at once (see {@link Reactor})
 */
public record ReactorSettings(int readBufferBytes, Watermarks watermarks, Supplier<BufferSource> bufferSources,
                              AcceptFilter acceptFilter, int backlog, Duration batchWindow) {

    public ReactorSettings {
        if (readBufferBytes < 64) {
            throw new IllegalArgumentException("readBufferBytes must be at least 64, got " + readBufferBytes);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive, got " + backlog);
        }
        if (batchWindow.isNegative()) {
            throw new IllegalArgumentException("batchWindow must not be negative, got " + batchWindow);
        }
    }

    public static ReactorSettings defaults() {
        return new ReactorSettings(64 * 1024, Watermarks.DEFAULT, BufferSource::heap, AcceptFilter.ADMIT_ALL, 4096, Duration.ZERO);
    }

    public ReactorSettings withReadBufferBytes(int bytes) {
        return new ReactorSettings(bytes, watermarks, bufferSources, acceptFilter, backlog, batchWindow);
    }

    public ReactorSettings withWatermarks(Watermarks marks) {
        return new ReactorSettings(readBufferBytes, marks, bufferSources, acceptFilter, backlog, batchWindow);
    }

    public ReactorSettings withBufferSources(Supplier<BufferSource> sources) {
        return new ReactorSettings(readBufferBytes, watermarks, sources, acceptFilter, backlog, batchWindow);
    }

    public ReactorSettings withAcceptFilter(AcceptFilter filter) {
        return new ReactorSettings(readBufferBytes, watermarks, bufferSources, filter, backlog, batchWindow);
    }

    public ReactorSettings withBatchWindow(Duration window) {
        return new ReactorSettings(readBufferBytes, watermarks, bufferSources, acceptFilter, backlog, window);
    }
}
