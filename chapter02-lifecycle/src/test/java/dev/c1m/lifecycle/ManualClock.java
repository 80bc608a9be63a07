package dev.c1m.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when a test says so. Thread-safe. */
final class ManualClock implements InstantSource {

    private volatile Instant now = Instant.parse("2026-11-23T00:00:00Z");

    @Override
    public Instant instant() {
        return now;
    }

    synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }
}
