package dev.c1m.tuning.server;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.heartbeat.HeartbeatEchoProtocol;
import dev.c1m.heartbeat.HeartbeatProtocol;
import dev.c1m.heartbeat.IdleDetector;
import dev.c1m.heartbeat.IdleListener;
import dev.c1m.heartbeat.SelfProtection;
import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.nio.Connection;
import dev.c1m.nio.Handler;
import dev.c1m.nio.LineProtocolHandler;
import dev.c1m.nio.Reactor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Makes the handler of each new connection of a {@link ServerNode}, and holds what all of them
 * share: the reloadable limits (read once per new connection, so a reload applies to connections
 * accepted afterwards), one idle detector per reactor on that reactor's timing wheel, and the
 * counters the metrics endpoint reads.
 *
 * <p>The protocol is chapter 4's ({@link HeartbeatEchoProtocol}): {@code PING <seq> <nanos>} gets
 * {@code PONG <seq> <nanos>}, any other line {@code echo: <line>}, over chapter 5's
 * {@link LineProtocolHandler} (line limit, lingering close). A connection that sends nothing for
 * the idle timeout (three missed 30 s heartbeats by default) is closed by its reactor's wheel,
 * unless so many of that reactor's connections fall silent at once that the silence says more
 * about this server than about its peers (chapter 4's {@link SelfProtection}).
 *
 * <p>Threads: {@link #create} and the idle listener run on the connection's reactor thread; each
 * reactor has its own detector, created by that thread, so no wheel is ever touched by two
 * threads. Counters are {@link LongAdder}s, read by any thread.
 */
final class SessionFactory implements Handler.Factory {

    /** A reactor's current detector, and the timeout it was made for. */
    private record ReactorDetector(Duration timeout, IdleDetector<Connection> detector) {
    }

    /**
     * Chapter 4's self-protection on every reactor's idle detector: when more than 2% of a
     * reactor's connections (and at least 20) time out in one window, none of them is evicted for
     * one idle timeout, with a WARNING. In the overloaded C1M runs of 2026-12-07, heartbeats late
     * by more than the timeout looked like silence: the server closed connections whose clients
     * were alive by the hundred thousand, and the clients reconnected onto a machine already full
     * (chapter 8's results/NOTEBOOK.md, "Measure what else runs on the box"). With it, the same
     * run closed 110,161 connections instead of 446,186 and held 839,511 to the end; the machine
     * stayed full.
     */
    private static final double EVICTION_MAX_SHARE = 0.02;
    private static final int EVICTION_MIN_TIMEOUTS = 20;
    private static final Duration MAX_EVICTION_WINDOW = Duration.ofSeconds(5);
    private static final byte[] PONG_KEYWORD = "PONG".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = {'\n'};

    private final Supplier<ServerLimits> limits;
    private final Map<Reactor, ReactorDetector> detectors = new ConcurrentHashMap<>();
    private final LineProtocolHandler.Responder responder = new Responder(); // one instance, not one per connection
    final LongAdder heartbeats = new LongAdder();
    final LongAdder echoes = new LongAdder();
    final LongAdder malformedHeartbeats = new LongAdder();
    final LongAdder idleClosed = new LongAdder();
    final LongAdder idleSpared = new LongAdder();
    /** One listener for every detector: closes the idle connections, counts those self-protection keeps. */
    private final IdleListener<Connection> idleListener = new IdleListener<>() {
        @Override
        public void onIdle(Connection connection, long idleNanos) {
            idleClosed.increment();
            connection.close();
        }

        @Override
        public void onSpared(Connection connection, long idleNanos) {
            idleSpared.increment();
        }
    };

    SessionFactory(Supplier<ServerLimits> limits) {
        this.limits = limits;
    }

    @Override
    public Handler create(Connection connection) {
        ServerLimits current = limits.get();
        connection.watchIdle(detectorFor(connection.reactor(), current.idleTimeout()));
        return new LineProtocolHandler(connection, current.maxLineBytes(), responder);
    }

    private IdleDetector<Connection> detectorFor(Reactor reactor, Duration idleTimeout) {
        ReactorDetector current = detectors.get(reactor);
        if (current == null || !current.timeout().equals(idleTimeout)) {
            // Connections already watched keep their detector (and timeout); new ones get this one.
            current = new ReactorDetector(idleTimeout, new IdleDetector<>(reactor.timers(), idleTimeout, idleListener,
                    new SelfProtection(EVICTION_MAX_SHARE, EVICTION_MIN_TIMEOUTS, idleTimeout), evictionWindow(idleTimeout)));
            detectors.put(reactor, current);
        }
        return current.detector();
    }

    /**
     * The window in which a reactor's idle connections are judged together: a quarter of the
     * timeout, at most {@link #MAX_EVICTION_WINDOW}. When a whole server stalls (or its machine is
     * too full to read, or the network between it and its clients breaks), the connections whose
     * last heartbeat lies one timeout back all time out together: with heartbeats every third of
     * the timeout, a third of a stall's connections per heartbeat interval, 17% of them in a 5 s
     * window at 30 s heartbeats; a healthy server loses a few dead peers at a time.
     */
    static Duration evictionWindow(Duration idleTimeout) {
        Duration quarter = idleTimeout.dividedBy(4);
        return quarter.compareTo(MAX_EVICTION_WINDOW) < 0 ? quarter : MAX_EVICTION_WINDOW;
    }

    /**
     * The heartbeat protocol's answers, with two fast paths that write the reply from the request's
     * own bytes: a {@code PING} spelled canonically (every load generator's, and {@code nc}'s if
     * typed plainly) becomes its {@code PONG} by changing one word, and an ASCII line that is no
     * heartbeat is echoed. The rest (malformed heartbeats, non-ASCII, odd spellings) goes through
     * chapter 4's {@code String} protocol.
     */
    private final class Responder implements LineProtocolHandler.Responder {

        @Override
        public boolean answerInPlace(Connection connection, ByteBuffer line) {
            if (HeartbeatProtocol.isCanonicalPing(line)) {
                heartbeats.increment();
                connection.write(PONG_KEYWORD);
                connection.write(line.position(line.position() + PONG_KEYWORD.length));
                connection.write(NEWLINE);
                return true;
            }
            if (!startsLikeAHeartbeat(line) && LineProtocolHandler.echoInPlace(connection, line)) {
                echoes.increment();
                return true;
            }
            return false;
        }

        @Override
        public byte[] replyTo(String line) {
            String reply = HeartbeatEchoProtocol.replyTo(line);
            if (reply == null) {
                return null; // a PONG from the client: activity, no answer
            }
            if (reply == HeartbeatProtocol.MALFORMED_REPLY) {
                malformedHeartbeats.increment();
            } else if (reply.startsWith("PONG ")) {
                heartbeats.increment();
            } else {
                echoes.increment();
            }
            return EchoProtocol.lineBytes(reply);
        }

        /** Whether the line begins with PING or PONG: chapter 4's protocol decides what it is. */
        private static boolean startsLikeAHeartbeat(ByteBuffer line) {
            int at = line.position();
            return line.remaining() >= 4 && line.get(at) == 'P'
                    && (line.get(at + 1) == 'I' && line.get(at + 2) == 'N' || line.get(at + 1) == 'O' && line.get(at + 2) == 'N')
                    && line.get(at + 3) == 'G';
        }
    }
}
