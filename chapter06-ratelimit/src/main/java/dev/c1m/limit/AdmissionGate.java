package dev.c1m.limit;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Carries out a {@link ConnectionAdmission} decision on a freshly accepted channel, the first of
 * the two ways to say no: an admitted channel is let through; a refused one is sent
 * {@link Refusals#SERVER_BUSY} (best effort) and left for the caller to close.
 *
 * <p>{@link #admit(SocketChannel)} has the shape of chapter 5's {@code AcceptFilter}, so a
 * reactor server plugs it in as {@code settings.withAcceptFilter(gate::admit)}; the matching
 * {@link ConnectionAdmission#release} belongs in the connection handler's {@code onClosed},
 * with the address taken when the handler was created.
 *
 * <p><b>Threads.</b> Called on the acceptor thread; thread-safe like the policy it wraps. The
 * write is a single non-retried {@code write} on a fresh socket, whose empty send buffer takes
 * the short line at once, so it does not block in practice even on a blocking channel.
 */
public final class AdmissionGate {

    private static final System.Logger LOG = System.getLogger(AdmissionGate.class.getName());

    private final ConnectionAdmission admission;

    public AdmissionGate(ConnectionAdmission admission) {
        this.admission = admission;
    }

    /** True to serve {@code channel}; false after telling the client the server is busy. */
    public boolean admit(SocketChannel channel) {
        InetAddress address = remoteAddressOf(channel);
        if (address == null) {
            return false; // the peer is already gone: nothing to admit
        }
        ConnectionAdmission.Verdict verdict = admission.tryAdmit(address);
        if (verdict == ConnectionAdmission.Verdict.ADMITTED) {
            return true;
        }
        LOG.log(Level.DEBUG, "refusing {0}: {1}", address, verdict);
        Refusals.sendBestEffort(channel, Refusals.SERVER_BUSY);
        return false;
    }

    /** The peer's IP address, or null if the channel no longer has one. */
    public static InetAddress remoteAddressOf(SocketChannel channel) {
        try {
            SocketAddress remote = channel.getRemoteAddress();
            return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
