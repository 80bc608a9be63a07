package dev.c1m.tuning.server;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How one server process is built: where it listens, how many reactors it runs, its admission
 * limits and its buffer memory. The limits that may change while it runs (idle timeout, line
 * length, shutdown grace) are not here but in chapter 2's reloadable {@code ServerLimits}.
 *
 * @param address           where to listen; every process of a group binds the same one with
 *                          {@code SO_REUSEPORT}
 * @param reactors          reactor threads, each with its own listener (one per core is plenty)
 * @param maxConnections    connections this process holds at most; beyond, {@code error: server busy}.
 *                          Keep it below the descriptor limit, so that the admission limit, not
 *                          {@code EMFILE}, is what refuses
 * @param maxPerAddress     connections one client address may hold
 * @param connectsPerSecond new connections admitted per second (a token bucket with one second's
 *                          burst); 0 for no limit
 * @param bufferPoolBytes   the ceiling of all I/O buffers of this process (chapter 7's pool)
 * @param batchWindow       each reactor's pause after a light turn (chapter 5's
 *                          {@code ReactorSettings.batchWindow}): fewer wake-ups per event, at most
 *                          this much more latency
 */
public record NodeSettings(InetSocketAddress address, int reactors, int maxConnections, int maxPerAddress,
                           int connectsPerSecond, long bufferPoolBytes, Duration batchWindow) {

    public NodeSettings {
        if (reactors < 1 || maxConnections < 1 || maxPerAddress < 1 || connectsPerSecond < 0 || bufferPoolBytes < 1
                || batchWindow.isNegative()) {
            throw new IllegalArgumentException("invalid node settings: " + reactors + " reactors, " + maxConnections
                    + " connections, " + maxPerAddress + " per address, " + connectsPerSecond + "/s, "
                    + bufferPoolBytes + " buffer bytes, batch window " + batchWindow);
        }
    }

    /** 127.0.0.1 on a free port, one reactor, 10,000 connections, 64 MiB of buffers, no rate limit, no batch window. */
    public static NodeSettings defaults() {
        return new NodeSettings(new InetSocketAddress("127.0.0.1", 0), 1, 10_000, 10_000, 0, 64L * 1024 * 1024, Duration.ZERO);
    }

    public NodeSettings withAddress(InetSocketAddress newAddress) {
        return new NodeSettings(newAddress, reactors, maxConnections, maxPerAddress, connectsPerSecond, bufferPoolBytes, batchWindow);
    }

    public NodeSettings withReactors(int count) {
        return new NodeSettings(address, count, maxConnections, maxPerAddress, connectsPerSecond, bufferPoolBytes, batchWindow);
    }

    public NodeSettings withAdmission(int connections, int perAddress, int perSecond) {
        return new NodeSettings(address, reactors, connections, perAddress, perSecond, bufferPoolBytes, batchWindow);
    }

    public NodeSettings withBufferPoolBytes(long bytes) {
        return new NodeSettings(address, reactors, maxConnections, maxPerAddress, connectsPerSecond, bytes, batchWindow);
    }

    public NodeSettings withBatchWindow(Duration window) {
        return new NodeSettings(address, reactors, maxConnections, maxPerAddress, connectsPerSecond, bufferPoolBytes, window);
    }
}
