package dev.c1m.heartbeat;

import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Optional;

/**
 * The kernel's own heartbeat: {@code SO_KEEPALIVE}, tuned per socket with the
 * {@link ExtendedSocketOptions} {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTERVAL} and
 * {@code TCP_KEEPCOUNT} (Linux, macOS and Windows 10+ support them).
 *
 * <p>After {@code idle} without traffic the kernel sends an empty probe; if {@code count} probes
 * {@code interval} apart go unanswered, the connection is reset and the next read fails. It costs
 * no application code and no bytes of protocol, and it answers "is the peer's kernel reachable?".
 * It does not answer "is the peer's application working?": a process that is deadlocked, frozen
 * in a GC pause or stuck behind a full queue keeps its kernel answering probes forever. Linux's
 * defaults (7200 s idle, 75 s interval, 9 probes: over two hours) are far too slow for most
 * servers, so set them per socket. Use keepalive for connections that carry no protocol of their
 * own (a database pool's idle connections, a tunnel) and to keep NAT entries fresh; use an
 * application heartbeat when liveness must include the peer's process, when you need the RTT,
 * or when a proxy between you terminates TCP (keepalive then reaches only the proxy).
 *
 * <p>Stateless; the options are set on the caller's socket, from the caller's thread.
 */
public final class TcpKeepAlive {

    private TcpKeepAlive() {
    }

    /**
     * Keepalive timing. The kernel counts in whole seconds.
     *
     * @param idle     silence before the first probe
     * @param interval time between unanswered probes
     * @param probes   unanswered probes before the connection is reset
     */
    public record Settings(Duration idle, Duration interval, int probes) {

        public Settings {
            if (idle.toSeconds() < 1 || interval.toSeconds() < 1 || probes < 1) {
                throw new IllegalArgumentException("keepalive needs idle and interval of at least 1 s and"
                        + " at least 1 probe: " + idle + ", " + interval + ", " + probes);
            }
        }

        /** The longest a dead peer can go unnoticed: {@code idle + probes * interval}. */
        public Duration worstCaseDetection() {
            return idle.plus(interval.multipliedBy(probes));
        }
    }

    /** Whether this platform lets Java tune keepalive per socket. */
    public static boolean isTunable(Socket socket) {
        return socket.supportedOptions().containsAll(java.util.List.of(
                ExtendedSocketOptions.TCP_KEEPIDLE, ExtendedSocketOptions.TCP_KEEPINTERVAL,
                ExtendedSocketOptions.TCP_KEEPCOUNT));
    }

    /**
     * Turns keepalive on with {@code settings}.
     *
     * @throws UnsupportedOperationException if the platform cannot tune it (see {@link #isTunable});
     *                                       keepalive with the system's defaults is then still on
     */
    public static void enable(Socket socket, Settings settings) throws IOException {
        socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (!isTunable(socket)) {
            throw new UnsupportedOperationException("this platform cannot set keepalive timing per socket");
        }
        socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, Math.toIntExact(settings.idle().toSeconds()));
        socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, Math.toIntExact(settings.interval().toSeconds()));
        socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, settings.probes());
    }

    /** The socket's keepalive settings as the kernel reports them; empty if keepalive is off or not tunable. */
    public static Optional<Settings> read(Socket socket) throws IOException {
        if (!socket.getOption(StandardSocketOptions.SO_KEEPALIVE) || !isTunable(socket)) {
            return Optional.empty();
        }
        return Optional.of(new Settings(
                Duration.ofSeconds(socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)),
                Duration.ofSeconds(socket.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)),
                socket.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)));
    }
}
