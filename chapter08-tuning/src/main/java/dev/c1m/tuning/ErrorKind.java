package dev.c1m.tuning;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.util.Locale;

/**
 * Why a connection or a request failed, as the load generator reports it. The JDK reports most
 * socket errors as a plain {@link IOException} carrying the kernel's message, so
 * {@link #of(IOException)} classifies by exception type first and by message second.
 */
public enum ErrorKind {
    /**
     * Nobody listens (ECONNREFUSED). Not an overflowing accept queue: the client's handshake had
     * completed by then, so the reset that {@code tcp_abort_on_overflow} sends arrives on an open
     * connection, a {@link #RESET}, and without it the client times out ({@code BacklogBurst}).
     */
    CONNECT_REFUSED,
    /**
     * The handshake did not finish in time (SYNs dropped: backlog full, or a firewall). The
     * kernel's ETIMEDOUT on an open connection, when its retransmissions or keepalive probes went
     * unanswered, carries the same message and lands here too: rare on loopback.
     */
    CONNECT_TIMEOUT,
    /** No local port or address left for this source/destination pair (EADDRNOTAVAIL, EADDRINUSE). */
    ADDRESS_UNAVAILABLE,
    /** This process ran out of descriptors (EMFILE) or the system did (ENFILE). */
    TOO_MANY_FILES,
    /** The peer reset the connection (RST: linger-0 close, a crash, a full accept queue) or the pipe broke. */
    RESET,
    /** The peer closed the connection in an orderly way (FIN) while we still expected it open. */
    CLOSED_BY_PEER,
    /** No reply within the reply timeout. */
    REPLY_TIMEOUT,
    /**
     * The server answered with a refusal line ({@code error: server busy}, {@code error: rate
     * limited}, ...; chapter 6's {@code Refusals}): its limits turned this connection or request
     * away, which is the server protecting itself, not a fault in what it said.
     */
    SERVER_REFUSED,
    /** A reply that does not match the request (wrong text, wrong sequence number or timestamp). */
    BAD_REPLY,
    /** Anything else; the first message of each kind is logged. */
    OTHER;

    /** Classifies a socket exception. */
    public static ErrorKind of(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("too many open files")) {
            return TOO_MANY_FILES;
        }
        if (e instanceof BindException || message.contains("cannot assign requested address")
                || message.contains("address already in use")) {
            return ADDRESS_UNAVAILABLE;
        }
        if (message.contains("refused")) {
            return CONNECT_REFUSED;
        }
        if (message.contains("timed out")) {
            return CONNECT_TIMEOUT;
        }
        if (message.contains("reset") || message.contains("broken pipe")) {
            return RESET;
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return CONNECT_REFUSED;
        }
        return OTHER;
    }
}
