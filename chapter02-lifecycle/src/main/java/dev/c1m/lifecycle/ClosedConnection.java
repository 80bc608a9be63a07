package dev.c1m.lifecycle;

import java.net.SocketAddress;
import java.time.Duration;

/** A connection the {@link ConnectionTracker} closed: who, how long it lived, and why it ended. */
public record ClosedConnection(long id, SocketAddress remote, Duration age, CloseReason reason) {
}
