package dev.c1m.pool;

/**
 * A consistent snapshot of an {@link EchoConnectionPool}, taken under its lock. Always
 * {@code created - destroyed == active + idle}: every connection ever opened is either lent,
 * idle, or closed.
 *
 * @param active             lent to borrowers now
 * @param idle               open and waiting in the pool now
 * @param pending            being opened now
 * @param waiting            borrowers blocked waiting for a connection now
 * @param created            connections opened since start
 * @param destroyed          connections closed since start (broken, failed validation, expired, evicted, closed)
 * @param borrowTimeouts     borrows that gave up
 * @param validationFailures idle connections whose ping failed
 * @param leakWarnings       connections reported as borrowed for longer than the leak threshold
 */
public record ConnectionPoolMetrics(int active, int idle, int pending, int waiting, long created, long destroyed,
                                    long borrowTimeouts, long validationFailures, long leakWarnings) {
}
