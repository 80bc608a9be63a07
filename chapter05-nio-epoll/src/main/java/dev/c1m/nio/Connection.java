package dev.c1m.nio;

import dev.c1m.heartbeat.IdleDetector;
import dev.c1m.heartbeat.IdleTracker;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One accepted connection on a {@link Reactor}: its channel, its selection key, its
 * {@link Handler}, and the output its peer has not taken yet. Attached to its selection key.
 *
 * <p><b>What it tells others when it ends.</b> Two optional duties live here rather than in
 * handlers wrapped around the real one, because at a million connections (chapter 8) each
 * wrapper object costs 16 to 24 bytes per connection: the {@link AcceptFilter} that admitted it
 * hears {@link AcceptFilter#released} once when it closes, and an idle tracker
 * ({@link #watchIdle}, chapter 4's detector on this reactor's timing wheel) is refreshed by
 * every read that brings data and taken off the wheel when it closes.
 *
 * <p><b>Threads.</b> Every method must be called on the owning reactor's thread (asserted); from
 * another thread, go through {@link Reactor#execute}. Nothing here is synchronized.
 *
 * <p><b>Writing.</b> {@link #write} copies bytes into the reactor's shared write stage, which the
 * reactor flushes with one {@code write(2)} after the handler returns. Whatever the socket does
 * not take moves into a per-connection {@link PendingOutput}, and only then is {@code OP_WRITE}
 * registered: write interest exists exactly while output is pending (registering it otherwise
 * makes a level-triggered selector report the connection writable on every loop, a busy spin).
 * The pending buffer is released when it drains, so an idle connection holds no buffer at all.
 *
 * <p><b>Backpressure.</b> When pending output reaches {@link Watermarks#high()}, the reactor stops
 * reading from this connection; reading resumes once the peer has taken enough for the backlog
 * to fall to {@link Watermarks#low()}. One read can still produce its full reply after the pause
 * begins, so the backlog is bounded by {@code high + (largest reply to one read buffer)}.
 *
 * <p><b>States.</b>
 * <pre>
 *   OPEN    --closeAfterFlush()------------------------------&gt; CLOSING
 *   CLOSING --output flushed: FIN sent; peer's FIN or 64 KiB
 *             of discarded input--------------------------------&gt; CLOSED
 *   OPEN, CLOSING --close(), I/O error, protocol error---------&gt; CLOSED
 * </pre>
 * In CLOSING, input is read and discarded (a "lingering close", see chapter 1's
 * {@code LingeringClose}): closing with unread input would send an RST that can destroy the
 * last reply before the peer reads it. Writes after {@code closeAfterFlush()} are dropped. Not
 * handled: a peer that never sends its FIN keeps a CLOSING connection until an idle timeout
 * (chapter 8) closes it.
 */
public final class Connection {

    /** Lifecycle of a connection; see the class comment for the transitions. */
    public enum State { OPEN, CLOSING, CLOSED }

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final int MAX_LINGER_DISCARD_BYTES = 64 * 1024;

    private final Reactor reactor;
    private final SocketChannel channel;
    private final SelectionKey key;
    private Handler handler;
    /** Output the socket has not taken yet; null whenever there is none. */
    private PendingOutput pending;
    /** Told once when this connection closes; {@link AcceptFilter#ADMIT_ALL} when nobody counts. */
    private final AcceptFilter admittedBy;
    /** Null unless {@link #watchIdle} was called. */
    private IdleTracker<Connection> idle;
    /** Backpressure: reading stopped because pending output reached the high watermark. */
    private boolean readPaused;
    private boolean inputEnded;
    private boolean outputShutdown;
    private int lingerDiscarded;
    private State state = State.OPEN;
    /**
     * True while the handler runs one of its callbacks: a close then finishes once that call
     * returned. (One boolean more than before fits the object's 48 bytes; a second one would make
     * it 56, on every one of a million connections.)
     */
    private boolean inHandlerCall;

    Connection(Reactor reactor, SocketChannel channel, SelectionKey key, AcceptFilter admittedBy) {
        this.reactor = reactor;
        this.channel = channel;
        this.key = key;
        this.admittedBy = admittedBy;
    }

    void attach(Handler handler) {
        this.handler = handler;
    }

    /** Queues {@code bytes} (all remaining ones) for the peer; dropped unless the state is OPEN. */
    public void write(ByteBuffer bytes) {
        assert reactor.inReactorThread();
        if (state != State.OPEN) {
            bytes.position(bytes.limit());
            return;
        }
        if (pending != null) {
            queue(bytes);
        } else {
            reactor.stage(this, bytes);
        }
    }

    /** Queues all of {@code bytes}, like {@link #write(ByteBuffer)}; the array is copied, not kept. */
    public void write(byte[] bytes) {
        assert reactor.inReactorThread();
        if (state != State.OPEN) {
            return;
        }
        if (pending != null) {
            queue(ByteBuffer.wrap(bytes));
        } else {
            reactor.stage(this, bytes);
        }
    }

    /** Sends what is queued, then a FIN, then closes once the peer has closed too. */
    public void closeAfterFlush() {
        assert reactor.inReactorThread();
        if (state != State.OPEN) {
            return;
        }
        reactor.flushStage();
        if (state != State.OPEN) {
            return; // the flush failed and closed us
        }
        state = State.CLOSING;
        if (pending == null) {
            shutdownOutput();
        }
    }

    /**
     * Has {@code detector} (which must run on this reactor's {@link Reactor#timers() wheel}) close
     * this connection, through its listener, once no data has arrived for its timeout. Every read
     * that brings data counts as activity (one ordered store, no timer operation); closing takes
     * the connection off the wheel. Call once, from the handler factory or a handler.
     */
    public void watchIdle(IdleDetector<Connection> detector) {
        assert reactor.inReactorThread();
        if (idle != null) {
            throw new IllegalStateException("already watched for idleness");
        }
        idle = detector.track(this, System.nanoTime());
    }

    /** Closes at once, discarding pending output. Idempotent. */
    public void close() {
        assert reactor.inReactorThread();
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (idle != null) {
            idle.stopWatching();
        }
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "close failed: {0}", e.toString());
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (!inHandlerCall) {
            finishClose();
        }
    }

    /**
     * What a close owes others: the handler's {@link Handler#onClosed}, the admission's release,
     * and the reactor's count. Runs once: from {@link #close()}, or, for a close inside a
     * handler's callback, once that callback returned ({@link #afterHandlerCall}), never inside it:
     * a handler whose reply fails (a reset) is closed in the middle of its {@code onInput}, and the
     * rest of that call would otherwise take buffers after the handler released its own.
     */
    private void finishClose() {
        if (handler != null) {
            try {
                handler.onClosed(this);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "onClosed failed", e);
            }
        }
        if (admittedBy != AcceptFilter.ADMIT_ALL) {
            // the socket adaptor keeps reporting the peer after close, unlike getRemoteAddress()
            Reactor.release(admittedBy, (InetSocketAddress) channel.socket().getRemoteSocketAddress());
        }
        reactor.connectionClosed(this); // last: once the count drops, the handler has cleaned up
    }

    /** Closes at once and logs why; for I/O and protocol errors. */
    void closeOnError(Throwable reason) {
        if (reason instanceof ProtocolException) {
            LOG.log(Level.INFO, "closing {0}: protocol error: {1}", remoteAddress(), reason.getMessage());
        } else if (reason instanceof IOException) {
            LOG.log(Level.DEBUG, "closing {0}: {1}", remoteAddress(), reason.toString());
        } else {
            LOG.log(Level.WARNING, "closing " + remoteAddress() + ": handler failed", reason);
        }
        close();
    }

    public State state() {
        assert reactor.inReactorThread();
        return state;
    }

    /** Bytes queued because the socket did not take them; 0 while none are. */
    public int pendingOutputBytes() {
        assert reactor.inReactorThread();
        return pending == null ? 0 : pending.size();
    }

    /** Whether backpressure has stopped reading from this connection. */
    public boolean isReadPaused() {
        assert reactor.inReactorThread();
        return readPaused;
    }

    /** The buffer source of this connection's reactor, for a handler's partial messages. */
    public BufferSource buffers() {
        return reactor.buffers();
    }

    public Reactor reactor() {
        return reactor;
    }

    /** The peer's address, or null if the channel is already closed. */
    public SocketAddress remoteAddress() {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    // ---- called by the reactor ----

    void onReadable(ByteBuffer readBuffer) throws IOException {
        readBuffer.clear();
        int read = channel.read(readBuffer);
        if (read < 0) {
            onEndOfInput();
            return;
        }
        readBuffer.flip();
        if (state == State.CLOSING) {
            lingerDiscarded += read;
            if (lingerDiscarded > MAX_LINGER_DISCARD_BYTES) {
                close();
            }
        } else if (read > 0) {
            if (idle != null) {
                idle.recordActivity(System.nanoTime());
            }
            inHandlerCall = true;
            try {
                handler.onInput(this, readBuffer);
            } finally {
                afterHandlerCall();
            }
        }
    }

    private void onEndOfInput() throws IOException {
        inputEnded = true; // also stops a level-triggered selector from reporting EOF forever
        if (state == State.OPEN) {
            inHandlerCall = true;
            try {
                handler.onEndOfInput(this);
            } finally {
                afterHandlerCall();
            }
        }
        if (state == State.CLOSING && outputShutdown) {
            close();
        } else if (state != State.CLOSED) {
            updateInterest();
        }
    }

    /** A handler is called only while its connection is open, so a close seen here happened during the call. */
    private void afterHandlerCall() {
        inHandlerCall = false;
        if (state == State.CLOSED) {
            finishClose();
        }
    }

    void onWritable() {
        if (pending == null) {
            updateInterest(); // write interest outlived its output: drop it rather than spin
            return;
        }
        boolean drained;
        try {
            drained = pending.writeTo(channel);
        } catch (IOException e) {
            closeOnError(e);
            return;
        }
        if (drained) {
            pending.release();
            pending = null;
            if (state == State.CLOSING) {
                shutdownOutput();
                return;
            }
        }
        if (readPaused && state == State.OPEN && (pending == null || pending.size() <= reactor.watermarks().low())) {
            readPaused = false;
        }
        updateInterest();
    }

    /** Writes staged bytes straight to the socket; queues what it does not take. */
    void flush(ByteBuffer staged) {
        if (pending != null) {
            queue(staged);
            return;
        }
        try {
            channel.write(staged);
        } catch (IOException e) {
            staged.position(staged.limit());
            closeOnError(e);
            return;
        }
        if (staged.hasRemaining()) {
            queue(staged);
        }
    }

    private void queue(ByteBuffer bytes) {
        boolean wasIdle = pending == null;
        if (wasIdle) {
            pending = new PendingOutput(reactor.buffers(), bytes);
        } else {
            pending.append(bytes);
        }
        reactor.recordPendingOutput(pending.size());
        boolean pause = !readPaused && pending.size() >= reactor.watermarks().high();
        if (pause) {
            readPaused = true;
        }
        if (wasIdle || pause) {
            updateInterest();
        }
    }

    private void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            closeOnError(e);
            return;
        }
        outputShutdown = true;
        if (inputEnded) {
            close(); // the peer already sent its FIN: nothing left to wait for
        } else {
            readPaused = false; // read and discard until the peer's FIN
            updateInterest();
        }
    }

    private void updateInterest() {
        if (!key.isValid()) {
            return;
        }
        int ops = (readPaused || inputEnded ? 0 : SelectionKey.OP_READ) | (pending != null ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }
}
