package dev.c1m.limit;

import dev.c1m.nio.AcceptFilter;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Applies a {@link ConnectionAdmission} policy inside chapter 5's acceptor, as its
 * {@link AcceptFilter}: {@code ReactorSettings.defaults().withAcceptFilter(gate)}.
 *
 * <p><b>The two ways to say no</b>, chosen by {@link WhenFull}:
 * <ul>
 *   <li>{@link WhenFull#REPLY_BUSY}: every refused connection is accepted, sent
 *       {@link Refusals#SERVER_BUSY} (best effort) and closed by the acceptor;</li>
 *   <li>{@link WhenFull#STOP_ACCEPTING}: while the server is full, {@link #holdWhileFull} makes
 *       the acceptor stop accepting; the kernel's listen backlog holds newcomers, and the next
 *       {@link ConnectionAdmission#release} runs the acceptor's resume task. Per-address and rate
 *       refusals still take the busy reply: the kernel cannot know which address is over its
 *       limit. So does a {@code SERVER_FULL} that slips through when several acceptors
 *       ({@code SO_REUSEPORT}) share one policy and race for its last place.</li>
 * </ul>
 * The acceptor calls {@link #released} exactly once per admitted connection, with the address it
 * had at accept time, so the policy's counts return to zero.
 *
 * <p><b>Threads.</b> {@link #admit} and {@link #holdWhileFull} run on the acceptor thread,
 * {@link #released} on whichever reactor thread ends the connection; thread-safe like the policy
 * it wraps. The busy reply is a single non-retried {@code write} on a fresh socket, whose empty
 * send buffer takes the short line at once, so it does not block in practice even on the
 * still-blocking accepted channel.
 */
public final class AdmissionGate implements AcceptFilter {

    /** What the server does with newcomers while it holds {@code maxConnections} connections. */
    public enum WhenFull {
        /** Accept, reply {@code error: server busy}, close. */
        REPLY_BUSY,
        /** Stop accepting until a connection closes; the kernel's backlog holds newcomers. */
        STOP_ACCEPTING
    }

    private static final System.Logger LOG = System.getLogger(AdmissionGate.class.getName());

    private final ConnectionAdmission admission;
    private final WhenFull whenFull;

    /** A gate that answers every refusal with the busy reply. */
    public AdmissionGate(ConnectionAdmission admission) {
        this(admission, WhenFull.REPLY_BUSY);
    }

    public AdmissionGate(ConnectionAdmission admission, WhenFull whenFull) {
        this.admission = admission;
        this.whenFull = whenFull;
    }

    /** True to serve {@code channel}; false after telling the client the server is busy. */
    @Override
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

    @Override
    public void released(InetSocketAddress remote) {
        admission.release(remote.getAddress());
    }

    @Override
    public boolean holdWhileFull(Runnable resume) {
        if (whenFull != WhenFull.STOP_ACCEPTING || !admission.isFull()) {
            return false;
        }
        admission.runWhenRoom(resume); // runs it at once if a connection closed in between
        return true;
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
