package dev.c1m.lifecycle;

import java.time.Duration;

/**
 * What {@link LifecycleServer#shutdown} did.
 *
 * @param openAtStart connections open when shutdown began, including those still waiting in the
 *                    accept queue then
 * @param forceClosed connections still open when the grace period ended, closed by force
 * @param took        how long the shutdown took, by the wall clock
 */
public record ShutdownReport(int openAtStart, int forceClosed, Duration took) {
}
