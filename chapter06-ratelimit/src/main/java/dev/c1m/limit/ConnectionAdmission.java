package dev.c1m.limit;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The admission policy for new connections, decided right after {@code accept()}: at most
 * {@code maxConnections} open connections in total, at most {@code maxPerAddress} from one client
 * address, and new connections no faster than a {@link RateLimiter} allows (a reconnect storm
 * is refused before it costs a handler, buffers and a registration). Every refusal is counted by
 * its reason. This class decides and counts; {@link AdmissionGate} carries out the decision in
 * chapter 5's acceptor.
 *
 * <p><b>Order of checks.</b> Server full, then address full, then rate: the cheap, stateless
 * refusals come first, and a rate token is spent only on a connection that is actually admitted,
 * so refused attempts of a storm do not starve the admissible ones of tokens.
 *
 * <p><b>Life of a connection.</b> {@link #tryAdmit} returns {@link Verdict#ADMITTED}; exactly
 * one {@link #release} with the same address must follow when that connection closes (chapter
 * 5's connection does it through {@code AcceptFilter.released}, with the address its socket
 * adaptor still reports after the close). Counts then return to zero, and an address with no open
 * connection holds no memory: the table never has more than {@code maxConnections} entries.
 *
 * <p><b>Two ways to say no.</b> A refused connection is either accepted, told
 * {@link Refusals#SERVER_BUSY} and closed, or, for {@link Verdict#SERVER_FULL} only, not accepted at
 * all: the acceptor checks {@link #isFull()}, stops accepting, and asks
 * {@link #runWhenRoom(Runnable)} to be told when a connection closes; meanwhile the kernel's
 * listen backlog holds the newcomers (and refuses, or drops SYNs, once it overflows). A
 * per-address or rate refusal cannot be left to the backlog, because the kernel does not know
 * which address is over its limit: those always take the first way.
 *
 * <p><b>Threads.</b> Thread-safe: admissions happen on the acceptor thread, releases on whichever
 * reactor thread closes the connection. One monitor guards the counts (short sections, no
 * allocation except a table entry for an address seen for the first time). The room task runs on
 * the releasing thread, outside the lock; in chapter 5 it should hand over to the acceptor's
 * reactor with {@code Reactor.execute}.
 */
public final class ConnectionAdmission {

    /** The decision for one new connection; every value but {@code ADMITTED} is a refusal reason. */
    public enum Verdict {
        ADMITTED,
        /** {@code maxConnections} connections are open. */
        SERVER_FULL,
        /** {@code maxPerAddress} connections from this client address are open. */
        ADDRESS_FULL,
        /** New connections arrive faster than the connection-rate limiter allows. */
        RATE_EXCEEDED
    }

    private static final class Count {
        int open;
    }

    private final int maxConnections;
    private final int maxPerAddress;
    private final RateLimiter newConnections;
    private final Map<InetAddress, Count> openByAddress = new HashMap<>(); // guarded by this
    private final long[] verdicts = new long[Verdict.values().length];    // guarded by this
    private int open;                    // guarded by this
    private final List<Runnable> whenRoom = new ArrayList<>(); // guarded by this

    /**
     * @param newConnections the limit on new connections per unit of time, for example a
     *                       {@link TokenBucket} allowing a burst; {@code () -> true} for none
     */
    public ConnectionAdmission(int maxConnections, int maxPerAddress, RateLimiter newConnections) {
        if (maxConnections < 1 || maxPerAddress < 1) {
            throw new IllegalArgumentException("limits must be at least 1: " + maxConnections + ", " + maxPerAddress);
        }
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.newConnections = Objects.requireNonNull(newConnections);
    }

    /** Decides on a new connection from {@code address}, and counts it if admitted. */
    public synchronized Verdict tryAdmit(InetAddress address) {
        Verdict verdict = decide(address);
        verdicts[verdict.ordinal()]++;
        return verdict;
    }

    private Verdict decide(InetAddress address) {
        if (open >= maxConnections) {
            return Verdict.SERVER_FULL;
        }
        Count fromAddress = openByAddress.get(address);
        if (fromAddress != null && fromAddress.open >= maxPerAddress) {
            return Verdict.ADDRESS_FULL;
        }
        if (!newConnections.tryAcquire()) {
            return Verdict.RATE_EXCEEDED;
        }
        if (fromAddress == null) {
            fromAddress = new Count();
            openByAddress.put(address, fromAddress);
        }
        fromAddress.open++;
        open++;
        return Verdict.ADMITTED;
    }

    /** An admitted connection from {@code address} has closed. */
    public void release(InetAddress address) {
        List<Runnable> roomTasks;
        synchronized (this) {
            Count fromAddress = openByAddress.get(address);
            if (fromAddress == null) {
                throw new IllegalStateException("release without an admitted connection from " + address);
            }
            if (--fromAddress.open == 0) {
                openByAddress.remove(address);
            }
            open--;
            if (whenRoom.isEmpty()) {
                return;
            }
            roomTasks = List.copyOf(whenRoom);
            whenRoom.clear();
        }
        roomTasks.forEach(Runnable::run);
    }

    /**
     * Runs {@code task} once there is room for one more connection: now, on this thread, if there
     * already is; otherwise on the thread of the next {@link #release}. Several tasks may wait (one
     * per acceptor, when several share this policy); a task already waiting is not added twice.
     */
    public void runWhenRoom(Runnable task) {
        synchronized (this) {
            if (open >= maxConnections) {
                if (!whenRoom.contains(task)) {
                    whenRoom.add(task);
                }
                return;
            }
        }
        task.run();
    }

    /** True while {@code maxConnections} connections are open. */
    public synchronized boolean isFull() {
        return open >= maxConnections;
    }

    public synchronized int openConnections() {
        return open;
    }

    public synchronized int openFrom(InetAddress address) {
        Count fromAddress = openByAddress.get(address);
        return fromAddress == null ? 0 : fromAddress.open;
    }

    /** Addresses with at least one open connection (the memory this policy holds). */
    public synchronized int trackedAddresses() {
        return openByAddress.size();
    }

    /** How many times {@code verdict} was given since creation. */
    public synchronized long count(Verdict verdict) {
        return verdicts[verdict.ordinal()];
    }

    /** All refusals since creation, whatever the reason. */
    public synchronized long refusals() {
        return verdicts[Verdict.SERVER_FULL.ordinal()] + verdicts[Verdict.ADDRESS_FULL.ordinal()]
                + verdicts[Verdict.RATE_EXCEEDED.ordinal()];
    }
}
