package dev.c1m.concurrency.load;

import java.time.Duration;

/**
 * The outcome of a closed-loop run: each busy connection sends a line, waits for its echo,
 * and sends the next at once. Latencies are measured from just before the send to just after
 * the complete reply was read; only exchanges that started after the warm-up and ended before
 * the end of the window count.
 *
 * @param busyConnections connections that took part
 * @param window          the measured time (the warm-up excluded)
 * @param requests        exchanges completed within the window
 * @param failures        connections that failed (timeout, reset, wrong reply) and stopped
 * @param latency         the latencies of those exchanges
 */
public record ClosedLoopReport(int busyConnections, Duration window, long requests, int failures,
                               LatencyHistogram latency) {

    public double requestsPerSecond() {
        return requests / (window.toNanos() / 1e9);
    }
}
