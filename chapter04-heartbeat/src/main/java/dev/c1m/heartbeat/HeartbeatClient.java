package dev.c1m.heartbeat;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineReader;
import dev.c1m.echo.Uninterruptibles;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * A client that keeps one connection to a server alive: it sends {@code PING}s every interval,
 * judges the server's health from the {@code PONG}s ({@link PeerHealth}, {@link RttEstimator}),
 * and when the connection is lost or the server is declared DEAD, reconnects with a
 * {@link Backoff} (exponential, full jitter, capped, reset by a success).
 *
 * <p>Thread: one platform thread, {@code <name>}, runs everything: connect, the heartbeat loop,
 * the backoff waits. The heartbeat loop needs no second thread and no timer: it reads with a
 * socket timeout equal to the time until the next thing to do (the next PING, or the next moment
 * a reply becomes late), so a read that times out is simply the loop waking up. Listeners run on
 * that thread. {@link #state()} and the other getters may be called from any thread;
 * {@link #close()} from any thread other than the listener's.
 *
 * <p>State machine: {@link ClientState}. Not handled: sending application data (this client only
 * keeps the connection and reports on it), and DNS re-resolution (the address is fixed).
 */
public final class HeartbeatClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HeartbeatClient.class.getName());

    private final InetSocketAddress server;
    private final HeartbeatSettings settings;
    private final HeartbeatListener listener;
    private final Backoff backoff;
    private final LongSupplier clock = System::nanoTime;
    private final Thread thread;
    private volatile ClientState state = ClientState.IDLE;
    private volatile PeerState peerState = PeerState.HEALTHY;
    private volatile long smoothedRttNanos;
    private volatile int connections;
    private volatile Socket socket;

    private HeartbeatClient(String name, InetSocketAddress server, HeartbeatSettings settings,
                            HeartbeatListener listener, RandomGenerator random) {
        this.server = server;
        this.settings = settings;
        this.listener = listener;
        this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap(), settings.maxAttempts(), random);
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    /** Starts connecting to {@code server} on a new thread named {@code name}. */
    public static HeartbeatClient start(String name, InetSocketAddress server, HeartbeatSettings settings,
                                        HeartbeatListener listener, RandomGenerator random) {
        HeartbeatClient client = new HeartbeatClient(name, server, settings, listener, random);
        client.moveTo(ClientState.CONNECTING, "started");
        client.thread.start();
        return client;
    }

    public ClientState state() {
        return state;
    }

    /** The server's health on the current connection (HEALTHY at the start of each one). */
    public PeerState peerState() {
        return peerState;
    }

    /** The smoothed round-trip time on the current connection, 0 before its first PONG. */
    public long smoothedRttNanos() {
        return smoothedRttNanos;
    }

    /** Connections established since start. */
    public int connections() {
        return connections;
    }

    private void run() {
        while (state != ClientState.CLOSED) {
            String lost = connectAndServe();
            if (!moveTo(ClientState.DISCONNECTED, lost)) {
                return;
            }
            if (!backoff.hasAttemptsLeft()) {
                moveTo(ClientState.CLOSED, "gave up after " + backoff.attempts() + " failed reconnect attempts");
                return;
            }
            Duration delay = backoff.nextDelay();
            LOG.log(Level.DEBUG, "reconnecting to {0} in {1} ms", server, delay.toMillis());
            sleep(delay);
            moveTo(ClientState.CONNECTING, "attempt " + backoff.attempts() + " after " + delay.toMillis() + " ms");
        }
    }

    /** One connection from connect to loss; returns why it ended. */
    private String connectAndServe() {
        try (Socket connected = new Socket()) {
            socket = connected;
            if (state == ClientState.CLOSED) {
                return "closed";
            }
            connected.setTcpNoDelay(true);
            connected.connect(server, Math.toIntExact(settings.connectTimeout().toMillis()));
            peerState = PeerState.HEALTHY; // before the count: whoever sees the new count sees no stale health
            smoothedRttNanos = 0;
            if (!moveTo(ClientState.CONNECTED, "connected to " + server)) {
                return "closed";
            }
            connections++;
            backoff.reset();
            return heartbeatLoop(connected);
        } catch (IOException e) {
            return e.toString();
        } finally {
            socket = null;
        }
    }

    private String heartbeatLoop(Socket connection) throws IOException {
        PeerHealth health = new PeerHealth(settings.newRttEstimator(), settings.missedBeatsForDead(),
                settings.deadTimeout(), this::onHealthChange, clock.getAsLong());
        LineReader reader = new LineReader(connection.getInputStream(), EchoProtocol.DEFAULT_MAX_LINE_BYTES);
        OutputStream out = connection.getOutputStream();
        long intervalNanos = settings.interval().toNanos();
        long nextPingNanos = clock.getAsLong();
        while (state == ClientState.CONNECTED) {
            long now = clock.getAsLong();
            if (now - nextPingNanos >= 0) {
                out.write(EchoProtocol.lineBytes(health.nextPing(now).toLine()));
                out.flush();
                nextPingNanos = now + intervalNanos;
            }
            if (health.check(now) == PeerState.DEAD) {
                return "server declared DEAD";
            }
            long wakeAt = Math.min(nextPingNanos, health.nextDeadlineNanos(now));
            connection.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeAt - now + 999_999)));
            String line;
            try {
                line = reader.readLine();
            } catch (SocketTimeoutException wakeUp) {
                continue;
            }
            if (line == null) {
                return "server closed the connection";
            }
            onLine(health, line);
        }
        return "closed";
    }

    private void onLine(PeerHealth health, String line) {
        Heartbeat heartbeat = HeartbeatProtocol.parseOrNull(line);
        if (heartbeat == null || heartbeat.kind() != Heartbeat.Kind.PONG) {
            LOG.log(Level.DEBUG, "ignoring line from {0}: {1}", server, line);
            return;
        }
        health.onPong(heartbeat, clock.getAsLong());
        smoothedRttNanos = health.rtt().smoothedNanos();
    }

    private void onHealthChange(PeerState from, PeerState to, String reason) {
        peerState = to;
        LOG.log(to == PeerState.HEALTHY ? Level.DEBUG : Level.INFO, "{0}: {1} -> {2} ({3})", server, from, to, reason);
        listener.onTransition(from, to, reason);
    }

    /** Moves the machine; false if it is CLOSED (close() won the race), throws on an illegal move. */
    private synchronized boolean moveTo(ClientState next, String reason) {
        if (state == ClientState.CLOSED) {
            return false;
        }
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("illegal transition " + state + " -> " + next);
        }
        ClientState previous = state;
        state = next;
        LOG.log(Level.DEBUG, "{0}: {1} -> {2} ({3})", server, previous, next, reason);
        listener.onStateChange(previous, next, reason);
        return true;
    }

    private void sleep(Duration delay) {
        long deadline = clock.getAsLong() + delay.toNanos();
        long remaining;
        while (state != ClientState.CLOSED && (remaining = deadline - clock.getAsLong()) > 0) {
            LockSupport.parkNanos(remaining);
        }
    }

    /** Closes the connection and stops the thread, waiting for it. Idempotent. */
    @Override
    public void close() {
        moveTo(ClientState.CLOSED, "close()");
        Socket current = socket;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "close failed: {0}", e.toString());
            }
        }
        LockSupport.unpark(thread);
        Uninterruptibles.join(thread);
    }
}
